import type { Role } from "@/lib/auth/roles";
import type { TimeRange } from "@/lib/fleet/types";

// The audit log in Capstan's words. A store (SQLite today, PostgreSQL for several replicas)
// implements `AuditStore`; nothing outside lib/audit sees SQL.

/**
 * pending: intent written, the backend call not answered yet (or the process died: see reconcile.ts).
 * succeeded / failed: the backend answered. rejected: a business rule refused it before any call.
 * denied: the identity may not do this. unknown: reconciliation could not tell what happened.
 */
export type AuditOutcome = "pending" | "succeeded" | "failed" | "rejected" | "denied" | "unknown";
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ["pending", "succeeded", "failed", "rejected", "denied", "unknown"];

/** capacity: desired only (operators and admins). bounds: min/max (and desired), admins only. */
/** `faults`: the simulated backend's fault injection (admin only), audited like any other write. */
export type AuditAction = "capacity" | "bounds" | "faults";

export interface AuditRecord {
  /** Stable public id (UUID). */
  id: string;
  /** Monotonic position in the log; newest first ordering and cursors use it. */
  seq: number;
  /** ISO-8601 UTC, when the attempt was made. */
  time: string;
  actor: string;
  /** null: a known person whom no group grants a role (their attempts are denied). */
  role: Role | null;
  action: AuditAction;
  region: string;
  pool: string;
  /** Auto Scaling group name, when known. */
  group: string | null;
  /** Desired capacity read fresh from the backend just before the change (null: never read). */
  from: number | null;
  /** Desired capacity the operator saw (`expectedDesired`). */
  expected: number | null;
  /** Desired capacity asked for. */
  to: number | null;
  /** min and max read with `from` (null: never read); `minTo`/`maxTo` only for `bounds` changes. */
  minFrom: number | null;
  minTo: number | null;
  maxFrom: number | null;
  maxTo: number | null;
  reason: string | null;
  idempotencyKey: string | null;
  /** SHA-256 of the canonical request body; the same key with another body is refused. */
  requestHash: string | null;
  /** True when an admin went beyond a guardrail with the typed confirmation. */
  override: boolean;
  outcome: AuditOutcome;
  errorCode: string | null;
  errorMessage: string | null;
  /** The backend's request id (AWS x-amzn-RequestId). */
  requestId: string | null;
  /** ISO-8601 UTC, when the outcome was recorded. */
  completedAt: string | null;
  /** True when the outcome was inferred from the group's state after a lost reply. */
  reconciled: boolean;
  /** Free text explaining a reconciled or unknown outcome. */
  note: string | null;
}

/** What a caller supplies; the store assigns id and seq. */
export type NewAuditRecord = Omit<AuditRecord, "id" | "seq" | "outcome" | "errorCode" | "errorMessage" | "requestId" | "completedAt" | "reconciled" | "note">;

export type FinalOutcome = Exclude<AuditOutcome, "pending">;

export interface OutcomeUpdate {
  outcome: FinalOutcome;
  completedAt: string;
  errorCode?: string | null;
  errorMessage?: string | null;
  requestId?: string | null;
  reconciled?: boolean;
  note?: string | null;
}

export interface AuditQuery {
  region?: string;
  pool?: string;
  actor?: string;
  /**
   * `unknown` also matches pending rows older than `staleBefore`: an intent whose outcome never
   * arrived is shown as "outcome unknown" until reconciliation settles it.
   */
  outcome?: AuditOutcome;
  staleBefore?: string;
  /**
   * Restrict to what a scoped identity may see: a row matches when any scope covers it (regions
   * listed, pools listed; pool entries may be globs such as `worker-*`). Absent: every row.
   */
  scopes?: { regions?: string[]; pools?: string[] }[];
  /** 1–500, default 50. */
  limit?: number;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface AuditPage {
  records: AuditRecord[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** A successful change drawn on a pool's graphs. */
export type AuditMarker = Pick<
  AuditRecord,
  "id" | "time" | "actor" | "action" | "from" | "to" | "minFrom" | "minTo" | "maxFrom" | "maxTo" | "reason"
> & {
  /** epoch ms */
  at: number;
};

/** A group's state as read fresh from the backend by a later attempt. */
export interface Observation {
  desired: number;
  min: number | null;
  max: number | null;
  time: string;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export interface AuditStore {
  /**
   * Write a pending intent before the backend call. When an intent with the same actor and
   * idempotency key already exists, nothing is written and that row is returned with
   * `created: false` (atomic, so two concurrent double-submits cannot both write).
   */
  recordIntent(intent: NewAuditRecord): Promise<{ record: AuditRecord; created: boolean }>;
  /** An attempt that ends without a backend call (denied, rejected), written complete. */
  recordAttempt(
    attempt: NewAuditRecord & { outcome: "denied" | "rejected"; errorCode: string; errorMessage: string },
  ): Promise<AuditRecord>;
  /** The only update: a pending row gets its outcome. Returns null when the row is not pending. */
  recordOutcome(id: string, update: OutcomeUpdate): Promise<AuditRecord | null>;
  get(id: string): Promise<AuditRecord | null>;
  /** The intent (not a denied/rejected attempt) recorded under this actor's idempotency key. */
  findIntent(actor: string, idempotencyKey: string): Promise<AuditRecord | null>;
  query(q: AuditQuery): Promise<AuditPage>;
  /** Pending rows written before `time` (oldest first), for reconciliation. */
  pendingBefore(time: string): Promise<AuditRecord[]>;
  /**
   * The first desired value observed for the same group after this record (the `from` of a later
   * attempt, which read the backend fresh), or null if nothing was observed since.
   */
  observedAfter(record: AuditRecord): Promise<Observation | null>;
  /** Successful changes of one pool in a time range, oldest first, for graph markers. */
  markersFor(region: string, pool: string, range: TimeRange): Promise<AuditMarker[]>;
  close(): void;
  /**
   * Count one refused attempt under `key` in the minute starting at `windowStart` (epoch ms) and
   * return the count so far in that minute; a new minute starts again at 1. Atomic (one
   * conditional upsert), so replicas sharing the database share the count. Optional: a store
   * without it (test doubles) is limited per process.
   */
  countRefusal?(key: string, windowStart: number): Promise<number>;
}
