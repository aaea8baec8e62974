import { describe, expect, it } from "vitest";
import type { Estimate } from "@/lib/fleet/estimate";
import { adviseCapacity } from "./advice";
import { DEFAULT_SCALE_IN_LOOKBACK_HOURS, scaleInLookbackHours, type PeakResult } from "./headroom";
import { neededFor, suggest } from "./predict";
import { shippedConfig } from "@/test/support/services/fixtures";

// At 3 a.m. the smallest size that meets the targets right now would fail on the morning ramp.
// A scale-in suggestion keeps what the busiest moment of the lookback window needed; scale-out
// is never held back; an unknown peak means no scale-in.

const app = shippedConfig().pools.find((p) => p.id === "app")!;
const night: Estimate = {
  lambda: 38,
  mu: 32,
  n: 12,
  baselinePercent: 2,
  cpuFit: 0.99,
  page: { requestsPerPage: 3, fixedMs: 300, errorPercent: 3, p90NowMs: 450 },
  window: { from: 0, to: 7_200_000, minutes: 120, unsaturatedMinutes: 120 },
};
const group = { desired: 12, min: 4, max: 48 };
const peakOf = (arrivalsPerSecond: number | null, cpuLoad: number | null = null, hours = 24): PeakResult => ({
  ok: true,
  peak: { hours, arrivalsPerSecond, cpuLoad },
});

describe("scale-in headroom in the suggestion", () => {
  it("without it (lookback 0), night advice is the smallest size that meets targets now: app 12 → 4", () => {
    expect(neededFor(night, app)).toBe(2);
    expect(suggest(night, app, group, 4, null).desired).toBe(4);
  });

  it("never below what yesterday afternoon's peak needed; says so in the reason", () => {
    const atPeak = neededFor({ ...night, lambda: 200 }, app)!;
    expect(atPeak).toBeGreaterThan(4);
    expect(atPeak).toBeLessThan(12);
    const s = suggest(night, app, group, 4, peakOf(200));
    expect(s.desired).toBe(atPeak);
    expect(s.reason).toBe(
      `2 would meet p90 ≤ 1.2 s and CPU ≤ 70 % now; kept at ${atPeak}, what the peak of the last 24 h needed; measured 38 req/s (200 at that peak), 32 per instance`,
    );
    // The held size still meets the targets at that peak.
    expect(suggest({ ...night, lambda: 200 }, app, { ...group, desired: atPeak }, 4).desired).toBe(atPeak);
  });

  it("no scale-in when the peak needed the current size or more", () => {
    const s = suggest(night, app, group, 4, peakOf(350));
    expect(s.desired).toBe(12);
    expect(s.reason).toMatch(
      /^2 would meet p90 ≤ 1\.2 s and CPU ≤ 70 % now; no scale-in: the peak of the last 24 h needed 1[3-9]; measured 38 req\/s \(350 at that peak\)/,
    );
  });

  it("no scale-in when the peak is unknown: a guess is not headroom", () => {
    const s = suggest(night, app, group, 4, {
      ok: false,
      hours: 24,
      reason: "the last 24 h of metrics are unavailable",
    });
    expect(s.desired).toBe(12);
    expect(s.reason).toContain("no scale-in: the last 24 h of metrics are unavailable");
  });

  it("scale-out and a quiet day's scale-in are untouched", () => {
    const busy = { ...night, lambda: 420 };
    expect(suggest(busy, app, group, 4, peakOf(420)).desired).toBe(
      suggest(busy, app, group, 4, null).desired,
    );
    expect(suggest(busy, app, group, 4, null).desired).toBeGreaterThan(12);
    // The peak itself needed only what now needs: nothing to hold.
    expect(suggest(night, app, group, 4, peakOf(30))).toEqual(suggest(night, app, group, 4, null));
  });

  it("the step guardrail still caps how far one change goes", () => {
    expect(suggest(night, app, { ...group, desired: 30 }, 4, peakOf(100)).desired).toBe(22); // maxStep 8
  });

  it("the CPU rule holds the same way, from the peak CPU × instances", () => {
    const base = {
      desired: 12,
      inService: 12,
      pending: 0,
      terminating: 0,
      min: 4,
      max: 48,
      pageLoad: null,
      backlog: null,
      cpu: { latest: 6, start: 0, step: 0, values: [] },
    };
    expect(adviseCapacity(base, { cpuPercent: 70 })!.desired).toBe(4);
    // Yesterday: 85 % on 12 instances = 1020 instance-percent → 15 at 70 %: no scale-in.
    expect(adviseCapacity(base, { cpuPercent: 70 }, peakOf(null, 1020))).toEqual({
      desired: 12,
      reason: "CPU 6 % on 12 → 70 % target; no scale-in: the peak of the last 24 h needed 15",
    });
    // 50 % on 12 = 600 → 9.
    expect(adviseCapacity(base, { cpuPercent: 70 }, peakOf(null, 600))).toEqual({
      desired: 9,
      reason: "CPU 6 % on 12 → 70 % target; kept at 9, what the peak of the last 24 h needed",
    });
    expect(
      adviseCapacity(
        base,
        { cpuPercent: 70 },
        { ok: false, hours: 24, reason: "no measurements in the last 24 h" },
      )!.desired,
    ).toBe(12);
  });

  it("CAPSTAN_SCALE_IN_LOOKBACK_HOURS: 0–168 hours, 24 by default or when unreadable", () => {
    expect(DEFAULT_SCALE_IN_LOOKBACK_HOURS).toBe(24);
    expect(scaleInLookbackHours({})).toBe(24);
    expect(scaleInLookbackHours({ CAPSTAN_SCALE_IN_LOOKBACK_HOURS: "6" })).toBe(6);
    expect(scaleInLookbackHours({ CAPSTAN_SCALE_IN_LOOKBACK_HOURS: "0" })).toBe(0);
    for (const bad of ["", "-1", "169", "a day"])
      expect(scaleInLookbackHours({ CAPSTAN_SCALE_IN_LOOKBACK_HOURS: bad })).toBe(24);
  });
});
