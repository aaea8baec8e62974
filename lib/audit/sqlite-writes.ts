import "server-only";
import type Database from "better-sqlite3";
import type { OutboxEntry } from "@/lib/audit/outbox";
import { insertOutbox } from "./sqlite-outbox";
import { findIntentRecord, getRecord } from "./sqlite-queries";
import { insertRevert } from "./sqlite-reverts";
import { INSERT, toParams } from "./sqlite-rows";
import type { AuditRecord, NewAuditRecord, OutcomeUpdate } from "./types";

// Writing audit rows in SQLite: an intent (with its scheduled revert), a refused attempt, and the
// outcome that settles an intent. Each runs in one IMMEDIATE transaction, committed on return.

export function insertIntent(
  db: Database.Database,
  intent: NewAuditRecord,
  revertAt: string | undefined,
): { record: AuditRecord; created: boolean } {
  const run = db.transaction(() => {
    if (intent.idempotencyKey) {
      const existing = findIntentRecord(db, intent.actor, intent.idempotencyKey);
      if (existing) return { record: existing, created: false };
    }
    const params = toParams(revertAt ? { ...intent, revertAt } : intent, { isIntent: 1, outcome: "pending" });
    db.prepare(INSERT).run(params);
    const record = getRecord(db, params.id)!;
    // The way back is written with the intent: a crash cannot leave a bump without its revert.
    if (revertAt) insertRevert(db, record, revertAt);
    return { record, created: true };
  });
  return run.immediate();
}

export function insertAttempt(
  db: Database.Database,
  attempt: NewAuditRecord & { outcome: "denied" | "rejected"; errorCode: string; errorMessage: string },
): AuditRecord {
  const params = toParams(attempt, {
    isIntent: 0,
    outcome: attempt.outcome,
    errorCode: attempt.errorCode,
    errorMessage: attempt.errorMessage,
    completedAt: attempt.time,
  });
  db.prepare(INSERT).run(params);
  return getRecord(db, params.id)!;
}

/** Settles a pending intent; null when it was not pending (already settled elsewhere). */
export function updateOutcome(
  db: Database.Database,
  id: string,
  u: OutcomeUpdate,
  events: readonly OutboxEntry[],
): AuditRecord | null {
  const run = db.transaction(() => {
    const res = db
      .prepare(
        `UPDATE audit_log SET outcome = @outcome, completed_at = @completed_at, error_code = @error_code,
           error_message = @error_message, request_id = @request_id, reconciled = @reconciled, note = @note
         WHERE id = @id AND outcome = 'pending'`,
      )
      .run({
        id,
        outcome: u.outcome,
        completed_at: u.completedAt,
        error_code: u.errorCode ?? null,
        error_message: u.errorMessage ?? null,
        request_id: u.requestId ?? null,
        reconciled: u.reconciled ? 1 : 0,
        note: u.note ?? null,
      });
    if (res.changes !== 1) return null;
    // The notification is written with the outcome that causes it, or not at all.
    insertOutbox(db, events, u.completedAt);
    return getRecord(db, id);
  });
  return run.immediate();
}
