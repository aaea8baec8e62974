import "server-only";
import { getBackend } from "@/lib/backends";
import { sharedCache, type CacheResult } from "@/lib/cache/shared-cache";
import { getConfig, type FleetConfig, type PoolConfig } from "@/lib/config";
import {
  BackendError,
  type GroupState,
  type MetricQuery,
  type MetricSeries,
  type TimeRange,
} from "@/lib/fleet/types";
import type { RegionError, RegionStatus } from "@/lib/fleet/views";
import { albMetrics } from "@/lib/config/load-balancer-metrics";
import { alignedRange } from "@/lib/metrics/period";

// Every upstream read goes through here: one cache entry per region and kind, shared by every
// viewer (single-flight), each region with its own timeout so a slow one never holds the other.

export function withRegionTimeout<T>(
  region: string,
  ms: number,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl.abort();
      reject(
        new BackendError("Timeout", `${region} did not answer within ${(ms / 1000).toFixed(1)} s`, {
          regional: true,
          answered: false,
        }),
      );
    }, ms);
  });
  // Promise.resolve().then: a synchronous throw in `run` rejects the race instead of escaping it.
  return Promise.race([Promise.resolve().then(() => run(ctl.signal)), timeout]).finally(() =>
    clearTimeout(timer),
  );
}

/** While instances are coming or going, capacity is re-read every few seconds (describes are free). */
const IN_FLIGHT_TTL_MS = 3000;

export async function readGroups(
  region: string,
  cfg: FleetConfig = getConfig(),
  maxAgeMs?: number,
): Promise<CacheResult<GroupState[]>> {
  const key = `groups:${region}`;
  const last = sharedCache().peek<GroupState[]>(key);
  const moving = last?.some(
    (g) => g.instances.some((i) => i.lifecycleState !== "InService") || g.instances.length !== g.desired,
  );
  const ttl =
    maxAgeMs ??
    (moving
      ? Math.min(IN_FLIGHT_TTL_MS, cfg.refresh.capacitySeconds * 1000)
      : cfg.refresh.capacitySeconds * 1000);
  const r = await sharedCache().get(key, ttl, () =>
    withRegionTimeout(region, cfg.refresh.timeoutMs, (signal) => getBackend().listGroups(region, signal)),
  );
  // Instances entered or left service: the metrics held (CPU, p90 of the minute in progress) are
  // out of date, so the next read fetches them rather than waiting out their period.
  if (last && r.value && r.value !== last && inServiceKey(r.value) !== inServiceKey(last)) {
    await sharedCache().invalidate(`metrics:${region}`);
  }
  return r;
}

function inServiceKey(groups: GroupState[]): string {
  return groups
    .map((g) => `${g.groupName}:${g.instances.filter((i) => i.lifecycleState === "InService").length}`)
    .join(",");
}

/** Metric series refresh at their period, not at the capacity refresh: CloudWatch bills per metric. */
export function readSeries(
  key: string,
  region: string,
  queries: MetricQuery[],
  range: TimeRange,
  ttlMs: number,
  cfg: FleetConfig = getConfig(),
): Promise<CacheResult<MetricSeries[]>> {
  if (queries.length === 0) return Promise.resolve({ value: [], fetchedAt: Date.now(), stale: false });
  return sharedCache().get(`metrics:${region}:${key}`, ttlMs, () =>
    withRegionTimeout(region, cfg.refresh.timeoutMs, (signal) =>
      getBackend().getMetricData(region, queries, range, signal),
    ),
  );
}

/**
 * Series grouped by their period, each group cached and refreshed at its own period: a region's
 * one-minute series every minute, its five-minute (basic monitoring) ones every five. One
 * GetMetricData batch per group, so a refresh costs the floor of calls and metrics.
 */
export async function readSeriesByPeriod(
  key: string,
  region: string,
  queries: MetricQuery[],
  rangeMs: number,
  now: number,
  cfg: FleetConfig = getConfig(),
): Promise<CacheResult<MetricSeries[]>> {
  const byPeriod = new Map<number, MetricQuery[]>();
  for (const q of queries) byPeriod.set(q.period, [...(byPeriod.get(q.period) ?? []), q]);
  const parts = await Promise.all(
    [...byPeriod].map(([period, list]) =>
      readSeries(`${key}:${period}`, region, list, alignedRange(rangeMs, period, now), period * 1000, cfg),
    ),
  );
  const failed = parts.find((p) => p.error);
  return {
    value:
      parts.every((p) => p.value === undefined) && parts.length > 0
        ? undefined
        : parts.flatMap((p) => p.value ?? []),
    fetchedAt: parts.length ? Math.min(...parts.map((p) => p.fetchedAt ?? Date.now())) : Date.now(),
    error: failed?.error,
    stale: parts.some((p) => p.stale),
  };
}

