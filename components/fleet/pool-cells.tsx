import Link from "next/link";
import type { PoolSummary, RegionView } from "@/lib/fleet/views";
import { fmtCount, fmtMs, fmtPct } from "@/components/ui/format";
import { Skeleton } from "@/components/ui/skeleton";
import { FLEET_CHANGED } from "./fleet-refresh";
import { RevertBanner } from "./revert-banner";
import { Sparkline } from "./sparkline";
import { StatusBadge } from "./status-badge";

const cell = "px-2 py-1.5 align-middle";

/** The four cells of one pool in one region: capacity, CPU, page load or backlog, status. */
export function PoolCells({
  pool,
  region,
  controls,
  divider,
  testId,
}: {
  pool: PoolSummary | undefined;
  region: RegionView | null;
  controls?: React.ReactNode;
  /** A left border between regions. */
  divider: boolean;
  testId: string;
}) {
  const first = `${cell} ${divider ? "border-l border-slate-200 dark:border-slate-800" : ""}`;
  if (!region) {
    return (
      <>
        {[0, 1, 2, 3].map((i) => (
          <td
            key={i}
            className={i === 0 ? first : cell}
            data-testid={i === 0 ? testId : undefined}
            data-loading="true"
          >
            <Skeleton className={i === 0 ? "h-5 w-20" : "h-5 w-24"} />
          </td>
        ))}
      </>
    );
  }
  if (!pool || pool.status === "missing" || (pool.status === "error" && !pool.group)) {
    const text =
      region.status === "error" ? `unavailable: ${region.error?.code ?? "error"}` : "no group in this region";
    return (
      <td
        colSpan={4}
        data-testid={testId}
        className={`${first} text-xs ${region.status === "error" ? "text-red-700 dark:text-red-400" : "text-slate-500 dark:text-slate-400"}`}
      >
        {text}
      </td>
    );
  }
  const dim = pool.status === "stale" ? "opacity-60" : "";
  return (
    <>
      <td className={`${first} ${dim}`} data-testid={testId}>
        <div className="flex items-center gap-2">
          <div className="w-[7.75rem] shrink-0">
            <div className="text-base font-semibold" data-testid="capacity">
              <Link
                href={`/pools/${region.region}/${pool.id}`}
                className="hover:underline"
                title="desired (open this pool in this region)"
              >
                {pool.desired}
              </Link>
              <span className="text-slate-500 dark:text-slate-400"> / </span>
              <span title="in service">{pool.inService}</span>
            </div>
            <div className="whitespace-nowrap text-xs text-slate-500 dark:text-slate-400">
              <span title="min–max">
                {pool.min}–{pool.max}
              </span>
              {pool.pending > 0 && (
                <span className="ml-1 font-medium text-sky-600 dark:text-sky-400">
                  +{pool.pending} pending
                </span>
              )}
              {pool.terminating > 0 && (
                <span className="ml-1 font-medium text-slate-500 dark:text-slate-400">
                  −{pool.terminating} leaving
                </span>
              )}
              {(pool.hasScalingPolicies || pool.hasScheduledActions) && (
                <span
                  className="ml-1 text-amber-700 dark:text-amber-400"
                  title="Scaling policies or scheduled actions may change desired on their own"
                >
                  ⚙ {pool.hasScalingPolicies ? "policy" : "scheduled"}
                </span>
              )}
            </div>
          </div>
          {controls}
        </div>
        {pool.revert && (
          <RevertBanner
            compact
            region={region.region}
            pool={pool.id}
            revert={pool.revert}
            canChange={!!controls}
            onChanged={() => window.dispatchEvent(new Event(FLEET_CHANGED))}
          />
        )}
      </td>
      <td className={`${cell} ${dim}`}>
        <Metric value={fmtPct(pool.cpu.latest)} testId="cpu-now">
          <Sparkline series={pool.cpu} max={100} width={72} label={`${pool.id} CPU, last hour`} />
        </Metric>
      </td>
      <td className={`${cell} ${dim}`}>
        {pool.pageLoad ? (
          <Metric value={fmtMs(pool.pageLoad.latest)} hint="p90" testId="load-now">
            <Sparkline
              series={pool.pageLoad}
              width={72}
              className="stroke-violet-500"
              label={`${pool.id} p90 page load, last hour`}
            />
          </Metric>
        ) : pool.backlog ? (
          <Metric value={fmtCount(pool.backlog.latest)} hint="queued">
            <Sparkline
              series={pool.backlog}
              width={72}
              className="stroke-amber-500"
              label={`${pool.id} backlog, last hour`}
            />
          </Metric>
        ) : (
          <span className="text-xs text-slate-500 dark:text-slate-400">—</span>
        )}
      </td>
      <td className={`${cell} ${dim}`}>
        <StatusBadge status={pool.status} title={pool.statusReason} />
        {pool.statusReason && pool.status !== "healthy" && (
          <div
            className="mt-0.5 max-w-[9rem] truncate text-[11px] text-slate-500 dark:text-slate-400"
            title={pool.statusReason}
          >
            {pool.statusReason}
          </div>
        )}
      </td>
    </>
  );
}

function Metric({
  value,
  hint,
  testId,
  children,
}: {
  value: string;
  hint?: string;
  testId?: string;
  children: React.ReactNode;
}) {
  return (
    <div className="flex items-center gap-2">
      <div className="w-14 text-right">
        <div className="text-sm font-medium" data-testid={testId}>
          {value}
        </div>
        {hint && <div className="text-[10px] uppercase text-slate-500 dark:text-slate-400">{hint}</div>}
      </div>
      {children}
    </div>
  );
}
