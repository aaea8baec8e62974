import type { WireSeries } from "@/lib/fleet/views";

/**
 * A plain SVG sparkline: renders on the server too (recharts draws only in the browser), costs
 * nothing per row on a 500-pool wall screen, and draws gaps as gaps.
 */
export function Sparkline({
  series,
  width = 88,
  height = 22,
  max,
  className = "stroke-sky-500",
  label,
}: {
  series: WireSeries;
  width?: number;
  height?: number;
  /** Fixed top of the scale (100 for CPU %), else the series maximum. */
  max?: number;
  className?: string;
  label: string;
}) {
  const { values } = series;
  let top = 0;
  let any = false;
  for (const v of values) {
    if (v === null) continue;
    any = true;
    if (v > top) top = v;
  }
  if (values.length < 2 || !any) {
    return (
      <svg width={width} height={height} role="img" aria-label={`${label}: no data`} className="opacity-40" />
    );
  }
  top = max ?? top * 1.1;
  // Evenly spaced by construction: x is the index.
  const scaleX = (i: number) => (i / (values.length - 1)) * (width - 2) + 1;
  const scaleY = (v: number) => height - 1 - (Math.min(v, top) / (top || 1)) * (height - 2);
  const segments: string[] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length) segments.push(current.join(" "));
      current = [];
      return;
    }
    current.push(`${scaleX(i).toFixed(1)},${scaleY(v).toFixed(1)}`);
  });
  if (current.length) segments.push(current.join(" "));
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      data-testid="sparkline"
    >
      {segments.map((s, i) => (
        <polyline
          key={i}
          points={s}
          fill="none"
          strokeWidth={1.5}
          strokeLinejoin="round"
          className={className}
        />
      ))}
    </svg>
  );
}
