import "server-only";
import type { FleetConfig, PoolConfig } from "@/lib/config";
import type { MetricQuery, Point } from "@/lib/fleet/types";
import { buildQuery, poolMetricDefs } from "@/lib/metrics/queries";
import { readSeriesByPeriod } from "./region-reads";

// Headroom for scale-in. The smallest size that meets the targets *now* is the wrong answer at
// 3 a.m.: the morning ramp would overrun it an hour later, and nobody watches the pool then. Like
// a scale-down stabilisation window (Kubernetes' HPA, AWS's scale-in cooldowns, but a day long
// because people, not a controller, make these changes), a suggestion never scales a pool in
// below what it needed at the busiest moment of the last N hours; when that peak is unknown it
// suggests no scale-in at all. Scale-out is never held back.

export const DEFAULT_SCALE_IN_LOOKBACK_HOURS = 24;
const MAX_LOOKBACK_HOURS = 168;

/** CAPSTAN_SCALE_IN_LOOKBACK_HOURS: how far back the peak a scale-in must still serve is looked for (0: off). */
export function scaleInLookbackHours(env: Record<string, string | undefined> = process.env): number {
  const raw = env.CAPSTAN_SCALE_IN_LOOKBACK_HOURS?.trim();
  const h = raw ? Number(raw) : NaN;
  return Number.isFinite(h) && h >= 0 && h <= MAX_LOOKBACK_HOURS ? h : DEFAULT_SCALE_IN_LOOKBACK_HOURS;
}

/** The busiest moment of the lookback window, as measured. */
export interface RecentPeak {
  hours: number;
  /** Highest arrivals per second (averaged over the period), null without a request metric. */
  arrivalsPerSecond: number | null;
  /** Highest CPU % × instances in service: the work the pool did, in "instance-percent". */
  cpuLoad: number | null;
}

/** The peak, or why it is not known (then no scale-in is suggested); null when headroom is off. */
export type PeakResult = { ok: true; peak: RecentPeak } | { ok: false; hours: number; reason: string };

/**
 * Averaging period of the peak: a web queue answers to about five minutes of arrivals; a worker's
 * backlog absorbs shorter bursts, worked off within the quarter hour the advice allows.
 */
export const peakPeriodSeconds = (tier: PoolConfig["tier"]) => (tier === "worker" ? 900 : 300);

export async function recentPeak(
  region: string,
  pool: PoolConfig,
  groupName: string,
  cfg: FleetConfig,
  now = Date.now(),
  hours = scaleInLookbackHours(),
): Promise<PeakResult | null> {
  if (hours <= 0) return null;
  const period = peakPeriodSeconds(pool.tier);
  const defs = poolMetricDefs(pool);
  const inService = {
    namespace: "AWS/AutoScaling",
    metric: "GroupInServiceInstances",
    dimensions: { AutoScalingGroupName: "{group}" },
    statistic: "Average" as const,
    unit: "Count" as const,
    period: 60 as const,
  };
  const queries: MetricQuery[] = [];
  for (const [id, def] of Object.entries({ requests: defs.requestCount, cpu: defs.cpu, inService })) {
    const q = def && buildQuery(def, `peak_${id}`, region, groupName, period);
    if (q) queries.push(q);
  }
  const r = await readSeriesByPeriod(
    `peak:${pool.id}:${hours}`,
    region,
    queries,
    hours * 3_600_000,
    now,
    cfg,
  );
  if (!r.value) return { ok: false, hours, reason: `the last ${hours} h of metrics are unavailable` };
  const series = (id: string): Point[] => r.value!.find((s) => s.id === `peak_${id}`)?.points ?? [];
  const requests = series("requests")
    .map(([, v]) => v)
    .filter((v): v is number => v !== null);
  const requestPeriod = queries.find((q) => q.id === "peak_requests")?.period ?? period;
  const n = new Map(series("inService").map(([t, v]) => [t, v]));
  const loads = series("cpu").flatMap(([t, v]) => {
    const k = n.get(t);
    return v !== null && k !== null && k !== undefined ? [v * k] : [];
  });
  const peak: RecentPeak = {
    hours,
    arrivalsPerSecond: requests.length ? Math.max(...requests) / requestPeriod : null,
    cpuLoad: loads.length ? Math.max(...loads) : null,
  };
  if (peak.arrivalsPerSecond === null && peak.cpuLoad === null)
    return { ok: false, hours, reason: `no measurements in the last ${hours} h` };
  return { ok: true, peak };
}

/**
 * The least a scale-in may leave, given the size the peak needs (null: no size met it, or it is
 * unknown): never below that, never above the current size (headroom does not scale out). Null
 * when there is nothing to hold back.
 */
export function scaleInHold(
  current: number,
  nowNeeds: number,
  peak: PeakResult | null,
  atPeak: (p: RecentPeak) => number | null,
): { desired: number; why: string } | null {
  if (peak === null || nowNeeds >= current) return null;
  if (!peak.ok) return { desired: current, why: `no scale-in: ${peak.reason}` };
  const needs = atPeak(peak.peak);
  if (needs === null)
    return {
      desired: current,
      why: `no scale-in: the peak of the last ${peak.peak.hours} h needed more than any size`,
    };
  if (needs <= nowNeeds) return null;
  if (needs >= current)
    return {
      desired: current,
      why: `no scale-in: the peak of the last ${peak.peak.hours} h needed ${needs}`,
    };
  return { desired: needs, why: `kept at ${needs}, what the peak of the last ${peak.peak.hours} h needed` };
}