export function regionStatus(r: CacheResult<unknown>): { status: RegionStatus; error?: RegionError } {
  if (!r.error) return { status: "ok" };
  return { status: r.value === undefined ? "error" : "stale", error: toRegionError(r.error) };
}

export function toRegionError(err: unknown): RegionError {
  if (err instanceof BackendError) return { code: err.code, message: err.message };
  return { code: "InternalError", message: err instanceof Error ? err.message : String(err) };
}

export interface PoolInRegion {
  pool: PoolConfig;
  group: GroupState | undefined;
  /** Every group in the region that claims this pool; more than one is ambiguous (blue/green). */
  claimants: string[];
}

/** Configured pools, then pools discovered by tag that the configuration does not name. */
export function poolsInRegion(cfg: FleetConfig, groups: GroupState[] | undefined): PoolInRegion[] {
  const byPool = new Map<string, GroupState>();
  const claims = new Map<string, string[]>();
  for (const g of groups ?? []) {
    if (!byPool.has(g.poolId)) byPool.set(g.poolId, g);
    claims.set(g.poolId, [...(claims.get(g.poolId) ?? []), g.groupName]);
  }
  const out: PoolInRegion[] = cfg.pools.map((pool) => {
    const group = byPool.get(pool.id);
    return { pool: withTargetGroupMetrics(pool, group), group, claimants: claims.get(pool.id) ?? [] };
  });
  const known = new Set(cfg.pools.map((p) => p.id));
  for (const g of groups ?? []) {
    if (known.has(g.poolId)) continue;
    known.add(g.poolId);
    out.push({
      pool: withTargetGroupMetrics(discoveredPool(g), g),
      group: g,
      claimants: claims.get(g.poolId) ?? [],
    });
  }
  return out;
}

/**
 * A web pool with no page-load metric of its own draws it from its group's target group, as
 * discover would have written it (the backend resolved the load balancer, cached). Configured
 * metrics win.
 */
export function withTargetGroupMetrics(pool: PoolConfig, group: GroupState | undefined): PoolConfig {
  const target = group?.loadBalancerTarget;
  // Only web pools draw page load: a worker behind a load balancer would pay for series nobody sees.
  if (!target || pool.metrics.pageLoad || pool.tier !== "web") return pool;
  const alb = albMetrics({ LoadBalancer: target.loadBalancer, TargetGroup: target.targetGroup });
  return {
    ...pool,
    metrics: {
      ...pool.metrics,
      pageLoad: alb.pageLoad,
      pageLoadMedian: pool.metrics.pageLoadMedian ?? alb.pageLoadMedian,
      requestCount: pool.metrics.requestCount ?? alb.requestCount,
    },
  };
}

/**
 * A pool found by its tag but absent from configuration: tier from `capstan:tier` (else web when
 * it sits behind a load balancer, else infra), CPU and, behind a load balancer, page load.
 */
export function discoveredPool(g: GroupState): PoolConfig {
  const tier = g.tags["capstan:tier"];
  return {
    id: g.poolId,
    name: g.poolId,
    tier:
      tier === "web" || tier === "worker" || tier === "infra" ? tier : g.loadBalancerTarget ? "web" : "infra",
    metrics: {},
    guardrails: { floor: {} },
    instance: { type: g.instanceTypes[0] ?? "unknown", hourlyPrice: 0 },
    targets: { cpuPercent: 70 },
  };
}

/**
 * `p`, or `late()` once `deadline` (epoch ms) has passed: readers never wait past it. `p` goes on
 * (single-flight) and fills the cache for the next read; its late failure is the cache's business.
 */
export async function beforeDeadline<T, L>(p: Promise<T>, deadline: number, late: () => L): Promise<T | L> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  p.catch(() => undefined);
  const missed = new Promise<L>(
    (resolve) => (timer = setTimeout(() => resolve(late()), Math.max(0, deadline - Date.now()))),
  );
  return Promise.race([p, missed]).finally(() => clearTimeout(timer));
}

/** What a region's reader gets when its metrics missed the region's deadline: a gap, not zeros. */
export function metricsTimedOut<T>(region: string): CacheResult<T> {
  return {
    value: undefined,
    fetchedAt: undefined,
    stale: false,
    error: new BackendError("Timeout", `${region} metrics did not answer within the region's deadline`, {
      regional: true,
    }),
  };
}
