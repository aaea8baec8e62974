import Database from "better-sqlite3";
import type { TimeRange } from "@/lib/fleet/types";
import { ensurePrivateFile } from "@/lib/store/private-files";
import { migrate } from "./migrations";
import { checkAuditFile, checkpointAndClose, writeHighWater } from "./sqlite-durability";
import { INSERT, toMarker, toParams, toRecord, type Row } from "./sqlite-rows";
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
} from "./types";

// The audit log in one SQLite file (WAL) in the data directory. better-sqlite3 is synchronous, so
// each statement is committed when the call returns: an intent is durable before the backend call.

/** One statement in both dialects: count within the current minute, or start a new one at 1. */
export const COUNT_REFUSAL = `INSERT INTO refusal_counters (key, window_start, count) VALUES (?, ?, 1)
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN refusal_counters.window_start = excluded.window_start THEN refusal_counters.count + 1 ELSE 1 END,
    window_start = excluded.window_start
  RETURNING count`;

/** Cursors are the last row's `seq`; opaque to clients. */
export function parseCursor(cursor: string): number {
  if (!/^[1-9]\d{0,15}$/.test(cursor)) throw new RangeError("invalid cursor");
  return Number(cursor);
}

/** Scope globs (`worker-*`) as SQLite GLOB patterns, escaping GLOB's other metacharacters. */
function toGlob(pattern: string): string {
  return pattern.replace(/[[?]/g, (c) => `[${c}]`);
}

export class SqliteAuditStore implements AuditStore {
  readonly db: Database.Database;
  /** Rows known to be in the log; mirrored in the high-water mark beside the file. */
  private rows = 0;

  constructor(readonly file: string) {
    if (file !== ":memory:") ensurePrivateFile(file, [`${file}-wal`, `${file}-shm`]); // 0600 before SQLite opens it (its -wal/-shm follow)
    this.db = new Database(file);
    try {
      this.db.pragma("journal_mode = WAL");
      // FULL: a committed intent survives a power loss, not only a process crash.
      this.db.pragma("synchronous = FULL");
      this.db.pragma("busy_timeout = 5000");
      migrate(this.db);
      if (file !== ":memory:") {
        this.rows = checkAuditFile(this.db, file);
        writeHighWater(file, this.rows);
      }
    } catch (err) {
      this.db.close();
      const message = (err as Error).message;
      throw new Error(message.startsWith(file) ? message : `${file}: the audit log cannot be opened (${message}); restore it from a backup`);
    }
  }

  /** After each new row: the high-water mark start-up compares the log with. */
  private grew(): void {
    this.rows++;
    if (this.file !== ":memory:") writeHighWater(this.file, this.rows);
  }

  async recordIntent(intent: NewAuditRecord): Promise<{ record: AuditRecord; created: boolean }> {
    const run = this.db.transaction(() => {
      if (intent.idempotencyKey) {
        const existing = this.findIntentSync(intent.actor, intent.idempotencyKey);
        if (existing) return { record: existing, created: false };
      }
      const params = toParams(intent, { isIntent: 1, outcome: "pending" });
      this.db.prepare(INSERT).run(params);
      return { record: this.getSync(params.id)!, created: true };
    });
    const result = run.immediate();
    if (result.created) this.grew();
    return result;
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
    this.db.prepare(INSERT).run(params);
    this.grew();
    return this.getSync(params.id)!;
  }

  async countRefusal(key: string, windowStart: number): Promise<number> {
    return this.db.prepare(COUNT_REFUSAL).pluck().get(key, windowStart) as number;
  }

  async recordOutcome(id: string, u: OutcomeUpdate): Promise<AuditRecord | null> {
    const res = this.db
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
    return res.changes === 1 ? this.getSync(id) : null;
  }

  async get(id: string): Promise<AuditRecord | null> {
    return this.getSync(id);
  }

  async findIntent(actor: string, idempotencyKey: string): Promise<AuditRecord | null> {
    return this.findIntentSync(actor, idempotencyKey);
  }

  async query(q: AuditQuery): Promise<AuditPage> {
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: limit + 1 };
    if (q.region !== undefined) {
      where.push("region = @region");
      params.region = q.region;
    }
    if (q.pool !== undefined) {
      where.push("pool = @pool");
      params.pool = q.pool;
    }
    if (q.actor !== undefined) {
      where.push("actor = @actor");
      params.actor = q.actor;
    }
    if (q.outcome !== undefined) {
      if (q.outcome === "unknown" && q.staleBefore) {
        where.push("(outcome = 'unknown' OR (outcome = 'pending' AND time < @staleBefore))");
        params.staleBefore = q.staleBefore;
      } else if (q.outcome === "pending" && q.staleBefore) {
        where.push("outcome = 'pending' AND time >= @staleBefore");
        params.staleBefore = q.staleBefore;
      } else {
        where.push("outcome = @outcome");
        params.outcome = q.outcome;
      }
    }
    if (q.scopes) {
      const any = q.scopes.map((sc, i) => {
        const parts: string[] = [];
        if (sc.regions) {
          const names = sc.regions.map((r, j) => ((params[`sr${i}_${j}`] = r), `@sr${i}_${j}`));
          parts.push(names.length ? `region IN (${names.join(", ")})` : "0");
        }
        if (sc.pools) {
          const globs = sc.pools.map((p, j) => ((params[`sp${i}_${j}`] = toGlob(p)), `pool GLOB @sp${i}_${j}`));
          parts.push(globs.length ? `(${globs.join(" OR ")})` : "0");
        }
        return parts.length ? `(${parts.join(" AND ")})` : "1";
      });
      where.push(any.length ? `(${any.join(" OR ")})` : "0");
    }
    if (q.cursor !== undefined) {
      where.push("seq < @cursor");
      params.cursor = parseCursor(q.cursor);
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT @limit`;
    const rows = (this.db.prepare(sql).all(params) as Row[]).map(toRecord);
    const more = rows.length > limit;
    const records = more ? rows.slice(0, limit) : rows;
    return { records, nextCursor: more ? String(records[records.length - 1]!.seq) : null };
  }

  async pendingBefore(time: string): Promise<AuditRecord[]> {
    const rows = this.db.prepare("SELECT * FROM audit_log WHERE outcome = 'pending' AND time < ? ORDER BY seq").all(time) as Row[];
    return rows.map(toRecord);
  }

  async observedAfter(record: AuditRecord): Promise<Observation | null> {
    if (record.group === null) return null;
    const row = this.db
      .prepare(
        `SELECT from_desired, min_from, max_from, time FROM audit_log
         WHERE region = ? AND group_name = ? AND seq > ? AND from_desired IS NOT NULL
         ORDER BY seq LIMIT 1`,
      )
      .get(record.region, record.group, record.seq) as
      | { from_desired: number; min_from: number | null; max_from: number | null; time: string }
      | undefined;
    return row ? { desired: row.from_desired, min: row.min_from, max: row.max_from, time: row.time } : null;
  }

  async markersFor(region: string, pool: string, range: TimeRange): Promise<AuditMarker[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM audit_log WHERE region = ? AND pool = ? AND outcome = 'succeeded' AND time >= ? AND time < ?
         ORDER BY seq`,
      )
      .all(region, pool, new Date(range.start).toISOString(), new Date(range.end).toISOString()) as Row[];
    return rows.map(toRecord).map(toMarker);
  }

  close(): void {
    checkpointAndClose(this.db, this.file);
  }

  private getSync(id: string): AuditRecord | null {
    const row = this.db.prepare("SELECT * FROM audit_log WHERE id = ?").get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  private findIntentSync(actor: string, key: string): AuditRecord | null {
    const row = this.db
      .prepare("SELECT * FROM audit_log WHERE actor = ? AND idempotency_key = ? AND is_intent = 1")
      .get(actor, key) as Row | undefined;
    return row ? toRecord(row) : null;
  }
}
