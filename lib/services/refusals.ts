import "server-only";
import type { AuditAction, AuditRecord, AuditStore, NewAuditRecord } from "@/lib/audit";
import type { Identity } from "@/lib/auth/roles";
import { findPool, regionsOf, type FleetConfig } from "@/lib/config";
import { UNSAFE_TEXT } from "./capacity/change-capacity-schema";
import { NotFoundError, RateLimitedError, type AppError } from "@/lib/errors";
import { countRefusal, REFUSALS_PER_MINUTE } from "./refusal-limit";

// Refused attempts (denied by role, rejected by a rule) of every use case: audited, escaped,
// capped and rate-limited the same way, so no route can flood or poison the audit log.

const REFUSAL_LIMIT_TEXT = String(REFUSALS_PER_MINUTE);

const UNSAFE_GLOBAL = new RegExp(UNSAFE_TEXT.source, "g");

export function escapeUnsafe(s: string): string {
  return s.replace(UNSAFE_GLOBAL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Longest text kept per stored field: whatever a client sends, a row stays small. */
export const FIELD_CAPS = {
  actor: 200,
  region: 64,
  pool: 128,
  group: 255,
  reason: 500,
  idempotencyKey: 128,
  errorMessage: 1000,
} as const;

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
  const known =
    regionsOf(config).some((r) => r.region === target.region) &&
    (target.pool === undefined || findPool(config, target.pool) !== undefined);
  if (!known)
    throw new NotFoundError(
      `Unknown region or pool: ${escapeUnsafe(target.region.slice(0, 64))}/${escapeUnsafe((target.pool ?? "").slice(0, 128))}.`,
    );
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
      await writeAttempt(
        store,
        capRecord(rec),
        outcome,
        "RateLimited",
        `${message} Further refusals this minute are answered 429 and not recorded (this one: ${errorCode}).`,
      );
    }
    throw new RateLimitedError(message, verdict.retryAfterSeconds);
  }
  return writeAttempt(store, capRecord(rec), outcome, errorCode, errorMessage);
}

async function writeAttempt(
  store: () => AuditStore,
  rec: NewAuditRecord,
  outcome: "denied" | "rejected",
  errorCode: string,
  errorMessage: string,
): Promise<AuditRecord | null> {
  try {
    return await store().recordAttempt({
      ...rec,
      outcome,
      errorCode,
      errorMessage: safe(errorMessage, FIELD_CAPS.errorMessage)!,
    });
  } catch (err) {
    console.error(`capstan: could not audit a ${outcome} attempt`, err);
    return null;
  }
}

/**
 * The one way to refuse an attempt: record it (escaped, capped, rate-limited: past the limit the
 * caller gets 429 instead), then throw the error that tells the client why. Its message is the
 * row's error message.
 */
export async function refuse(
  store: () => AuditStore,
  rec: NewAuditRecord,
  outcome: "denied" | "rejected",
  errorCode: string,
  error: AppError,
): Promise<never> {
  await recordRefusal(store, rec, outcome, errorCode, error.message);
  throw error;
}

/** The row of an attempt refused before it named any capacity: who, what and where, nothing else. */
export function refusalRow(
  who: Identity,
  what: { action: AuditAction; region: string; pool: string; reason?: string | null },
  time: Date,
): NewAuditRecord {
  return {
    time: time.toISOString(),
    actor: who.name,
    role: who.role,
    action: what.action,
    region: what.region,
    pool: what.pool,
    group: null,
    from: null,
    expected: null,
    to: null,
    minFrom: null,
    minTo: null,
    maxFrom: null,
    maxTo: null,
    reason: what.reason ?? null,
    idempotencyKey: null,
    requestHash: null,
    override: false,
  };
}

/**
 * A signed-out attempt writes nothing (there is no one to name), but a flood of them from one
 * client address is still answered 429 past the same limit.
 */
export async function limitSignedOut(
  store: AuditStore | null,
  address: string | undefined,
  now: Date,
): Promise<void> {
  const verdict = await countRefusal(store, `addr:${address ?? "unknown"}`, now.getTime());
  if (verdict.kind !== "record") {
    throw new RateLimitedError(
      `Too many refused attempts from this address. Try again in ${verdict.retryAfterSeconds} s.`,
      verdict.retryAfterSeconds,
    );
  }
}
