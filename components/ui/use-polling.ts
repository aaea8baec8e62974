"use client";

import { useEffect, useRef } from "react";

/**
 * Calls `poll` every `intervalMs` while not paused. A tick while the last poll is still on its way
 * is skipped: a slow answer is never overtaken by its successor, so a slow server gets fewer
 * requests, not more. The newest `poll` is always the one called (no stale closure), and changing
 * it does not restart the clock. `immediate` polls once as soon as polling starts.
 */
export function usePolling(
  poll: () => unknown,
  intervalMs: number,
  { paused = false, immediate = false }: { paused?: boolean; immediate?: boolean } = {},
) {
  const latest = useRef(poll);
  useEffect(() => {
    latest.current = poll;
  });
  useEffect(() => {
    if (paused) return;
    let inFlight = false;
    const tick = () => {
      if (inFlight) return;
      inFlight = true;
      void Promise.resolve()
        .then(() => latest.current())
        .catch(() => undefined)
        .finally(() => {
          inFlight = false;
        });
    };
    if (immediate) tick();
    const t = setInterval(tick, intervalMs);
    return () => clearInterval(t);
  }, [paused, intervalMs, immediate]);
}
