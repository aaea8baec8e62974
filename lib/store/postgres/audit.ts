import type { Pool } from "pg";
import { toMarker, toParams, toRecord, type Row } from "@/lib/audit/sqlite-rows";
import { parseCursor } from "@/lib/audit/sqlite-store";
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type AuditMarker,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  type AuditStore,
  type NewAuditRecord,
  type Observation,
  type OutcomeUpdate,
} from "@/lib/audit/types";
import type { TimeRange } from "@/lib/fleet/types";

// The audit log in PostgreSQL: the same rows and rules as the SQLite store (lib/audit), shared by
// every replica. Each statement commits on its own, so an intent is durable before the backend
// call; the unique index makes "one intent per actor and key" hold across replicas.

const COLUMNS = [
  "id", "time", "actor", "role", "action", "region", "pool", "group_name", "from_desired", "expected_desired",
  "to_desired", "min_from", "min_to", "max_from", "max_to", "reason", "idempotency_key", "request_hash",
  "is_intent", "override", "outcome", "error_code", "error_message", "completed_at",
] as const;
const INSERT = `INSERT INTO audit_log (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`;

interface PgRow extends Omit<Row, "seq" | "time" | "completed_at" | "is_intent" | "override" | "reconciled"> {
  seq: string;
  time: Date;
  completed_at: Date | null;
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

  async recordIntent(intent: NewAuditRecord): Promise<{ record: AuditRecord; created: boolean }> {
    const params = toParams(intent, { isIntent: 1, outcome: "pending" });
    const inserted = await this.pool.query<PgRow>(
      `${INSERT} ON CONFLICT (actor, idempotency_key) WHERE is_intent AND idempotency_key IS NOT NULL DO NOTHING RETURNING *`,
      values(params),
    );
    const row = inserted.rows[0];
    if (row) return { record: fromPg(row), created: true };
    // Another request (on any replica) wrote this actor's key first: return its intent.
    const existing = intent.idempotencyKey ? await this.findIntent(intent.actor, intent.idempotencyKey) : null;
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

  async recordOutcome(id: string, u: OutcomeUpdate): Promise<AuditRecord | null> {
    const { rows } = await this.pool.query<PgRow>(
      `UPDATE audit_log SET outcome = $2, completed_at = $3, error_code = $4, error_message = $5, request_id = $6,
         reconciled = $7, note = $8
       WHERE id = $1 AND outcome = 'pending' RETURNING *`,
      [id, u.outcome, u.completedAt, u.errorCode ?? null, u.errorMessage ?? null, u.requestId ?? null, u.reconciled ?? false, u.note ?? null],
    );
    return rows[0] ? fromPg(rows[0]) : null;
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
          parts.push(sc.pools.length ? `(${sc.pools.map((g) => `pool LIKE ${p(toLike(g))} ESCAPE '\\'`).join(" OR ")})` : "FALSE");
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
    const { rows } = await this.pool.query<PgRow>("SELECT * FROM audit_log WHERE outcome = 'pending' AND time < $1 ORDER BY seq", [time]);
    return rows.map(fromPg);
  }

  async observedAfter(record: AuditRecord): Promise<Observation | null> {
    if (record.group === null) return null;
    const { rows } = await this.pool.query<{ from_desired: number; min_from: number | null; max_from: number | null; time: Date }>(
      `SELECT from_desired, min_from, max_from, time FROM audit_log
       WHERE region = $1 AND group_name = $2 AND seq > $3 AND from_desired IS NOT NULL
       ORDER BY seq LIMIT 1`,
      [record.region, record.group, record.seq],
    );
    const row = rows[0];
    return row ? { desired: row.from_desired, min: row.min_from, max: row.max_from, time: row.time.toISOString() } : null;
  }

  async markersFor(region: string, pool: string, range: TimeRange): Promise<AuditMarker[]> {
    const { rows } = await this.pool.query<PgRow>(
      `SELECT * FROM audit_log WHERE region = $1 AND pool = $2 AND outcome = 'succeeded' AND time >= $3 AND time < $4 ORDER BY seq`,
      [region, pool, new Date(range.start).toISOString(), new Date(range.end).toISOString()],
    );
    return rows.map(fromPg).map(toMarker);
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
