"use client";

import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { Point } from "@/lib/fleet/types";
import type { CapacityMarker } from "@/lib/fleet/views";
import { fmtUtc } from "@/components/ui/format";

export interface ChartSeries {
  key: string;
  label: string;
  points: Point[];
  color: string;
  step?: boolean;
  dashed?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  series: ChartSeries[];
  max?: number;
  target?: number;
}

/** Rows keyed by time for recharts; a missing value stays null so lines break at gaps. */
function merge(series: ChartSeries[]): Record<string, number | null>[] {
  const rows = new Map<number, Record<string, number | null>>();
  for (const s of series) {
    for (const [t, v] of s.points) {
      let row = rows.get(t);
      if (!row) rows.set(t, (row = { t }));
      row[s.key] = v;
    }
  }
  return [...rows.values()].sort((a, b) => (a.t as number) - (b.t as number));
}

/** Charts on one time axis with a shared tooltip (syncId), capacity changes drawn as markers. */
export function PoolCharts({
  charts,
  markers,
  domain,
}: {
  charts: ChartSpec[];
  markers: CapacityMarker[];
  domain: [number, number];
}) {
  const span = domain[1] - domain[0];
  const tick = (t: number) => (span > 36 * 3600_000 ? fmtUtc(t, true).slice(5, 16) : fmtUtc(t).slice(0, 5));
  return (
    <div className="grid gap-4 lg:grid-cols-1">
      {charts.map((c) => (
        <figure
          key={c.id}
          className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
          data-testid={`chart-${c.id}`}
        >
          <figcaption className="mb-1 text-sm font-medium">
            {c.title}{" "}
            <span className="text-xs font-normal text-slate-500 dark:text-slate-400">
              ({c.unit}, times UTC)
            </span>
          </figcaption>
          <div className="h-48">
            <ResponsiveContainer width="100%" height="100%">
              <LineChart
                data={merge(c.series)}
                syncId="pool"
                margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
              >
                <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.12} />
                <XAxis
                  dataKey="t"
                  type="number"
                  scale="time"
                  domain={domain}
                  tickFormatter={tick}
                  stroke="currentColor"
                  fontSize={11}
                  minTickGap={40}
                />
                <YAxis
                  stroke="currentColor"
                  fontSize={11}
                  width={48}
                  domain={[0, c.max ?? "auto"]}
                  allowDecimals={false}
                />
                <Tooltip
                  labelFormatter={(t) => fmtUtc(Number(t), true)}
                  formatter={(v) =>
                    v === null || v === undefined ? "no data" : `${Math.round(Number(v) * 10) / 10} ${c.unit}`
                  }
                  contentStyle={{
                    background: "rgb(15 23 42 / 0.92)",
                    border: "none",
                    borderRadius: 6,
                    color: "#e2e8f0",
                    fontSize: 12,
                  }}
                />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                {c.target !== undefined && (
                  <ReferenceLine
                    y={c.target}
                    stroke="#f59e0b"
                    strokeDasharray="4 4"
                    label={{
                      value: `target ${c.target}`,
                      fontSize: 10,
                      fill: "#f59e0b",
                      position: "insideTopRight",
                    }}
                  />
                )}
                {markers.map((m) => (
                  <ReferenceLine
                    key={`${m.at}-${c.id}`}
                    x={m.at}
                    stroke="#0ea5e9"
                    strokeDasharray="2 3"
                    label={<MarkerLabel marker={m} />}
                  />
                ))}
                {c.series.map((s) => (
                  <Line
                    key={s.key}
                    dataKey={s.key}
                    name={s.label}
                    type={s.step ? "stepAfter" : "monotone"}
                    stroke={s.color}
                    strokeDasharray={s.dashed ? "5 3" : undefined}
                    dot={false}
                    isAnimationActive={false}
                    connectNulls={false}
                    strokeWidth={1.6}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        </figure>
      ))}
    </div>
  );
}

const VERDICT_FILL: Record<string, string> = { helped: "#059669", worse: "#dc2626", "no change": "#64748b" };

/** A small flag at the top of the marker line; hover shows who, from → to, why, and whether it helped. */
function MarkerLabel(props: { marker: CapacityMarker; viewBox?: { x?: number; y?: number } }) {
  const { marker, viewBox } = props;
  const x = viewBox?.x ?? 0;
  const y = viewBox?.y ?? 0;
  const effect = marker.effect ? ` Effect: ${marker.effect.summary}` : "";
  const text = `${marker.actor}: ${marker.from} → ${marker.to} at ${fmtUtc(marker.at, true)}. ${marker.reason}.${effect}`;
  return (
    <g data-testid="capacity-marker" data-verdict={marker.effect?.verdict}>
      <title>{text}</title>
      <rect
        x={x - 14}
        y={y}
        width={28}
        height={14}
        rx={3}
        fill={(marker.effect && VERDICT_FILL[marker.effect.verdict]) ?? "#0ea5e9"}
      />
      <text x={x} y={y + 10} textAnchor="middle" fontSize={9} fill="#fff">
        {marker.to === marker.from
          ? "±"
          : `${marker.to > marker.from ? "+" : "−"}${Math.abs(marker.to - marker.from)}`}
      </text>
    </g>
  );
}
