import { describe, expect, it } from "vitest";
import { eastern, easternOffsetHours } from "./calendar";
import { arrivalsPerSecond, buildProfiles, growthFactor, officeHours, type Growth } from "./traffic";
import { DAY, MINUTE, WEEKDAY_PEAK, mean, referenceConfig } from "@/test/support/simulated/fixtures";

const cfg = referenceConfig();
const profiles = buildProfiles(cfg);
const profile = (id: string) => {
  const p = profiles.get(id);
  if (!p) throw new Error(id);
  return p;
};
/** Mean arrivals over the hour from t: smooths minute noise. */
const hourly = (id: string, t: number, role: "primary" | "standby" = "primary") =>
  mean(Array.from({ length: 60 }, (_, i) => arrivalsPerSecond(profile(id), role, t + i * MINUTE)));

const edt = (iso: string) => Date.parse(`${iso}-04:00`);

describe("traffic model", () => {
  it("peaks mid-afternoon Eastern on weekdays at about peakRate and bottoms out at night", () => {
    expect(officeHours(14.5, 3)).toBeCloseTo(1, 2);
    expect(officeHours(4, 3)).toBeLessThan(0.02);
    const peak = hourly("app", edt("2026-03-11T14:00:00"));
    const night = hourly("app", edt("2026-03-11T04:00:00"));
    expect(peak).toBeGreaterThan(300 * 0.85);
    expect(peak).toBeLessThan(300 * 1.1);
    expect(night).toBeLessThan(peak * 0.2);
    // The night trough (03:00–06:00) is below the morning (10:00) and the evening (21:00).
    expect(night).toBeLessThan(hourly("app", edt("2026-03-11T10:00:00")) / 2);
    expect(night).toBeLessThan(hourly("app", edt("2026-03-11T21:00:00")));
  });

  it("is quieter at weekends", () => {
    const saturday = hourly("app", edt("2026-03-14T14:00:00"));
    expect(saturday).toBeLessThan(hourly("app", edt("2026-03-11T14:00:00")) * 0.6);
  });

  it("gives the standby region a 3–5 % share", () => {
    for (const id of ["app", "public-site", "worker-email"]) {
      const ratio = hourly(id, WEEKDAY_PEAK, "standby") / hourly(id, WEEKDAY_PEAK);
      expect(ratio).toBeGreaterThan(0.03);
      expect(ratio).toBeLessThan(0.05);
    }
  });

  it("makes the proxy carry the pools it fronts", () => {
    for (const t of [WEEKDAY_PEAK, WEEKDAY_PEAK + 7 * MINUTE]) {
      const sum =
        arrivalsPerSecond(profile("public-site"), "primary", t) +
        arrivalsPerSecond(profile("app"), "primary", t);
      expect(arrivalsPerSecond(profile("proxy"), "primary", t)).toBeCloseTo(sum, 9);
    }
  });

  it("spikes the calendar workers on the hour", () => {
    const onTheHour = arrivalsPerSecond(profile("worker-calendar"), "primary", WEEKDAY_PEAK);
    const halfPast = arrivalsPerSecond(profile("worker-calendar"), "primary", WEEKDAY_PEAK + 30 * MINUTE);
    expect(onTheHour).toBeGreaterThan(2 * halfPast);
  });

  it("varies minute to minute by a few per cent, from the seed, never Math.random", () => {
    const xs = Array.from({ length: 30 }, (_, i) =>
      arrivalsPerSecond(profile("app"), "primary", WEEKDAY_PEAK + i * MINUTE),
    );
    const again = Array.from({ length: 30 }, (_, i) =>
      arrivalsPerSecond(profile("app"), "primary", WEEKDAY_PEAK + i * MINUTE),
    );
    expect(again).toEqual(xs);
    const m = mean(xs);
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(m * 0.02);
    expect(Math.max(...xs) - Math.min(...xs)).toBeLessThan(m * 0.3);
  });

  it("follows US daylight saving time", () => {
    expect(easternOffsetHours(Date.parse("2026-01-15T12:00:00Z"))).toBe(-5);
    expect(easternOffsetHours(Date.parse("2026-07-15T12:00:00Z"))).toBe(-4);
    // 2026: DST from 8 March 07:00 UTC to 1 November 06:00 UTC.
    expect(easternOffsetHours(Date.parse("2026-03-08T06:59:59Z"))).toBe(-5);
    expect(easternOffsetHours(Date.parse("2026-03-08T07:00:00Z"))).toBe(-4);
    expect(easternOffsetHours(Date.parse("2026-11-01T05:59:59Z"))).toBe(-4);
    expect(easternOffsetHours(Date.parse("2026-11-01T06:00:00Z"))).toBe(-5);
    const et = eastern(WEEKDAY_PEAK);
    expect([et.hour, et.weekday]).toEqual([15, 3]);
  });
});

const WEEK = 7 * DAY;

