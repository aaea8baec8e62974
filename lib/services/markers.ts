import { auditStore, reconcilePending } from "@/lib/audit";
import { getBackend } from "@/lib/backends";
import { getConfig } from "@/lib/config";
import type { CapacityMarker } from "@/lib/fleet/views";

/**
 * Successful capacity changes in the range, drawn as markers on the pool's graphs: who changed
 * what, and what page load did after. The audit log is the only source of "who".
 * Markers are an annotation: an unreadable audit log must not take the graphs down with it.
 */
export async function capacityMarkers(region: string, poolId: string, rangeMs: number, now = Date.now()): Promise<CapacityMarker[]> {
  reconcileInBackground();
  try {
    const rows = await auditStore().markersFor(region, poolId, { start: now - rangeMs, end: now });
    return rows
      .filter((m) => m.from !== null && m.to !== null)
      .map((m) => ({ at: m.at, actor: m.actor, from: m.from!, to: m.to!, reason: m.reason ?? "" }));
  } catch (e) {
    console.error("capstan: audit log unreadable for markers", e);
    return [];
  }
}

let reconciling: Promise<unknown> | null = null;

/**
 * Reading a pool is also when intents left without an outcome (a crash mid-change) get
 * reconciled, but never on the read's own time: a region that is slow to answer must not hold
 * every pool page back. One reconciliation at a time, however many viewers.
 */
function reconcileInBackground(): void {
  reconciling ??= reconcilePending(getBackend(), { timeoutMs: getConfig().refresh.timeoutMs })
    .catch((e: unknown) => console.error("capstan: reconciliation failed", e))
    .finally(() => {
      reconciling = null;
    });
}
