import "server-only";
import type { PoolConfig } from "@/lib/config";
import type { GroupState } from "@/lib/fleet/types";
import type { PoolStatus, RegionStatus } from "@/lib/fleet/views";

export interface Counts {
  inService: number;
  pending: number;
  terminating: number;
  unhealthy: number;
}

export function countInstances(g: GroupState): Counts {
  const c: Counts = { inService: 0, pending: 0, terminating: 0, unhealthy: 0 };
  for (const i of g.instances) {
    if (i.lifecycleState === "InService") c.inService++;
    else if (i.lifecycleState === "Pending") c.pending++;
    else if (i.lifecycleState === "Terminating") c.terminating++;
    if (i.health === "Unhealthy") c.unhealthy++;
  }
  return c;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${fmt(ms)} ms`);

export const DEFAULT_DEGRADED_AFTER_SECONDS = 180;

/** CAPSTAN_DEGRADED_AFTER_SECONDS: how long a figure must stay over target before the pool is degraded. */
export function degradedAfterMs(env: Record<string, string | undefined> = process.env): number {
  const s = Number(env.CAPSTAN_DEGRADED_AFTER_SECONDS);
  return (Number.isFinite(s) && s > 0 ? s : DEFAULT_DEGRADED_AFTER_SECONDS) * 1000;
}

/** A figure over a window: the lowest value (over target only if that is) and the newest. */
export interface Sustained {
  low: number;
  latest: number;
  /** How long the window covers, ms. */
  spanMs: number;
}

/**
 * The newest points covering `windowMs` (at least one), all present: a gap means we cannot say the
 * figure stayed high. Null when the series is too short or its newest point is not recent.
 */
export function sustained(
  points: [number, number | null][],
  windowMs: number,
  periodMs: number,
  now: number,
): Sustained | null {
  const k = Math.max(1, Math.ceil(windowMs / periodMs - 1e-9));
  if (points.length < k) return null;
  const last = points.slice(-k);
  if (last.some(([, v]) => v === null)) return null;
  const newest = last[last.length - 1]!;
  if (now - newest[0] > 3 * periodMs + periodMs) return null;
  const vals = last.map(([, v]) => v as number);
  return { low: Math.min(...vals), latest: newest[1] as number, spanMs: k * periodMs };
}

/** "40 % over", or "25× " once the figure is more than twice its target (2400 % reads badly). */
const overBy = (v: number, target: number) =>
  v >= 2 * target ? `${Math.round(v / target)}×` : `${Math.round((v / target) * 100 - 100)} % over`;
const over = (s: Sustained | null, target: number | undefined): s is Sustained =>
  target !== undefined && s !== null && s.low > target;
const forHowLong = (s: Sustained) => (s.spanMs >= 120_000 ? ` for ${Math.round(s.spanMs / 60_000)} min` : "");

/** One status per pool, worst first, with the reason an operator would want at a glance. */
export function poolStatus(
  pool: PoolConfig,
  group: GroupState | undefined,
  counts: Counts,
  region: RegionStatus,
  /** Each figure over the "sustained" window (see `sustained`): one noisy minute is not enough. */
  now: { cpu: Sustained | null; pageLoadMs: Sustained | null; backlog: Sustained | null },
): { status: PoolStatus; reason?: string } {
  if (!group)
    return region === "error"
      ? { status: "error", reason: "region unreachable" }
      : { status: "missing", reason: "no group in this region" };
  if (region === "stale") return { status: "stale", reason: "showing last good data" };
  if (counts.unhealthy > 0)
    return {
      status: "degraded",
      reason: `${counts.unhealthy} unhealthy instance${counts.unhealthy > 1 ? "s" : ""}`,
    };
  const t = pool.targets;
  if (over(now.pageLoadMs, t.pageLoadP90Ms)) {
    const s = now.pageLoadMs;
    return {
      status: "degraded",
      reason: `p90 page load ${fmtMs(s.latest)}, ${overBy(s.latest, t.pageLoadP90Ms!)} its ${fmtMs(t.pageLoadP90Ms!)} target${forHowLong(s)}`,
    };
  }
  if (over(now.backlog, t.backlog)) {
    const s = now.backlog;
    return {
      status: "degraded",
      reason: `backlog ${fmt(s.latest)}, ${fmt(s.latest - t.backlog!)} over its ${fmt(t.backlog!)} target${forHowLong(s)}`,
    };
  }
  if (over(now.cpu, t.cpuPercent)) {
    const s = now.cpu;
    return {
      status: "degraded",
      reason: `CPU ${fmt(s.latest)} %, ${fmt(s.latest - t.cpuPercent)} points over its ${t.cpuPercent} % target${forHowLong(s)}`,
    };
  }
  if (counts.pending > 0 || counts.terminating > 0 || counts.inService !== group.desired) {
    return { status: "scaling", reason: `${counts.inService} of ${group.desired} in service` };
  }
  return { status: "healthy" };
}
