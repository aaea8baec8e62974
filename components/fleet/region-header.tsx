"use client";

import { useEffect, useState } from "react";
import type { RegionView } from "@/lib/fleet/views";
import { fmtAge } from "@/components/ui/format";
import { StatusBadge } from "./status-badge";

/** Region name, role, reachability and data age ("stale, 3 min old"), ticking on its own. */
export function RegionHeader({ region, role, view }: { region: string; role: string; view: RegionView | null }) {
  // Ages are drawn only once a region's data has arrived in the browser, so no hydration mismatch.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(t);
  }, []);
  const age = view?.fetchedAt && now ? now - Date.parse(view.fetchedAt) : null;
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid={`region-header-${region}`}>
      <span className="font-semibold">{region}</span>
      <span className="text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">{role}</span>
      {view ? (
        <>
          <StatusBadge status={view.status} title={view.error ? `${view.error.code}: ${view.error.message}` : undefined} />
          <DegradedCount view={view} />
          <span className="text-xs text-slate-500 dark:text-slate-400">
            {view.status === "stale" ? `stale, ${fmtAge(age)} old` : view.fetchedAt ? `data ${fmtAge(age)} old` : "never reached"}
          </span>
          {view.error && (
            <span role="alert" className="text-xs text-red-700 dark:text-red-400">
              {view.error.code}: {view.error.message}
            </span>
          )}
          {!view.error && view.metricsError && (
            <span role="alert" className="text-xs text-amber-700 dark:text-amber-400">
              metrics: {view.metricsError.code}: {view.metricsError.message}
            </span>
          )}
        </>
      ) : (
        <span className="text-xs text-slate-500 dark:text-slate-400">loading…</span>
      )}
    </div>
  );
}

function DegradedCount({ view }: { view: RegionView }) {
  const n = view.pools.filter((p) => p.status === "degraded").length;
  if (n === 0) return null;
  return (
    <span data-testid={`degraded-count-${view.region}`} className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900/40 dark:text-amber-200">
      {n} degraded
    </span>
  );
}
