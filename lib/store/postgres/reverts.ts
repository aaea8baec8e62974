import "server-only";
import type { Pool, PoolClient } from "pg";
import type { OutboxEntry } from "@/lib/audit/outbox";
import { toParams, toRevert, type RevertRow } from "@/lib/audit/sqlite-rows";
import { revertParams, VOID_OUTCOMES } from "@/lib/audit/store-shared";
import type { AuditRecord, RevertChange, RevertRecord, ScheduledRevert } from "@/lib/audit/types";
import { fromPg, INSERT, values, type PgRow } from "./audit-rows";
import { inTransaction } from "./connection";
import { insertOutbox } from "./outbox";

// Scheduled reverts in PostgreSQL (the scheduled_changes table): the way back of a time-boxed
// change, written with its intent, listed while it is due, and settled exactly once by any replica.

const REVERT_COLUMNS = [
  "id",
  "change_id",
  "region",
  "pool",
  "group_name",
  "from_desired",
  "to_desired",
  "by_actor",
  "reason",
  "batch_id",
  "due_at",
  "created_at",
] as const;

/** Inside the intent's transaction: a crash cannot leave a bump without its revert. */
export async function insertRevert(c: PoolClient, record: AuditRecord, dueAt: string): Promise<void> {
  const s = revertParams(record, dueAt);
  await c.query(
    `INSERT INTO scheduled_changes (${REVERT_COLUMNS.join(", ")}) VALUES (${REVERT_COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`,
    REVERT_COLUMNS.map((k) => s[k]),
  );
}

export async function pendingRevert(
  pool: Pool,
  region: string,
  poolName: string,
): Promise<ScheduledRevert | null> {
  const { rows } = await pool.query<RevertRow>(
    `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
     WHERE s.region = $1 AND s.pool = $2 AND s.state = 'scheduled' AND a.outcome IN ('pending', 'succeeded')
     ORDER BY s.due_at LIMIT 1`,
    [region, poolName],
  );
  return rows[0] ? toRevert(rows[0]) : null;
}

export async function pendingReverts(pool: Pool, region: string): Promise<ScheduledRevert[]> {
  const { rows } = await pool.query<RevertRow>(
    `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
     WHERE s.region = $1 AND s.state = 'scheduled' AND a.outcome IN ('pending', 'succeeded') ORDER BY s.due_at`,
    [region],
  );
  return rows.map(toRevert);
}

export async function getRevert(pool: Pool, id: string): Promise<ScheduledRevert | null> {
  const { rows } = await pool.query<RevertRow>("SELECT * FROM scheduled_changes WHERE id = $1", [id]);
  return rows[0] ? toRevert(rows[0]) : null;
}

export async function dueReverts(pool: Pool, now: string): Promise<ScheduledRevert[]> {
  const { rows } = await pool.query<RevertRow>(
    `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
     WHERE s.state = 'scheduled' AND s.due_at <= $1 AND a.outcome = 'succeeded' ORDER BY s.due_at`,
    [now],
  );
  return rows.map(toRevert);
}

export async function voidReverts(pool: Pool): Promise<number> {
  const res = await pool.query(
    `UPDATE scheduled_changes SET state = 'void', updated_at = now()
     WHERE state = 'scheduled' AND change_id IN (SELECT id FROM audit_log WHERE outcome = ANY($1::text[]))`,
    [VOID_OUTCOMES],
  );
  return res.rowCount ?? 0;
}

export async function settleRevert(
  pool: Pool,
  id: string,
  change: RevertChange,
  row: RevertRecord | undefined,
  events: readonly OutboxEntry[],
): Promise<{ revert: ScheduledRevert; record: AuditRecord | null } | null> {
  const params = row
    ? toParams(row, {
        isIntent: 0,
        outcome: row.outcome,
        errorCode: row.errorCode ?? null,
        errorMessage: row.errorMessage ?? null,
        completedAt: row.time,
      })
    : null;
  // Conditional on 'scheduled' and in one transaction with its audit row: whoever gets here
  // second (another runner, an operator's cancel) changes nothing and writes nothing.
  return inTransaction(pool, async (c) => {
    const updated =
      "dueAt" in change
        ? await c.query<RevertRow>(
            "UPDATE scheduled_changes SET due_at = $2, updated_at = now() WHERE id = $1 AND state = 'scheduled' RETURNING *",
            [id, change.dueAt],
          )
        : await c.query<RevertRow>(
            "UPDATE scheduled_changes SET state = $2, result_id = $3, updated_at = now() WHERE id = $1 AND state = 'scheduled' RETURNING *",
            [id, change.state, change.resultId ?? params?.id ?? null],
          );
    const s = updated.rows[0];
    if (!s) return null;
    let record: AuditRecord | null = null;
    if (params) record = fromPg((await c.query<PgRow>(`${INSERT} RETURNING *`, values(params))).rows[0]!);
    await insertOutbox(c, events, row?.time ?? new Date().toISOString());
    return { revert: toRevert(s), record };
  });
}
