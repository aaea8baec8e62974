"use client";

import { useCallback, useSyncExternalStore } from "react";

/**
 * The time, for "3 min old" and "in 12 min": null on the server and while hydrating (so the HTML
 * the server streamed with data in it hydrates without a text mismatch), then the browser's clock
 * to the second, redrawn every `intervalMs`.
 */
export function useNow(intervalMs: number): number | null {
  const subscribe = useCallback(
    (notify: () => void) => {
      const t = setInterval(notify, intervalMs);
      return () => clearInterval(t);
    },
    [intervalMs],
  );
  return useSyncExternalStore(subscribe, nowToTheSecond, nothing);
}

function nowToTheSecond(): number {
  return Math.floor(Date.now() / 1000) * 1000;
}

function nothing(): null {
  return null;
}
