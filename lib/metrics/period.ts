import type { Point } from "@/lib/fleet/types";

export const RANGES = {
  "1h": 3600_000,
  "6h": 6 * 3600_000,
  "24h": 24 * 3600_000,
  "7d": 7 * 24 * 3600_000,
} as const;
export type RangeKey = keyof typeof RANGES;
export const RANGE_KEYS = Object.keys(RANGES) as RangeKey[];

export function isRangeKey(v: unknown): v is RangeKey {
  // Own properties only: `"constructor" in RANGES` is true (inherited from Object.prototype).
  return typeof v === "string" && Object.hasOwn(RANGES, v);
}

const PERIODS = [60, 300, 900, 3600] as const;

/** range ÷ ~2,000 points, snapped up to 60 / 300 / 900 / 3600 s (Grafana's rule for CloudWatch). */
export function choosePeriod(rangeMs: number): number {
  const raw = rangeMs / 1000 / 2000;
  return PERIODS.find((p) => p >= raw) ?? 3600;
}

/** Start and end aligned to the period so every refresh asks CloudWatch for the same buckets. */
export function alignedRange(rangeMs: number, period: number, now: number): { start: number; end: number } {
  const step = period * 1000;
  const end = Math.floor(now / step) * step + step;
  return { start: end - Math.ceil(rangeMs / step) * step, end };
}

/**
 * At most `max` points per series for the browser: bucket and average (or take the maximum,
 * for statistics where a spike matters), keeping gaps as gaps: a bucket with no data is null.
 */
export function downsample(points: Point[], max: number, mode: "mean" | "max" = "mean"): Point[] {
  if (points.length <= max) return points;
  const size = Math.ceil(points.length / max);
  const out: Point[] = [];
  for (let i = 0; i < points.length; i += size) {
    let sum = 0;
    let n = 0;
    let top = -Infinity;
    const end = Math.min(i + size, points.length);
    for (let j = i; j < end; j++) {
      const v = points[j]![1];
      if (v === null) continue;
      sum += v;
      n++;
      if (v > top) top = v;
    }
    out.push([points[i]![0], n === 0 ? null : mode === "max" ? top : sum / n]);
  }
  return out;
}

/** The latest non-null value, or null when the series has none. */
export function latest(points: Point[]): { value: number | null; at: number | null } {
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i]!;
    if (p[1] !== null) return { value: p[1], at: p[0] };
  }
  return { value: null, at: null };
}
