import type { MetricConfig, PoolConfig } from "@/lib/config/schema";
import type { MetricQuery } from "@/lib/fleet/types";

export type MetricKind = "cpu" | "cpuMax" | "pageLoad" | "pageLoadMedian" | "backlog" | "requestCount";

/** The metric definitions a pool draws, by kind. CPU defaults to the group's EC2 average. */
export function poolMetricDefs(pool: PoolConfig): Partial<Record<MetricKind, MetricConfig>> {
  const cpu: MetricConfig = pool.metrics.cpu ?? {
    namespace: "AWS/EC2",
    metric: "CPUUtilization",
    dimensions: { AutoScalingGroupName: "{group}" },
    statistic: "Average",
    unit: "Percent",
    period: 60,
  };
  const defs: Partial<Record<MetricKind, MetricConfig>> = { cpu, cpuMax: { ...cpu, statistic: "Maximum" } };
  if (pool.metrics.pageLoad) defs.pageLoad = pool.metrics.pageLoad;
  if (pool.metrics.pageLoadMedian) defs.pageLoadMedian = pool.metrics.pageLoadMedian;
  if (pool.metrics.backlog) defs.backlog = pool.metrics.backlog;
  if (pool.metrics.requestCount) defs.requestCount = pool.metrics.requestCount;
  return defs;
}

export function resolveDimensions(
  def: MetricConfig,
  region: string,
  groupName: string,
): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(def.dimensions)) {
    const v = typeof value === "string" ? value : value[region];
    if (v === undefined) return null; // not defined in this region: no series, not a wrong one
    out[name] = v.replaceAll("{group}", groupName);
  }
  return out;
}

/**
 * CloudWatch query ids must match ^[a-z][a-zA-Z0-9_]*$ and be unique within one call. Built from
 * the pool id (lower-case letters, digits, dashes), so a series keeps its id when pools come and go.
 */
export function queryId(poolId: string, kind: MetricKind): string {
  return `p_${poolId.replaceAll("-", "_")}_${kind}`;
}

/** `period` is the range's; a metric with a coarser resolution (basic monitoring) keeps its own. */
export function buildQuery(
  def: MetricConfig,
  id: string,
  region: string,
  groupName: string,
  period: number,
): MetricQuery | null {
  const dimensions = resolveDimensions(def, region, groupName);
  if (!dimensions) return null;
  return {
    id,
    namespace: def.namespace,
    metricName: def.metric,
    dimensions,
    statistic: def.statistic,
    period: Math.max(period, def.period ?? 60),
  };
}

/** Values as shown: page load in ms whatever the source unit. */
export function toDisplay(kind: MetricKind, unit: MetricConfig["unit"], v: number): number {
  if ((kind === "pageLoad" || kind === "pageLoadMedian") && unit === "Seconds") return v * 1000;
  return v;
}
