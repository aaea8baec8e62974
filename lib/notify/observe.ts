import "server-only";
import { auditStore, type OutboxStore } from "@/lib/audit";
import { getConfig } from "@/lib/config";
import type { PoolSummary, StandbyView } from "@/lib/fleet/views";
import { newEvent, poolUrl, publicUrl, route } from "./events";
import { kickDeliveries } from "./jobs";

// pool.degraded / pool.recovered and standby.verdict-changed: a transition, noticed when the
// status is computed (any replica, any viewer), becomes one event. The last seen value lives in
// the store and is compared and replaced in one transaction, so two replicas noticing the same
// change write one event. A first sighting records the value without an event (no burst at the
// first start). This process remembers what it last recorded only to skip unchanged writes.

const HINT_MS = 60_000;
const hints = new Map<string, { value: string; at: number }>();

interface Deps {
  store?: OutboxStore;
  now?: () => Date;
  kick?: () => void;
}

/** Only status that means something: degraded, or fine (healthy or scaling). Stale, error, missing: no judgement. */
function meaning(p: PoolSummary): "degraded" | "ok" | null {
  if (p.status === "degraded") return "degraded";
  if (p.status === "healthy" || p.status === "scaling") return "ok";
  return null;
}

export async function observePools(
  region: string,
  pools: readonly PoolSummary[],
  deps: Deps = {},
): Promise<number> {
  const targets = getConfig().notify ?? [];
  if (targets.length === 0) return 0;
  const store = deps.store ?? auditStore();
  const now = (deps.now ?? (() => new Date()))();
  let changed = 0;
  for (const p of pools) {
    const value = meaning(p);
    if (!value) continue;
    const key = `pool:${region}/${p.id}`;
    const hint = hints.get(key);
    if (hint && hint.value === value && now.getTime() - hint.at < HINT_MS) continue;
    const r = await store.observe(key, value, now.toISOString(), (prev) =>
      prev === null
        ? []
        : route(
            targets,
            newEvent(value === "degraded" ? "pool.degraded" : "pool.recovered", now.toISOString(), {
              region,
              pool: p.id,
              name: p.name,
              reason: p.statusReason ?? null,
              since: prev.since,
              desired: p.desired,
              inService: p.inService,
              url: poolUrl(region, p.id),
            }),
          ),
    );
    hints.set(key, { value, at: now.getTime() });
    if (r.changed && r.previous) changed++;
  }
  if (changed > 0) (deps.kick ?? kickDeliveries)();
  return changed;
}

export async function observeVerdict(view: StandbyView, deps: Deps = {}): Promise<boolean> {
  const targets = getConfig().notify ?? [];
  if (targets.length === 0) return false;
  const store = deps.store ?? auditStore();
  const now = (deps.now ?? (() => new Date()))();
  const key = `standby:${view.standby}`;
  const hint = hints.get(key);
  if (hint && hint.value === view.overall && now.getTime() - hint.at < HINT_MS) return false;
  const r = await store.observe(key, view.overall, now.toISOString(), (prev) =>
    prev === null
      ? []
      : route(
          targets,
          newEvent("standby.verdict-changed", now.toISOString(), {
            standby: view.standby,
            primary: view.primary,
            from: prev.value,
            to: view.overall,
            headline: view.overallExplanation,
            url: publicUrl("/standby"),
          }),
        ),
  );
  hints.set(key, { value: view.overall, at: now.getTime() });
  if (r.changed && r.previous) (deps.kick ?? kickDeliveries)();
  return r.changed && r.previous !== null;
}

/** Tests: forget what this process last recorded. */
export function clearObservationHints(): void {
  hints.clear();
}
