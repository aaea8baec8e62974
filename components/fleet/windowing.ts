"use client";

import { useEffect, useState, type RefObject } from "react";

// Windowed rows for big fleets: every row has a fixed height, so which rows are on screen follows
// from the page's scroll position alone; the rest of the table is two spacer rows. The page keeps
// its one scrollbar (window scroll), and a small fleet is not windowed at all.

/** Rows below this count are all rendered: windowing a 16-row table would only add risk. */
export const WINDOW_FROM = 80;
/** Rows rendered on the server and before the first measurement: a screenful and then some. */
export const FIRST_WINDOW = 24;
/** Rows kept rendered above and below the viewport, so scrolling and Tab never land on a blank. */
const OVERSCAN_PX = 600;

export interface Range {
  first: number;
  /** exclusive */
  end: number;
}

/** Start offset of every item and the total height: offsets[i] … offsets[i + 1]. */
export function offsetsOf(heights: number[]): number[] {
  const out = new Array<number>(heights.length + 1);
  out[0] = 0;
  for (let i = 0; i < heights.length; i++) out[i + 1] = out[i]! + heights[i]!;
  return out;
}

/** Items that overlap [top, bottom] (px from the start of the list), widened by the overscan. */
export function visibleRange(offsets: number[], top: number, bottom: number, overscan = OVERSCAN_PX): Range {
  const n = offsets.length - 1;
  if (n <= 0) return { first: 0, end: 0 };
  const lo = top - overscan;
  const hi = bottom + overscan;
  let first = upperBound(offsets, lo) - 1;
  first = Math.max(0, Math.min(first, n - 1));
  let end = upperBound(offsets, hi);
  end = Math.max(first + 1, Math.min(end, n));
  return { first, end };
}

/** The first index i with offsets[i] > x. */
function upperBound(offsets: number[], x: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The range of items to render for a list that starts at `anchor` (its top edge) in a window-
 * scrolled page. All items while the list is short; on scroll and resize, recomputed in the next
 * animation frame, and state only changes when the range does.
 */
export function useWindow(anchor: RefObject<HTMLElement | null>, offsets: number[], enabled: boolean): Range {
  const n = offsets.length - 1;
  const [range, setRange] = useState<Range>({ first: 0, end: Math.min(n, FIRST_WINDOW) });
  useEffect(() => {
    if (!enabled) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      const el = anchor.current;
      if (!el) return;
      const top = -el.getBoundingClientRect().top;
      const next = visibleRange(offsets, top, top + window.innerHeight);
      setRange((r) => (r.first === next.first && r.end === next.end ? r : next));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    return () => {
      window.removeEventListener("scroll", schedule);
      window.removeEventListener("resize", schedule);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [anchor, offsets, enabled]);
  if (!enabled) return { first: 0, end: n };
  // A list that shrank (a filter) before the next measurement: never past its end.
  return {
    first: Math.min(range.first, Math.max(0, n - 1)),
    end: Math.min(Math.max(range.end, range.first + 1), n),
  };
}
