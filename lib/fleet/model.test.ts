import { describe, expect, it } from "vitest";
import {
  DEFAULT_TIMEOUT_MS,
  cpuPercent,
  erlangC,
  instancesFor,
  normalQuantile,
  pageLoadDistribution,
  pageLoadQuantileMs,
  responseTimeMs,
  workerStep,
} from "./model";

// The app pool of the reference fleet: 12 × c4.xlarge, 32 requests/s each, 3 requests a page.
const MU = 32;
const N = 12;
const RPP = 3;
const atRho = (rho: number) => responseTimeMs(rho * N * MU, MU, N, RPP);

describe("Erlang C", () => {
  it("matches hand-computed values", () => {
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 10); // M/M/1: P(wait) = ρ
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 10);
    expect(erlangC(10, 8)).toBeCloseTo(0.409, 3);
  });

  it("is 0 with no load and 1 at or past capacity", () => {
    expect(erlangC(4, 0)).toBe(0);
    expect(erlangC(4, 4)).toBe(1);
    expect(erlangC(0, 1)).toBe(1);
  });
});

describe("page load", () => {
  it("climbs steeply as utilisation nears 1", () => {
    const p90 = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99].map((r) => atRho(r).p90Ms);
    for (let i = 1; i < p90.length; i++) expect(p90[i]).toBeGreaterThan(p90[i - 1] ?? Infinity);
    // Flat at moderate load, then steep: +2 % from 0.5 to 0.8, more than double from 0.9 to 0.98.
    expect((p90[1] ?? 0) / (p90[0] ?? 1)).toBeLessThan(1.1);
    expect((p90[4] ?? 0) / (p90[2] ?? 1)).toBeGreaterThan(2);
    expect((p90[5] ?? 0) - (p90[4] ?? 0)).toBeGreaterThan((p90[3] ?? 0) - (p90[0] ?? 0));
  });

  it("keeps p90 above the mean and p50 below, the gap widening with load", () => {
    const low = atRho(0.5);
    const high = atRho(0.97);
    for (const r of [low, high]) {
      expect(r.p90Ms).toBeGreaterThan(r.meanMs);
      expect(r.p50Ms).toBeLessThan(r.meanMs);
    }
    expect(high.p90Ms - high.p50Ms).toBeGreaterThan(2.5 * (low.p90Ms - low.p50Ms));
  });

  it("scales with the sequential requests a page makes", () => {
    const one = responseTimeMs(100, 32, 6, 1, { fixedMs: 0 });
    const three = responseTimeMs(100, 32, 6, 3, { fixedMs: 0 });
    expect(three.meanMs).toBeCloseTo(3 * one.meanMs, 2); // the soft timeout cap bends it by < 0.001 %
  });

  it("adds the fixed part and reaches the timeout, never beyond, at ρ ≥ 1", () => {
    const idle = responseTimeMs(0, 10, 2, 1, { fixedMs: 200 });
    expect(idle.meanMs).toBeCloseTo(200 + 100, 1); // fixed part + one 100 ms service time
    const over = atRho(1.05);
    expect(over.saturated).toBe(true);
    expect([over.meanMs, over.p50Ms, over.p90Ms]).toEqual([
      DEFAULT_TIMEOUT_MS,
      DEFAULT_TIMEOUT_MS,
      DEFAULT_TIMEOUT_MS,
    ]);
    expect(atRho(0.9999).p90Ms).toBeLessThanOrEqual(DEFAULT_TIMEOUT_MS);
    expect(responseTimeMs(10, 32, 0).saturated).toBe(true);
  });

  it("gives the exponential's quantiles for a single idle request", () => {
    // One request on an idle pool is Exp(μ): median ln 2 / μ, p90 ln 10 / μ (within the approximation).
    const d = pageLoadDistribution(0, 10, 1, 1, { fixedMs: 0 });
    expect(pageLoadQuantileMs(d, 0.5)).toBeCloseTo(69.3, -0.5);
    expect(pageLoadQuantileMs(d, 0.9)).toBeCloseTo(230.3, -1);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2816, 3);
  });
});

describe("CPU", () => {
  it("follows utilisation plus a baseline and caps at 100", () => {
    expect(cpuPercent(192, 32, 12, 2)).toBeCloseTo(52, 6); // ρ = 0.5
    expect(cpuPercent(0, 32, 12, 2)).toBe(2);
    expect(cpuPercent(500, 32, 12)).toBe(100);
    expect(cpuPercent(5, 32, 0)).toBe(100);
  });
});

describe("worker backlog", () => {
  it("grows by (λ − nμ)Δt above capacity and drains below it", () => {
    const grown = workerStep(0, 100, 14, 4); // capacity 56/s
    expect(grown.backlog).toBeCloseTo((100 - 56) * 60, 6);
    expect(grown.busy).toBe(1);
    const draining = workerStep(grown.backlog, 20, 14, 4);
    expect(draining.backlog).toBeCloseTo(2640 - (56 - 20) * 60, 6);
    const empty = workerStep(500, 20, 14, 4);
    expect(empty.backlog).toBe(0);
    expect(empty.busy).toBeCloseTo((500 + 1200) / 3360, 6);
  });
});

describe("instancesFor", () => {
  it("answers the fewest instances that keep p90 under the target", () => {
    const n = instancesFor(300, MU, 1200, { requestsPerPage: RPP });
    expect(n).not.toBeNull();
    const size = n ?? 0;
    expect(responseTimeMs(300, MU, size, RPP).p90Ms).toBeLessThanOrEqual(1200);
    expect(responseTimeMs(300, MU, size - 1, RPP).p90Ms).toBeGreaterThan(1200);
    expect(size).toBeGreaterThan(300 / MU);
  });

  it("asks for more instances for more traffic or a tighter target", () => {
    const base = instancesFor(300, MU, 1200, { requestsPerPage: RPP }) ?? 0;
    expect(instancesFor(600, MU, 1200, { requestsPerPage: RPP }) ?? 0).toBeGreaterThan(base);
    expect(instancesFor(300, MU, 500, { requestsPerPage: RPP }) ?? 0).toBeGreaterThan(base);
  });

  it("returns null when even an idle pool misses the target", () => {
    expect(instancesFor(300, MU, 100, { requestsPerPage: RPP })).toBeNull();
    expect(instancesFor(0, MU, 1200, { requestsPerPage: RPP })).toBe(1);
  });
});
