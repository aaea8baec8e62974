import "server-only";
import type { Role } from "@/lib/config/schema";

// The audit row in Capstan's words: what was attempted, by whom, and how it ended; how the log is
// queried and paged; what the graphs and reconciliation read of it.

/**
 * pending: intent written, the backend call not answered yet (or the process died: see reconcile.ts).
 * succeeded / failed: the backend answered. rejected: a business rule refused it before any call.
 * denied: the identity may not do this. unknown: reconciliation could not tell what happened.
 */
export type AuditOutcome = "pending" | "succeeded" | "failed" | "rejected" | "denied" | "unknown";
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = [
  "pending",
  "succeeded",
  "failed",
  "rejected",
  "denied",
  "unknown",
];

/** capacity: desired only (operators and admins). bounds: min/max (and desired), admins only. */
/** `faults`: the simulated backend's fault injection (admin only), audited like any other write. */
/**
 * `revert`: something that happened to a scheduled revert without a capacity change of its own:
 * extended (`revertAt` the new time), cancelled (`revertAt` null) or skipped (rejected,
 * `RevertSkipped`: the pool changed in between). The revert itself is a `capacity` row with `revertOf`.
 */
export type AuditAction = "capacity" | "bounds" | "faults" | "revert";

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
  /** The change this row reverts (a revert run by Capstan), or whose revert it extends/cancels/skips. */
  revertOf: string | null;
  /** ISO-8601 UTC: when this change is scheduled to be undone (a time-boxed change), or the new time (extended). */
  revertAt: string | null;
  /** Shared by the changes of one batch (a standby plan). */
  batchId: string | null;
}

/** What a caller supplies; the store assigns id and seq. */
export type NewAuditRecord = Omit<
  AuditRecord,
  | "id"
  | "seq"
  | "outcome"
  | "errorCode"
  | "errorMessage"
  | "requestId"
  | "completedAt"
  | "reconciled"
  | "note"
  | "revertOf"
  | "revertAt"
  | "batchId"
> &
  Partial<Pick<AuditRecord, "revertOf" | "revertAt" | "batchId" | "note">>;

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
