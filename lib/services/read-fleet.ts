import { authorize, can, type Identity } from "@/lib/auth/roles";
import { getConfig, regionsOf, type FleetConfig } from "@/lib/config";
import type { MetricQuery, MetricSeries, RegionRole } from "@/lib/fleet/types";
import type { FleetView, PoolSummary, RegionView, SeriesView } from "@/lib/fleet/views";
import { choosePeriod, downsample, latest, RANGES, type RangeKey } from "@/lib/metrics/period";
import { buildQuery, poolMetricDefs, queryId, toDisplay, type MetricKind } from "@/lib/metrics/queries";
import { countInstances, poolStatus } from "./pool-status";
import { poolsInRegion, readGroups, readSeriesByPeriod, regionStatus, type PoolInRegion } from "./region-reads";

/** Sparklines need no more than this many points. */
const SPARK_POINTS = 60;
/** The overview draws CPU for every pool, page load for web pools, backlog for workers: nothing else. */
const OVERVIEW_KINDS: MetricKind[] = ["cpu", "pageLoad", "backlog"];

export async function readFleet(identity: Identity | null, range: RangeKey = "1h"): Promise<FleetView> {
  const who = authorize(identity, "fleet:read");
  const cfg = getConfig();
  const regions = await Promise.all(regionsOf(cfg).map((r) => readRegion(r.region, r.role, range, cfg).then((v) => visibleTo(who, v))));
  return { generatedAt: new Date().toISOString(), range, period: choosePeriod(RANGES[range]), regions };
}

/** One region, independently; never throws (a failure becomes the region's status). */
export async function readRegion(region: string, role: RegionRole, range: RangeKey, cfg: FleetConfig = getConfig()): Promise<RegionView> {
  const groups = await readGroups(region, cfg);
  const { status, error } = regionStatus(groups);
  const pools = poolsInRegion(cfg, groups.value);
  const period = choosePeriod(RANGES[range]);
  const queries = overviewQueries(pools, region, period);
  const series =
    groups.value === undefined
      ? { value: undefined }
      : await readSeriesByPeriod(`overview:${range}`, region, queries.list, RANGES[range], Date.now(), cfg);
  const byId = new Map((series.value ?? []).map((s) => [s.id, s]));
  return {
    region,
    role,
    status,
    error,
    fetchedAt: groups.fetchedAt === undefined ? null : new Date(groups.fetchedAt).toISOString(),
    pools: pools.map((p) => summarise(p, status, byId)),
  };
}

export function overviewQueries(pools: PoolInRegion[], region: string, period: number): { list: MetricQuery[] } {
  const list: MetricQuery[] = [];
  for (const { pool, group, index } of pools) {
    if (!group) continue;
    const defs = poolMetricDefs(pool);
    for (const kind of OVERVIEW_KINDS) {
      const def = defs[kind];
      if (!def) continue;
      const q = buildQuery(def, queryId(index, kind), region, group.groupName, period);
      if (q) list.push(q);
    }
  }
  return { list };
}

function seriesView(p: PoolInRegion, kind: MetricKind, byId: Map<string, MetricSeries>): SeriesView | null {
  const def = poolMetricDefs(p.pool)[kind];
  if (!def) return null;
  const s = byId.get(queryId(p.index, kind));
  const points = downsample(s?.points ?? [], SPARK_POINTS, kind === "cpu" ? "mean" : "max").map(
    ([t, v]) => [t, v === null ? null : round(toDisplay(kind, def.unit, v))] as [number, number | null],
  );
  return { latest: latest(points).value, points };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

function summarise(p: PoolInRegion, region: RegionView["status"], byId: Map<string, MetricSeries>): PoolSummary {
  const { pool, group } = p;
  const counts = group ? countInstances(group) : { inService: 0, pending: 0, terminating: 0, unhealthy: 0 };
  const cpu = seriesView(p, "cpu", byId) ?? { latest: null, points: [] };
  const pageLoad = pool.tier === "web" ? seriesView(p, "pageLoad", byId) : null;
  const backlog = pool.tier === "worker" ? seriesView(p, "backlog", byId) : null;
  const st = poolStatus(pool, group, counts, region, {
    cpu: cpu.latest,
    pageLoadMs: pageLoad?.latest ?? null,
    backlog: backlog?.latest ?? null,
  });
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

/**
 * For the overview page: authorize, then one promise per region so the page streams each region
 * as it arrives. The catalogue (configured pools) is known without asking any backend.
 */
export function streamFleet(identity: Identity | null, range: RangeKey = "1h") {
  const who = authorize(identity, "fleet:read");
  const cfg = getConfig();
  const regions = regionsOf(cfg);
  return {
    catalogue: cfg.pools
      .filter((p) => regions.some((r) => can(who, "fleet:read", { region: r.region, pool: p.id })))
      .map((p) => ({ id: p.id, name: p.name, tier: p.tier })),
    regions,
    promises: regions.map((r) => readRegion(r.region, r.role, range, cfg).then((v) => visibleTo(who, v))),
  };
}

/**
 * Lists show a pool in a region only to those who may read it there: an operator scoped to
 * `worker-*` sees the worker pools, not `app` (whose pool page would answer 403 anyway).
 */
export function visibleTo(identity: Identity, view: RegionView): RegionView {
  const pools = view.pools.filter((p) => can(identity, "fleet:read", { region: view.region, pool: p.id }));
  return pools.length === view.pools.length ? view : { ...view, pools };
}
