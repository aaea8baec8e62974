import type { Tier } from "@/lib/fleet/types";
import type { PoolStatus, PoolSummary } from "@/lib/fleet/views";

// What the overview shows, as it lives in the URL (?q=, ?status=, ?sort=): pure functions, so a
// link reproduces the view and the rules are tested without a browser.

export type SortKey = "name" | "cpu" | "pageload" | "capacity";
export type StatusFilter = "all" | "attention";

export interface ViewState {
  /** Free text: every word must appear in the pool id or name (case-insensitive). */
  q: string;
  status: StatusFilter;
  sort: SortKey;
}

export const DEFAULT_VIEW: ViewState = { q: "", status: "all", sort: "name" };

export const SORTS: { key: SortKey; label: string }[] = [
  { key: "name", label: "Tier and name" },
  { key: "cpu", label: "CPU, highest first" },
  { key: "pageload", label: "Page load, slowest first" },
  { key: "capacity", label: "Capacity, largest first" },
];

/** Statuses that need someone to look: the ones the overview already computes per pool and region. */
export const ATTENTION: ReadonlySet<PoolStatus> = new Set<PoolStatus>([
  "degraded",
  "scaling",
  "stale",
  "error",
]);

const MAX_Q = 100;

type Params = { get(name: string): string | null };

export function parseView(params: Params): ViewState {
  const q = (params.get("q") ?? "").slice(0, MAX_Q);
  const status = params.get("status") === "attention" ? "attention" : "all";
  const s = params.get("sort");
  const sort = SORTS.some((x) => x.key === s) ? (s as SortKey) : "name";
  return { q, status, sort };
}

/** Only what differs from the default goes in the URL; other parameters (e.g. range) are kept. */
export function viewSearch(view: ViewState, current = ""): string {
  const p = new URLSearchParams(current);
  for (const k of ["q", "status", "sort"]) p.delete(k);
  if (view.q.trim()) p.set("q", view.q);
  if (view.status !== "all") p.set("status", view.status);
  if (view.sort !== "name") p.set("sort", view.sort);
  const s = p.toString();
  return s ? `?${s}` : "";
}

export interface Row {
  id: string;
  name: string;
  tier: Tier;
}

/** The pool's summary in each region (undefined: not loaded, or no group there). */
export type Lookup = (poolId: string) => (PoolSummary | undefined)[];

export function matchesQuery(row: Row, q: string): boolean {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = `${row.id} ${row.name}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function needsAttention(summaries: (PoolSummary | undefined)[]): boolean {
  return summaries.some((p) => p !== undefined && ATTENTION.has(p.status));
}

/** The sort figure of a pool: the highest across regions (the hot side is the one that matters). */
function figure(key: Exclude<SortKey, "name">, summaries: (PoolSummary | undefined)[]): number | null {
  let best: number | null = null;
  for (const p of summaries) {
    if (!p) continue;
    const v =
      key === "cpu"
        ? p.cpu.latest
        : key === "pageload"
          ? (p.pageLoad?.latest ?? null)
          : p.group
            ? p.desired
            : null;
    if (v !== null && (best === null || v > best)) best = v;
  }
  return best;
}

const TIER_ORDER: Record<Tier, number> = { web: 0, worker: 1, infra: 2 };

/**
 * Filter, then order: by tier, degraded first, then configuration order for "name" (the board
 * groups by tier), else
 * by the figure, highest first, pools without one last, ties by id so the order never jitters.
 */
export function applyView<T extends Row>(rows: T[], view: ViewState, lookup: Lookup): T[] {
  const kept = rows.filter(
    (r) => matchesQuery(r, view.q) && (view.status === "all" || needsAttention(lookup(r.id))),
  );
  if (view.sort === "name") {
    // Degraded pools (in either region) lead their tier: the slow pool is the first row read.
    const degraded = (r: T) => lookup(r.id).some((s) => s?.status === "degraded");
    return kept
      .map((r, i) => ({ r, i, d: degraded(r) }))
      .sort((a, b) => TIER_ORDER[a.r.tier] - TIER_ORDER[b.r.tier] || Number(b.d) - Number(a.d) || a.i - b.i)
      .map((x) => x.r);
  }
  const key = view.sort;
  const withFigure = kept.map((r) => ({ r, v: figure(key, lookup(r.id)) }));
  withFigure.sort((a, b) => {
    if (a.v === null || b.v === null)
      return a.v === b.v ? a.r.id.localeCompare(b.r.id) : a.v === null ? 1 : -1;
    return b.v - a.v || a.r.id.localeCompare(b.r.id);
  });
  return withFigure.map((x) => x.r);
}

/** The region header's "N degraded": the region's pools whose status is degraded (not scaling, stale or error). */
export function countDegraded(pools: readonly Pick<PoolSummary, "status">[]): number {
  return pools.filter((p) => p.status === "degraded").length;
}

export function countAttention(rows: Row[], lookup: Lookup): number {
  let n = 0;
  for (const r of rows) if (needsAttention(lookup(r.id))) n++;
  return n;
}
