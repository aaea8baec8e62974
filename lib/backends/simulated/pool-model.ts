import "server-only";
import {
  defaultFixedMs,
  pageLoadDistribution,
  workerStep,
  type PageLoadDistribution,
} from "@/lib/fleet/model";
import type { RegionRole } from "@/lib/fleet/types";
import type { PoolConfig } from "@/lib/config/schema";
import { hash, unit } from "./hash";
import type { SimGroup } from "./store";
import { servingAt, servingCounter } from "./timeline";
import { arrivalsPerSecond, type TrafficContext, type TrafficProfile } from "./traffic";

// One pool in one region, minute by minute: arrivals from the traffic model, instances in service
// from the capacity timeline, and from those two (through lib/fleet/model) CPU, page load and
// backlog. Evaluated on demand for the minutes asked and thrown away: no history is kept.

const MINUTE = 60_000;
/**
 * Worker backlogs carry over, so integration starts empty on a fixed 3-hour grid (offset to :30,
 * clear of the on-the-hour bursts) at least 3 h early: queries over overlapping ranges then agree
 * on every minute. If the pool was short of capacity at that start, a backlog could be carried
 * in, so the start moves back a grid step at a time (up to a day) until the pool had headroom.
 */
const BACKLOG_GRID = 180;
const BACKLOG_OFFSET = 30;
const BACKLOG_MAX_STEPS = 8;
/**
 * A web queue answers to the recent arrival rate, not this minute's: latency is computed from an
 * exponential average of λ (5-minute time constant, 30-minute run-in, so queries that start at
 * different minutes agree to 0.3 %). Without it, minute noise around ρ ≈ 1 would flick page load
 * between one second and the timeout from one minute to the next.
 */
const QUEUE_TAU = 5;
const QUEUE_RUN_IN = 30;
const EMA_ALPHA = 1 - Math.exp(-1 / QUEUE_TAU);

export interface PoolMinutes {
  /** First minute (epoch minutes) and how many follow. */
  m0: number;
  count: number;
  lambda: Float64Array;
  serving: Float64Array;
  /** Average, hottest and coolest instance CPU %; NaN with no instance in service. */
  cpuAvg: Float64Array;
  cpuMax: Float64Array;
  cpuMin: Float64Array;
  /** Web pools: the page-load distribution of each minute (null: nobody to answer). */
  pageLoad: (PageLoadDistribution | null)[] | null;
  /** Worker pools: messages visible at the end of each minute. */
  backlog: Float64Array | null;
}

export interface PoolInput {
  pool: PoolConfig;
  role: RegionRole;
  profile: TrafficProfile;
  group: SimGroup;
  /** Admin surges in this region (see SimFleet.setSurge) and the fleet's weekly growth. */
  traffic?: TrafficContext;
}

/**
 * `now`: the minute in progress is drawn as of now rather than at its midpoint, as CloudWatch
 * shows the data of a minute so far: instances that entered service a few seconds ago count.
 */
export function evaluatePool(input: PoolInput, m0: number, m1: number, now = Infinity): PoolMinutes {
  const { pool, role, profile, group, traffic } = input;
  const sim = pool.simulation;
  const mu = sim?.throughputPerInstance ?? 1;
  const rpp = sim?.requestsPerPage ?? 1;
  const fixedMs = defaultFixedMs(mu, rpp);
  const count = Math.max(0, m1 - m0);
  const out: PoolMinutes = {
    m0,
    count,
    lambda: new Float64Array(count),
    serving: new Float64Array(count),
    cpuAvg: new Float64Array(count),
    cpuMax: new Float64Array(count),
    cpuMin: new Float64Array(count),
    pageLoad: pool.tier === "web" ? [] : null,
    backlog: pool.tier === "worker" ? new Float64Array(count) : null,
  };
  const worker = pool.tier === "worker";
  const start = worker ? backlogStart(input, mu, m0) : out.pageLoad ? m0 - QUEUE_RUN_IN : m0;
  const serving = servingCounter(group);
  const key = profile.key ^ (role === "primary" ? 0 : 0x5bd1e995);
  let backlog = 0;
  let recent = NaN; // the averaged arrival rate the web queue sees
  for (let m = start; m < m1; m++) {
    // A minute is represented by its midpoint; the one in progress by now.
    const t = now >= m * MINUTE && now < (m + 1) * MINUTE ? now : m * MINUTE + MINUTE / 2;
    const lambda = arrivalsPerSecond(profile, role, t, traffic);
    recent = Number.isNaN(recent) ? lambda : recent + (lambda - recent) * EMA_ALPHA;
    const n = serving.at(t);
    let busy: number;
    if (worker) {
      const step = workerStep(backlog, lambda, mu, n);
      backlog = step.backlog;
      busy = step.backlog > 0 ? 1 : step.busy;
    } else {
      busy = n > 0 ? lambda / (n * mu) : 1;
    }
    const i = m - m0;
    if (i < 0) continue;
    out.lambda[i] = lambda;
    out.serving[i] = n;
    const u1 = unit(hash(key, m, 51));
    const u2 = unit(hash(key, m, 52));
    writeCpu(out, i, n, busy, u1, u2);
    if (out.backlog) out.backlog[i] = backlog + lambda * (0.5 + u1); // plus messages awaiting a poll
    if (out.pageLoad) {
      // Database and network jitter: the non-CPU part of a page wobbles a few per cent.
      const jitter = 1 + 0.12 * (u2 - 0.5);
      out.pageLoad.push(
        n > 0 ? pageLoadDistribution(recent, mu, n, rpp, { fixedMs: fixedMs * jitter }) : null,
      );
    }
  }
  return out;
}

function backlogStart(input: PoolInput, mu: number, m0: number): number {
  let start = Math.floor((m0 - BACKLOG_OFFSET) / BACKLOG_GRID) * BACKLOG_GRID + BACKLOG_OFFSET - BACKLOG_GRID;
  for (let k = 1; k < BACKLOG_MAX_STEPS; k++) {
    const t = start * MINUTE + MINUTE / 2;
    const n = servingAt(input.group, t);
    if (arrivalsPerSecond(input.profile, input.role, t, input.traffic) < 0.9 * n * mu) break;
    start -= BACKLOG_GRID;
  }
  return start;
}

/** Instances differ a little (uneven balancing, noisy neighbours): the max sits above the average. */
function writeCpu(out: PoolMinutes, i: number, n: number, busy: number, u1: number, u2: number): void {
  if (n <= 0) {
    out.cpuAvg[i] = out.cpuMax[i] = out.cpuMin[i] = NaN;
    return;
  }
  const baseline = 1.5 + 1.5 * u1; // agents, OS, log shipping
  const avg = busy >= 1 ? 98.5 + 1.5 * u1 : Math.min(100, 100 * busy + baseline);
  const spread = n > 1 ? (1.5 + 0.06 * avg) * (0.6 + 0.8 * u2) * (0.6 + 0.25 * Math.log(n)) : 0;
  out.cpuAvg[i] = avg;
  out.cpuMax[i] = Math.min(100, avg + spread);
  out.cpuMin[i] = Math.max(baseline * 0.5, avg - 0.8 * spread);
}
