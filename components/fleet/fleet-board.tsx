"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Tier } from "@/lib/fleet/types";
import type { FleetView, PoolSummary, RegionView } from "@/lib/fleet/views";
import { fmtUtc } from "@/components/ui/format";
import { PoolCells } from "./pool-cells";
import { RegionHeader } from "./region-header";

export interface PoolRef {
  id: string;
  name: string;
  tier: Tier;
}

const TIERS: { tier: Tier; label: string }[] = [
  { tier: "web", label: "Web" },
  { tier: "worker", label: "Workers" },
  { tier: "infra", label: "Infrastructure" },
];

/** Dispatched on window after a capacity change so the board refreshes at once. */
export const FLEET_CHANGED = "capstan:fleet-changed";
const REFRESH_MS = 15_000;
const FAST_REFRESH_MS = 3_000;

/**
 * The overview: every pool, primary and standby side by side. Each region arrives on its own
 * (a slow region never blanks the fast one), then the board refreshes itself every 15 s.
 */
export function FleetBoard({
  catalogue,
  regions,
  initial,
  renderControls,
}: {
  catalogue: PoolRef[];
  regions: { region: string; role: string }[];
  initial: Promise<RegionView>[];
  renderControls?: (pool: PoolSummary, region: RegionView) => React.ReactNode;
}) {
  const [views, setViews] = useState<(RegionView | null)[]>(() => regions.map(() => null));
  const [paused, setPaused] = useState(false);
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);
  const [fetchError, setFetchError] = useState<string | null>(null);
  const generation = useRef(0);
  const router = useRouter();

  useEffect(() => {
    initial.forEach((p, i) =>
      p.then((v) => {
        if (generation.current === 0) setViews((prev) => prev.map((x, j) => (j === i ? v : x)));
        setUpdatedAt(new Date().toISOString());
      }),
    );
  }, [initial]);

  // Responses can arrive out of order (a tick and a post-change refresh): only the newest counts.
  const latestRequest = useRef(0);
  const refresh = useCallback(async () => {
    const request = ++latestRequest.current;
    try {
      const res = await fetch("/api/fleet?range=1h", { cache: "no-store" });
      if (request !== latestRequest.current) return;
      if (res.status === 401) {
        router.push(`/login?next=${encodeURIComponent(window.location.pathname)}`);
        return;
      }
      if (!res.ok) throw new Error((await res.json().catch(() => null))?.error ?? `HTTP ${res.status}`);
      const body = (await res.json()) as FleetView;
      if (request !== latestRequest.current) return;
      generation.current++;
      setViews(regions.map((r) => body.regions.find((x) => x.region === r.region) ?? null));
      setUpdatedAt(body.generatedAt);
      setFetchError(null);
    } catch (e) {
      setFetchError((e as Error).message);
    }
  }, [regions, router]);

  // While a pool is scaling, follow it closely (pending → in service); otherwise every 15 s.
  const scaling = views.some((v) => v?.pools.some((p) => p.pending > 0 || p.terminating > 0 || p.inService !== p.desired));
  useEffect(() => {
    if (paused) return;
    const t = setInterval(refresh, scaling ? FAST_REFRESH_MS : REFRESH_MS);
    return () => clearInterval(t);
  }, [paused, refresh, scaling]);

  // A change made on this page asks for an immediate refresh rather than waiting for the tick.
  useEffect(() => {
    const onChange = () => void refresh();
    window.addEventListener(FLEET_CHANGED, onChange);
    return () => window.removeEventListener(FLEET_CHANGED, onChange);
  }, [refresh]);

  const rows = useMemo(() => {
    const known = new Map(catalogue.map((p) => [p.id, p]));
    for (const v of views) for (const p of v?.pools ?? []) if (!known.has(p.id)) known.set(p.id, { id: p.id, name: p.name, tier: p.tier });
    return [...known.values()];
  }, [catalogue, views]);

  return (
    <section aria-labelledby="overview-title">
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <h1 id="overview-title" className="text-xl font-semibold">Fleet overview</h1>
        <span className="text-xs text-slate-500 dark:text-slate-400" aria-live="polite">
          {updatedAt ? `updated ${fmtUtc(updatedAt)}` : "loading…"} · refreshes every 15 s{paused ? " (paused)" : ""}
        </span>
        {fetchError && <span role="alert" className="text-xs text-red-700 dark:text-red-400">refresh failed: {fetchError}</span>}
        <button
          type="button"
          onClick={() => setPaused((p) => !p)}
          aria-pressed={paused}
          className="ml-auto rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          {paused ? "Resume refresh" : "Pause refresh"}
        </button>
      </div>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full min-w-[1100px] border-collapse text-sm" data-testid="fleet-table">
          <thead>
            <tr className="border-b border-slate-200 dark:border-slate-800">
              <th scope="col" rowSpan={2} className="w-48 px-3 py-2 text-left align-bottom font-medium">Pool</th>
              {regions.map((r, i) => (
                <th key={r.region} scope="colgroup" colSpan={4} className={`px-2 pt-2 text-left font-normal ${i > 0 ? "border-l border-slate-200 dark:border-slate-800" : ""}`}>
                  <RegionHeader region={r.region} role={r.role} view={views[i] ?? null} />
                </th>
              ))}
            </tr>
            <tr className="border-b border-slate-200 text-left text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
              {regions.map((r, i) => (
                <RegionColumns key={r.region} first={i === 0} />
              ))}
            </tr>
          </thead>
          {TIERS.map(({ tier, label }) => {
            // Degraded pools (in either region) lead their tier: the slow pool is the first row read.
            const degraded = (id: string) => views.some((v) => v?.pools.some((x) => x.id === id && x.status === "degraded"));
            const pools = rows
              .filter((p) => p.tier === tier)
              .map((p, i) => ({ p, i, d: degraded(p.id) }))
              .sort((a, b) => Number(b.d) - Number(a.d) || a.i - b.i)
              .map(({ p }) => p);
            if (pools.length === 0) return null;
            return (
              <tbody key={tier}>
                <tr className="bg-slate-50 dark:bg-slate-950/60">
                  <th scope="rowgroup" colSpan={1 + regions.length * 4} className="px-3 py-1 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
                    {label}
                  </th>
                </tr>
                {pools.map((p) => (
                  <tr key={p.id} data-testid={`pool-row-${p.id}`} className="border-t border-slate-100 hover:bg-slate-50 dark:border-slate-800/70 dark:hover:bg-slate-800/30">
                    <th scope="row" className="px-3 py-1.5 text-left font-normal">
                      <Link href={`/pools/${regions[0]!.region}/${p.id}`} className="font-medium hover:text-sky-600 hover:underline dark:hover:text-sky-400">
                        {p.id}
                      </Link>
                      <div className="truncate text-xs text-slate-500 dark:text-slate-400">{p.name}</div>
                    </th>
                    {regions.map((r, i) => {
                      const view = views[i] ?? null;
                      const pool = view?.pools.find((x) => x.id === p.id);
                      return (
                        <PoolCells
                          key={r.region}
                          divider={i > 0}
                          testId={`cell-${r.region}-${p.id}`}
                          pool={pool}
                          region={view}
                          controls={pool && view && renderControls?.(pool, view)}
                        />
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            );
          })}
        </table>
      </div>
    </section>
  );
}

function RegionColumns({ first }: { first: boolean }) {
  const b = first ? "" : "border-l border-slate-200 dark:border-slate-800";
  return (
    <>
      <th scope="col" className={`px-2 pb-1 font-medium ${b}`} title="desired / in service, min–max">Capacity</th>
      <th scope="col" className="px-2 pb-1 font-medium">CPU</th>
      <th scope="col" className="px-2 pb-1 font-medium">Page load · backlog</th>
      <th scope="col" className="px-2 pb-1 font-medium">Status</th>
    </>
  );
}
