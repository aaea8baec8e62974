import "server-only";
import type { Pool, PoolClient } from "pg";
import { toMarker, toParams, toRecord, toRevert, type RevertRow, type Row } from "@/lib/audit/sqlite-rows";
import { parseCursor, revertParams, toEffect, VOID_OUTCOMES, type EffectRow } from "@/lib/audit/store-shared";
import type { OutboxEntry } from "@/lib/audit/outbox";
import { inTransaction } from "./connection";
import { claimOutbox, finishOutbox, insertOutbox, listOutbox, observeState } from "./outbox";
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type AuditMarker,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  type AuditStore,
  type Delivery,
  type DeliveryResult,
  type ChangeEffect,
  type NewAuditRecord,
  type Observation,
  type OutcomeUpdate,
  type RevertState,
  type ScheduledRevert,
} from "@/lib/audit/types";
import type { TimeRange } from "@/lib/fleet/types";

// The audit log in PostgreSQL: the same rows and rules as the SQLite store (lib/audit), shared by
// every replica. Each statement commits on its own, so an intent is durable before the backend
// call; the unique index makes "one intent per actor and key" hold across replicas.

const COLUMNS = [
  "id",
  "time",
  "actor",
  "role",
  "action",
  "region",
  "pool",
  "group_name",
  "from_desired",
  "expected_desired",
  "to_desired",
  "min_from",
  "min_to",
  "max_from",
  "max_to",
  "reason",
  "idempotency_key",
  "request_hash",
  "is_intent",
  "override",
  "outcome",
  "error_code",
  "error_message",
  "completed_at",
  "note",
  "revert_of",
  "revert_at",
  "batch_id",
] as const;
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
const INSERT = `INSERT INTO audit_log (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`;

interface PgRow extends Omit<
  Row,
  "seq" | "time" | "completed_at" | "is_intent" | "override" | "reconciled" | "revert_at"
> {
  seq: string;
  time: Date;
  completed_at: Date | null;
  revert_at: Date | null;
  is_intent: boolean;
  override: boolean;
  reconciled: boolean;
}

function fromPg(r: PgRow): AuditRecord {
  return toRecord({
    ...r,
    seq: Number(r.seq),
    time: r.time.toISOString(),
    completed_at: r.completed_at ? r.completed_at.toISOString() : null,
    revert_at: r.revert_at ? r.revert_at.toISOString() : null,
    is_intent: r.is_intent ? 1 : 0,
    override: r.override ? 1 : 0,
    reconciled: r.reconciled ? 1 : 0,
  });
}

/** A scope glob (`worker-*`) as a LIKE pattern: `*` is the only wildcard, as in the SQLite store. */
function toLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
}

export class PgAuditStore implements AuditStore {
  constructor(private readonly pool: Pool) {}

  async recordIntent(
    intent: NewAuditRecord,
    opts: { revertAt?: string } = {},
  ): Promise<{ record: AuditRecord; created: boolean }> {
    const params = toParams(opts.revertAt ? { ...intent, revertAt: opts.revertAt } : intent, {
      isIntent: 1,
      outcome: "pending",
    });
    // The intent and its way back commit together: a crash cannot leave a bump without its revert.
    const row = await inTransaction(this.pool, async (c) => {
      const inserted = await c.query<PgRow>(
        `${INSERT} ON CONFLICT (actor, idempotency_key) WHERE is_intent AND idempotency_key IS NOT NULL DO NOTHING RETURNING *`,
        values(params),
      );
      const r = inserted.rows[0];
      if (r && opts.revertAt) {
        const s = revertParams(fromPg(r), opts.revertAt);
        await c.query(
          `INSERT INTO scheduled_changes (${REVERT_COLUMNS.join(", ")}) VALUES (${REVERT_COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`,
          REVERT_COLUMNS.map((k) => s[k]),
        );
      }
      return r;
    });
    if (row) return { record: fromPg(row), created: true };
    // Another request (on any replica) wrote this actor's key first: return its intent.
    const existing = intent.idempotencyKey
      ? await this.findIntent(intent.actor, intent.idempotencyKey)
      : null;
    if (!existing) throw new Error("audit intent neither inserted nor found");
    return { record: existing, created: false };
  }

  async recordAttempt(
    attempt: NewAuditRecord & { outcome: "denied" | "rejected"; errorCode: string; errorMessage: string },
  ): Promise<AuditRecord> {
    const params = toParams(attempt, {
      isIntent: 0,
      outcome: attempt.outcome,
      errorCode: attempt.errorCode,
      errorMessage: attempt.errorMessage,
      completedAt: attempt.time,
    });
    const { rows } = await this.pool.query<PgRow>(`${INSERT} RETURNING *`, values(params));
    return fromPg(rows[0]!);
  }

