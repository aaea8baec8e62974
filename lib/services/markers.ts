import "server-only";
import { auditStore } from "@/lib/audit";
import type { CapacityMarker } from "@/lib/fleet/views";
import { evaluateEffectsNow, reconcileNow } from "./background";
import { pendingEffect } from "./capacity/change-effect";

/**
 * Successful capacity changes in the range, drawn as markers on the pool's graphs: who changed
 * what, and what page load did after. The audit log is the only source of "who".
 * Markers are an annotation: an unreadable audit log must not take the graphs down with it.
 */
export async function capacityMarkers(
  region: string,
  poolId: string,
  rangeMs: number,
  now = Date.now(),
): Promise<CapacityMarker[]> {
  // Reading a pool is also a moment to reconcile intents a crash left without an outcome, but
  // never on the read's own time: a slow region must not hold every pool page back.
  void reconcileNow();
  void evaluateEffectsNow(); // likewise, judging changes that have settled
  try {
    const rows = (await auditStore().markersFor(region, poolId, { start: now - rangeMs, end: now })).filter(
      (m) => m.from !== null && m.to !== null,
    );
    const effects = await auditStore().effectsFor(rows.map((m) => m.id));
    return rows.map((m) => {
      const e = effects.get(m.id) ?? (m.from !== m.to ? pendingEffect(m, now) : null);
      return {
        at: m.at,
        actor: m.actor,
        from: m.from!,
        to: m.to!,
        reason: m.reason ?? "",
        ...(e ? { effect: { verdict: e.verdict, summary: e.summary } } : {}),
      };
    });
  } catch (e) {
    console.error("capstan: audit log unreadable for markers", e);
    return [];
  }
}
