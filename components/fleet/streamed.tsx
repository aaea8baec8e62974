"use client";

import { Suspense, use, type ReactNode } from "react";
import type { RegionView } from "@/lib/fleet/views";
import type { Arrivals } from "./fleet-refresh";

type Views = (RegionView | null)[];

/**
 * Draws `draw(views)` from the regions the page streams: one `<Suspense>` per arrival, nested,
 * each showing what is known so far while it waits for one more region (read with `use()`). On
 * the server this puts every region's figures into the HTML as it arrives (a slow region never
 * blanks a fast one); once all have arrived the innermost level draws, and it stays the one that
 * draws: `live` (the board's own refreshes) replaces the streamed views there.
 */
export function Streamed({
  arrivals,
  live,
  draw,
  empty,
}: {
  arrivals: Arrivals;
  live: Views | null;
  draw: (views: Views) => ReactNode;
  empty: Views;
}) {
  return <Level arrivals={arrivals} k={0} known={empty} live={live} draw={draw} />;
}

function Level({
  arrivals,
  k,
  known,
  live,
  draw,
}: {
  arrivals: Arrivals;
  k: number;
  known: Views;
  live: Views | null;
  draw: (views: Views) => ReactNode;
}) {
  if (k >= arrivals.length) return draw(live ?? known);
  return (
    <Suspense fallback={draw(known)}>
      <Arrival arrivals={arrivals} k={k} live={live} draw={draw} />
    </Suspense>
  );
}

function Arrival({
  arrivals,
  k,
  live,
  draw,
}: {
  arrivals: Arrivals;
  k: number;
  live: Views | null;
  draw: (views: Views) => ReactNode;
}) {
  const known = use(arrivals[k]!);
  return <Level arrivals={arrivals} k={k + 1} known={known} live={live} draw={draw} />;
}
