// The fleet model: traffic → utilisation → CPU, page load and worker backlog. Pure functions, no
// clock, no I/O, so the simulated backend draws with them and capacity advice predicts with them.
//
// Web pools are an M/M/n queue: n instances, each serving μ requests/s at 100 % CPU. A page makes
// `requestsPerPage` sequential requests plus a fixed part that does not wait on the pool's CPU
// (database, upstream calls, the load balancer). Quantiles come from a gamma fit of the page's
// variable part (mean and variance are exact for M/M/n), which is why p90 pulls away from p50 as
// the Erlang-C wait, with its long exponential tail, takes over from the service time.

/** Page loads above this are timeouts: the figure saturates here instead of growing without end. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface LatencyOptions {
  /** Time per page that does not queue for the pool's CPU. Default: `defaultFixedMs`. */
  fixedMs?: number;
  timeoutMs?: number;
}

/** Page-load distribution for one instant; read any quantile with `pageLoadQuantileMs`. */
export interface PageLoadDistribution {
  fixedMs: number;
  /** Mean and variance of the queueing part of a page (ms, ms²). */
  variableMeanMs: number;
  variableVarMs2: number;
  timeoutMs: number;
  /** ρ ≥ 1: the queue grows without bound and every figure is the timeout. */
  saturated: boolean;
}

export interface PageLoad {
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  utilisation: number;
  saturated: boolean;
}

/** ρ = λ / (nμ); Infinity when there is traffic and no capacity. */
export function utilisation(lambda: number, mu: number, n: number): number {
  if (lambda <= 0) return 0;
  return n > 0 && mu > 0 ? lambda / (n * mu) : Infinity;
}

/** CPU % of the average instance: the work it does plus a small baseline (agents, OS), capped. */
export function cpuPercent(lambda: number, mu: number, n: number, baselinePercent = 2): number {
  return Math.min(100, 100 * utilisation(lambda, mu, n) + baselinePercent);
}

/** Erlang C: the probability an arrival waits, n servers, offered load a = λ/μ (Erlang B recursion). */
export function erlangC(n: number, a: number): number {
  if (a <= 0) return 0;
  if (n <= 0 || a >= n) return 1;
  let b = 1;
  for (let k = 1; k <= n; k++) b = (a * b) / (k + a * b);
  return b / (1 - (a / n) * (1 - b));
}

/**
 * Waiting on I/O is assumed to take about three times the CPU time of a request: enough that a
 * page is never just its CPU time, small enough that queueing shows as utilisation climbs.
 */
export function defaultFixedMs(mu: number, requestsPerPage: number): number {
  return (requestsPerPage * 3000) / mu;
}

export function pageLoadDistribution(
  lambda: number,
  mu: number,
  n: number,
  requestsPerPage = 1,
  opts: LatencyOptions = {},
): PageLoadDistribution {
  const fixedMs = opts.fixedMs ?? defaultFixedMs(mu, requestsPerPage);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const theta = n * mu - Math.max(0, lambda); // spare capacity, requests/s
  if (n <= 0 || mu <= 0 || theta <= 0) {
    return { fixedMs, variableMeanMs: 0, variableVarMs2: 0, timeoutMs, saturated: true };
  }
  const c = erlangC(n, Math.max(0, lambda) / mu);
  const s = 1 / mu;
  // One request: exponential service plus the Erlang-C wait (an atom at 0, then Exp(θ)).
  const mean = s + c / theta;
  const variance = s * s + (c * (2 - c)) / (theta * theta);
  return {
    fixedMs,
    variableMeanMs: requestsPerPage * mean * 1000,
    variableVarMs2: requestsPerPage * variance * 1e6,
    timeoutMs,
    saturated: false,
  };
}

