import "server-only";
import type Database from "better-sqlite3";
import type { TimeRange } from "@/lib/fleet/types";
import type { OutboxEntry } from "@/lib/audit/outbox";
import {
  checkOnDisk,
  checkpointAndClose,
  openAuditLog,
  writeHighWater,
  type FileIdentity,
} from "./sqlite-durability";
import { awaitingEffect, effectsFor, recordEffect } from "./sqlite-effects";
import { claimOutbox, finishOutbox, insertOutbox, listOutbox, observeState } from "./sqlite-outbox";
import {
  findIntentRecord,
  getRecord,
  markersFor,
  observedAfter,
  pendingBefore,
  queryPage,
} from "./sqlite-queries";
import { countRefusal } from "./sqlite-refusals";
import {
  dueReverts,
  getRevert,
  pendingRevert,
  pendingReverts,
  settleRevert,
  voidReverts,
} from "./sqlite-reverts";
import { insertAttempt, insertIntent, updateOutcome } from "./sqlite-writes";
import type {
  AuditMarker,
  AuditPage,
  AuditQuery,
  AuditRecord,
  AuditStore,
  ChangeEffect,
  Delivery,
  DeliveryResult,
  NewAuditRecord,
  Observation,
  OutcomeUpdate,
  RevertChange,
  RevertRecord,
  ScheduledRevert,
} from "./types";

// The audit log in one SQLite file (WAL) in the data directory. better-sqlite3 is synchronous, so
// each statement is committed when the call returns: an intent is durable before the backend call.
// This class keeps the file's high-water mark and composes the sqlite-* modules beside it, one per
// concern: durability (opening, checks), writes, queries, reverts, outbox, effects, refusal counters.

export class SqliteAuditStore implements AuditStore {
  readonly db: Database.Database;
  /** Rows known to be in the log; mirrored in the high-water mark beside the file. */
  private rows = 0;
  private opened: FileIdentity | null = null;
  private markError: Error | null = null;

  constructor(readonly file: string) {
    ({ db: this.db, rows: this.rows, opened: this.opened } = openAuditLog(file));
  }

  /** After each new row: the high-water mark start-up compares the log with. */
  private grew(): void {
    this.rows++;
    if (this.file === ":memory:") return;
    // The row is committed: a mark that cannot be written fails the health check, not the caller.
    try {
      writeHighWater(this.file, this.rows);
      this.markError = null;
    } catch (e) {
      this.markError = e as Error;
    }
  }

  /** Throws, naming the file, when the log on disk is no longer the one open (see checkOnDisk). */
  checkOnDisk(): void {
    if (this.opened) checkOnDisk(this.file, this.opened, this.rows, this.markError);
  }

  async recordIntent(
    intent: NewAuditRecord,
    opts: { revertAt?: string } = {},
  ): Promise<{ record: AuditRecord; created: boolean }> {
    const result = insertIntent(this.db, intent, opts.revertAt);
    if (result.created) this.grew();
    return result;
  }

  async recordAttempt(
    attempt: NewAuditRecord & { outcome: "denied" | "rejected"; errorCode: string; errorMessage: string },
  ): Promise<AuditRecord> {
    const record = insertAttempt(this.db, attempt);
    this.grew();
    return record;
  }

  async recordOutcome(
    id: string,
    u: OutcomeUpdate,
    events: readonly OutboxEntry[] = [],
  ): Promise<AuditRecord | null> {
    return updateOutcome(this.db, id, u, events);
  }

  async countRefusal(key: string, windowStart: number): Promise<number> {
    return countRefusal(this.db, key, windowStart);
  }

  async get(id: string): Promise<AuditRecord | null> {
    return getRecord(this.db, id);
  }

  async findIntent(actor: string, idempotencyKey: string): Promise<AuditRecord | null> {
    return findIntentRecord(this.db, actor, idempotencyKey);
  }

  async query(q: AuditQuery): Promise<AuditPage> {
    return queryPage(this.db, q);
  }

  async pendingBefore(time: string): Promise<AuditRecord[]> {
    return pendingBefore(this.db, time);
  }

  async observedAfter(record: AuditRecord): Promise<Observation | null> {
    return observedAfter(this.db, record);
  }

  async markersFor(region: string, pool: string, range: TimeRange): Promise<AuditMarker[]> {
    return markersFor(this.db, region, pool, range);
  }

  async pendingRevert(region: string, pool: string): Promise<ScheduledRevert | null> {
    return pendingRevert(this.db, region, pool);
  }

  async pendingReverts(region: string): Promise<ScheduledRevert[]> {
    return pendingReverts(this.db, region);
  }

  async getRevert(id: string): Promise<ScheduledRevert | null> {
    return getRevert(this.db, id);
  }

  async dueReverts(now: string): Promise<ScheduledRevert[]> {
    return dueReverts(this.db, now);
  }

  async voidReverts(): Promise<number> {
    return voidReverts(this.db);
  }

  async settleRevert(
    id: string,
    change: RevertChange,
    row?: RevertRecord,
    events: readonly OutboxEntry[] = [],
  ): Promise<{ revert: ScheduledRevert; record: AuditRecord | null } | null> {
    const result = settleRevert(this.db, id, change, row, events);
    if (result?.record) this.grew();
    return result;
  }

  async enqueue(events: readonly OutboxEntry[], now: string): Promise<void> {
    this.db.transaction(() => insertOutbox(this.db, events, now)).immediate();
  }

  async claimDeliveries(now: string, leaseUntil: string, limit: number): Promise<Delivery[]> {
    return this.db.transaction(() => claimOutbox(this.db, now, leaseUntil, limit)).immediate();
  }

  async finishDelivery(id: string, claim: string, result: DeliveryResult): Promise<boolean> {
    return finishOutbox(this.db, id, claim, result);
  }

  async deliveries(limit: number): Promise<Delivery[]> {
    return listOutbox(this.db, limit);
  }

  async observe(
    key: string,
    value: string,
    now: string,
    events: (previous: { value: string; since: string } | null) => OutboxEntry[],
  ) {
    return observeState(this.db, key, value, now, events);
  }

  async recordEffect(e: ChangeEffect): Promise<ChangeEffect> {
    return recordEffect(this.db, e);
  }

  async effectsFor(changeIds: string[]): Promise<Map<string, ChangeEffect>> {
    return effectsFor(this.db, changeIds);
  }

  async awaitingEffect(since: string, limit = 50): Promise<AuditRecord[]> {
    return awaitingEffect(this.db, since, limit);
  }

  close(): void {
    checkpointAndClose(this.db, this.file);
  }
}
