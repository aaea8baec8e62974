import "server-only";
import { auditStore, type AuditStore, type Delivery } from "@/lib/audit";
import { authorize, type Identity } from "@/lib/auth/roles";
import { getConfig } from "@/lib/config";
import { AuditUnavailableError } from "@/lib/errors";

// Admins see what Capstan sent where: each delivery's event, target kind, attempts, state, last
// error and when it arrived. Targets are named by their variable, never by URL.

export interface DeliveryView {
  id: string;
  eventId: string;
  type: string;
  /** One line about the event (pool, region, from → to, outcome). */
  summary: string;
  target: { kind: "slack" | "webhook"; urlEnv: string };
  state: Delivery["state"];
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface NotificationsView {
  targets: { kind: "slack" | "webhook"; urlEnv: string; events: string[] }[];
  deliveries: DeliveryView[];
  counts: { pending: number; delivered: number; failed: number };
}

export async function readNotifications(
  identity: Identity | null,
  deps: { store?: AuditStore; limit?: number } = {},
): Promise<NotificationsView> {
  authorize(identity, "notifications:read");
  const cfg = getConfig();
  let rows: Delivery[];
  try {
    rows = await (deps.store ?? auditStore()).deliveries(Math.min(Math.max(deps.limit ?? 200, 1), 1000));
  } catch (err) {
    console.error("capstan: outbox query failed", err);
    throw new AuditUnavailableError("The notification log cannot be read right now. Try again shortly.");
  }
  const deliveries = rows.map((d): DeliveryView => ({
    id: d.id,
    eventId: d.eventId,
    type: d.type,
    summary: summarise(d.payload),
    target: { kind: d.targetKind, urlEnv: d.urlEnv },
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.state === "pending" ? d.nextAt : null,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
  }));
  const counts = { pending: 0, delivered: 0, failed: 0 };
  for (const d of deliveries) counts[d.state]++;
  return {
    targets: (cfg.notify ?? []).map((t) => ({ kind: t.kind, urlEnv: t.urlEnv, events: t.events })),
    deliveries,
    counts,
  };
}

function summarise(payload: string): string {
  try {
    const d = (JSON.parse(payload) as { data?: Record<string, unknown> }).data ?? {};
    const parts = [
      d.pool && `${String(d.pool)} in ${String(d.region)}`,
      d.from !== undefined && d.to !== undefined && d.from !== null
        ? `${String(d.from)} → ${String(d.to)}`
        : null,
      d.outcome && String(d.outcome),
      d.actor && `by ${String(d.actor)}`,
    ];
    return parts.filter(Boolean).join(", ");
  } catch {
    return "";
  }
}