/** Quantile q ∈ (0, 1) of page load in ms (Wilson–Hilferty gamma quantile, softly capped). */
export function pageLoadQuantileMs(d: PageLoadDistribution, q: number): number {
  if (d.saturated) return d.timeoutMs;
  const m = d.variableMeanMs;
  if (m <= 0) return softCap(d.fixedMs, d.timeoutMs);
  const shape = (m * m) / d.variableVarMs2;
  const base = 1 - 1 / (9 * shape) + normalQuantile(q) / (3 * Math.sqrt(shape));
  return softCap(d.fixedMs + m * Math.max(0, base) ** 3, d.timeoutMs);
}

export function pageLoadMeanMs(d: PageLoadDistribution): number {
  return d.saturated ? d.timeoutMs : softCap(d.fixedMs + d.variableMeanMs, d.timeoutMs);
}

/** Mean, p50 and p90 page load for λ requests/s on n instances of μ requests/s each. */
export function responseTimeMs(
  lambda: number,
  mu: number,
  n: number,
  requestsPerPage = 1,
  opts: LatencyOptions = {},
): PageLoad {
  const d = pageLoadDistribution(lambda, mu, n, requestsPerPage, opts);
  return {
    meanMs: pageLoadMeanMs(d),
    p50Ms: pageLoadQuantileMs(d, 0.5),
    p90Ms: pageLoadQuantileMs(d, 0.9),
    utilisation: utilisation(lambda, mu, n),
    saturated: d.saturated,
  };
}

export interface SizingOptions extends LatencyOptions {
  requestsPerPage?: number;
  /** Search limit; beyond it the answer is "no size will do". */
  maxInstances?: number;
}

/**
 * The fewest instances that keep p90 page load at or under the target, or null when no size can
 * (the target is below what an idle pool delivers, or would need more than `maxInstances`).
 */
export function instancesFor(
  lambda: number,
  mu: number,
  targetP90Ms: number,
  opts: SizingOptions = {},
): number | null {
  const rpp = opts.requestsPerPage ?? 1;
  const max = opts.maxInstances ?? 10_000;
  const p90 = (n: number) => pageLoadQuantileMs(pageLoadDistribution(lambda, mu, n, rpp, opts), 0.9);
  // An idle pool's p90 is the floor no amount of instances goes below.
  if (pageLoadQuantileMs(pageLoadDistribution(0, mu, 1, rpp, opts), 0.9) > targetP90Ms) return null;
  for (let n = Math.max(1, Math.floor(lambda / mu) + 1); n <= max; n++) {
    if (p90(n) <= targetP90Ms) return n;
  }
  return null;
}

export interface WorkerMinute {
  backlog: number;
  /** Fraction of the pool's capacity used this step, 0–1. */
  busy: number;
}

/** One step of a worker queue: arrivals join the backlog, the pool works it down at nμ. */
export function workerStep(
  backlog: number,
  lambda: number,
  mu: number,
  n: number,
  dtSeconds = 60,
): WorkerMinute {
  const capacity = Math.max(0, n * mu * dtSeconds);
  const demand = backlog + Math.max(0, lambda) * dtSeconds;
  const processed = Math.min(capacity, demand);
  return { backlog: demand - processed, busy: capacity > 0 ? processed / capacity : demand > 0 ? 1 : 0 };
}

/** tanh keeps small values exact (error < 0.1 % below a fifth of the cap) and never passes the cap. */
function softCap(x: number, cap: number): number {
  return cap * Math.tanh(x / cap);
}

/** Standard normal quantile (Abramowitz & Stegun 26.2.23, |error| < 4.5e-4). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const upper = p > 0.5;
  const t = Math.sqrt(-2 * Math.log(upper ? 1 - p : p));
  const z =
    t -
    (2.515517 + 0.802853 * t + 0.010328 * t * t) /
      (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  return upper ? z : -z;
}

/**
 * Instances that carry the measured load at the CPU target: the load `n × cpu` spread so each
 * instance runs at `target` %. The estimate that needs no knowledge of requests or service rates,
 * so it works on real AWS from CloudWatch CPU alone. At least one instance.
 */
export function instancesForCpu(inService: number, cpuPercentNow: number, targetPercent: number): number {
  return Math.max(1, Math.ceil((inService * cpuPercentNow) / targetPercent - 1e-9));
}
