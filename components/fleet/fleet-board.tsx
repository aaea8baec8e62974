"use client";

import { useCallback, useMemo, useState } from "react";
import type { Tier } from "@/lib/fleet/types";
import type { PoolSummary, RegionView } from "@/lib/fleet/views";
import { InlineAlert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { fmtUtc } from "@/components/ui/format";
import { FleetFilter } from "./fleet-filter";
import { DEFAULT_REFRESH_MS, useFleetRefresh, type Arrivals } from "./fleet-refresh";
import { FleetRows, itemCount, type RenderControls } from "./fleet-rows";
import { RegionHeader } from "./region-header";
import { Streamed } from "./streamed";
import { applyView, countAttention, SORTS, viewSearch, type ViewState } from "./view-state";

export { FLEET_CHANGED } from "./fleet-refresh";

export interface PoolRef {
  id: string;
  name: string;
  tier: Tier;
}

const HEADER_ROWS = 2;

/**
 * The overview: every pool, primary and standby side by side. Each region arrives on its own
 * (a slow region never blanks the fast one; the page streams them into its HTML), then the board
 * refreshes itself every 15 s. A filter, "needs attention" and a sort find the pools that matter
 * in a fleet of hundreds; the view lives in the URL (replaced, not pushed: no history entry per
 * keystroke).
 */
export function FleetBoard({
  catalogue,
  regions,
  initial,
  initialView,
  refreshMs = DEFAULT_REFRESH_MS,
  renderControls,
}: {
  catalogue: PoolRef[];
  regions: { region: string; role: string }[];
  /** The regions as the page streams them; null: the board fetches GET /api/fleet itself. */
  initial: Arrivals | null;
  initialView: ViewState;
  refreshMs?: number;
  renderControls?: RenderControls;
}) {
  const [paused, setPaused] = useState(false);
  const [view, setView] = useState(initialView);
  const { views, updatedAt, fetchError } = useFleetRefresh(regions, initial, refreshMs, paused);

  const changeView = useCallback((next: ViewState) => {
    setView(next);
    const url = `${window.location.pathname}${viewSearch(next, window.location.search)}${window.location.hash}`;
    window.history.replaceState(window.history.state, "", url);
  }, []);
  const togglePause = useCallback(() => setPaused((p) => !p), []);

  const draw = (vs: (RegionView | null)[]) => (
    <BoardBody
      catalogue={catalogue}
      regions={regions}
      views={vs}
      view={view}
      changeView={changeView}
      paused={paused}
      togglePause={togglePause}
      updatedAt={updatedAt}
      fetchError={fetchError}
      refreshMs={refreshMs}
      renderControls={renderControls}
    />
  );
  if (!initial) return draw(views);
  const live = views.some((v) => v !== null) ? views : null;
  return <Streamed arrivals={initial} live={live} draw={draw} empty={regions.map(() => null)} />;
}

function BoardBody({
  catalogue,
  regions,
  views,
  view,
  changeView,
  paused,
  togglePause,
  updatedAt,
  fetchError,
  refreshMs,
  renderControls,
}: {
  catalogue: PoolRef[];
  regions: { region: string; role: string }[];
  views: (RegionView | null)[];
  view: ViewState;
  changeView: (next: ViewState) => void;
  paused: boolean;
  togglePause: () => void;
  updatedAt: string | null;
  fetchError: string | null;
  refreshMs: number;
  renderControls?: RenderControls;
}) {
  const all = useMemo(() => {
    const known = new Map(catalogue.map((p) => [p.id, p]));
    for (const v of views)
      for (const p of v?.pools ?? [])
        if (!known.has(p.id)) known.set(p.id, { id: p.id, name: p.name, tier: p.tier });
    return [...known.values()];
  }, [catalogue, views]);
  const byRegion = useMemo(() => views.map((v) => new Map((v?.pools ?? []).map((p) => [p.id, p]))), [views]);
  const lookup = useCallback(
    (id: string): (PoolSummary | undefined)[] => byRegion.map((m) => m.get(id)),
    [byRegion],
  );
  const rows = useMemo(() => applyView(all, view, lookup), [all, view, lookup]);
  const attention = useMemo(() => countAttention(all, lookup), [all, lookup]);
  const grouped = view.sort === "name";
  const groupLabel = `All tiers, by ${SORTS.find((s) => s.key === view.sort)?.label.toLowerCase()}`;
  const refreshText = refreshMs % 1000 === 0 ? `${refreshMs / 1000} s` : `${refreshMs} ms`;

  // Before the board's own first refresh: the newest read among the streamed regions.
  const shownAt =
    updatedAt ??
    views.reduce<string | null>((a, v) => (v?.fetchedAt && (!a || v.fetchedAt > a) ? v.fetchedAt : a), null);

  return (
    <section aria-labelledby="overview-title">
      <div className="mb-3 flex flex-wrap items-center gap-x-3 gap-y-2">
        <h1 id="overview-title" className="text-xl font-semibold">
          Fleet overview
        </h1>
        <span className="text-xs text-slate-500 dark:text-slate-400" aria-live="polite">
          {shownAt ? `updated ${fmtUtc(shownAt)}` : "loading…"} · refreshes every {refreshText}
          {paused ? " (paused)" : ""}
        </span>
        {fetchError && (
          <InlineAlert tone="error" className="text-xs">
            refresh failed: {fetchError}
          </InlineAlert>
        )}
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <FleetFilter
            view={view}
            onChange={changeView}
            shown={rows.length}
            total={all.length}
            attention={attention}
          />
          <Button variant="outline" size="sm" onClick={togglePause} aria-pressed={paused}>
            {paused ? "Resume refresh" : "Pause refresh"}
          </Button>
        </div>
      </div>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table
          className="w-full min-w-[1100px] border-collapse text-sm"
          data-testid="fleet-table"
          aria-rowcount={HEADER_ROWS + itemCount(rows, grouped)}
          aria-labelledby="overview-title"
        >
          <thead>
            <tr className="border-b border-slate-200 dark:border-slate-800" aria-rowindex={1}>
              <th scope="col" rowSpan={2} className="w-48 px-3 py-2 text-left align-bottom font-medium">
                Pool
              </th>
              {regions.map((r, i) => (
                <th
                  key={r.region}
                  scope="colgroup"
                  colSpan={4}
                  className={`px-2 pt-2 text-left font-normal ${i > 0 ? "border-l border-slate-200 dark:border-slate-800" : ""}`}
                >
                  <RegionHeader region={r.region} role={r.role} view={views[i] ?? null} />
                </th>
              ))}
            </tr>
            <tr
              className="border-b border-slate-200 text-left text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400"
              aria-rowindex={2}
            >
              {regions.map((r, i) => (
                <RegionColumns key={r.region} first={i === 0} />
              ))}
            </tr>
          </thead>
          <FleetRows
            rows={rows}
            grouped={grouped}
            groupLabel={groupLabel}
            regions={regions}
            views={views}
            lookup={lookup}
            renderControls={renderControls}
            headerRows={HEADER_ROWS}
          />
        </table>
        {rows.length === 0 && all.length > 0 && (
          <p className="px-3 py-4 text-sm text-slate-500 dark:text-slate-400" data-testid="no-match">
            No pool matches{view.q.trim() ? ` “${view.q.trim()}”` : ""}
            {view.status === "attention" ? " and needs attention" : ""}.{" "}
            <Button variant="link" onClick={() => changeView({ ...view, q: "", status: "all" })}>
              Clear the filter
            </Button>
          </p>
        )}
      </div>
    </section>
  );
}

function RegionColumns({ first }: { first: boolean }) {
  const b = first ? "" : "border-l border-slate-200 dark:border-slate-800";
  return (
    <>
      <th scope="col" className={`px-2 pb-1 font-medium ${b}`} title="desired / in service, min–max">
        Capacity
      </th>
      <th scope="col" className="px-2 pb-1 font-medium">
        CPU
      </th>
      <th scope="col" className="px-2 pb-1 font-medium">
        Page load · backlog
      </th>
      <th scope="col" className="px-2 pb-1 font-medium">
        Status
      </th>
    </>
  );
}
