import { describe, expect, it } from "vitest";
import type { Point } from "@/lib/fleet/types";
import { downsample } from "@/lib/metrics/period";
import { EMPTY_SERIES, fromWire, lastValueAt, toWire } from "./wire";

const T0 = Date.UTC(2026, 10, 30, 15, 0, 0);
const minute = (i: number) => T0 + i * 60_000;

describe("wire series { start, step, values }", () => {
  it("round-trips points on a regular grid, gaps as null", () => {
    const points: Point[] = [
      [minute(0), 12.5],
      [minute(1), null],
      [minute(2), 14.25],
      [minute(3), 0],
    ];
    const w = toWire(points, 2);
    expect(w).toEqual({ start: minute(0), step: 60_000, values: [12.5, null, 14.25, 0] });
    expect(fromWire(w)).toEqual(points);
    // JSON keeps the gap as null (not 0, not a hole).
    expect(JSON.parse(JSON.stringify(w)).values[1]).toBeNull();
  });

  it("a timestamp missing inside the grid (CloudWatch PartialData) becomes a null", () => {
    const w = toWire([
      [minute(0), 1],
      [minute(1), 2],
      [minute(4), 5],
    ]);
    expect(w).toEqual({ start: minute(0), step: 60_000, values: [1, 2, null, null, 5] });
  });

  it("rounds to the digits asked for: whole units for sparklines", () => {
    expect(
      toWire(
        [
          [minute(0), 41.6],
          [minute(1), 41.4],
        ],
        0,
      ).values,
    ).toEqual([42, 41]);
    expect(toWire([[minute(0), 41.66]], 1).values).toEqual([41.7]);
  });

  it("empty and single-point series", () => {
    expect(toWire([])).toEqual(EMPTY_SERIES);
    expect(fromWire(EMPTY_SERIES)).toEqual([]);
    expect(toWire([[minute(0), 3]])).toEqual({ start: minute(0), step: 0, values: [3] });
  });

  it("refuses irregular timestamps rather than inventing a fine grid", () => {
    expect(() =>
      toWire([
        [0, 1],
        [1, 2],
        [3_600_000, 3],
      ]),
    ).toThrow(/regular grid/);
  });

  it("the time of the newest value skips trailing gaps", () => {
    expect(lastValueAt({ start: minute(0), step: 60_000, values: [1, 2, null] })).toBe(minute(1));
    expect(lastValueAt({ start: minute(0), step: 60_000, values: [null] })).toBeNull();
    expect(lastValueAt(EMPTY_SERIES)).toBeNull();
  });

  it("downsampled sparklines: within the point budget, the whole hour covered, gaps kept", () => {
    const hour: Point[] = Array.from({ length: 61 }, (_, i) => [minute(i), i >= 10 && i < 20 ? null : i % 7]);
    const w = toWire(downsample(hour, 36), 0);
    expect(w.values.length).toBeLessThanOrEqual(36);
    expect(w.start).toBe(minute(0));
    expect(w.step).toBe(120_000);
    // The last bucket holds the newest minute; the empty buckets in the gap are null.
    expect(w.start + (w.values.length - 1) * w.step).toBeLessThanOrEqual(minute(60));
    expect(w.start + w.values.length * w.step).toBeGreaterThan(minute(60));
    expect(w.values.slice(5, 10)).toEqual([null, null, null, null, null]);
    expect(w.values.filter((v) => v !== null).length).toBeGreaterThan(20);
  });
});
