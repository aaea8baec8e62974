"use client";

import Link from "next/link";
import { memo, useMemo, useRef } from "react";
import type { Tier } from "@/lib/fleet/types";
import type { PoolSummary, RegionView } from "@/lib/fleet/views";
import { PoolCells } from "./pool-cells";
import type { Row } from "./view-state";
import { offsetsOf, useWindow, WINDOW_FROM } from "./windowing";

const TIERS: Record<Tier, string> = { web: "Web", worker: "Workers", infra: "Infrastructure" };
/** Fixed heights (px): the windowing computes positions from them, so rows never grow. */
export const ROW_H = 56;
const GROUP_H = 26;

type Item = { kind: "group"; label: string; count: number } | { kind: "pool"; row: Row };

export type RenderControls = (pool: PoolSummary, region: RegionView) => React.ReactNode;

/**
 * The table body: a group row per tier (or one group when sorted by a figure), then the pools.
 * Beyond WINDOW_FROM rows only those near the viewport are in the DOM; the table's aria-rowcount
 * and each row's aria-rowindex still tell a screen reader where it is in the whole list.
 */
export function FleetRows({
  rows,
  grouped,
  groupLabel,
  regions,
  views,
  lookup,
  renderControls,
  headerRows,
}: {
  rows: Row[];
  /** By tier (sort "name"), else one group labelled `groupLabel`. */
  grouped: boolean;
  groupLabel: string;
  regions: { region: string; role: string }[];
  views: (RegionView | null)[];
  lookup: (id: string) => (PoolSummary | undefined)[];
  renderControls?: RenderControls;
  headerRows: number;
}) {
  const items = useMemo<Item[]>(() => {
    const out: Item[] = [];
    if (!grouped) {
      if (rows.length) out.push({ kind: "group", label: groupLabel, count: rows.length });
      for (const row of rows) out.push({ kind: "pool", row });
      return out;
    }
    let tier: Tier | null = null;
    for (const row of rows) {
      if (row.tier !== tier) {
        tier = row.tier;
        out.push({ kind: "group", label: TIERS[tier], count: rows.filter((r) => r.tier === tier).length });
      }
      out.push({ kind: "pool", row });
    }
    return out;
  }, [rows, grouped, groupLabel]);
  const offsets = useMemo(() => offsetsOf(items.map((i) => (i.kind === "pool" ? ROW_H : GROUP_H))), [items]);
  const anchor = useRef<HTMLTableSectionElement>(null);
  const windowed = rows.length >= WINDOW_FROM;
  const { first, end } = useWindow(anchor, offsets, windowed);
  const cols = 1 + regions.length * 4;
  const total = offsets[items.length]!;
  return (
    <tbody ref={anchor} data-windowed={windowed ? "true" : undefined} data-rows={rows.length}>
      {first > 0 && <tr aria-hidden style={{ height: offsets[first] }} data-testid="spacer-top" />}
      {items.slice(first, end).map((item, k) =>
        item.kind === "group" ? (
          <tr
            key={`g-${item.label}`}
            aria-rowindex={headerRows + first + k + 1}
            className="bg-slate-50 dark:bg-slate-950/60"
            style={{ height: GROUP_H }}
          >
            <th
              scope="colgroup"
              colSpan={cols}
              className="px-3 py-1 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400"
            >
              {item.label} <span className="font-normal normal-case tracking-normal">({item.count})</span>
            </th>
          </tr>
        ) : (
          <PoolRow
            key={item.row.id}
            row={item.row}
            rowIndex={headerRows + first + k + 1}
            regions={regions}
            views={views}
            summaries={lookup(item.row.id)}
            renderControls={renderControls}
          />
        ),
      )}
      {end < items.length && (
        <tr aria-hidden style={{ height: total - offsets[end]! }} data-testid="spacer-bottom" />
      )}
    </tbody>
  );
}

/** Number of rows the table has in all (for aria-rowcount): the groups and the pools. */
export function itemCount(rows: Row[], grouped: boolean): number {
  if (!grouped) return rows.length ? rows.length + 1 : 0;
  return rows.length + new Set(rows.map((r) => r.tier)).size;
}

const PoolRow = memo(
  function PoolRow({
    row,
    rowIndex,
    regions,
    views,
    summaries,
    renderControls,
  }: {
    row: Row;
    rowIndex: number;
    regions: { region: string; role: string }[];
    views: (RegionView | null)[];
    summaries: (PoolSummary | undefined)[];
    renderControls?: RenderControls;
  }) {
    return (
      <tr
        data-testid={`pool-row-${row.id}`}
        aria-rowindex={rowIndex}
        style={{ height: ROW_H }}
        className="border-t border-slate-100 hover:bg-slate-50 dark:border-slate-800/70 dark:hover:bg-slate-800/30"
      >
        <th scope="row" className="max-w-60 px-3 py-1.5 text-left font-normal">
          <Link
            href={`/pools/${regions[0]!.region}/${row.id}`}
            className="font-medium hover:text-sky-700 hover:underline dark:hover:text-sky-400"
          >
            {row.id}
          </Link>
          <div className="truncate text-xs text-slate-500 dark:text-slate-400">{row.name}</div>
        </th>
        {regions.map((r, i) => {
          const view = views[i] ?? null;
          const pool = summaries[i];
          return (
            <PoolCells
              key={r.region}
              divider={i > 0}
              testId={`cell-${r.region}-${row.id}`}
              pool={pool}
              region={view}
              controls={pool && view && renderControls?.(pool, view)}
            />
          );
        })}
      </tr>
    );
  },
  // A refresh that changed nothing for this pool (a 304, another pool's change) leaves it alone.
  (a, b) =>
    a.row === b.row &&
    a.rowIndex === b.rowIndex &&
    a.regions === b.regions &&
    a.renderControls === b.renderControls &&
    a.summaries.every((s, i) => s === b.summaries[i]) &&
    a.views.every(
      (v, i) =>
        v?.status === b.views[i]?.status &&
        v?.region === b.views[i]?.region &&
        v?.error === b.views[i]?.error &&
        (v === null) === (b.views[i] === null),
    ),
);
