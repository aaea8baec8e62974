import "server-only";
import type { Pool, PoolClient } from "pg";
import type { OutboxEntry } from "@/lib/audit/outbox";
import { toParams } from "@/lib/audit/sqlite-rows";
import type { AuditRecord, NewAuditRecord, OutcomeUpdate } from "@/lib/audit/types";
import { fromPg, INSERT, values, type PgRow } from "./audit-rows";
import { findIntentRecord } from "./audit-queries";
import { inTransaction } from "./connection";
import { insertOutbox } from "./outbox";
import { insertRevert } from "./reverts";

// Writing audit rows in PostgreSQL: an intent (with its scheduled revert), a refused attempt, and
// the outcome that settles an intent. The unique index makes "one intent per actor and key" hold
// across replicas.

export async function insertIntent(
  pool: Pool,
  intent: NewAuditRecord,
  revertAt: string | undefined,
): Promise<{ record: AuditRecord; created: boolean }> {
  const params = toParams(revertAt ? { ...intent, revertAt } : intent, { isIntent: 1, outcome: "pending" });
  // The intent and its way back commit together: a crash cannot leave a bump without its revert.
  const row = await inTransaction(pool, async (c) => {
    const inserted = await c.query<PgRow>(
      `${INSERT} ON CONFLICT (actor, idempotency_key) WHERE is_intent AND idempotency_key IS NOT NULL DO NOTHING RETURNING *`,
      values(params),
    );
    const r = inserted.rows[0];
    if (r && revertAt) await insertRevert(c, fromPg(r), revertAt);
    return r;
  });
  if (row) return { record: fromPg(row), created: true };
  // Another request (on any replica) wrote this actor's key first: return its intent.
  const existing = intent.idempotencyKey
    ? await findIntentRecord(pool, intent.actor, intent.idempotencyKey)
    : null;
  if (!existing) throw new Error("audit intent neither inserted nor found");
  return { record: existing, created: false };
}

export async function insertAttempt(
  pool: Pool,
  attempt: NewAuditRecord & { outcome: "denied" | "rejected"; errorCode: string; errorMessage: string },
): Promise<AuditRecord> {
  const params = toParams(attempt, {
    isIntent: 0,
    outcome: attempt.outcome,
    errorCode: attempt.errorCode,
    errorMessage: attempt.errorMessage,
    completedAt: attempt.time,
  });
  const { rows } = await pool.query<PgRow>(`${INSERT} RETURNING *`, values(params));
  return fromPg(rows[0]!);
}

/** Settles a pending intent; null when it was not pending (already settled, here or elsewhere). */
export async function updateOutcome(
  pool: Pool,
  id: string,
  u: OutcomeUpdate,
  events: readonly OutboxEntry[],
): Promise<AuditRecord | null> {
  const update = (c: Pool | PoolClient) =>
    c.query<PgRow>(
      `UPDATE audit_log SET outcome = $2, completed_at = $3, error_code = $4, error_message = $5, request_id = $6,
         reconciled = $7, note = $8
       WHERE id = $1 AND outcome = 'pending' RETURNING *`,
      [
        id,
        u.outcome,
        u.completedAt,
        u.errorCode ?? null,
        u.errorMessage ?? null,
        u.requestId ?? null,
        u.reconciled ?? false,
        u.note ?? null,
      ],
    );
  if (events.length === 0) {
    const { rows } = await update(pool);
    return rows[0] ? fromPg(rows[0]) : null;
  }
  // The notification is written with the outcome that causes it, or not at all.
  return inTransaction(pool, async (c) => {
    const { rows } = await update(c);
    if (!rows[0]) return null;
    await insertOutbox(c, events, u.completedAt);
    return fromPg(rows[0]);
  });
}
