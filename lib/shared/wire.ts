import type { Point } from "@/lib/fleet/types";
import type { WireSeries } from "@/lib/fleet/views";

// The overview's series on the wire: a start, a step and the values, instead of an [epochMs, value]
// pair per point. The timestamps are implied, so a series costs its values and little else; a
// gap (no data) is null, never a zero. 500 pools × 2 regions × 2 series add up.

/** The empty series: no data at all. */
export const EMPTY_SERIES: WireSeries = { start: 0, step: 0, values: [] };

/**
 * Points on a regular grid (as CloudWatch and `downsample` return them) → { start, step, values }.
 * A missing timestamp inside the grid becomes null; `digits` rounds the values (0: whole units).
 */
export function toWire(points: Point[], digits = 1): WireSeries {
  if (points.length === 0) return EMPTY_SERIES;
  const start = points[0]![0];
  let step = Infinity;
  for (let i = 1; i < points.length; i++) {
    const d = points[i]![0] - points[i - 1]![0];
    if (d > 0 && d < step) step = d;
  }
  if (!Number.isFinite(step)) step = 0;
  const f = 10 ** digits;
  const round = (v: number | null) => (v === null ? null : Math.round(v * f) / f);
  if (step === 0) return { start, step, values: [round(points[0]![1])] };
  const last = points[points.length - 1]![0];
  const n = Math.round((last - start) / step) + 1;
  // Irregular timestamps would need a finer grid than the points themselves: refuse to invent it.
  if (n > points.length * 4)
    throw new Error(`series is not on a regular grid (${points.length} points, ${n} slots)`);
  const values: (number | null)[] = new Array<number | null>(n).fill(null);
  for (const [t, v] of points) values[Math.round((t - start) / step)] = round(v);
  return { start, step, values };
}

/** { start, step, values } → [epochMs, value] points (gaps stay null). */
export function fromWire(s: WireSeries): Point[] {
  return s.values.map((v, i) => [s.start + i * s.step, v]);
}

/** Time of the newest non-null value, or null. */
export function lastValueAt(s: WireSeries): number | null {
  for (let i = s.values.length - 1; i >= 0; i--) if (s.values[i] !== null) return s.start + i * s.step;
  return null;
}
