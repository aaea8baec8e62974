import Link from "next/link";
import { Suspense } from "react";
import { pageIdentity } from "@/lib/auth/page";
import { can, type Identity } from "@/lib/auth/roles";
import { getConfig } from "@/lib/config";
import { planFromView } from "@/lib/services/standby-plan";
import { StandbyPlanPanel } from "@/components/fleet/standby-plan";
import { readStandby } from "@/lib/services/read-standby";
import { StatusBadge } from "@/components/fleet/status-badge";
import { fmtAge, fmtPct, fmtUtc } from "@/components/ui/format";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert } from "@/components/ui/alert";

export const metadata = { title: "Standby readiness" };

export default async function StandbyPage() {
  const identity = await pageIdentity("/standby");
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Standby readiness</h1>
      <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Could the standby region take the primary&apos;s current load if it were scaled now? The size each
        pool needs is the primary&apos;s in-service count × its CPU now ÷ the pool&apos;s CPU target.
      </p>
      <Suspense fallback={<Skeleton className="h-96 w-full" />}>
        <StandbyBody identity={identity} />
      </Suspense>
    </div>
  );
}

async function StandbyBody({ identity }: { identity: Identity }) {
  const v = await readStandby(identity);
  // Admins get the plan the verdict implies, ready to review and apply.
  const plan = can(identity, "standby:plan") ? planFromView(v, getConfig(), Date.parse(v.generatedAt)) : null;
  return (
    <>
      <div
        className="flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
        data-testid="standby-verdict"
      >
        <StatusBadge status={v.overall} />
        <span className="text-sm">{v.overallExplanation}</span>
        <span className="ml-auto text-xs text-slate-500 dark:text-slate-400">
          as of {fmtUtc(v.generatedAt)}
        </span>
      </div>
      {v.regions
        .filter((r) => r.error)
        .map((r) => (
          <Alert key={r.region} tone="error">
            {r.region} ({r.role}) {r.status === "stale" ? "is stale" : "is unreachable"}: {r.error!.code}:{" "}
            {r.error!.message}
          </Alert>
        ))}
      {plan && <StandbyPlanPanel initial={plan} />}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm" data-testid="standby-table">
          <thead className="border-b border-slate-200 text-left text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                Pool
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                {v.primary} desired / in service
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                CPU now
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                {v.standby} desired / in service
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Ratio
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Standby health
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Needed
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Verdict
              </th>
            </tr>
          </thead>
          <tbody>
            {v.pools.map((p) => (
              <tr
                key={p.id}
                className="border-t border-slate-100 dark:border-slate-800"
                data-testid={`standby-row-${p.id}`}
              >
                <th scope="row" className="px-3 py-2 text-left font-normal">
                  <Link href={`/pools/${v.standby}/${p.id}`} className="font-medium hover:underline">
                    {p.id}
                  </Link>
                  <div className="text-xs text-slate-500 dark:text-slate-400">{p.name}</div>
                </th>
                <td className="px-3 py-2">
                  {p.primary ? `${p.primary.desired} / ${p.primary.inService}` : "—"}
                </td>
                <td className="px-3 py-2">{fmtPct(p.primary?.cpu)}</td>
                <td className="px-3 py-2">
                  {p.standby ? `${p.standby.desired} / ${p.standby.inService}` : "—"}
                </td>
                <td className="px-3 py-2">{p.ratio === null ? "—" : `${Math.round(p.ratio * 100)} %`}</td>
                <td className="px-3 py-2 text-xs">
                  {p.standby ? (
                    <>
                      <span
                        className={
                          p.standby.unhealthy > 0 ? "font-medium text-red-700 dark:text-red-400" : ""
                        }
                      >
                        {p.standby.unhealthy === 0 ? "all healthy" : `${p.standby.unhealthy} unhealthy`}
                      </span>
                      <div className="text-slate-500 dark:text-slate-400">
                        metrics{" "}
                        {p.standby.metricAgeMs === null ? "missing" : `${fmtAge(p.standby.metricAgeMs)} old`}
                      </div>
                    </>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="px-3 py-2">{p.needed ?? "—"}</td>
                <td className="px-3 py-2">
                  <StatusBadge status={p.verdict} />
                  <div className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{p.explanation}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
