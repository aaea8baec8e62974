import { DEFAULT_TIMEOUT_MS, pageLoadDistribution, pageLoadQuantileMs } from "./model";

// The advisor's half of the fleet model: estimate λ (arrivals/s), μ (per-instance throughput at
// 100 % CPU) and n (instances in service) from measured minutes only — RequestCount, CPU and the
// in-service count, the same on AWS and in the simulation — then fit the queueing model's two
// unmeasurable parameters (requests per page, the fixed part of a page) to the measured p90.
// When the data cannot carry that, it says why (EstimateRefused) instead of guessing.

/** One measured minute (values null where the series has a gap). */
export interface Sample {
  /** Bucket start, epoch ms. */
  t: number;
  /** Arrivals in the minute (RequestCount Sum, or messages sent). */
  requests: number | null;
  /** Average CPU %. */
  cpu: number | null;
  /** Instances in service. */
  inService: number | null;
  /** Web: p90 page load, ms. */
  p90Ms?: number | null;
  /** Workers: messages visible. */
  backlog?: number | null;
}

export interface Estimate {
  /** Arrivals per second now (the last closed minutes). */
  lambda: number;
  /** Requests per second one instance serves at 100 % CPU. */
  mu: number;
  /** Instances in service now. */
  n: number;
  /** CPU % an idle instance shows (agents, OS): the regression's intercept. */
  baselinePercent: number;
  /** How well CPU follows arrivals per instance (R², 0–1). */
  cpuFit: number;
  /** Web: the fitted page model and its median relative error on the measured p90. */
  page?: { requestsPerPage: number; fixedMs: number; errorPercent: number; p90NowMs: number | null };
  /** Workers: messages visible now. */
  backlog?: number;
  /** Where the estimates came from. */
  window: { from: number; to: number; minutes: number; unsaturatedMinutes: number };
}

export interface Prediction {
  desired: number;
  cpuPercent: number;
  pageLoadP90Ms?: number;
  /** Minutes to work the backlog off (null: it would keep growing). */
  backlogDrainMinutes?: number | null;
  /** ρ ≥ 1 at this size: the queue grows without bound. */
  saturated: boolean;
}

/** The data cannot support an estimate; `reason` says why, for the operator. */
export class EstimateRefused extends Error {
  override readonly name = "EstimateRefused";
}

export const MIN_MINUTES = 15;
/** Above this CPU a minute is saturated: it says nothing about throughput per instance. */
const SATURATED_CPU = 90;
/** Arrivals per instance must vary at least this much (coefficient of variation) to separate μ from the baseline. */
const MIN_VARIATION = 0.015;
const MIN_CPU_FIT = 0.6;
const MAX_PAGE_ERROR = 25;
/** The queue answers to recent arrivals (a 5-minute exponential average), as in the model. */
const QUEUE_TAU_MIN = 5;
/** λ now: the mean of the last closed minutes. */
const NOW_MINUTES = 3;

export function estimate(samples: Sample[], tier: "web" | "worker" | "infra"): Estimate {
  const all = samples.filter(
    (s) => s.requests !== null && s.cpu !== null && s.inService !== null && s.inService > 0,
  );
  if (all.length < MIN_MINUTES) {
    throw new EstimateRefused(
      `too few measured minutes: ${all.length} with requests, CPU and instances in service (${MIN_MINUTES} needed)`,
    );
  }
  const pts = all.map((s) => ({ s, x: s.requests! / 60 / s.inService!, y: s.cpu! }));
  const usable = pts.filter((p) => p.y < SATURATED_CPU && (p.s.backlog ?? 0) <= p.s.requests!);
  if (usable.length < MIN_MINUTES) {
    throw new EstimateRefused(
      `saturated: CPU was at or above ${SATURATED_CPU} % in ${pts.length - usable.length} of ${pts.length} minutes, so throughput per instance cannot be measured`,
    );
  }
  const xs = usable.map((p) => p.x);
  const mx = mean(xs);
  const cv = mx > 0 ? Math.sqrt(variance(xs)) / mx : 0;
  if (!(cv >= MIN_VARIATION)) {
    throw new EstimateRefused(
      `flat series: arrivals per instance varied by ${(cv * 100).toFixed(1)} % (at least ${MIN_VARIATION * 100} % needed to tell throughput from the CPU baseline)`,
    );
  }
  const { slope, intercept, r2 } = fitLine(
    xs,
    usable.map((p) => p.y),
  );
  if (!(slope > 0) || r2 < MIN_CPU_FIT) {
    throw new EstimateRefused(
      `CPU does not follow the request rate (R² ${r2.toFixed(2)}): the bottleneck is elsewhere`,
    );
  }
  const mu = 100 / slope;
  const closed = all.slice(-NOW_MINUTES);
  const lambda = mean(closed.map((s) => s.requests! / 60));
  const last = all[all.length - 1]!;
  const est: Estimate = {
    lambda,
    mu,
    n: last.inService!,
    baselinePercent: Math.max(0, intercept),
    cpuFit: r2,
    window: { from: all[0]!.t, to: last.t + 60_000, minutes: all.length, unsaturatedMinutes: usable.length },
  };
  if (tier === "web") est.page = fitPage(all, mu);
  if (tier === "worker")
    est.backlog =
      [...samples].reverse().find((s) => s.backlog !== null && s.backlog !== undefined)?.backlog ?? 0;
  return est;
}

