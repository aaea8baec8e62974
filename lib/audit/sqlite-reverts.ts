import "server-only";
import type Database from "better-sqlite3";
import type { OutboxEntry } from "@/lib/audit/outbox";
import { insertOutbox } from "./sqlite-outbox";
import { getRecord } from "./sqlite-queries";
import { INSERT, toParams, toRevert, type RevertRow } from "./sqlite-rows";
import { revertParams, VOID_OUTCOMES } from "./store-shared";
import type { AuditRecord, RevertChange, RevertRecord, ScheduledRevert } from "./types";

// Scheduled reverts in SQLite (the scheduled_changes table): the way back of a time-boxed change,
// written with its intent, listed while it is due, and settled exactly once.

/** Inside the intent's transaction: a crash cannot leave a bump without its revert. */
export function insertRevert(db: Database.Database, record: AuditRecord, dueAt: string): void {
  const r = { ...revertParams(record, dueAt), updated_at: record.time };
  db.prepare(
    `INSERT INTO scheduled_changes (id, change_id, region, pool, group_name, from_desired, to_desired, by_actor, reason, batch_id, due_at, created_at, updated_at)
     VALUES (@id, @change_id, @region, @pool, @group_name, @from_desired, @to_desired, @by_actor, @reason, @batch_id, @due_at, @created_at, @updated_at)`,
  ).run(r);
}

export function pendingRevert(db: Database.Database, region: string, pool: string): ScheduledRevert | null {
  const row = db
    .prepare(
      `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
       WHERE s.region = ? AND s.pool = ? AND s.state = 'scheduled' AND a.outcome IN ('pending', 'succeeded')
       ORDER BY s.due_at LIMIT 1`,
    )
    .get(region, pool) as RevertRow | undefined;
  return row ? toRevert(row) : null;
}

export function pendingReverts(db: Database.Database, region: string): ScheduledRevert[] {
  const rows = db
    .prepare(
      `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
       WHERE s.region = ? AND s.state = 'scheduled' AND a.outcome IN ('pending', 'succeeded') ORDER BY s.due_at`,
    )
    .all(region) as RevertRow[];
  return rows.map(toRevert);
}

export function getRevert(db: Database.Database, id: string): ScheduledRevert | null {
  const row = db.prepare("SELECT * FROM scheduled_changes WHERE id = ?").get(id) as RevertRow | undefined;
  return row ? toRevert(row) : null;
}

export function dueReverts(db: Database.Database, now: string): ScheduledRevert[] {
  const rows = db
    .prepare(
      `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
       WHERE s.state = 'scheduled' AND s.due_at <= ? AND a.outcome = 'succeeded' ORDER BY s.due_at`,
    )
    .all(now) as RevertRow[];
  return rows.map(toRevert);
}

export function voidReverts(db: Database.Database): number {
  return db
    .prepare(
      `UPDATE scheduled_changes SET state = 'void', updated_at = ?
       WHERE state = 'scheduled' AND change_id IN (SELECT id FROM audit_log WHERE outcome IN (${VOID_OUTCOMES.map((o) => `'${o}'`).join(", ")}))`,
    )
    .run(new Date().toISOString()).changes;
}

/**
 * Conditional on 'scheduled', with its audit row and notifications, in one IMMEDIATE transaction:
 * whoever gets here second (another runner, an operator's cancel) changes nothing and writes nothing.
 */
export function settleRevert(
  db: Database.Database,
  id: string,
  change: RevertChange,
  row: RevertRecord | undefined,
  events: readonly OutboxEntry[],
): { revert: ScheduledRevert; record: AuditRecord | null } | null {
  const run = db.transaction(() => {
    let record: AuditRecord | null = null;
    let params: ReturnType<typeof toParams> | null = null;
    if (row) {
      params = toParams(row, {
        isIntent: 0,
        outcome: row.outcome,
        errorCode: row.errorCode ?? null,
        errorMessage: row.errorMessage ?? null,
        completedAt: row.time,
      });
    }
    const now = new Date().toISOString();
    const res =
      "dueAt" in change
        ? db
            .prepare(
              "UPDATE scheduled_changes SET due_at = ?, updated_at = ? WHERE id = ? AND state = 'scheduled'",
            )
            .run(change.dueAt, now, id)
        : db
            .prepare(
              "UPDATE scheduled_changes SET state = ?, result_id = ?, updated_at = ? WHERE id = ? AND state = 'scheduled'",
            )
            .run(change.state, change.resultId ?? params?.id ?? null, now, id);
    if (res.changes !== 1) return null;
    if (params) {
      db.prepare(INSERT).run(params);
      record = getRecord(db, params.id);
    }
    insertOutbox(db, events, now);
    return { revert: getRevert(db, id)!, record };
  });
  return run.immediate();
}
