import { createHash } from "node:crypto";
import type { AuditAction, AuditRecord, AuditStore, NewAuditRecord } from "@/lib/audit";
import type { Identity } from "@/lib/auth/roles";
import type { GroupState } from "@/lib/fleet/types";
import { UNSAFE_TEXT, type ChangeCapacityInput } from "./change-capacity-schema";
import { findPool, regionsOf, type FleetConfig } from "@/lib/config";
import { NotFoundError, RateLimitedError } from "../errors";
import { countRefusal, REFUSALS_PER_MINUTE } from "../refusal-limit";

const REFUSAL_LIMIT_TEXT = String(REFUSALS_PER_MINUTE);

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
export function looseRecord(identity: Identity, target: ChangeTarget, raw: unknown, groupName: string | null, time: Date): NewAuditRecord {
  const o = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
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

const UNSAFE_GLOBAL = new RegExp(UNSAFE_TEXT.source, "g");

export function escapeUnsafe(s: string): string {
  return s.replace(UNSAFE_GLOBAL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Longest text kept per stored field: whatever a client sends, a row stays small. */
export const FIELD_CAPS = { actor: 200, region: 64, pool: 128, group: 255, reason: 500, idempotencyKey: 128, errorMessage: 1000 } as const;

const cap = (v: string | null, max: number) => (v !== null && v.length > max ? `${v.slice(0, max - 1)}…` : v);

const safe = (v: string | null, max: number) => cap(v === null ? null : escapeUnsafe(v), max);

/**
 * Every free-text field of a refused attempt's row escaped (control and bidi characters as
 * "\u001b") and cut to its cap, whichever use case built it: a client's text never reaches the
 * log raw or unbounded.
 */
export function capRecord<T extends NewAuditRecord>(rec: T): T {
  return {
    ...rec,
    actor: safe(rec.actor, FIELD_CAPS.actor)!,
    region: safe(rec.region, FIELD_CAPS.region)!,
    pool: safe(rec.pool, FIELD_CAPS.pool)!,
    group: safe(rec.group, FIELD_CAPS.group),
    reason: safe(rec.reason, FIELD_CAPS.reason),
    idempotencyKey: safe(rec.idempotencyKey, FIELD_CAPS.idempotencyKey),
  };
}

/**
 * A refusal names only a configured region (and pool): an unknown one is a 404 and writes
 * nothing, so a refused attempt cannot plant an arbitrary name in the audit log.
 */
export function assertKnownTarget(config: FleetConfig, target: { region: string; pool?: string }): void {
  const known = regionsOf(config).some((r) => r.region === target.region) && (target.pool === undefined || findPool(config, target.pool) !== undefined);
  if (!known) throw new NotFoundError(`Unknown region or pool: ${escapeUnsafe(target.region.slice(0, 64))}/${escapeUnsafe((target.pool ?? "").slice(0, 128))}.`);
}

/**
 * Record an attempt that ends without a backend call. Best effort: the caller's error (403, 400,
 * 409…) is what the client must see, so a failing store is logged, not thrown — except past the
 * refusal rate limit (refusal-limit.ts): then one summary row is written for the minute, nothing
 * after it, and the client gets 429 instead.
 */
export async function recordRefusal(
  store: () => AuditStore,
  rec: NewAuditRecord,
  outcome: "denied" | "rejected",
  errorCode: string,
  errorMessage: string,
): Promise<AuditRecord | null> {
  let s: AuditStore | null = null;
  try {
    s = store();
  } catch {
    // the write below reports it
  }
  const verdict = await countRefusal(s, `actor:${rec.actor}`, Date.parse(rec.time) || Date.now());
  if (verdict.kind !== "record") {
    const message = `Too many refused attempts: more than ${REFUSAL_LIMIT_TEXT} a minute. Try again in ${verdict.retryAfterSeconds} s.`;
    if (verdict.kind === "summarise") {
      await writeAttempt(store, capRecord(rec), outcome, "RateLimited", `${message} Further refusals this minute are answered 429 and not recorded (this one: ${errorCode}).`);
    }
    throw new RateLimitedError(message, verdict.retryAfterSeconds);
  }
  return writeAttempt(store, capRecord(rec), outcome, errorCode, errorMessage);
}

async function writeAttempt(store: () => AuditStore, rec: NewAuditRecord, outcome: "denied" | "rejected", errorCode: string, errorMessage: string): Promise<AuditRecord | null> {
  try {
    return await store().recordAttempt({ ...rec, outcome, errorCode, errorMessage: safe(errorMessage, FIELD_CAPS.errorMessage)! });
  } catch (err) {
    console.error(`capstan: could not audit a ${outcome} attempt`, err);
    return null;
  }
}
