import "server-only";
import type { FleetConfig, PoolConfig } from "@/lib/config/schema";
import type { RegionRole, Tier } from "@/lib/fleet/types";
import { eastern } from "./calendar";
import { hash, strHash, unit } from "./hash";

// Arrivals per second for a pool at an instant: a pure function of (seed, region, pool, t).
// Shape: US office hours (ramp from ~9 a.m. Eastern, peak mid-afternoon, trough 03:00–06:00),
// quieter weekends, a slow seasonal drift, minute noise and the pool's bursts. Scaled so a
// weekday peak in the primary region is `peakRate` at the growth epoch, and compounding by the
// weekly growth rate from there (lower before it), so a fleet left alone slides toward trouble.

const MINUTE = 60_000;
const WEEK = 7 * 24 * 60 * MINUTE;
const YEAR = 365.25 * 24 * 60 * MINUTE;

/**
 * Slow growth: arrivals × (1 + weeklyRate) per week since `epoch`, continuously (no step at a
 * week boundary), so the same weekday and time a week later carries exactly (1 + weeklyRate) ×
 * the traffic. A pure function of t: the epoch is fixed (the simulated fleet's start, saved
 * with its state), never "now".
 */
export interface Growth {
  /** Fraction a week, e.g. 0.02 for 2 %. */
  weeklyRate: number;
  /** Epoch ms at which the growth factor is 1. */
  epoch: number;
}

export function growthFactor(g: Growth | undefined, t: number): number {
  return g && g.weeklyRate !== 0 ? (1 + g.weeklyRate) ** ((t - g.epoch) / WEEK) : 1;
}

export interface TrafficProfile {
  poolId: string;
  /** Hash of (seed, pool id): the pool's own stream of noise. */
  key: number;
  peakRate: number;
  tier: Tier;
  bursts: "none" | "hourly" | "marketing";
  /** Share of the primary's traffic the standby sees (health checks, replication): 3–5 %. */
  standbyShare: number;
  /** Phase of the slow seasonal drift, radians. */
  seasonPhase: number;
  /** Pools whose traffic passes through this one (the proxy). */
  fronts: TrafficProfile[];
}

/** Night-time load as a share of the peak: web users sleep, queues and cron jobs less so. */
const FLOOR: Record<Tier, number> = { web: 0.12, worker: 0.3, infra: 0.45 };
const WEEKEND = 0.45;

export function buildProfiles(cfg: FleetConfig): Map<string, TrafficProfile> {
  const out = new Map<string, TrafficProfile>();
  const byId = new Map(cfg.pools.map((p) => [p.id, p]));
  const build = (pool: PoolConfig, path: string[]): TrafficProfile => {
    const done = out.get(pool.id);
    if (done) return done;
    const sim = pool.simulation;
    const key = hash(cfg.simulation.seed, strHash(pool.id));
    // A cycle in `fronts` (proxy fronts itself via another pool) is cut rather than looping.
    const fronts = (sim?.fronts ?? [])
      .filter((id) => !path.includes(id))
      .flatMap((id) => {
        const p = byId.get(id);
        return p ? [build(p, [...path, id])] : [];
      });
    const profile: TrafficProfile = {
      poolId: pool.id,
      key,
      peakRate: sim?.peakRate ?? 0,
      tier: pool.tier,
      bursts: sim?.bursts ?? "none",
      standbyShare: 0.03 + 0.02 * unit(hash(key, 7)),
      seasonPhase: unit(hash(key, 11)) * 2 * Math.PI,
      fronts,
    };
    out.set(pool.id, profile);
    return profile;
  };
  for (const p of cfg.pools) build(p, [p.id]);
  return out;
}

/** A pool's surge multiplier at t (1: none); the proxy's fronted pools carry their own. */
export type SurgeAt = (poolId: string, t: number) => number;

/** What moves traffic beyond its profile: an admin's surges, the fleet's growth. */
export interface TrafficContext {
  surge?: SurgeAt;
  growth?: Growth;
}

export function arrivalsPerSecond(
  p: TrafficProfile,
  role: RegionRole,
  t: number,
  ctx: TrafficContext = {},
): number {
  const own = (q: TrafficProfile): number =>
    q.peakRate > 0
      ? ownArrivals(q, t) * (role === "primary" ? 1 : q.standbyShare) * (ctx.surge?.(q.poolId, t) ?? 1)
      : 0;
  // The proxy carries the pools it fronts; every pool grows by the same factor.
  const sum = (q: TrafficProfile): number => q.fronts.reduce((acc, f) => acc + sum(f), own(q));
  return sum(p) * growthFactor(ctx.growth, t);
}

