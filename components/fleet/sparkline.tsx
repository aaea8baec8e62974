import type { Point } from "@/lib/fleet/types";

/**
 * A plain SVG sparkline: renders on the server too (recharts draws only in the browser), costs
 * nothing per row on a 500-pool wall screen, and draws gaps as gaps.
 */
export function Sparkline({
  points,
  width = 88,
  height = 22,
  max,
  className = "stroke-sky-500",
  label,
}: {
  points: Point[];
  width?: number;
  height?: number;
  /** Fixed top of the scale (100 for CPU %), else the series maximum. */
  max?: number;
  className?: string;
  label: string;
}) {
  const values = points.map((p) => p[1]).filter((v): v is number => v !== null);
  if (points.length < 2 || values.length === 0) {
    return <svg width={width} height={height} role="img" aria-label={`${label}: no data`} className="opacity-40" />;
  }
  const t0 = points[0]![0];
  const t1 = points[points.length - 1]![0];
  const top = max ?? Math.max(...values) * 1.1;
  const scaleX = (t: number) => ((t - t0) / Math.max(1, t1 - t0)) * (width - 2) + 1;
  const scaleY = (v: number) => height - 1 - (Math.min(v, top) / (top || 1)) * (height - 2);
  const segments: string[] = [];
  let current: string[] = [];
  for (const [t, v] of points) {
    if (v === null) {
      if (current.length) segments.push(current.join(" "));
      current = [];
      continue;
    }
    current.push(`${scaleX(t).toFixed(1)},${scaleY(v).toFixed(1)}`);
  }
  if (current.length) segments.push(current.join(" "));
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} data-testid="sparkline">
      {segments.map((s, i) => (
        <polyline key={i} points={s} fill="none" strokeWidth={1.5} strokeLinejoin="round" className={className} />
      ))}
    </svg>
  );
}
