import { describe, expect, it } from "vitest";
import { estimate, EstimateRefused, predict, type Sample } from "./estimate";
import { cpuPercent, pageLoadDistribution, pageLoadQuantileMs, workerStep } from "./model";

// The estimator on synthetic data drawn from the model itself: it must recover the λ, μ and n it
// was drawn with (tolerances stated per test), stay close on noisy data, and refuse data that
// cannot carry an estimate rather than guess.

const MIN = 60_000;
const T0 = Date.parse("2026-03-11T17:00:00Z");
const MU = 32;
const N = 12;
const RPP = 3;
const FIXED = 281;

/** A deterministic ±1 wobble (no Math.random: the same test every run). */
const wobble = (i: number, k: number) =>
  Math.sin(i * 12.9898 + k * 78.233) * 0.5 + Math.sin(i * 4.1414 + k * 1.7) * 0.5;

function webMinutes(
  opts: { minutes?: number; rho?: (i: number) => number; noise?: number; n?: number } = {},
): Sample[] {
  const { minutes = 120, noise = 0, n = N } = opts;
  const rho = opts.rho ?? ((i: number) => 0.6 + 0.15 * Math.sin(i / 15));
  const alpha = 1 - Math.exp(-1 / 5);
  let recent = NaN;
  return Array.from({ length: minutes }, (_, i) => {
    const lambda = rho(i) * n * MU;
    recent = Number.isNaN(recent) ? lambda : recent + (lambda - recent) * alpha;
    const p90 = pageLoadQuantileMs(pageLoadDistribution(recent, MU, n, RPP, { fixedMs: FIXED }), 0.9);
    return {
      t: T0 + i * MIN,
      requests: lambda * 60 * (1 + 0.03 * noise * wobble(i, 1)),
      cpu: cpuPercent(lambda, MU, n, 2) + 2 * noise * wobble(i, 2),
      inService: n,
      p90Ms: p90 * (1 + 0.05 * noise * wobble(i, 3)),
    };
  });
}

describe("estimate on clean model data", () => {
  const data = webMinutes();
  const e = estimate(data, "web");

  it("recovers λ (within 1 %), μ (within 1 %) and n (exactly)", () => {
    const lambdaNow = data.slice(-3).reduce((a, s) => a + s.requests!, 0) / 3 / 60;
    expect(e.lambda / lambdaNow).toBeCloseTo(1, 2);
    expect(e.mu / MU).toBeCloseTo(1, 2);
    expect(e.n).toBe(N);
    expect(e.baselinePercent).toBeCloseTo(2, 1);
    expect(e.window).toMatchObject({ from: T0, minutes: 120, unsaturatedMinutes: 120 });
  });

  it("fits the page model and predicts p90 at other sizes within 5 %", () => {
    expect(e.page!.errorPercent).toBeLessThan(2);
    for (const n of [10, 14, 20]) {
      const truth = pageLoadQuantileMs(pageLoadDistribution(e.lambda, MU, n, RPP, { fixedMs: FIXED }), 0.9);
      expect(predict(e, n).pageLoadP90Ms! / truth).toBeGreaterThan(0.95);
      expect(predict(e, n).pageLoadP90Ms! / truth).toBeLessThan(1.05);
    }
  });

  it("predicts CPU from λ / (n μ) plus the baseline, and saturation when λ ≥ n μ", () => {
    const p = predict(e, 24);
    expect(p.cpuPercent).toBeCloseTo((100 * e.lambda) / (24 * MU) + 2, 0);
    expect(predict(e, 2)).toMatchObject({ saturated: true, cpuPercent: 100 });
  });
});

describe("estimate on noisy data", () => {
  it("stays within 10 % on μ and 5 % on λ with ±3 % requests, ±2 CPU points and ±5 % p90 noise", () => {
    const e = estimate(webMinutes({ noise: 1 }), "web");
    expect(Math.abs(e.mu / MU - 1)).toBeLessThan(0.1);
    expect(e.n).toBe(N);
    const truth = pageLoadQuantileMs(pageLoadDistribution(e.lambda, MU, 16, RPP, { fixedMs: FIXED }), 0.9);
    expect(Math.abs(predict(e, 16).pageLoadP90Ms! / truth - 1)).toBeLessThan(0.1);
  });

  it("uses the unsaturated minutes of a pool that saturated recently (a surge), and predicts the way out", () => {
    // 90 minutes at ρ ≈ 0.5, then 30 at ρ = 1.1: CPU pinned, p90 at the timeouts.
    const data = webMinutes({ rho: (i) => (i < 90 ? 0.5 + 0.1 * Math.sin(i / 10) : 1.1) }).map((s, i) =>
      i < 90 ? s : { ...s, cpu: 99.5, p90Ms: 29_000 },
    );
    const e = estimate(data, "web");
    expect(Math.abs(e.mu / MU - 1)).toBeLessThan(0.02);
    expect(e.lambda / (1.1 * N * MU)).toBeCloseTo(1, 2);
    expect(predict(e, N).saturated).toBe(true);
    expect(predict(e, 20).pageLoadP90Ms!).toBeLessThan(600);
  });
});

describe("estimate for workers", () => {
  it("recovers μ from CPU and messages sent, and predicts the time to drain a backlog", () => {
    let backlog = 0;
    const data: Sample[] = Array.from({ length: 60 }, (_, i) => {
      const lambda = (0.5 + 0.2 * Math.sin(i / 8)) * 4 * 14;
      const step = workerStep(backlog, lambda, 14, 4);
      backlog = step.backlog;
      return {
        t: T0 + i * MIN,
        requests: lambda * 60,
        cpu: 100 * step.busy + 2,
        inService: 4,
        backlog: i === 59 ? 6000 : lambda,
      };
    });
    const e = estimate(data, "worker");
    expect(e.mu / 14).toBeCloseTo(1, 2);
    expect(e.backlog).toBe(6000);
    const p = predict(e, 8);
    expect(p.backlogDrainMinutes!).toBeCloseTo(6000 / (8 * 14 - e.lambda) / 60, 1);
    expect(predict(e, 1).backlogDrainMinutes).toBeNull();
  });
});

describe("estimate refuses what it cannot know", () => {
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof EstimateRefused) return e.message;
      throw e;
    }
    throw new Error("expected a refusal");
  };

  it("too few points", () => {
    expect(refusal(() => estimate(webMinutes({ minutes: 10 }), "web"))).toMatch(
      /too few measured minutes: 10/,
    );
  });

  it("a saturated pool: throughput cannot be measured", () => {
    const data = webMinutes().map((s) => ({ ...s, cpu: 99 }));
    expect(refusal(() => estimate(data, "web"))).toMatch(
      /^saturated: CPU was at or above 90 % in 120 of 120 minutes/,
    );
  });

  it("a flat series", () => {
    expect(refusal(() => estimate(webMinutes({ rho: () => 0.6 }), "web"))).toMatch(/^flat series/);
  });

  it("CPU that does not follow requests", () => {
    const data = webMinutes().map((s, i) => ({ ...s, cpu: 40 + 20 * wobble(i, 9) }));
    expect(refusal(() => estimate(data, "web"))).toMatch(/CPU does not follow the request rate/);
  });

  it("p90 that the queueing model cannot explain", () => {
    const data = webMinutes().map((s, i) => ({ ...s, p90Ms: 400 + 3000 * Math.abs(wobble(i, 5)) }));
    expect(refusal(() => estimate(data, "web"))).toMatch(/does not fit the measured p90/);
  });
});
