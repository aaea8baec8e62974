import "server-only";
import { randomUUID } from "node:crypto";
import type { Pool, PoolClient } from "pg";
import { toDelivery, type OutboxRow } from "@/lib/audit/sqlite-outbox";
import type { Delivery, DeliveryResult } from "@/lib/audit/types";
import type { OutboxEntry } from "@/lib/audit/outbox";
import { inTransaction } from "./connection";

// The notification outbox in PostgreSQL. Replicas claim due rows with FOR UPDATE SKIP LOCKED and
// a lease: a row is held by one replica at a time, and only its claimer can record the result.

export async function insertOutbox(
  c: Pool | PoolClient,
  events: readonly OutboxEntry[],
  now: string,
): Promise<void> {
  for (const e of events) {
    await c.query(
      `INSERT INTO outbox (id, event_id, type, target_kind, url_env, secret_env, payload, next_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (event_id, target_kind, url_env) DO NOTHING`,
      [randomUUID(), e.eventId, e.type, e.targetKind, e.urlEnv, e.secretEnv, e.payload, now],
    );
  }
}

export async function claimOutbox(
  pool: Pool,
  now: string,
  leaseUntil: string,
  limit: number,
): Promise<Delivery[]> {
  const { rows } = await pool.query<OutboxRow>(
    `UPDATE outbox SET lease_until = $2, claim = $3, attempts = attempts + 1
     WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
                  ORDER BY next_at LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now, leaseUntil, randomUUID(), limit],
  );
  return rows.map(toDelivery);
}

export async function finishOutbox(
  pool: Pool,
  id: string,
  claim: string,
  r: DeliveryResult,
): Promise<boolean> {
  const res = r.delivered
    ? await pool.query(
        `UPDATE outbox SET state = 'delivered', delivered_at = $3, last_status = $4, last_error = NULL, lease_until = NULL
         WHERE id = $1 AND claim = $2 AND state = 'pending'`,
        [id, claim, r.at, r.status],
      )
    : await pool.query(
        `UPDATE outbox SET state = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END, next_at = COALESCE($3::timestamptz, next_at),
           last_status = $4, last_error = $5, lease_until = NULL
         WHERE id = $1 AND claim = $2 AND state = 'pending'`,
        [id, claim, r.nextAt, r.status, r.error],
      );
  return res.rowCount === 1;
}

export async function listOutbox(pool: Pool, limit: number): Promise<Delivery[]> {
  const { rows } = await pool.query<OutboxRow>(
    "SELECT * FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1",
    [limit],
  );
  return rows.map(toDelivery);
}

export async function observeState(
  pool: Pool,
  key: string,
  value: string,
  now: string,
  events: (previous: { value: string; since: string } | null) => OutboxEntry[],
): Promise<{ changed: boolean; previous: { value: string; since: string } | null }> {
  return inTransaction(pool, async (c) => {
    // The row lock orders replicas that see the same change: the second finds it recorded.
    await c.query(
      "INSERT INTO observed_states (key, value, since) VALUES ($1, '', $2) ON CONFLICT (key) DO NOTHING",
      [key, now],
    );
    const { rows } = await c.query<{ value: string; since: Date }>(
      "SELECT value, since FROM observed_states WHERE key = $1 FOR UPDATE",
      [key],
    );
    const row = rows[0]!;
    const previous = row.value === "" ? null : { value: row.value, since: row.since.toISOString() };
    if (previous?.value === value) return { changed: false, previous };
    await c.query("UPDATE observed_states SET value = $2, since = $3 WHERE key = $1", [key, value, now]);
    await insertOutbox(c, events(previous), now);
    return { changed: true, previous };
  });
}
