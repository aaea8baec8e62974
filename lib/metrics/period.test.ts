import { describe, expect, it } from "vitest";
import type { Point } from "@/lib/fleet/types";
import { alignedRange, choosePeriod, downsample, isRangeKey, latest, RANGES } from "./period";

describe("range keys", () => {
  it("accepts the four ranges and nothing inherited from Object.prototype", () => {
    for (const k of ["1h", "6h", "24h", "7d"]) expect(isRangeKey(k)).toBe(true);
    for (const k of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "", "1H"])
      expect(isRangeKey(k)).toBe(false);
  });
});

describe("period selection", () => {
  it("follows the range: ~range/2000 snapped up to 60/300/900/3600 s", () => {
    expect(choosePeriod(RANGES["1h"])).toBe(60);
    expect(choosePeriod(RANGES["6h"])).toBe(60);
    expect(choosePeriod(RANGES["24h"])).toBe(60);
    expect(choosePeriod(RANGES["7d"])).toBe(900);
    expect(choosePeriod(30 * 24 * 3600_000)).toBe(3600);
    expect(choosePeriod(90 * 24 * 3600_000)).toBe(3600);
    expect(choosePeriod(3 * 24 * 3600_000)).toBe(300);
  });

  it("aligns start and end to the period", () => {
    const now = Date.UTC(2026, 10, 29, 3, 12, 34);
    const r = alignedRange(RANGES["1h"], 60, now);
    expect(r.end).toBe(Date.UTC(2026, 10, 29, 3, 13, 0));
    expect(r.end - r.start).toBe(3600_000);
    expect(r.start % 60_000).toBe(0);
  });
});

describe("downsampling", () => {
  const series: Point[] = Array.from({ length: 1440 }, (_, i) => [i * 60_000, i < 100 ? null : i % 10]);

  it("caps points per series and keeps gaps as gaps", () => {
    const out = downsample(series, 300);
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out[0]![1]).toBeNull();
    expect(out.at(-1)![1]).toBeGreaterThan(0);
  });

  it("max mode keeps spikes", () => {
    const spiky: Point[] = Array.from({ length: 1000 }, (_, i) => [i, i === 503 ? 99 : 1]);
    expect(Math.max(...downsample(spiky, 100, "max").map((p) => p[1] ?? 0))).toBe(99);
    expect(Math.max(...downsample(spiky, 100, "mean").map((p) => p[1] ?? 0))).toBeLessThan(20);
  });

  it("latest skips trailing gaps", () => {
    expect(
      latest([
        [1, 5],
        [2, 7],
        [3, null],
      ]),
    ).toEqual({ value: 7, at: 2 });
    expect(latest([[1, null]])).toEqual({ value: null, at: null });
  });
});
