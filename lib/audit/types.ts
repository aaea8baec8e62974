import "server-only";
import type { Role } from "@/lib/config/schema";
import type { TimeRange } from "@/lib/fleet/types";
import type { EffectVerdict } from "@/lib/fleet/views";
import type { OutboxEntry } from "@/lib/audit/outbox";

// The audit log in Capstan's words. A store (SQLite today, PostgreSQL for several replicas)
// implements `AuditStore`; nothing outside lib/audit sees SQL.

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

/**
 * A time-boxed change's way back, kept in the store beside the audit log. `scheduled` until it
 * runs (`done`), is skipped because the pool changed in between, is cancelled, or is void because
 * the original change did not succeed. It becomes due only once its original change succeeded.
 */
export type RevertState = "scheduled" | "done" | "skipped" | "cancelled" | "void" | "failed";

export interface ScheduledRevert {
  id: string;
  /** The audit id of the time-boxed change. */
  changeId: string;
  region: string;
  pool: string;
  group: string | null;
  /** The bumped value the revert expects to find. */
  from: number;
  /** The value it goes back to. */
  to: number;
  /** Who made the original change (the revert runs on their behalf). */
  by: string;
  reason: string | null;
  batchId: string | null;
  /** ISO-8601 UTC */
  dueAt: string;
  state: RevertState;
  /** The audit row that ended it (the revert's own change, the skip, the cancel). */
  resultId: string | null;
  createdAt: string;
}

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

export type { EffectVerdict };
export const EFFECT_VERDICTS: readonly EffectVerdict[] = [
  "helped",
  "no change",
  "worse",
  "pending",
  "unknown",
];

/** The pool's figures over one window (means of the minute values; null: not measured). */
export interface EffectFigures {
  /** ISO-8601 UTC window. */
  from: string;
  to: string;
  pageLoadP90Ms: number | null;
  cpuPercent: number | null;
  backlog: number | null;
}

/**
 * A change's effect: figures over equal windows before and after (once the new instances have
 * settled), and the verdict. Stored beside the audit row, never in it: the audit row stays as
 * written. One stored effect per change (the first final verdict); `pending` is never stored.
 */