  async recordOutcome(
    id: string,
    u: OutcomeUpdate,
    events: readonly OutboxEntry[] = [],
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
      const { rows } = await update(this.pool);
      return rows[0] ? fromPg(rows[0]) : null;
    }
    // The notification is written with the outcome that causes it, or not at all.
    return inTransaction(this.pool, async (c) => {
      const { rows } = await update(c);
      if (!rows[0]) return null;
      await insertOutbox(c, events, u.completedAt);
      return fromPg(rows[0]);
    });
  }

  async countRefusal(key: string, windowStart: number): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>(
      `INSERT INTO refusal_counters (key, window_start, count) VALUES ($1, $2, 1)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN refusal_counters.window_start = excluded.window_start THEN refusal_counters.count + 1 ELSE 1 END,
         window_start = excluded.window_start
       RETURNING count`,
      [key, windowStart],
    );
    return Number(rows[0]!.count);
  }

  async get(id: string): Promise<AuditRecord | null> {
    const { rows } = await this.pool.query<PgRow>("SELECT * FROM audit_log WHERE id = $1", [id]);
    return rows[0] ? fromPg(rows[0]) : null;
  }

  async findIntent(actor: string, idempotencyKey: string): Promise<AuditRecord | null> {
    const { rows } = await this.pool.query<PgRow>(
      "SELECT * FROM audit_log WHERE actor = $1 AND idempotency_key = $2 AND is_intent",
      [actor, idempotencyKey],
    );
    return rows[0] ? fromPg(rows[0]) : null;
  }

  async query(q: AuditQuery): Promise<AuditPage> {
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => (params.push(v), `$${params.length}`);
    if (q.region !== undefined) where.push(`region = ${p(q.region)}`);
    if (q.pool !== undefined) where.push(`pool = ${p(q.pool)}`);
    if (q.actor !== undefined) where.push(`actor = ${p(q.actor)}`);
    if (q.outcome !== undefined) {
      if (q.outcome === "unknown" && q.staleBefore) {
        where.push(`(outcome = 'unknown' OR (outcome = 'pending' AND time < ${p(q.staleBefore)}))`);
      } else if (q.outcome === "pending" && q.staleBefore) {
        where.push(`outcome = 'pending' AND time >= ${p(q.staleBefore)}`);
      } else {
        where.push(`outcome = ${p(q.outcome)}`);
      }
    }
    if (q.scopes) {
      const any = q.scopes.map((sc) => {
        const parts: string[] = [];
        if (sc.regions) parts.push(sc.regions.length ? `region = ANY(${p(sc.regions)}::text[])` : "FALSE");
        if (sc.pools) {
          parts.push(
            sc.pools.length
              ? `(${sc.pools.map((g) => `pool LIKE ${p(toLike(g))} ESCAPE '\\'`).join(" OR ")})`
              : "FALSE",
          );
        }
        return parts.length ? `(${parts.join(" AND ")})` : "TRUE";
      });
      where.push(any.length ? `(${any.join(" OR ")})` : "FALSE");
    }
    if (q.cursor !== undefined) where.push(`seq < ${p(parseCursor(q.cursor))}`);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ${p(limit + 1)}`;
    const rows = (await this.pool.query<PgRow>(sql, params)).rows.map(fromPg);
    const more = rows.length > limit;
    const records = more ? rows.slice(0, limit) : rows;
    return { records, nextCursor: more ? String(records[records.length - 1]!.seq) : null };
  }

  async pendingBefore(time: string): Promise<AuditRecord[]> {
    const { rows } = await this.pool.query<PgRow>(
      "SELECT * FROM audit_log WHERE outcome = 'pending' AND time < $1 ORDER BY seq",
      [time],
    );
    return rows.map(fromPg);
  }

  async observedAfter(record: AuditRecord): Promise<Observation | null> {
    if (record.group === null) return null;
    const { rows } = await this.pool.query<{
      from_desired: number;
      min_from: number | null;
      max_from: number | null;
      time: Date;
    }>(
      `SELECT from_desired, min_from, max_from, time FROM audit_log
       WHERE region = $1 AND group_name = $2 AND seq > $3 AND from_desired IS NOT NULL
       ORDER BY seq LIMIT 1`,
      [record.region, record.group, record.seq],
    );
    const row = rows[0];
    return row
      ? { desired: row.from_desired, min: row.min_from, max: row.max_from, time: row.time.toISOString() }
      : null;
  }

  async markersFor(region: string, pool: string, range: TimeRange): Promise<AuditMarker[]> {
    const { rows } = await this.pool.query<PgRow>(
      `SELECT * FROM audit_log WHERE region = $1 AND pool = $2 AND outcome = 'succeeded' AND action <> 'revert' AND time >= $3 AND time < $4 ORDER BY seq`,
      [region, pool, new Date(range.start).toISOString(), new Date(range.end).toISOString()],
    );
    return rows.map(fromPg).map(toMarker);
  }

  async pendingRevert(region: string, pool: string): Promise<ScheduledRevert | null> {
    const { rows } = await this.pool.query<RevertRow>(
      `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
       WHERE s.region = $1 AND s.pool = $2 AND s.state = 'scheduled' AND a.outcome IN ('pending', 'succeeded')
       ORDER BY s.due_at LIMIT 1`,
      [region, pool],
    );
    return rows[0] ? toRevert(rows[0]) : null;
  }

  async pendingReverts(region: string): Promise<ScheduledRevert[]> {
    const { rows } = await this.pool.query<RevertRow>(
      `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
       WHERE s.region = $1 AND s.state = 'scheduled' AND a.outcome IN ('pending', 'succeeded') ORDER BY s.due_at`,
      [region],
    );
    return rows.map(toRevert);
  }

  async getRevert(id: string): Promise<ScheduledRevert | null> {
    const { rows } = await this.pool.query<RevertRow>("SELECT * FROM scheduled_changes WHERE id = $1", [id]);
    return rows[0] ? toRevert(rows[0]) : null;
  }

  async dueReverts(now: string): Promise<ScheduledRevert[]> {
    const { rows } = await this.pool.query<RevertRow>(
      `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
       WHERE s.state = 'scheduled' AND s.due_at <= $1 AND a.outcome = 'succeeded' ORDER BY s.due_at`,
      [now],
    );
    return rows.map(toRevert);
  }

  async voidReverts(): Promise<number> {
    const res = await this.pool.query(
      `UPDATE scheduled_changes SET state = 'void', updated_at = now()
       WHERE state = 'scheduled' AND change_id IN (SELECT id FROM audit_log WHERE outcome = ANY($1::text[]))`,
      [VOID_OUTCOMES],
    );
    return res.rowCount ?? 0;
  }

  async settleRevert(
    id: string,
    change: { state: Exclude<RevertState, "scheduled">; resultId?: string | null } | { dueAt: string },
    row?: NewAuditRecord & {
      outcome: "succeeded" | "rejected";
      errorCode?: string | null;
      errorMessage?: string | null;
    },
    events: readonly OutboxEntry[] = [],
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
    return inTransaction(this.pool, async (c) => {
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
    await this.pool.query(
      `INSERT INTO change_effects (change_id, evaluated_at, verdict, before_json, after_json, summary)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (change_id) DO NOTHING`,
      [
        e.changeId,
        e.evaluatedAt,
        e.verdict,
        e.before && JSON.stringify(e.before),
        e.after && JSON.stringify(e.after),
        e.summary,
      ],
    );
    return (await this.effectsFor([e.changeId])).get(e.changeId)!;
  }

  async effectsFor(changeIds: string[]): Promise<Map<string, ChangeEffect>> {
    if (changeIds.length === 0) return new Map();
    const { rows } = await this.pool.query<EffectRow>(
      "SELECT * FROM change_effects WHERE change_id = ANY($1::text[])",
      [changeIds],
    );
    return new Map(rows.map((r) => [r.change_id, toEffect(r)]));
  }

  async awaitingEffect(since: string, limit = 50): Promise<AuditRecord[]> {
    const { rows } = await this.pool.query<PgRow>(
      `SELECT a.* FROM audit_log a LEFT JOIN change_effects e ON e.change_id = a.id
       WHERE a.outcome = 'succeeded' AND a.action IN ('capacity', 'bounds') AND a.to_desired IS NOT NULL
         AND a.time >= $1 AND e.change_id IS NULL
       ORDER BY a.seq LIMIT $2`,
      [since, limit],
    );
    return rows.map(fromPg);
  }

  /** The pool belongs to the store: closing the store closes it. */
  close(): void {}
}

function values(params: ReturnType<typeof toParams>): unknown[] {
  return COLUMNS.map((c) => {
    const v = params[c];
    return c === "is_intent" || c === "override" ? v === 1 : v;
  });
}
