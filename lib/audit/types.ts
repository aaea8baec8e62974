import "server-only";
import type { TimeRange } from "@/lib/fleet/types";
import type { OutboxEntry } from "@/lib/audit/outbox";
import type { ChangeEffect } from "./effect-types";
import type { OutboxStore } from "./outbox-types";
import type {
  AuditMarker,
  AuditPage,
  AuditQuery,
  AuditRecord,
  NewAuditRecord,
  Observation,
  OutcomeUpdate,
} from "./record-types";
import type { RevertChange, RevertRecord, ScheduledRevert } from "./revert-types";

// The audit log in Capstan's words. A store (SQLite today, PostgreSQL for several replicas)
// implements `AuditStore`; nothing outside lib/audit sees SQL. The types it speaks live in
// record-types, revert-types, effect-types and outbox-types, all re-exported here.

export * from "./record-types";
export * from "./revert-types";
export * from "./effect-types";
export * from "./outbox-types";

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
    change: RevertChange,
    row?: RevertRecord,
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
