"use client";

import type { RegionView } from "@/lib/fleet/views";
import { InlineAlert } from "@/components/ui/alert";
import { fmtAge, fmtUtc } from "@/components/ui/format";
import { useNow } from "@/components/ui/use-now";
import { StatusBadge } from "./status-badge";
import { countDegraded } from "./view-state";

/** Region name, role, reachability and data age ("stale, 3 min old"), ticking on its own. */
export function RegionHeader({
  region,
  role,
  view,
}: {
  region: string;
  role: string;
  view: RegionView | null;
}) {
  // Ages need the browser's clock: the server's HTML (and hydration) says when the data was read.
  const now = useNow(5000);
  const age = view?.fetchedAt && now !== null ? now - Date.parse(view.fetchedAt) : null;
  const when = view?.fetchedAt
    ? age !== null
      ? `${fmtAge(age)} old`
      : `of ${fmtUtc(view.fetchedAt)}`
    : null;
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid={`region-header-${region}`}>
      <span className="font-semibold">{region}</span>
      <span className="text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">{role}</span>
      {view ? (
        <>
          <StatusBadge
            status={view.status}
            title={view.error ? `${view.error.code}: ${view.error.message}` : undefined}
          />
          <DegradedCount view={view} />
          <span className="text-xs text-slate-500 dark:text-slate-400">
            {view.status === "stale"
              ? `stale, ${when ?? "never read"}`
              : when
                ? `data ${when}`
                : "never reached"}
          </span>
          {view.error && (
            <InlineAlert tone="error" className="text-xs">
              {view.error.code}: {view.error.message}
            </InlineAlert>
          )}
          {!view.error && view.metricsError && (
            <InlineAlert tone="warning" className="text-xs">
              metrics: {view.metricsError.code}: {view.metricsError.message}
            </InlineAlert>
          )}
        </>
      ) : (
        <span className="text-xs text-slate-500 dark:text-slate-400">loading…</span>
      )}
    </div>
  );
}

function DegradedCount({ view }: { view: RegionView }) {
  const n = countDegraded(view.pools);
  if (n === 0) return null;
  return (
    <span
      data-testid={`degraded-count-${view.region}`}
      className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900/40 dark:text-amber-200"
    >
      {n} degraded
    </span>
  );
}
