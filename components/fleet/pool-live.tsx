"use client";

import { useCallback, useRef, useState } from "react";
import { api } from "@/lib/client/api";
import type { PoolDetail } from "@/lib/fleet/views";
import { Alert } from "@/components/ui/alert";
import { usePolling } from "@/components/ui/use-polling";
import { PoolCharts, type ChartSpec } from "@/components/charts/pool-charts";
import { fmtCount, fmtMs, fmtPct, fmtUsd, fmtUtc } from "@/components/ui/format";
import { ActivitiesTable } from "./activities-table";
import { InstancesTable } from "./instances-table";
import { ResizeForm } from "./resize-form";
import { RevertBanner } from "./revert-banner";
import { StatusBadge } from "./status-badge";
import type { PreviewPool } from "@/lib/shared/capacity-rules";

const REFRESH_MS = 15_000;
const FAST_REFRESH_MS = 3_000;

function charts(d: PoolDetail): ChartSpec[] {
  const out: ChartSpec[] = [];
  if (d.series.pageLoadP90) {
    out.push({
      id: "page-load",
      title: "Page load",
      unit: "ms",
      target: d.targets.pageLoadP90Ms,
      series: [
        { key: "p90", label: "p90", points: d.series.pageLoadP90, color: "#8b5cf6" },
        { key: "p50", label: "p50", points: d.series.pageLoadP50 ?? [], color: "#c4b5fd", dashed: true },
      ],
    });
  }
  out.push({
    id: "cpu",
    title: "CPU",
    unit: "%",
    max: 100,
    target: d.targets.cpuPercent,
    series: [
      { key: "cpuAvg", label: "average", points: d.series.cpuAvg, color: "#0ea5e9" },
      { key: "cpuMax", label: "maximum", points: d.series.cpuMax, color: "#f97316", dashed: true },
    ],
  });
  if (d.series.requests) {
    out.push({
      id: "requests",
      title: "Requests",
      unit: "requests",
      series: [{ key: "requests", label: "per period", points: d.series.requests, color: "#14b8a6" }],
    });
  }
  if (d.series.backlog) {
    out.push({
      id: "backlog",
      title: "Queue backlog",
      unit: "messages",
      target: d.targets.backlog,
      series: [{ key: "backlog", label: "visible messages", points: d.series.backlog, color: "#f59e0b" }],
    });
  }
  out.push({
    id: "capacity",
    title: "Capacity",
    unit: "instances",
    series: [
      {
        key: "desired",
        label: "desired",
        points: d.series.desired,
        color: "#64748b",
        step: true,
        dashed: true,
      },
      { key: "inService", label: "in service", points: d.series.inService, color: "#10b981", step: true },
    ],
  });
  return out;
}

