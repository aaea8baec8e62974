"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import type { FleetView, RegionView } from "@/lib/fleet/views";
import { EARLY_FLEET_GLOBAL, FLEET_URL } from "./early-fetch";

/** Dispatched on window after a capacity change so the board refreshes at once. */
export const FLEET_CHANGED = "capstan:fleet-changed";
export const DEFAULT_REFRESH_MS = 15_000;
const FAST_REFRESH_MS = 3_000;

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
 * The board's data: each region from the page's stream as it arrives, then GET /api/fleet every
 * `refreshMs` (every 3 s while a pool is scaling) with If-None-Match, so an unchanged fleet costs a
 * 304 and no re-render of the pools (only the data age moves).
 */
export function useFleetRefresh(regions: { region: string }[], initial: Promise<RegionView>[] | null, refreshMs: number, paused: boolean) {
  const [views, setViews] = useState<(RegionView | null)[]>(() => regions.map(() => null));
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);
  const [fetchError, setFetchError] = useState<string | null>(null);
  const generation = useRef(0);
  const etag = useRef<string | null>(null);
  const router = useRouter();

  useEffect(() => {
    initial?.forEach((p, i) =>
      p.then((v) => {
        if (generation.current === 0) setViews((prev) => prev.map((x, j) => (j === i ? v : x)));
        setUpdatedAt(new Date().toISOString());
      }),
    );
  }, [initial]);

  // Responses can arrive out of order (a tick and a post-change refresh): only the newest counts.
  const latestRequest = useRef(0);
  const inFlight = useRef(false);
  const refresh = useCallback(async (early?: Promise<Response>) => {
    const request = ++latestRequest.current;
    inFlight.current = true;
    try {
      const headers: Record<string, string> = etag.current ? { "If-None-Match": etag.current } : {};
      const ask = () => fetch(FLEET_URL, { cache: "no-store", headers });
      const res = await (early ? early.catch(ask) : ask());
      if (request !== latestRequest.current) return;
      if (res.status === 401) {
        router.push(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
        return;
      }
      if (res.status === 304) {
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
      if (!res.ok) throw new Error((await res.json().catch(() => null))?.error ?? `HTTP ${res.status}`);
      const body = (await res.json()) as FleetView;
      if (request !== latestRequest.current) return;
      etag.current = res.headers.get("etag");
      generation.current++;
      setViews(regions.map((r) => body.regions.find((x) => x.region === r.region) ?? null));
      setUpdatedAt(body.generatedAt);
      setFetchError(null);
    } catch (e) {
      setFetchError((e as Error).message);
    } finally {
      if (request === latestRequest.current) inFlight.current = false;
    }
  }, [regions, router]);

  // A tick while the last poll is still on its way waits for the next one: a slow answer is never
  // overtaken (and thrown away) by its successor, so a slow server gets fewer requests, not more.
  const tick = useCallback(() => {
    if (!inFlight.current) void refresh();
  }, [refresh]);

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
  const scaling = views.some((v) => v?.pools.some((p) => p.pending > 0 || p.terminating > 0 || p.inService !== p.desired));
  useEffect(() => {
    if (paused) return;
    const t = setInterval(tick, scaling ? Math.min(FAST_REFRESH_MS, refreshMs) : refreshMs);
    return () => clearInterval(t);
  }, [paused, tick, scaling, refreshMs]);

  // A change made on this page asks for an immediate refresh rather than waiting for the tick.
  useEffect(() => {
    const onChange = () => void refresh();
    window.addEventListener(FLEET_CHANGED, onChange);
    return () => window.removeEventListener(FLEET_CHANGED, onChange);
  }, [refresh]);

  return { views, updatedAt, fetchError };
}
