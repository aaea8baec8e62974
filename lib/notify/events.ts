import "server-only";
import { randomUUID } from "node:crypto";
import type { AuditRecord } from "@/lib/audit/types";
import type { NotifyTarget } from "@/lib/config/schema";
import type { EventType, OutboxEntry } from "@/lib/audit/outbox";

// Events Capstan tells the team about, and which configured target gets which. An event becomes
// one outbox row per matching target, written in the same transaction as the record causing it;
// the delivery job (deliver.ts) sends them. Rows carry the names of the environment variables,
// never a URL or a secret: those are read when sending.

export { EVENT_TYPES, type EventType, type OutboxEntry } from "@/lib/audit/outbox";

export interface NotifyEvent {
  id: string;
  type: EventType;
  /** ISO-8601 UTC */
  time: string;
  data: Record<string, unknown>;
}

/** `capacity.*` matches `capacity.changed`; `*` matches everything. */
export function matchesGlob(glob: string, type: string): boolean {
  if (glob === "*") return true;
  if (glob.endsWith(".*")) return type.startsWith(glob.slice(0, -1));
  return glob === type;
}

/** The outbox rows for an event: one per target whose globs match it. */
export function route(targets: readonly NotifyTarget[], event: NotifyEvent): OutboxEntry[] {
  const payload = JSON.stringify(event);
  return targets
    .filter((t) => t.events.some((g) => matchesGlob(g, event.type)))
    .map((t) => ({
      eventId: event.id,
      type: event.type,
      targetKind: t.kind,
      urlEnv: t.urlEnv,
      secretEnv: t.kind === "webhook" ? t.secretEnv : null,
      payload,
    }));
}

export function newEvent(type: EventType, time: string, data: Record<string, unknown>): NotifyEvent {
  return { id: randomUUID(), type, time, data };
}

/** The pool page's public address, when CAPSTAN_PUBLIC_ORIGIN says where Capstan lives. */
export function poolUrl(
  region: string,
  pool: string,
  env: Record<string, string | undefined> = process.env,
): string | null {
  const origin = env.CAPSTAN_PUBLIC_ORIGIN?.replace(/\/+$/, "");
  return origin ? `${origin}/pools/${encodeURIComponent(region)}/${encodeURIComponent(pool)}` : null;
}

export function publicUrl(
  path: string,
  env: Record<string, string | undefined> = process.env,
): string | null {
  const origin = env.CAPSTAN_PUBLIC_ORIGIN?.replace(/\/+$/, "");
  return origin ? `${origin}${path}` : null;
}

/**
 * capacity.changed (or capacity.reverted for Capstan's own revert) for a change whose outcome is
 * now known: who, which pool where, from → to, the reason, the outcome and the pool's link.
 */
export function capacityEvent(
  r: Pick<
    AuditRecord,
    | "id"
    | "actor"
    | "role"
    | "action"
    | "region"
    | "pool"
    | "group"
    | "from"
    | "to"
    | "minTo"
    | "maxTo"
    | "reason"
    | "override"
    | "revertOf"
    | "revertAt"
    | "batchId"
  > & {
    outcome: "succeeded" | "failed" | "unknown";
    errorCode?: string | null;
    errorMessage?: string | null;
    completedAt: string;
  },
): NotifyEvent {
  return newEvent(
    r.revertOf && r.action === "capacity" && r.actor === "capstan" ? "capacity.reverted" : "capacity.changed",
    r.completedAt,
    {
      auditId: r.id,
      region: r.region,
      pool: r.pool,
      group: r.group,
      actor: r.actor,
      role: r.role,
      action: r.action,
      from: r.from,
      to: r.to,
      min: r.minTo,
      max: r.maxTo,
      reason: r.reason,
      outcome: r.outcome,
      errorCode: r.errorCode ?? null,
      errorMessage: r.errorMessage ?? null,
      override: r.override,
      revertAt: r.revertAt,
      revertOf: r.revertOf,
      batchId: r.batchId,
      url: poolUrl(r.region, r.pool),
    },
  );
}
