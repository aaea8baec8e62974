"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "@/lib/client/api";
import type { RegionView } from "@/lib/fleet/views";
import { usePolling } from "@/components/ui/use-polling";
import { EARLY_FLEET_GLOBAL } from "./early-fetch";

/** Dispatched on window after a capacity change so the board refreshes at once. */
export const FLEET_CHANGED = "capstan:fleet-changed";
export const DEFAULT_REFRESH_MS = 15_000;
const FAST_REFRESH_MS = 3_000;

/** The regions known so far, in page order, each time one more arrives (lib/services/read-fleet.ts). */
export type Arrivals = Promise<(RegionView | null)[]>[];

/** "us-east-1=2026-…Z,us-west-2=" (lib/services/conditional.ts) → region → fetchedAt. */
export function parseFetchedAt(header: string | null): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const part of (header ?? "").split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim() || null);
  }
  return out;
}

/**
 * The board's data: the regions the page streamed (as each arrives), then GET /api/fleet every
 * `refreshMs` (every 3 s while a pool is scaling) with If-None-Match, so an unchanged fleet costs a
 * 304 and no re-render of the pools (only the data age moves).
 */
export function useFleetRefresh(
  regions: { region: string }[],
  initial: Arrivals | null,
  refreshMs: number,
  paused: boolean,
) {
  const [views, setViews] = useState<(RegionView | null)[]>(() => regions.map(() => null));
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);
  const [fetchError, setFetchError] = useState<string | null>(null);
  const generation = useRef(0);
  const etag = useRef<string | null>(null);
  const router = useRouter();

  useEffect(() => {
    initial?.forEach((p) =>
      p.then((snapshot) => {
        if (generation.current === 0) setViews(snapshot);
        setUpdatedAt(new Date().toISOString());
      }),
    );
  }, [initial]);

  // Responses can arrive out of order (a tick and a post-change refresh): only the newest counts.
  const latestRequest = useRef(0);
  const refresh = useCallback(
    async (early?: Promise<Response>) => {
      const request = ++latestRequest.current;
      const res = await api.fleet({ etag: etag.current, early });
      if (request !== latestRequest.current) return;
      if (!res.ok) {
        if (res.status === 401)
          router.push(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
        else setFetchError(res.error.error);
        return;
      }
      if (res.data === null) {
        // 304: nothing changed but how old each region's data is.
        const fetched = parseFetchedAt(res.headers.get("x-capstan-fetched-at"));
        setViews((prev) =>
          prev.map((v) => {
            const at = v ? fetched.get(v.region) : undefined;
            return v && at !== undefined && at !== v.fetchedAt ? { ...v, fetchedAt: at } : v;
          }),
        );
        setUpdatedAt(new Date().toISOString());
        setFetchError(null);
        return;
      }
      const body = res.data;
      etag.current = res.headers.get("etag");
      generation.current++;
      setViews(regions.map((r) => body.regions.find((x) => x.region === r.region) ?? null));
      setUpdatedAt(body.generatedAt);
      setFetchError(null);
    },
    [regions, router],
  );

  // No stream from the page (a big fleet): the answer to the request the page started before any
  // script loaded (EARLY_FLEET_FETCH), else ask the API now.
  useEffect(() => {
    if (initial) return;
    const w = window as unknown as { [EARLY_FLEET_GLOBAL]?: Promise<Response> };
    const early = w[EARLY_FLEET_GLOBAL];
    delete w[EARLY_FLEET_GLOBAL];
    void refresh(early);
  }, [initial, refresh]);

  // While a pool is scaling, follow it closely (pending → in service); otherwise every refreshMs.
  const scaling = views.some((v) =>
    v?.pools.some((p) => p.pending > 0 || p.terminating > 0 || p.inService !== p.desired),
  );
  usePolling(refresh, scaling ? Math.min(FAST_REFRESH_MS, refreshMs) : refreshMs, { paused });

  // A change made on this page asks for an immediate refresh rather than waiting for the tick.
  useEffect(() => {
    const onChange = () => void refresh();
    window.addEventListener(FLEET_CHANGED, onChange);
    return () => window.removeEventListener(FLEET_CHANGED, onChange);
  }, [refresh]);

  return { views, updatedAt, fetchError };
}
