import type { Identity } from "@/lib/auth/roles";
import { setBackendForTests } from "@/lib/backends";
import {
  awsCallCounts,
  awsMetricsRequested,
  createAwsBackend,
  resetAwsCallCounts,
  type AwsBackend,
} from "@/lib/backends/aws";
import { SharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests, type FleetConfig } from "@/lib/config";
import type { GroupState } from "@/lib/fleet/types";
import { choosePeriod, RANGES } from "@/lib/metrics/period";
import { overviewQueries, readOverview } from "@/lib/services/read-fleet";
import { poolsInRegion } from "@/lib/services/region-reads";
import { REGION_LIST } from "./fleet";

// In-process measurements of the AWS backend behind the real read path (readOverview → shared cache
// → AWS backend → SDK), with AWS calls counted at the SDK's transport (lib/backends/aws/calls.ts)
// and the cache on a simulated clock, so an hour of refreshes takes seconds.

const VIEWER: Identity = { name: "bench", role: "viewer", source: "token" };
const OVERVIEW_PERIOD_S = choosePeriod(RANGES["1h"]);
const CAPACITY_REFRESH_MS = 15_000;

export class Clock {
  t = Date.UTC(2026, 0, 5, 12, 0, 0);
  readonly now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

interface Harness {
  clock: Clock;
  cache: SharedCache;
  backend: AwsBackend;
}

/** Points the read path at `endpoint` (moto or the stub) for both regions, on a fresh cache. */
export function harness(cfg: FleetConfig, endpoint: string): Harness {
  const clock = new Clock();
  const env: Record<string, string | undefined> = { ...process.env };
  for (const region of REGION_LIST)
    env[`CAPSTAN_AWS_ENDPOINT_URL_${region.toUpperCase().replaceAll("-", "_")}`] = endpoint;
  const backend = createAwsBackend(cfg, env, { now: clock.now });
  setConfigForTests(cfg);
  setBackendForTests(backend);
  const cache = installCache(clock);
  return { clock, cache, backend };
}

/** The server's shared cache (lib/cache/shared-cache.ts keeps it on globalThis), on the given clock. */
export function installCache(clock: Clock): SharedCache {
  const cache = new SharedCache(clock.now);
  (globalThis as unknown as { __capstanCache?: SharedCache }).__capstanCache = cache;
  return cache;
}

export function release(h: Harness) {
  h.backend.close();
  setBackendForTests(undefined);
  setConfigForTests(undefined);
}

/** One overview refresh, as the board's `GET /api/fleet` does; fails loudly if a region failed. */
async function refresh(): Promise<void> {
  const view = await readOverview(VIEWER, "1h").fleet;
  for (const r of view.regions) {
    if (r.status !== "ok") throw new Error(`${r.region}: ${r.status} ${r.error?.code}: ${r.error?.message}`);
  }
}

export interface CallsByRegion {
  describe: number;
  getMetricData: number;
  other: number;
}

function callsByRegion(): Record<string, CallsByRegion> {
  const out: Record<string, CallsByRegion> = {};
  for (const region of REGION_LIST) out[region] = { describe: 0, getMetricData: 0, other: 0 };
  for (const c of awsCallCounts()) {
    const r = (out[c.region] ??= { describe: 0, getMetricData: 0, other: 0 });
    if (c.operation === "DescribeAutoScalingGroups") r.describe += c.count;
    else if (c.operation === "GetMetricData") r.getMetricData += c.count;
    else r.other += c.count;
  }
  return out;
}

const total = (c: Record<string, CallsByRegion>) =>
  Object.values(c).reduce((s, r) => s + r.describe + r.getMetricData + r.other, 0);

/** Groups and overview series per region, and the floor of AWS calls for one refresh. */
export function floorOf(cfg: FleetConfig) {
  const perRegion: Record<
    string,
    { groups: number; queries: number; describe: number; getMetricData: number }
  > = {};
  for (const region of REGION_LIST) {
    // Every bench pool has its group in both regions (fleet.ts), so the configuration says it all.
    const states: GroupState[] = cfg.pools.map((p) => ({
      poolId: p.id,
      region,
      groupName: p.groups![region]!,
      min: 1,
      max: 20,
      desired: 1,
      instances: [],
      instanceTypes: [],
      hasScalingPolicies: false,
      hasScheduledActions: false,
      tags: {},
    }));
    const pools = poolsInRegion(cfg, states);
    const queries = overviewQueries(pools, region, OVERVIEW_PERIOD_S).list.length;
    const groups = cfg.pools.length;
    perRegion[region] = {
      groups,
      queries,
      describe: Math.ceil(groups / 100),
      getMetricData: Math.ceil(queries / 500),
    };
  }
  const floor = Object.values(perRegion).reduce((s, r) => s + r.describe + r.getMetricData, 0);
  const series = Object.values(perRegion).reduce((s, r) => s + r.queries, 0);
  // Naive: the same describes, then one GetMetricStatistics per pool and metric.
  const naive = Object.values(perRegion).reduce((s, r) => s + r.describe + r.queries, 0);
  return { perRegion, floor, series, naive };
}

export interface RefreshMeasure {
  /** First refresh: also looks up scaling policies and scheduled actions (cached 10 min). */
  coldCalls: number;
  coldByRegion: Record<string, CallsByRegion>;
  /** A refresh when both capacity and metrics are due (every metric period). */
  calls: number;
  byRegion: Record<string, CallsByRegion>;
  metricsRequested: number;
  refreshMs: number;
}

export async function measureRefresh(h: Harness): Promise<RefreshMeasure> {
  resetAwsCallCounts();
  await refresh();
  const coldByRegion = callsByRegion();
  h.clock.advance(OVERVIEW_PERIOD_S * 1000); // capacity (15 s) and metrics (one period) both due
  resetAwsCallCounts();
  const t0 = performance.now();
  await refresh();
  const refreshMs = performance.now() - t0;
  const byRegion = callsByRegion();
  return {
    coldCalls: total(coldByRegion),
    coldByRegion,
    calls: total(byRegion),
    byRegion,
    metricsRequested: awsMetricsRequested(),
    refreshMs,
  };
}

export interface ViewersMeasure {
  viewers: number;
  how: "at once" | "spread over 15 s";
  /** Upstream loads the shared cache started, per kind (groups, metrics): one per region is the target. */
  cacheLoads: Record<string, number>;
  calls: number;
  byRegion: Record<string, CallsByRegion>;
}

/** `viewers` dashboards refreshing within one capacity interval, all at once or spread over it. */
export async function measureViewers(
  h: Harness,
  viewers: number,
  how: ViewersMeasure["how"],
): Promise<ViewersMeasure> {
  h.clock.advance(OVERVIEW_PERIOD_S * 1000);
  const before = new Map(h.cache.calls);
  resetAwsCallCounts();
  if (how === "at once") {
    await Promise.all(Array.from({ length: viewers }, () => refresh()));
  } else {
    const step = Math.floor((CAPACITY_REFRESH_MS - 1) / viewers);
    for (let i = 0; i < viewers; i++) {
      if (i > 0) h.clock.advance(step);
      await refresh();
    }
  }
  const cacheLoads: Record<string, number> = {};
  for (const [kind, n] of h.cache.calls) cacheLoads[kind] = n - (before.get(kind) ?? 0);
  const byRegion = callsByRegion();
  return { viewers, how, cacheLoads, calls: total(byRegion), byRegion };
}

export interface HourMeasure {
  viewers: number;
  metricsRequested: number;
  getMetricData: number;
  describes: number;
  otherCalls: number;
}

/**
 * One simulated hour: each viewer's board refreshes every 15 s (viewers' timers spread over the
 * interval, as real tabs are), the cache on the simulated clock. Starts from an empty cache.
 */
export async function measureHour(h: Harness, viewers: number): Promise<HourMeasure> {
  h.cache.clear();
  h.clock.advance(3_600_000);
  resetAwsCallCounts();
  const start = h.clock.t;
  const ticks = 3_600_000 / CAPACITY_REFRESH_MS;
  const offset = viewers > 0 ? Math.floor(CAPACITY_REFRESH_MS / viewers) : 0;
  for (let k = 0; k < ticks; k++) {
    for (let v = 0; v < viewers; v++) {
      h.clock.t = start + k * CAPACITY_REFRESH_MS + v * offset;
      await refresh();
    }
  }
  h.clock.t = start + 3_600_000;
  const byRegion = callsByRegion();
  const sum = (f: (r: CallsByRegion) => number) => Object.values(byRegion).reduce((s, r) => s + f(r), 0);
  return {
    viewers,
    metricsRequested: awsMetricsRequested(),
    getMetricData: sum((r) => r.getMetricData),
    describes: sum((r) => r.describe),
    otherCalls: sum((r) => r.other),
  };
}

export const OVERVIEW_PERIOD = OVERVIEW_PERIOD_S;