function ownArrivals(p: TrafficProfile, t: number): number {
  const et = eastern(t);
  const busy = officeHours(et.hour, et.weekday);
  const floor = FLOOR[p.tier];
  const base = floor + (1 - floor) * busy;
  const season = 1 + 0.03 * Math.sin((2 * Math.PI * t) / YEAR + p.seasonPhase);
  const minute = Math.floor(t / MINUTE);
  let rate = p.peakRate * base * season * (1 + noise(p.key, minute));
  if (p.bursts === "hourly") rate += p.peakRate * hourlyBurst(minute, busy);
  if (p.bursts === "marketing") rate += p.peakRate * marketingBurst(p.key, et.day, et.hour);
  if (p.bursts === "none" && p.tier === "web")
    rate += p.peakRate * afternoonRush(p.key, et.day, et.hour, et.weekday);
  return Math.max(0, rate);
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const rawBump = (h: number) =>
  logistic((h - 8.75) / 1.1) *
  logistic((19.5 - h) / 1.7) *
  (0.82 + 0.18 * Math.exp(-(((h - 14.5) / 2.5) ** 2)));
/** Normalised so the weekday peak (≈14:30) is exactly 1. */
const BUMP_MAX = Math.max(...Array.from({ length: 2400 }, (_, i) => rawBump(3 + i / 100)));

/**
 * 0–1 business activity at an Eastern hour. The day is taken to run 03:00–03:00 so the evening
 * tail after midnight belongs to the day before (Friday night is not Saturday) and the curve is
 * continuous: the only seams fall at 3 a.m., where activity is ~0.
 */
export function officeHours(hour: number, weekday: number): number {
  const h = hour < 3 ? hour + 24 : hour;
  const day = hour < 3 ? (weekday + 6) % 7 : weekday;
  const weekend = day === 0 || day === 6 ? WEEKEND : 1;
  return (rawBump(h) / BUMP_MAX) * weekend;
}

/** ±5 % per minute plus a slow ±6 % wander (knots every 20 minutes, smoothly joined). */
function noise(key: number, minute: number): number {
  const fast = (unit(hash(key, minute, 1)) + unit(hash(key, minute, 2)) - 1) * 0.05;
  const k = Math.floor(minute / 20);
  const f = (minute - k * 20) / 20;
  const s = f * f * (3 - 2 * f);
  const a = unit(hash(key, k, 3)) * 2 - 1;
  const b = unit(hash(key, k + 1, 3)) * 2 - 1;
  return fast + 0.06 * (a + (b - a) * s);
}

/**
 * Calendar feeds refresh on the hour, day and night: a spike that decays over a few minutes. In
 * business hours it outruns the calendar workers, so their backlog grows for a while, then drains.
 */
function hourlyBurst(minute: number, busy: number): number {
  const m = minute % 60;
  return m > 20 ? 0 : 1.8 * Math.exp(-m / 3) * (0.35 + 0.65 * busy);
}

/**
 * On roughly one day in three a campaign lands between 10:00 and 16:00 and lasts 45–135 min, big
 * enough (60–100 % of the peak on top of the day's traffic) to saturate the public site at its
 * reference size when it lands in the afternoon.
 */
function marketingBurst(key: number, day: number, hour: number): number {
  if (unit(hash(key, day, 21)) >= 0.33) return 0;
  const start = 10 + 6 * unit(hash(key, day, 22));
  const duration = 45 + 90 * unit(hash(key, day, 23));
  const amplitude = 0.6 + 0.4 * unit(hash(key, day, 24));
  const x = (hour - start) * 60; // minutes into the campaign
  if (x < 0 || x > duration + 120) return 0;
  return amplitude * Math.min(1, x / 8) * (x < duration ? 1 : Math.exp(-(x - duration) / 20));
}

/**
 * The afternoon rush of the application (web pools without bursts of their own): on about three
 * weekdays in five, 30–70 minutes between 13:00 and 16:00 Eastern with 17–25 % more than the
 * usual peak — at the reference size `app` then runs at ρ ≈ 0.9–0.97, where p90 climbs steeply.
 */
function afternoonRush(key: number, day: number, hour: number, weekday: number): number {
  if (weekday === 0 || weekday === 6 || unit(hash(key, day, 31)) >= 0.6) return 0;
  const start = 13 + 2.2 * unit(hash(key, day, 32));
  const duration = 30 + 40 * unit(hash(key, day, 33));
  const amplitude = 0.17 + 0.08 * unit(hash(key, day, 34));
  const x = (hour - start) * 60;
  if (x < 0 || x > duration + 30) return 0;
  // Ramps up over ten minutes, fades over ten after.
  return amplitude * Math.min(1, x / 10) * (x < duration ? 1 : Math.exp(-(x - duration) / 10));
}
