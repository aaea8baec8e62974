import "server-only";
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { OutboxEntry } from "@/lib/audit/outbox";
import type { Delivery, DeliveryResult } from "./types";

// The notification outbox and observed states in the SQLite file. Called inside the audit
// store's transactions, so an event is written with the record that causes it, or not at all.

export interface OutboxRow {
  id: string;
  event_id: string;
  type: string;
  target_kind: string;
  url_env: string;
  secret_env: string | null;
  payload: string;
  state: string;
  attempts: number;
  next_at: string | Date;
  last_status: number | null;
  last_error: string | null;
  created_at: string | Date;
  delivered_at: string | Date | null;
  claim: string | null;
}

const iso = (v: string | Date) => (v instanceof Date ? v.toISOString() : v);

export function toDelivery(r: OutboxRow): Delivery {
  return {
    id: r.id,
    eventId: r.event_id,
    type: r.type,
    targetKind: r.target_kind as Delivery["targetKind"],
    urlEnv: r.url_env,
    secretEnv: r.secret_env,
    payload: r.payload,
    state: r.state as Delivery["state"],
    attempts: r.attempts,
    nextAt: iso(r.next_at),
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: iso(r.created_at),
    deliveredAt: r.delivered_at === null ? null : iso(r.delivered_at),
    claim: r.claim,
  };
}

export function insertOutbox(db: Database.Database, events: readonly OutboxEntry[], now: string): void {
  const insert = db.prepare(
    `INSERT INTO outbox (id, event_id, type, target_kind, url_env, secret_env, payload, next_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, target_kind, url_env) DO NOTHING`,
  );
  for (const e of events)
    insert.run(randomUUID(), e.eventId, e.type, e.targetKind, e.urlEnv, e.secretEnv, e.payload, now, now);
}

export function claimOutbox(
  db: Database.Database,
  now: string,
  leaseUntil: string,
  limit: number,
): Delivery[] {
  const claim = randomUUID();
  const rows = db
    .prepare(
      `UPDATE outbox SET lease_until = @leaseUntil, claim = @claim, attempts = attempts + 1
       WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
                    ORDER BY next_at LIMIT @limit)
       RETURNING *`,
    )
    .all({ now, leaseUntil, claim, limit }) as OutboxRow[];
  return rows.map(toDelivery);
}

export function finishOutbox(db: Database.Database, id: string, claim: string, r: DeliveryResult): boolean {
  const res = r.delivered
    ? db
        .prepare(
          `UPDATE outbox SET state = 'delivered', delivered_at = ?, last_status = ?, last_error = NULL, lease_until = NULL
           WHERE id = ? AND claim = ? AND state = 'pending'`,
        )
        .run(r.at, r.status, id, claim)
    : db
        .prepare(
          `UPDATE outbox SET state = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END, next_at = COALESCE(?, next_at),
             last_status = ?, last_error = ?, lease_until = NULL
           WHERE id = ? AND claim = ? AND state = 'pending'`,
        )
        .run(r.nextAt, r.nextAt, r.status, r.error, id, claim);
  return res.changes === 1;
}

export function listOutbox(db: Database.Database, limit: number): Delivery[] {
  return (
    db.prepare("SELECT * FROM outbox ORDER BY created_at DESC, rowid DESC LIMIT ?").all(limit) as OutboxRow[]
  ).map(toDelivery);
}

export function observeState(
  db: Database.Database,
  key: string,
  value: string,
  now: string,
  events: (previous: { value: string; since: string } | null) => OutboxEntry[],
): { changed: boolean; previous: { value: string; since: string } | null } {
  const run = db.transaction(() => {
    const previous =
      (db.prepare("SELECT value, since FROM observed_states WHERE key = ?").get(key) as
        { value: string; since: string } | undefined) ?? null;
    if (previous?.value === value) return { changed: false, previous };
    db.prepare(
      "INSERT INTO observed_states (key, value, since) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, since = excluded.since",
    ).run(key, value, now);
    insertOutbox(db, events(previous), now);
    return { changed: true, previous };
  });
  return run.immediate();
}