export interface ChangeEffect {
  changeId: string;
  evaluatedAt: string;
  verdict: EffectVerdict;
  before: EffectFigures | null;
  after: EffectFigures | null;
  summary: string;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** One event on its way to one target (the outbox row), as the admin page lists it. */
export interface Delivery {
  id: string;
  eventId: string;
  type: string;
  targetKind: "slack" | "webhook";
  /** The variable naming the URL (never the URL itself). */
  urlEnv: string;
  secretEnv: string | null;
  payload: string;
  state: "pending" | "delivered" | "failed";
  attempts: number;
  nextAt: string;
  lastStatus: number | null;
  /** Without URLs or secrets: "HTTP 500", "timed out after 5 s", "connection refused". */
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** Set on a claimed row: the token that lets its claimer (only) record the result. */
  claim: string | null;
}

export type DeliveryResult =
  | { delivered: true; at: string; status: number }
  | {
      delivered: false;
      at: string;
      status: number | null;
      error: string;
      /** null: give up (failed). */ nextAt: string | null;
    };

/** The notification outbox, in the same database as the audit log (same transactions). */
export interface OutboxStore {
  /** Events not tied to an audit row (a pool's status changed). Duplicates (same event and target) are ignored. */
  enqueue(events: readonly OutboxEntry[], now: string): Promise<void>;
  /**
   * Claim up to `limit` rows due at `now` that no one else holds, leasing them until `leaseUntil`
   * and counting the attempt. With PostgreSQL two replicas never claim the same row (SKIP LOCKED).
   */
  claimDeliveries(now: string, leaseUntil: string, limit: number): Promise<Delivery[]>;
  /** Record an attempt's result, only if the claim is still ours and the row still pending. */
  finishDelivery(id: string, claim: string, result: DeliveryResult): Promise<boolean>;
  /** Newest first. */
  deliveries(limit: number): Promise<Delivery[]>;
  /**
   * Compare-and-replace the last seen value of `key`; when it changed, `events(previous)` are
   * enqueued in the same transaction. Returns the previous value (null: first seen) and whether
   * it changed. One change is one event, whichever replica sees it first.
   */
  observe(
    key: string,
    value: string,
    now: string,
    events: (previous: { value: string; since: string } | null) => OutboxEntry[],
  ): Promise<{ changed: boolean; previous: { value: string; since: string } | null }>;
}

export interface AuditStore extends OutboxStore {
  /**
   * Write a pending intent before the backend call. When an intent with the same actor and
   * idempotency key already exists, nothing is written and that row is returned with
   * `created: false` (atomic, so two concurrent double-submits cannot both write).
   */
  recordIntent(
    intent: NewAuditRecord,
    opts?: { revertAt?: string },
  ): Promise<{ record: AuditRecord; created: boolean }>;
  /** An attempt that ends without a backend call (denied, rejected), written complete. */
  recordAttempt(
    attempt: NewAuditRecord & { outcome: "denied" | "rejected"; errorCode: string; errorMessage: string },
  ): Promise<AuditRecord>;
  /**
   * The only update: a pending row gets its outcome. Returns null when the row is not pending.
   * `events` go to the outbox in the same transaction, only when the outcome was recorded.
   */
  recordOutcome(
    id: string,
    update: OutcomeUpdate,
    events?: readonly OutboxEntry[],
  ): Promise<AuditRecord | null>;
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
  /**
   * The revert still to come for a pool (scheduled, its original pending or succeeded), the
   * earliest first; null when there is none.
   */
  pendingRevert(region: string, pool: string): Promise<ScheduledRevert | null>;
  /** pendingRevert for every pool of a region at once (the overview), earliest first. */
  pendingReverts(region: string): Promise<ScheduledRevert[]>;
  getRevert(id: string): Promise<ScheduledRevert | null>;
  /** Scheduled reverts due at `now` whose original change succeeded, oldest first. */
  dueReverts(now: string): Promise<ScheduledRevert[]>;
  /** Scheduled reverts whose original change ended failed, rejected or unknown: never to run. */
  voidReverts(): Promise<number>;
  /**
   * End or move a scheduled revert, only if it is still scheduled (a conditional update, so two
   * runners or an operator and the job never both act), and in the same transaction write the
   * audit row saying so (when given). Returns null, writing nothing, when it was no longer scheduled.
   */
  settleRevert(
    id: string,
    change: { state: Exclude<RevertState, "scheduled">; resultId?: string | null } | { dueAt: string },
    row?: NewAuditRecord & {
      outcome: "succeeded" | "rejected";
      errorCode?: string | null;
      errorMessage?: string | null;
    },
    events?: readonly OutboxEntry[],
  ): Promise<{ revert: ScheduledRevert; record: AuditRecord | null } | null>;
  /**
   * Store a change's effect, once: when one is already stored for the change (another replica
   * got there first) nothing is written and the stored one is returned.
   */
  recordEffect(effect: ChangeEffect): Promise<ChangeEffect>;
  /** Stored effects of these changes, by change id. */
  effectsFor(changeIds: string[]): Promise<Map<string, ChangeEffect>>;
  /** Succeeded desired-capacity changes since `since` with no stored effect yet, oldest first. */
  awaitingEffect(since: string, limit?: number): Promise<AuditRecord[]>;
  close(): void;
  /**
   * Count one refused attempt under `key` in the minute starting at `windowStart` (epoch ms) and
   * return the count so far in that minute; a new minute starts again at 1. Atomic (one
   * conditional upsert), so replicas sharing the database share the count.
   */
  countRefusal(key: string, windowStart: number): Promise<number>;
}