describe("slow growth week over week", () => {
  const growth: Growth = {
    weeklyRate: cfg.simulation.weeklyGrowthPercent / 100,
    epoch: edt("2026-03-09T00:00:00"),
  };

  it("the reference fleet grows 2 % a week, compounding, 1 at the epoch and lower before it", () => {
    expect(growth.weeklyRate).toBe(0.02);
    expect(growthFactor(growth, growth.epoch)).toBe(1);
    expect(growthFactor(growth, growth.epoch + WEEK)).toBeCloseTo(1.02, 12);
    expect(growthFactor(growth, growth.epoch + 8 * WEEK)).toBeCloseTo(1.02 ** 8, 12);
    expect(growthFactor(growth, growth.epoch - WEEK)).toBeCloseTo(1 / 1.02, 12);
    // Continuous: no step where one week turns into the next.
    expect(
      growthFactor(growth, growth.epoch + WEEK + MINUTE) / growthFactor(growth, growth.epoch + WEEK - MINUTE),
    ).toBeLessThan(1.00001);
    expect(growthFactor({ ...growth, weeklyRate: 0 }, growth.epoch + 52 * WEEK)).toBe(1);
    expect(growthFactor(undefined, growth.epoch + 52 * WEEK)).toBe(1);
  });

  it("the same weekday and time one week later carries the growth factor more traffic, for every pool (the proxy too)", () => {
    for (const id of ["app", "public-site", "proxy", "worker-calendar"]) {
      for (const t of [WEEKDAY_PEAK, edt("2026-03-12T04:10:00"), edt("2026-03-14T11:00:00")]) {
        const now = arrivalsPerSecond(profile(id), "primary", t, { growth });
        const later = arrivalsPerSecond(profile(id), "primary", t + WEEK, { growth });
        // Minute noise and the day's episodes differ between the two weeks; the growth applies on top of them.
        const shape = (x: number) => arrivalsPerSecond(profile(id), "primary", x);
        expect(later / shape(t + WEEK) / (now / shape(t))).toBeCloseTo(1.02, 9);
      }
    }
    // With the noise averaged out: a whole week of email work is 2 % more than the week before.
    const week = (from: number) =>
      mean(
        Array.from({ length: 7 * 1440 }, (_, i) =>
          arrivalsPerSecond(profile("worker-email"), "primary", from + i * MINUTE, { growth }),
        ),
      );
    const ratio = week(growth.epoch + WEEK) / week(growth.epoch);
    expect(ratio).toBeGreaterThan(1.015);
    expect(ratio).toBeLessThan(1.025);
  });
});

describe.each([
  ["without growth", undefined],
  [
    "in the first week of growth",
    { weeklyRate: cfg.simulation.weeklyGrowthPercent / 100, epoch: edt("2026-03-09T00:00:00") },
  ],
])("the reference fleet's week holds the episodes the team scales for (%s)", (_, growth) => {
  // Monday 9 – Friday 13 March 2026, minute by minute, against the reference capacities.
  const start = edt("2026-03-09T00:00:00");
  const minutes = 5 * 24 * 60;
  const ratio = (id: string, capacity: number) =>
    Array.from(
      { length: minutes },
      (_, i) => arrivalsPerSecond(profile(id), "primary", start + i * MINUTE, { growth }) / capacity,
    );
  /** Longest run of consecutive minutes for which `ok` holds. */
  const longestRun = (xs: number[], ok: (x: number) => boolean) => {
    let best = 0;
    let run = 0;
    for (const x of xs) best = Math.max(best, (run = ok(x) ? run + 1 : 0));
    return best;
  };
  /** The queue sees a 5-minute average of arrivals (as in pool-model.ts). */
  const smoothed = (xs: number[]) => {
    let r = xs[0]!;
    return xs.map((x) => (r += (x - r) * (1 - Math.exp(-1 / 5))));
  };

  it("weekday afternoon rushes take app to ρ ≥ 0.9 (where p90 climbs steeply) for tens of minutes, on some days only", () => {
    const rho = smoothed(ratio("app", 12 * 32));
    expect(longestRun(rho, (r) => r >= 0.9)).toBeGreaterThanOrEqual(20);
    // Close to the edge, not over it: left alone the pool is slow, not down.
    expect(Math.max(...rho)).toBeLessThan(1);
    const days = Array.from({ length: 5 }, (_, d) =>
      rho.slice(d * 1440, (d + 1) * 1440).some((r) => r >= 0.9),
    );
    expect(days.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    expect(days.filter(Boolean).length).toBeLessThan(5);
  });

  it("a marketing campaign saturates public-site (arrivals over 4 × 22 req/s) for a while", () => {
    expect(longestRun(smoothed(ratio("public-site", 4 * 22)), (r) => r > 1)).toBeGreaterThanOrEqual(10);
  });

  it("calendar bursts outrun worker-calendar (4 × 18 jobs/s) for minutes at a time, so its backlog grows", () => {
    expect(longestRun(ratio("worker-calendar", 4 * 18), (r) => r > 1)).toBeGreaterThanOrEqual(3);
  });
});