export function PoolLive({
  initial,
  resize,
}: {
  initial: PoolDetail;
  resize: { config: PreviewPool; admin: boolean } | null;
}) {
  const [d, setD] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const { region, range } = d;
  const poolId = d.pool.id;
  // Responses can arrive out of order (a tick and a post-change refresh): only the newest counts.
  const latestRequest = useRef(0);
  const refresh = useCallback(async () => {
    const request = ++latestRequest.current;
    const res = await api.pool(region, poolId, range);
    if (request !== latestRequest.current) return;
    if (res.ok && res.data) {
      setD(res.data);
      setError(null);
    } else if (!res.ok) {
      setError(res.error.error);
    }
  }, [region, poolId, range]);
  // Follow a change in flight closely (pending → in service, activity progress), else every 15 s.
  const moving =
    d.pool.pending > 0 ||
    d.pool.terminating > 0 ||
    d.pool.inService !== d.pool.desired ||
    d.activities.some((a) => a.progress < 100);
  usePolling(refresh, moving ? FAST_REFRESH_MS : REFRESH_MS);

  const p = d.pool;
  return (
    <div className="space-y-4">
      {(d.error || error) && (
        <Alert tone="warning">
          {d.error
            ? `${d.region}: ${d.error.code}: ${d.error.message}${d.status === "stale" ? " — showing last good data" : ""}`
            : `Refresh failed: ${error}`}
        </Alert>
      )}
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-8" data-testid="pool-summary">
        <Stat label="Desired / in service" value={`${p.desired} / ${p.inService}`} testId="stat-capacity" />
        <Stat label="Pending" value={String(p.pending)} testId="stat-pending" />
        <Stat label="Min–max" value={`${p.min}–${p.max}`} />
        <Stat label="CPU now" value={fmtPct(p.cpu.latest)} />
        {p.pageLoad && <Stat label="p90 page load" value={fmtMs(p.pageLoad.latest)} testId="stat-p90" />}
        {p.backlog && <Stat label="Backlog" value={fmtCount(p.backlog.latest)} />}
        <Stat label="Instance" value={`${d.instanceType} · ${fmtUsd(d.hourlyPrice)}/h`} />
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">Status</dt>
          <dd className="mt-1">
            <StatusBadge status={p.status} title={p.statusReason} />{" "}
            <span className="text-xs text-slate-500 dark:text-slate-400">{p.statusReason}</span>
          </dd>
        </div>
      </dl>
      {p.status === "degraded" && p.statusReason && (
        <Alert tone="error" role={null} testId="degraded-reason" className="font-medium">
          Degraded in {d.region}: {p.statusReason}
        </Alert>
      )}
      {(p.hasScalingPolicies || p.hasScheduledActions) && (
        <Alert tone="warning" role={null}>
          This group has{" "}
          {[p.hasScalingPolicies && "scaling policies", p.hasScheduledActions && "scheduled actions"]
            .filter(Boolean)
            .join(" and ")}
          : they may change desired capacity on their own and undo a manual change.
        </Alert>
      )}
      {d.revert && (
        <RevertBanner
          region={d.region}
          pool={p.id}
          revert={d.revert}
          canChange={resize !== null}
          onChanged={refresh}
        />
      )}
      {resize && (
        <ResizeForm
          region={d.region}
          pool={p}
          config={resize.config}
          admin={resize.admin}
          suggestion={d.suggestion}
          onDone={refresh}
        />
      )}
      <PoolCharts charts={charts(d)} markers={d.markers} domain={d.domain} />
      {d.pageLoadSource && (
        <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="page-load-source">
          Page load: {d.pageLoadSource.namespace} {d.pageLoadSource.metric} by{" "}
          {Object.entries(d.pageLoadSource.dimensions)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}
          {d.pageLoadSource.from === "target group"
            ? ", found from the group's target group"
            : ", from the configuration"}
          .
        </p>
      )}
      {d.markers.length > 0 && <ChangeEffects markers={d.markers} />}
      {d.metricsError && (
        <Alert tone="warning">
          Metrics could not be read: {d.metricsError.code}: {d.metricsError.message}. The graphs show the last
          good data, if any.
        </Alert>
      )}
      {d.partial && (
        <p className="text-xs text-amber-700 dark:text-amber-400">
          CloudWatch returned partial data: gaps are missing points, not zeros.
        </p>
      )}
      <section
        aria-labelledby="activities-title"
        className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 id="activities-title" className="mb-2 font-medium">
          Scaling activities
        </h2>
        {d.activitiesError ? (
          <p role="alert" className="text-sm text-amber-800 dark:text-amber-300">
            Activities could not be read: {d.activitiesError.code}: {d.activitiesError.message}
          </p>
        ) : (
          <ActivitiesTable activities={d.activities} />
        )}
      </section>
      <section
        aria-labelledby="instances-title"
        className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 id="instances-title" className="mb-2 font-medium">
          Instances ({d.instances.length})
        </h2>
        {d.instancesError && (
          <p role="alert" className="mb-2 text-sm text-amber-800 dark:text-amber-300">
            Instance details could not be read: {d.instancesError.code}: {d.instancesError.message}
          </p>
        )}
        <InstancesTable instances={d.instances} cpu={d.instanceCpu} />
      </section>
      <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="cloudwatch-cost">
        This dashboard asks CloudWatch for {d.cloudwatch.seriesPerRefresh} series per refresh: about{" "}
        {d.cloudwatch.metricsPerDay.toLocaleString("en-US")} metrics a day (≈ {fmtUsd(d.cloudwatch.usdPerDay)}
        /day at $0.01 per 1,000), shared by every viewer
        {d.cloudwatch.instanceSeries > 0 && (
          <>
            , of which the per-instance CPU is {d.cloudwatch.instanceSeries} series (≈{" "}
            {fmtUsd(d.cloudwatch.instanceUsdPerDay)}/day, only while this page is open)
          </>
        )}
        . Updated {fmtUtc(d.generatedAt)}.
      </p>
    </div>
  );
}

const VERDICT_STYLE: Record<string, string> = {
  helped: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200",
  worse: "bg-red-100 text-red-900 dark:bg-red-900/40 dark:text-red-200",
  "no change": "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100",
  pending: "bg-sky-100 text-sky-900 dark:bg-sky-900/40 dark:text-sky-200",
  unknown: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300",
};

/** Every change in the range and whether it helped: the loop closed where the operator looks. */
function ChangeEffects({ markers }: { markers: PoolDetail["markers"] }) {
  return (
    <section
      aria-labelledby="effects-title"
      className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
    >
      <h2 id="effects-title" className="mb-2 font-medium">
        Changes and their effect
      </h2>
      <ul className="space-y-1 text-sm">
        {[...markers].reverse().map((m) => (
          <li
            key={`${m.at}-${m.actor}`}
            data-testid="change-effect"
            data-verdict={m.effect?.verdict ?? ""}
            className="flex flex-wrap items-baseline gap-2"
          >
            <span className="tabular-nums text-slate-500 dark:text-slate-400">{fmtUtc(m.at)}</span>
            <span>
              {m.actor}: {m.from} → {m.to}
            </span>
            {m.effect && (
              <span
                className={`rounded px-1.5 py-0.5 text-xs font-medium ${VERDICT_STYLE[m.effect.verdict] ?? ""}`}
              >
                {m.effect.verdict}
              </span>
            )}
            {m.effect && <span className="text-slate-600 dark:text-slate-300">{m.effect.summary}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="mt-0.5 text-lg font-semibold" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