/** CPU, p90 and backlog drain at `desired` instances, for the load measured now. */
export function predict(e: Estimate, desired: number): Prediction {
  const capacity = desired * e.mu;
  const saturated = desired <= 0 || e.lambda >= capacity;
  const cpu = saturated ? 100 : Math.min(100, (100 * e.lambda) / capacity + e.baselinePercent);
  const out: Prediction = { desired, cpuPercent: round1(cpu), saturated };
  if (e.page) {
    const d = pageLoadDistribution(e.lambda, e.mu, desired, e.page.requestsPerPage, {
      fixedMs: e.page.fixedMs,
    });
    out.pageLoadP90Ms = Math.round(pageLoadQuantileMs(d, 0.9));
  }
  if (e.backlog !== undefined) {
    const net = capacity - e.lambda; // jobs/s worked off beyond arrivals
    out.backlogDrainMinutes = e.backlog <= 0 ? 0 : net > 0 ? round1(e.backlog / net / 60) : null;
  }
  return out;
}

/**
 * Requests per page (1–8) and the fixed part of a page (ms) that best explain the measured p90
 * at the measured λ (averaged as the queue sees it), μ and n: least squares on log p90.
 */
function fitPage(all: Sample[], mu: number): NonNullable<Estimate["page"]> {
  const alpha = 1 - Math.exp(-1 / QUEUE_TAU_MIN);
  let recent = NaN;
  const obs: { lambda: number; n: number; p90: number }[] = [];
  for (const s of all) {
    const l = s.requests! / 60;
    recent = Number.isNaN(recent) ? l : recent + (l - recent) * alpha;
    const p = s.p90Ms;
    // Timeouts say only "saturated": they carry no shape.
    if (
      p !== null &&
      p !== undefined &&
      p > 0 &&
      p < DEFAULT_TIMEOUT_MS / 3 &&
      recent < 0.995 * s.inService! * mu
    ) {
      obs.push({ lambda: recent, n: s.inService!, p90: p });
    }
  }
  const p90NowMs = [...all].reverse().find((s) => s.p90Ms != null)?.p90Ms ?? null;
  if (obs.length < MIN_MINUTES) {
    throw new EstimateRefused(
      `too few measured p90 minutes below the timeouts: ${obs.length} (${MIN_MINUTES} needed)`,
    );
  }
  const floor = Math.min(...obs.map((o) => o.p90));
  let best = { requestsPerPage: 1, fixedMs: 0, sse: Infinity };
  for (let rpp = 1; rpp <= 8; rpp++) {
    const sse = (fixedMs: number) =>
      obs.reduce((acc, o) => {
        const m = pageLoadQuantileMs(pageLoadDistribution(o.lambda, mu, o.n, rpp, { fixedMs }), 0.9);
        return acc + (Math.log(m) - Math.log(o.p90)) ** 2;
      }, 0);
    const fixedMs = goldenMin(sse, 0, floor);
    const v = sse(fixedMs);
    if (v < best.sse) best = { requestsPerPage: rpp, fixedMs, sse: v };
  }
  const errors = obs.map((o) => {
    const m = pageLoadQuantileMs(
      pageLoadDistribution(o.lambda, mu, o.n, best.requestsPerPage, { fixedMs: best.fixedMs }),
      0.9,
    );
    return Math.abs(m / o.p90 - 1) * 100;
  });
  const errorPercent = median(errors);
  if (errorPercent > MAX_PAGE_ERROR) {
    throw new EstimateRefused(
      `the queueing model does not fit the measured p90 (median error ${Math.round(errorPercent)} %): the bottleneck is elsewhere`,
    );
  }
  return {
    requestsPerPage: best.requestsPerPage,
    fixedMs: Math.round(best.fixedMs * 10) / 10,
    errorPercent: round1(errorPercent),
    p90NowMs,
  };
}

function goldenMin(f: (x: number) => number, lo: number, hi: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 40 && b - a > 0.1; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

function fitLine(xs: number[], ys: number[]): { slope: number; intercept: number; r2: number } {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { slope, intercept: my - slope * mx, r2: sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : 0 };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const variance = (xs: number[]) => {
  const m = mean(xs);
  return mean(xs.map((x) => (x - m) ** 2));
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.floor(s.length / 2);
  return s.length % 2 ? s[i]! : (s[i - 1]! + s[i]!) / 2;
};
const round1 = (v: number) => Math.round(v * 10) / 10;
