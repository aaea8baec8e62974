import "server-only";
import { getBackend } from "@/lib/backends";
import { authorize, type Identity } from "@/lib/auth/roles";
import { sharedCache } from "@/lib/cache/shared-cache";
import { findPool, getConfig, regionsOf } from "@/lib/config";
import type { MetricConfig } from "@/lib/config/schema";
import type { MetricQuery, Point, ScalingActivity } from "@/lib/fleet/types";
import type { PoolDetail, RegionError, Suggestion } from "@/lib/fleet/views";
import { choosePeriod, downsample, RANGES, type RangeKey } from "@/lib/metrics/period";
import {
  buildQuery,
  poolMetricDefs,
  resolveDimensions,
  toDisplay,
  type MetricKind,
} from "@/lib/metrics/queries";
import { readInstances } from "./read-instances";
import { NotFoundError } from "@/lib/errors";
import { overviewQueries, readRegion } from "./read-fleet";
import {
  poolsInRegion,
  readGroups,
  readSeriesByPeriod,
  toRegionError,
  withRegionTimeout,
} from "./region-reads";
import { adviseCapacity } from "./advice";
import { poolModel, suggest } from "./predict";
import { recentPeak } from "./headroom";
import { capacityMarkers } from "./markers";

/** The browser gets at most this many points per series. */
const CHART_POINTS = 300;
/** GetMetricData price: about $0.01 per 1,000 metrics requested. */
const USD_PER_METRIC = 0.01 / 1000;

const capacityMetric = (metric: string): MetricConfig => ({
  namespace: "AWS/AutoScaling",
  metric,
  dimensions: { AutoScalingGroupName: "{group}" },
  statistic: "Average",
  unit: "Count",
  period: 60,
});

