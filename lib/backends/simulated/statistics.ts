import "server-only";
import { pageLoadMeanMs, pageLoadQuantileMs } from "@/lib/fleet/model";
import type { MetricConfig } from "@/lib/config/schema";
import type { Point, Statistic } from "@/lib/fleet/types";
import type { PoolMinutes } from "./pool-model";

// CloudWatch statistics over one-minute model values. Each minute yields a value and a weight
// (its sample count); a period combines them: Average and percentiles as weighted means (a
// percentile of a period is approximated by the request-weighted mean of its minutes'
// percentiles), Maximum / Minimum as extremes, Sum and SampleCount as totals.

const MINUTE = 60_000;

export type ModelMetric = "cpu" | "responseTime" | "backlog" | "requests";

type Combine = "mean" | "max" | "min" | "sum";

/** "p90" → 0.9, "p99.9" → 0.999; null for the named statistics. */
export function percentileOf(stat: Statistic): number | null {
  const m = /^p(\d{1,2}(?:\.\d+)?)$/.exec(stat);
  return m ? Number(m[1]) / 100 : null;
}

function combineOf(stat: Statistic): Combine {
  if (stat === "Maximum") return "max";
  if (stat === "Minimum") return "min";
  if (stat === "Sum" || stat === "SampleCount") return "sum";
  return "mean";
}

/** One minute's value of `stat` (NaN when the minute has no data) and its weight. */
export interface MinuteReader {
  value(i: number): number;
  weight(i: number): number;
}

const ONE = () => 1;

export function modelReader(
  pm: PoolMinutes,
  metric: ModelMetric,
  stat: Statistic,
  unit: MetricConfig["unit"],
): MinuteReader {
  const q = percentileOf(stat);
  if (metric === "cpu") {
    const { serving, cpuAvg, cpuMax, cpuMin } = pm;
    const samples = (i: number) => serving[i] ?? 0;
    if (stat === "SampleCount") return { value: (i) => (samples(i) > 0 ? samples(i) : NaN), weight: ONE };
    if (stat === "Sum") return { value: (i) => (cpuAvg[i] ?? NaN) * samples(i), weight: ONE };
    if (stat === "Maximum") return { value: (i) => cpuMax[i] ?? NaN, weight: ONE };
    if (stat === "Minimum") return { value: (i) => cpuMin[i] ?? NaN, weight: ONE };
    if (q === null) return { value: (i) => cpuAvg[i] ?? NaN, weight: samples };
    // Percentiles across instances: between the coolest, the average and the hottest.
    return {
      value: (i) => {
        const avg = cpuAvg[i] ?? NaN;
        return q >= 0.5
          ? avg + ((cpuMax[i] ?? NaN) - avg) * (q - 0.5) * 2
          : avg - (avg - (cpuMin[i] ?? NaN)) * (0.5 - q) * 2;
      },
      weight: samples,
    };
  }
  if (metric === "requests") {
    // RequestCount / messages sent: arrivals in the minute (Sum); a per-minute count otherwise.
    return { value: (i) => (stat === "SampleCount" ? 1 : (pm.lambda[i] ?? NaN) * 60), weight: ONE };
  }
  if (metric === "backlog") {
    const b = pm.backlog;
    return { value: (i) => (stat === "SampleCount" ? 1 : (b?.[i] ?? NaN)), weight: ONE };
  }
  const scale = unit === "Seconds" ? 0.001 : 1; // the model speaks ms; TargetResponseTime is seconds
  const requests = (i: number) => (pm.pageLoad?.[i] ? (pm.lambda[i] ?? 0) * 60 : 0);
  const at = q ?? (stat === "Maximum" ? 0.999 : stat === "Minimum" ? 0.001 : null);
  return {
    value: (i) => {
      const d = pm.pageLoad?.[i];
      if (!d || requests(i) <= 0) return NaN;
      if (stat === "SampleCount") return requests(i);
      if (stat === "Sum") return pageLoadMeanMs(d) * scale * requests(i);
      return (at === null ? pageLoadMeanMs(d) : pageLoadQuantileMs(d, at)) * scale;
    },
    weight: stat === "SampleCount" || stat === "Sum" ? ONE : requests,
  };
}

export interface Buckets {
  /** First bucket start (epoch ms), period (ms), number of buckets. */
  first: number;
  periodMs: number;
  count: number;
}

/** Points aligned to the period, from `first`, one per bucket; buckets without data are gaps. */
export function aggregate(
  pm: { m0: number; count: number },
  read: MinuteReader,
  stat: Statistic,
  b: Buckets,
): Point[] {
  const how = combineOf(stat);
  const perBucket = b.periodMs / MINUTE;
  const points: Point[] = [];
  for (let k = 0; k < b.count; k++) {
    const t = b.first + k * b.periodMs;
    const from = Math.max(0, t / MINUTE - pm.m0);
    const to = Math.min(pm.count, t / MINUTE - pm.m0 + perBucket);
    let acc = how === "max" ? -Infinity : how === "min" ? Infinity : 0;
    let weight = 0;
    for (let i = from; i < to; i++) {
      const v = read.value(i);
      if (Number.isNaN(v)) continue;
      if (how === "max") acc = Math.max(acc, v);
      else if (how === "min") acc = Math.min(acc, v);
      else if (how === "sum") acc += v;
      else {
        const w = read.weight(i);
        acc += v * w;
        weight += w;
        continue;
      }
      weight += 1;
    }
    points.push([t, weight > 0 ? round(how === "mean" ? acc / weight : acc) : null]);
  }
  return points;
}

/** Six significant digits: more than any chart shows, and the JSON stays small. */
function round(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const scale = 10 ** (5 - Math.floor(Math.log10(Math.abs(v))));
  return Math.round(v * scale) / scale;
}
