import "server-only";
import { authorize, can, type Identity } from "@/lib/auth/roles";
import { getConfig, regionsOf, type FleetConfig } from "@/lib/config";
import type { MetricQuery, MetricSeries, RegionRole } from "@/lib/fleet/types";
import type { FleetView, PoolSummary, RegionView, SeriesView } from "@/lib/fleet/views";
import { choosePeriod, downsample, latest, RANGES, type RangeKey } from "@/lib/metrics/period";
import { toWire, EMPTY_SERIES } from "@/lib/shared/wire";
import { buildQuery, poolMetricDefs, queryId, toDisplay, type MetricKind } from "@/lib/metrics/queries";
import { countInstances, degradedAfterMs, poolStatus, sustained, type Sustained } from "./pool-status";
import { observePools } from "@/lib/notify/observe";
import { pendingRevertsOf } from "./reverts";
import {
  beforeDeadline,
  metricsTimedOut,
  poolsInRegion,
  readGroups,
  readSeriesByPeriod,
  regionStatus,
  toRegionError,
  type PoolInRegion,
} from "./region-reads";

/**
 * A sparkline is 72 px wide: 36 points (one per two pixels) is all it can show, and at 500 pools
 * per region every point counts on the wire. Values go in whole display units (%, ms, messages):
 * the line is 22 px tall; the figure beside it (`latest`) keeps one decimal.
 */
export const SPARK_POINTS = 36;
/** The overview draws CPU for every pool, page load for web pools, backlog for workers: nothing else. */
const OVERVIEW_KINDS: MetricKind[] = ["cpu", "pageLoad", "backlog"];

/** One region, independently; never throws (a failure becomes the region's status). */
export async function readRegion(
  region: string,
  role: RegionRole,
  range: RangeKey,
  cfg: FleetConfig = getConfig(),
): Promise<RegionView> {
  // One deadline per region: capacity and then metrics share cfg.refresh.timeoutMs, so a slow
  // region holds its readers for one timeout, not two. Metrics that miss it are reported as a
  // Timeout (gaps, not zeros) while their read goes on and fills the cache for the next refresh.
  const deadline = Date.now() + cfg.refresh.timeoutMs;
  const groups = await readGroups(region, cfg);
  const { status, error } = regionStatus(groups);
  const pools = poolsInRegion(cfg, groups.value);
  const period = choosePeriod(RANGES[range]);
  const queries = overviewQueries(pools, region, period);
  const series =
    groups.value === undefined
      ? { value: undefined }
      : await beforeDeadline(
          readSeriesByPeriod(`overview:${range}`, region, queries.list, RANGES[range], Date.now(), cfg),
          deadline,
          () => metricsTimedOut<MetricSeries[]>(region),
        );
  const byId = new Map((series.value ?? []).map((s) => [s.id, s]));
  // Metrics can fail while capacity reads fine (a missing cloudwatch:GetMetricData permission,
  // throttling): say so, rather than judge pools healthy from numbers that are not there.
  const metricsError = "error" in series && series.error ? toRegionError(series.error) : undefined;
  const now = Date.now();
  const reverts = await pendingRevertsOf(region);
  const summaries = pools.map((p) => ({
    ...summarise(p, status, byId, now, metricsError),
    revert: reverts.get(p.pool.id) ?? null,
  }));
  // pool.degraded / pool.recovered: noticed here, told off the read path.
  observePools(region, summaries).catch((e: unknown) =>
    console.error(`capstan: could not record pool status (${e instanceof Error ? e.message : String(e)})`),
  );
  return {
    region,
    role,
    status,
    error,
    metricsError,
    fetchedAt: groups.fetchedAt === undefined ? null : new Date(groups.fetchedAt).toISOString(),
    pools: summaries,
  };
}

export function overviewQueries(
  pools: PoolInRegion[],
  region: string,
  period: number,
): { list: MetricQuery[] } {
  const list: MetricQuery[] = [];
  for (const { pool, group } of pools) {
    if (!group) continue;
    const defs = poolMetricDefs(pool);
    for (const kind of OVERVIEW_KINDS) {
      const def = defs[kind];
      if (!def) continue;
      const q = buildQuery(def, queryId(pool.id, kind), region, group.groupName, period);
      if (q) list.push(q);
    }
  }
  return { list };
}

/** A figure over the "sustained" window, in display units, from the raw series. */
function sustainedOf(
  p: PoolInRegion,
  kind: MetricKind,
  byId: Map<string, MetricSeries>,
  now: number,
): Sustained | null {
  const def = poolMetricDefs(p.pool)[kind];
  const s = byId.get(queryId(p.pool.id, kind));
  if (!def || !s || s.points.length === 0) return null;
  const period = s.points.length > 1 ? s.points[1]![0] - s.points[0]![0] : def.period * 1000;
  const r = sustained(s.points, degradedAfterMs(), period, now);
  return r && { ...r, low: toDisplay(kind, def.unit, r.low), latest: toDisplay(kind, def.unit, r.latest) };
}

function seriesView(
  p: PoolInRegion,
  kind: MetricKind,
  byId: Map<string, MetricSeries>,
  now: number,
): SeriesView | null {
  const def = poolMetricDefs(p.pool)[kind];
  if (!def) return null;
  const s = byId.get(queryId(p.pool.id, kind));
  const points = downsample(s?.points ?? [], SPARK_POINTS, kind === "cpu" ? "mean" : "max").map(
    ([t, v]) => [t, v === null ? null : toDisplay(kind, def.unit, v)] as [number, number | null],
  );
  // "Now" is the newest value only if it is recent: an hour-old CPU figure is not CPU now.
  const last = latest(s?.points ?? []);
  const period =
    s?.points.length && s.points.length > 1 ? s.points[1]![0] - s.points[0]![0] : def.period * 1000;
  const fresh = last.at !== null && now - last.at <= LATEST_MAX_PERIODS * period + period;
  return {
    latest: fresh && last.value !== null ? round(toDisplay(kind, def.unit, last.value)) : null,
    ...toWire(points, 0),
  };
}

