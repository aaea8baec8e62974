import "server-only";
import type { Pool } from "pg";
import type { OutboxEntry } from "@/lib/audit/outbox";
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
} from "@/lib/audit/types";
import type { TimeRange } from "@/lib/fleet/types";
import {
  findIntentRecord,
  getRecord,
  markersFor,
  observedAfter,
  pendingBefore,
  queryPage,
} from "./audit-queries";
import { insertAttempt, insertIntent, updateOutcome } from "./audit-writes";
import { inTransaction } from "./connection";
import { awaitingEffect, effectsFor, recordEffect } from "./effects";
import { claimOutbox, finishOutbox, insertOutbox, listOutbox, observeState } from "./outbox";
import { countRefusal } from "./refusals";
import { dueReverts, getRevert, pendingRevert, pendingReverts, settleRevert, voidReverts } from "./reverts";

// The audit log in PostgreSQL: the same rows and rules as the SQLite store (lib/audit), shared by
// every replica. Each statement commits on its own, so an intent is durable before the backend
// call. This class composes the modules beside it, one per concern: audit-writes, audit-queries,
// reverts, outbox, effects, refusals (audit-rows maps the rows).

export class PgAuditStore implements AuditStore {
  constructor(private readonly pool: Pool) {}

  async recordIntent(
    intent: NewAuditRecord,
    opts: { revertAt?: string } = {},
  ): Promise<{ record: AuditRecord; created: boolean }> {
    return insertIntent(this.pool, intent, opts.revertAt);
  }

  async recordAttempt(
    attempt: NewAuditRecord & { outcome: "denied" | "rejected"; errorCode: string; errorMessage: string },
  ): Promise<AuditRecord> {
    return insertAttempt(this.pool, attempt);
  }

  async recordOutcome(
    id: string,
    u: OutcomeUpdate,
    events: readonly OutboxEntry[] = [],
  ): Promise<AuditRecord | null> {
    return updateOutcome(this.pool, id, u, events);
  }

  async countRefusal(key: string, windowStart: number): Promise<number> {
    return countRefusal(this.pool, key, windowStart);
  }

  async get(id: string): Promise<AuditRecord | null> {
    return getRecord(this.pool, id);
  }

  async findIntent(actor: string, idempotencyKey: string): Promise<AuditRecord | null> {
    return findIntentRecord(this.pool, actor, idempotencyKey);
  }

  async query(q: AuditQuery): Promise<AuditPage> {
    return queryPage(this.pool, q);
  }

  async pendingBefore(time: string): Promise<AuditRecord[]> {
    return pendingBefore(this.pool, time);
  }

  async observedAfter(record: AuditRecord): Promise<Observation | null> {
    return observedAfter(this.pool, record);
  }

  async markersFor(region: string, pool: string, range: TimeRange): Promise<AuditMarker[]> {
    return markersFor(this.pool, region, pool, range);
  }

  async pendingRevert(region: string, pool: string): Promise<ScheduledRevert | null> {
    return pendingRevert(this.pool, region, pool);
  }

  async pendingReverts(region: string): Promise<ScheduledRevert[]> {
    return pendingReverts(this.pool, region);
  }

  async getRevert(id: string): Promise<ScheduledRevert | null> {
    return getRevert(this.pool, id);
  }

  async dueReverts(now: string): Promise<ScheduledRevert[]> {
    return dueReverts(this.pool, now);
  }

  async voidReverts(): Promise<number> {
    return voidReverts(this.pool);
  }

  async settleRevert(
    id: string,
    change: RevertChange,
    row?: RevertRecord,
    events: readonly OutboxEntry[] = [],
  ): Promise<{ revert: ScheduledRevert; record: AuditRecord | null } | null> {
    return settleRevert(this.pool, id, change, row, events);
  }

  async enqueue(events: readonly OutboxEntry[], now: string): Promise<void> {
    if (events.length === 0) return;
    await inTransaction(this.pool, (c) => insertOutbox(c, events, now));
  }

  async claimDeliveries(now: string, leaseUntil: string, limit: number): Promise<Delivery[]> {
    return claimOutbox(this.pool, now, leaseUntil, limit);
  }

  async finishDelivery(id: string, claim: string, result: DeliveryResult): Promise<boolean> {
    return finishOutbox(this.pool, id, claim, result);
  }

  async deliveries(limit: number): Promise<Delivery[]> {
    return listOutbox(this.pool, limit);
  }

  async observe(
    key: string,
    value: string,
    now: string,
    events: (previous: { value: string; since: string } | null) => OutboxEntry[],
  ) {
    return observeState(this.pool, key, value, now, events);
  }

  async recordEffect(e: ChangeEffect): Promise<ChangeEffect> {
    return recordEffect(this.pool, e);
  }

  async effectsFor(changeIds: string[]): Promise<Map<string, ChangeEffect>> {
    return effectsFor(this.pool, changeIds);
  }

  async awaitingEffect(since: string, limit = 50): Promise<AuditRecord[]> {
    return awaitingEffect(this.pool, since, limit);
  }

  /** The pool belongs to the store: closing the store closes it. */
  close(): void {}
}