export async function readPool(
  identity: Identity | null,
  region: string,
  poolId: string,
  range: RangeKey = "6h",
): Promise<PoolDetail> {
  authorize(identity, "fleet:read", { region, pool: poolId });
  const cfg = getConfig();
  const regions = regionsOf(cfg);
  const me = regions.find((r) => r.region === region);
  if (!me) throw new NotFoundError(`Unknown region ${region}.`);
  const other = regions.find((r) => r.region !== region)!.region;

  const summaryRegion = await readRegion(region, me.role, "1h", cfg);
  const summary = summaryRegion.pools.find((p) => p.id === poolId);
  if (!summary || (!findPool(cfg, poolId) && summary.status === "missing"))
    throw new NotFoundError(`Unknown pool ${poolId} in ${region}.`);
  const groups = await readGroups(region, cfg);
  const entry = poolsInRegion(cfg, groups.value).find((p) => p.pool.id === poolId)!;
  const { pool, group } = entry;

  const period = choosePeriod(RANGES[range]);
  const now = Date.now();
  const defs: Partial<Record<string, MetricConfig>> = {
    ...poolMetricDefs(pool),
    desired: capacityMetric("GroupDesiredCapacity"),
    inService: capacityMetric("GroupInServiceInstances"),
  };
  const queries: MetricQuery[] = [];
  if (group) {
    for (const [kind, def] of Object.entries(defs)) {
      const q = def && buildQuery(def, `q_${kind}`, region, group.groupName, period);
      if (q) queries.push(q);
    }
  }
  // Advice on a moving target would chase itself: none while instances come or go.
  const steady =
    summary.group !== null && summary.inService > 0 && summary.pending === 0 && summary.terminating === 0;
  const floor = pool.guardrails.floor[region] ?? null;
  const [series, activities, instances, suggestion] = await Promise.all([
    readSeriesByPeriod(`pool:${poolId}:${range}`, region, queries, RANGES[range], now, cfg),
    group
      ? readActivities(region, group.groupName)
      : Promise.resolve({ list: [] as ScalingActivity[], error: undefined }),
    readInstances(region, group, now, cfg),
    steady && group
      ? Promise.all([
          poolModel(region, pool, group.groupName, cfg),
          recentPeak(region, pool, group.groupName, cfg, now),
        ]).then(([m, peak]): Suggestion | null => {
          if (m.ok) return suggest(m.estimate, pool, summary, floor, peak);
          // No model: the CPU rule, saying why there is no prediction.
          const advice = adviseCapacity(summary, pool.targets, peak);
          return advice && { ...advice, reason: `${advice.reason} (CPU rule: ${m.reason})`, predicted: null };
        })
      : Promise.resolve(null),
  ]);
  const byId = new Map((series.value ?? []).map((s) => [s.id, s]));
  const pick = (kind: string, mode: "mean" | "max" = "mean"): Point[] | null => {
    const def = defs[kind];
    if (!def) return null;
    const s = byId.get(`q_${kind}`);
    return downsample(s?.points ?? [], CHART_POINTS, mode).map(
      ([t, v]) =>
        [t, v === null ? null : Math.round(toDisplay(kind as MetricKind, def.unit, v) * 10) / 10] as Point,
    );
  };

  // The overview's series in both regions (from what is cached: never an upstream call for this),
  // each requested once per its period, plus this page's own.
  const overview = regions.flatMap((r) => {
    const g =
      r.region === region ? groups.value : sharedCache().peek<typeof groups.value>(`groups:${r.region}`);
    return overviewQueries(poolsInRegion(cfg, g), r.region, choosePeriod(RANGES["1h"])).list;
  });
  const overviewSeries = overview.length;
  const metricsPerDay = [...overview, ...queries, ...instances.queries].reduce(
    (n, q) => n + 86400 / q.period,
    0,
  );
  const instanceMetricsPerDay = instances.queries.reduce((n, q) => n + 86400 / q.period, 0);

  return {
    generatedAt: new Date(now).toISOString(),
    domain: [now - RANGES[range], now],
    region,
    role: me.role,
    otherRegion: other,
    range,
    period,
    status: summaryRegion.status,
    error: summaryRegion.error,
    fetchedAt: summaryRegion.fetchedAt,
    pool: summary,
    instanceType: group?.instanceTypes[0] ?? pool.instance.type,
    hourlyPrice: pool.instance.hourlyPrice,
    guardrails: { floor: pool.guardrails.floor[region] ?? null, maxStep: pool.guardrails.maxStep ?? null },
    revert: summary.revert ?? null,
    targets: pool.targets,
    series: {
      pageLoadP50: pool.tier === "web" ? pick("pageLoadMedian", "max") : null,
      pageLoadP90: pool.tier === "web" ? pick("pageLoad", "max") : null,
      cpuAvg: pick("cpu") ?? [],
      cpuMax: pick("cpuMax", "max") ?? [],
      backlog: pool.tier === "worker" ? pick("backlog", "max") : null,
      requests: pick("requestCount", "max"),
      desired: pick("desired", "max") ?? [],
      inService: pick("inService") ?? [],
    },
    partial: (series.value ?? []).some((s) => s.status !== "Complete"),
    metricsError: series.error ? toRegionError(series.error) : undefined,
    activitiesError: activities.error,
    suggestion,
    markers: await capacityMarkers(region, poolId, RANGES[range], now),
    activities: activities.list,
    instances: instances.list,
    instanceCpu: instances.cpu,
    instancesError: instances.error,
    pageLoadSource: pageLoadSource(
      pool.metrics.pageLoad,
      region,
      group?.groupName ?? "",
      !!group?.loadBalancerTarget && !findPool(cfg, poolId)?.metrics.pageLoad,
    ),
    cloudwatch: {
      seriesPerRefresh: overviewSeries + queries.length + instances.queries.length,
      metricsPerDay: Math.round(metricsPerDay),
      usdPerDay: Math.round(metricsPerDay * USD_PER_METRIC * 100) / 100,
      instanceSeries: instances.queries.length,
      instanceUsdPerDay: Math.round(instanceMetricsPerDay * USD_PER_METRIC * 100) / 100,
    },
  };
}

/** Where page load comes from here: the dimensions, and whether the target group lookup found them. */
function pageLoadSource(
  def: MetricConfig | undefined,
  region: string,
  groupName: string,
  fromTargetGroup: boolean,
): PoolDetail["pageLoadSource"] {
  if (!def) return null;
  const dims = resolveDimensions(def, region, groupName);
  if (!dims) return null;
  return {
    namespace: def.namespace,
    metric: def.metric,
    dimensions: dims,
    from: fromTargetGroup ? "target group" : "configuration",
  };
}

async function readActivities(
  region: string,
  groupName: string,
): Promise<{ list: ScalingActivity[]; error?: RegionError }> {
  const cfg = getConfig();
  const r = await sharedCache().get(
    `activities:${region}:${groupName}`,
    cfg.refresh.capacitySeconds * 1000,
    () =>
      withRegionTimeout(region, cfg.refresh.timeoutMs, () =>
        getBackend().describeActivities(region, groupName, 50),
      ),
  );
  return { list: r.value ?? [], error: r.error ? toRegionError(r.error) : undefined };
}

/** A pool absent from configuration exists only if a group in the region carries its tag. */
export async function isDiscoveredPool(region: string, poolId: string): Promise<boolean> {
  const groups = await readGroups(region);
  return (groups.value ?? []).some((g) => g.poolId === poolId);
}
