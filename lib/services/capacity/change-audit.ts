import "server-only";
import { createHash } from "node:crypto";
import type { AuditAction, NewAuditRecord } from "@/lib/audit";
import type { Identity } from "@/lib/auth/roles";
import type { GroupState } from "@/lib/fleet/types";
import type { ChangeCapacityInput } from "./change-capacity-schema";
import { escapeUnsafe } from "../refusals";

// Building the audit rows of a capacity change. The service decides what happened; this file
// only shapes it, so change-capacity.ts reads as the sequence of rules.

export interface ChangeTarget {
  region: string;
  pool: string;
}

/** SHA-256 of the canonical request (target + parsed body, keys sorted, key itself excluded). */
export function requestHash(target: ChangeTarget, input: ChangeCapacityInput): string {
  const canonical = {
    region: target.region,
    pool: target.pool,
    desired: input.desired,
    expectedDesired: input.expectedDesired,
    reason: input.reason,
    min: input.min ?? null,
    max: input.max ?? null,
    overrideConfirm: input.override?.confirm ?? null,
    // Only when given, so the keys of changes made before time-boxed changes existed still replay.
    ...(input.revertAfterMinutes !== undefined ? { revertAfterMinutes: input.revertAfterMinutes } : {}),
  };
  const sorted = Object.fromEntries(Object.entries(canonical).sort(([a], [b]) => a.localeCompare(b)));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

export function actionOf(input: { min?: unknown; max?: unknown }): AuditAction {
  return input.min !== undefined || input.max !== undefined ? "bounds" : "capacity";
}

/** The row for a parsed request, before the group has been read. */
export function baseRecord(
  identity: Identity,
  target: ChangeTarget,
  input: ChangeCapacityInput,
  groupName: string | null,
  time: Date,
): NewAuditRecord {
  const bounds = actionOf(input) === "bounds";
  return {
    time: time.toISOString(),
    actor: identity.name,
    role: identity.role,
    action: actionOf(input),
    region: target.region,
    pool: target.pool,
    group: groupName,
    from: null,
    expected: input.expectedDesired,
    to: input.desired,
    minFrom: null,
    minTo: bounds ? (input.min ?? null) : null,
    maxFrom: null,
    maxTo: bounds ? (input.max ?? null) : null,
    reason: input.reason,
    idempotencyKey: input.idempotencyKey,
    requestHash: requestHash(target, input),
    override: false,
  };
}

/** What the fresh read saw; for a bounds change the unchanged bound's "to" is its current value. */
export function withObserved(rec: NewAuditRecord, group: GroupState): NewAuditRecord {
  const bounds = rec.action === "bounds";
  return {
    ...rec,
    group: group.groupName,
    from: group.desired,
    minFrom: group.min,
    maxFrom: group.max,
    minTo: bounds ? (rec.minTo ?? group.min) : null,
    maxTo: bounds ? (rec.maxTo ?? group.max) : null,
  };
}

/**
 * A denial before the body was validated: record what can be read safely from it (whole
 * numbers, a bounded reason), never the raw body.
 */
export function looseRecord(
  identity: Identity,
  target: ChangeTarget,
  raw: unknown,
  groupName: string | null,
  time: Date,
): NewAuditRecord {
  const o =
    raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const num = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : null);
  // Unvalidated text: control and bidi characters are stored escaped ("\u001b"), never raw.
  const str = (v: unknown, max: number) => (typeof v === "string" ? escapeUnsafe(v.slice(0, max)) : null);
  const bounds = actionOf(o) === "bounds";
  return {
    time: time.toISOString(),
    actor: identity.name,
    role: identity.role,
    action: actionOf(o),
    region: target.region.slice(0, 64),
    pool: target.pool.slice(0, 128),
    group: groupName,
    from: null,
    expected: num(o.expectedDesired),
    to: num(o.desired),
    minFrom: null,
    minTo: bounds ? num(o.min) : null,
    maxFrom: null,
    maxTo: bounds ? num(o.max) : null,
    reason: str(o.reason, 500),
    idempotencyKey: str(o.idempotencyKey, 128),
    requestHash: null,
    override: false,
  };
}
