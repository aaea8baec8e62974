import "server-only";
import type { MetricConfig } from "@/lib/config/schema";
import { BackendError, type MetricQuery, type MetricSeries, type TimeRange } from "@/lib/fleet/types";
import { poolMetricDefs, resolveDimensions, type MetricKind } from "@/lib/metrics/queries";
import type { GroupSpec } from "./groups";
import { evaluatePool, type PoolInput, type PoolMinutes } from "./pool-model";
import { aggregate, modelReader, type MinuteReader, type ModelMetric } from "./statistics";
import type { SimGroup } from "./store";
import { GROUP_METRICS, groupMetricAt, type GroupMetric } from "./timeline";

// GetMetricData for the simulation: each query is matched, by namespace, metric name and
// dimensions exactly as the pool's configuration would build it, to a pool and a model output.
// A query that matches nothing gets an empty, Complete series, as CloudWatch answers.

const MINUTE = 60_000;

type Target =
  | { spec: GroupSpec; metric: ModelMetric; unit: MetricConfig["unit"] }
  | { spec: GroupSpec; metric: GroupMetric };

const KIND_METRIC: Record<MetricKind, ModelMetric> = {
  cpu: "cpu",
  cpuMax: "cpu",
  pageLoad: "responseTime",
  pageLoadMedian: "responseTime",
  backlog: "backlog",
  requestCount: "requests",
};

export function metricKey(namespace: string, metricName: string, dimensions: Record<string, string>): string {
  const dims = Object.entries(dimensions)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  return [namespace, metricName, ...dims].join("\u0000");
}

/** Per region: query key → what it measures. Built once; the configuration does not change. */
export function buildMetricIndex(specs: GroupSpec[]): Map<string, Map<string, Target>> {
  const index = new Map<string, Map<string, Target>>();
  for (const spec of specs) {
    const byKey = index.get(spec.region) ?? new Map<string, Target>();
    index.set(spec.region, byKey);
    for (const [kind, def] of Object.entries(poolMetricDefs(spec.pool)) as [MetricKind, MetricConfig][]) {
      const dims = resolveDimensions(def, spec.region, spec.groupName);
      const key = dims && metricKey(def.namespace, def.metric, dims);
      if (key && !byKey.has(key)) byKey.set(key, { spec, metric: KIND_METRIC[kind], unit: def.unit });
    }
    for (const metric of GROUP_METRICS) {
      byKey.set(metricKey("AWS/AutoScaling", metric, { AutoScalingGroupName: spec.groupName }), {
        spec,
        metric,
      });
    }
  }
  return index;
}

export interface MetricSource {
  index: Map<string, Map<string, Target>>;
  input(spec: GroupSpec): PoolInput;
  group(spec: GroupSpec): SimGroup;
}

export function getMetricData(
  src: MetricSource,
  region: string,
  queries: MetricQuery[],
  range: TimeRange,
  now: number,
): MetricSeries[] {
  if (!(range.start < range.end)) {
    throw new BackendError(
      "ValidationError",
      "The parameter StartTime must be less than the parameter EndTime.",
      { httpStatus: 400 },
    );
  }
  const byKey = src.index.get(region);
  const plans = queries.map((q) => {
    if (!Number.isInteger(q.period) || q.period < 60 || q.period % 60 !== 0) {
      throw new BackendError(
        "ValidationError",
        `The parameter Period of query ${q.id} must be a multiple of 60.`,
        { httpStatus: 400 },
      );
    }
    const periodMs = q.period * 1000;
    const first = Math.floor(range.start / periodMs) * periodMs;
    const last = Math.min(range.end - 1, now); // the last bucket starts before end and not after now
    const count = last >= first ? Math.floor((last - first) / periodMs) + 1 : 0;
    const target = byKey?.get(metricKey(q.namespace, q.metricName, q.dimensions));
    // Minutes the buckets need, never past the one in progress.
    const m0 = first / MINUTE;
    const m1 = Math.min((first + count * periodMs) / MINUTE, Math.floor(now / MINUTE) + 1);
    return { q, target, buckets: { first, periodMs, count }, m0, m1 };
  });

  // A pool's minutes are evaluated once per call, over the union of what its queries need.
  const spans = new Map<GroupSpec, { m0: number; m1: number }>();
  for (const p of plans) {
    if (!p.target || !("unit" in p.target) || p.m1 <= p.m0) continue;
    const s = spans.get(p.target.spec);
    spans.set(
      p.target.spec,
      s ? { m0: Math.min(s.m0, p.m0), m1: Math.max(s.m1, p.m1) } : { m0: p.m0, m1: p.m1 },
    );
  }
  const minutes = new Map<GroupSpec, PoolMinutes>();
  for (const [spec, s] of spans) minutes.set(spec, evaluatePool(src.input(spec), s.m0, s.m1, now));

  return plans.map(({ q, target, buckets, m0, m1 }): MetricSeries => {
    if (!target) return { id: q.id, points: [], status: "Complete", messages: [] };
    let span: { m0: number; count: number };
    let read: MinuteReader;
    if ("unit" in target) {
      const pm = minutes.get(target.spec);
      if (!pm) return { id: q.id, points: [], status: "Complete", messages: [] };
      span = pm;
      read = modelReader(pm, target.metric, q.statistic, target.unit);
    } else {
      const g = src.group(target.spec);
      const cursor = { k: 0 };
      const metric = target.metric;
      span = { m0, count: Math.max(0, m1 - m0) };
      read = {
        value: (i) =>
          q.statistic === "SampleCount"
            ? 1
            : groupMetricAt(g, metric, (m0 + i) * MINUTE + MINUTE / 2, cursor),
        weight: () => 1,
      };
    }
    return {
      id: q.id,
      points: aggregate(span, read, q.statistic, buckets),
      status: "Complete",
      messages: [],
    };
  });
}