/** How many periods old the newest point may be and still be shown as "now". */
const LATEST_MAX_PERIODS = 3;

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

function summarise(
  p: PoolInRegion,
  region: RegionView["status"],
  byId: Map<string, MetricSeries>,
  now: number,
  metricsError: RegionView["metricsError"],
): PoolSummary {
  const { pool, group } = p;
  const counts = group ? countInstances(group) : { inService: 0, pending: 0, terminating: 0, unhealthy: 0 };
  const cpu = seriesView(p, "cpu", byId, now) ?? { latest: null, ...EMPTY_SERIES };
  const pageLoad = pool.tier === "web" ? seriesView(p, "pageLoad", byId, now) : null;
  const backlog = pool.tier === "worker" ? seriesView(p, "backlog", byId, now) : null;
  const computed = poolStatus(pool, group, counts, region, {
    cpu: sustainedOf(p, "cpu", byId, now),
    pageLoadMs: pool.tier === "web" ? sustainedOf(p, "pageLoad", byId, now) : null,
    backlog: pool.tier === "worker" ? sustainedOf(p, "backlog", byId, now) : null,
  });
  const st =
    p.claimants.length > 1
      ? {
          status: "degraded" as const,
          reason: `${p.claimants.length} groups claim this pool (${p.claimants.join(", ")}): pin one in pools[].groups`,
        }
      : metricsError &&
          group &&
          region === "ok" &&
          (computed.status === "healthy" || computed.status === "scaling")
        ? { status: "stale" as const, reason: `metrics unavailable: ${metricsError.code}` }
        : computed;
  return {
    id: pool.id,
    name: pool.name,
    tier: pool.tier,
    group: group?.groupName ?? null,
    min: group?.min ?? 0,
    max: group?.max ?? 0,
    desired: group?.desired ?? 0,
    ...counts,
    status: st.status,
    statusReason: st.reason,
    hasScalingPolicies: group?.hasScalingPolicies ?? false,
    hasScheduledActions: group?.hasScheduledActions ?? false,
    cpu,
    pageLoad: pageLoad ? { ...pageLoad, unit: "ms" } : null,
    backlog,
  };
}

export interface PoolRef {
  id: string;
  name: string;
  tier: PoolSummary["tier"];
}

/** The overview, for the page (which streams it) and GET /api/fleet (which awaits it). */
export interface Overview {
  /** The configured pools this identity may read somewhere: known without asking any backend. */
  catalogue: PoolRef[];
  regions: { region: string; role: RegionRole }[];
  /** One per region, in arrival order: every region known so far (null: not yet), in page order. */
  arrivals: Promise<(RegionView | null)[]>[];
  /** The whole fleet once every region has arrived. */
  fleet: Promise<FleetView>;
}

/**
 * The overview's one read: authorize, then read each region independently (never throws: a
 * failure becomes the region's status). The page streams `arrivals`, so a slow region never
 * blanks a fast one; the API awaits `fleet`. Authorization fails synchronously, before any read.
 */
export function readOverview(identity: Identity | null, range: RangeKey = "1h"): Overview {
  const who = authorize(identity, "fleet:read");
  const cfg = getConfig();
  const regions = regionsOf(cfg);
  const perRegion = regions.map((r) =>
    readRegion(r.region, r.role, range, cfg).then((v) => visibleTo(who, v)),
  );
  const fleet = Promise.all(perRegion).then((views) => ({
    generatedAt: new Date().toISOString(),
    range,
    period: choosePeriod(RANGES[range]),
    regions: views,
  }));
  const arrivals = inArrivalOrder(perRegion);
  // Whoever asks for one of the two may leave the other alone: neither is an unhandled rejection.
  for (const p of [fleet, ...arrivals]) p.catch(() => undefined);
  return {
    catalogue: cfg.pools
      .filter((p) => regions.some((r) => can(who, "fleet:read", { region: r.region, pool: p.id })))
      .map((p) => ({ id: p.id, name: p.name, tier: p.tier })),
    regions: regions.map((r) => ({ region: r.region, role: r.role })),
    arrivals,
    fleet,
  };
}

/** The k-th promise settles when k+1 of the inputs have, with every value known by then. */
export function inArrivalOrder<T>(inputs: Promise<T>[]): Promise<(T | null)[]>[] {
  const known: (T | null)[] = inputs.map(() => null);
  const settle: { resolve: (v: (T | null)[]) => void; reject: (e: unknown) => void }[] = [];
  const out = inputs.map(
    () => new Promise<(T | null)[]>((resolve, reject) => settle.push({ resolve, reject })),
  );
  let arrived = 0;
  inputs.forEach((p, i) =>
    p.then(
      (v) => {
        known[i] = v;
        settle[arrived++]!.resolve([...known]);
      },
      (e: unknown) => {
        for (const s of settle.slice(arrived)) s.reject(e);
        arrived = settle.length;
      },
    ),
  );
  return out;
}

/**
 * Lists show a pool in a region only to those who may read it there: an operator scoped to
 * `worker-*` sees the worker pools, not `app` (whose pool page would answer 403 anyway).
 */
export function visibleTo(identity: Identity, view: RegionView): RegionView {
  const pools = view.pools.filter((p) => can(identity, "fleet:read", { region: view.region, pool: p.id }));
  return pools.length === view.pools.length ? view : { ...view, pools };
}
