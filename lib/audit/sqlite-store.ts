import "server-only";
import Database from "better-sqlite3";
import type { TimeRange } from "@/lib/fleet/types";
import { ensurePrivateFile } from "@/lib/store/private-files";
import { migrate } from "./migrations";
import {
  checkAuditFile,
  checkOnDisk,
  checkpointAndClose,
  identify,
  writeHighWater,
  type FileIdentity,
} from "./sqlite-durability";
import { randomUUID } from "node:crypto";
import type { OutboxEntry } from "@/lib/audit/outbox";
import { claimOutbox, finishOutbox, insertOutbox, listOutbox, observeState } from "./sqlite-outbox";
import { INSERT, toMarker, toParams, toRecord, toRevert, type RevertRow, type Row } from "./sqlite-rows";
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
} from "./types";

/** The schedule row of a time-boxed change: back from its `to` to its `from`. */
export function revertParams(rec: AuditRecord, dueAt: string) {
  if (rec.from === null || rec.to === null) throw new Error("a time-boxed change needs its from and to");
  return {
    id: randomUUID(),
    change_id: rec.id,
    region: rec.region,
    pool: rec.pool,
    group_name: rec.group,
    from_desired: rec.to,
    to_desired: rec.from,
    by_actor: rec.actor,
    reason: rec.reason,
    batch_id: rec.batchId,
    due_at: dueAt,
    created_at: rec.time,
  };
}

/** Why a revert never runs: its original change did not succeed. */
export const VOID_OUTCOMES = ["failed", "rejected", "denied", "unknown"] as const;

// The audit log in one SQLite file (WAL) in the data directory. better-sqlite3 is synchronous, so
// each statement is committed when the call returns: an intent is durable before the backend call.

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
  private opened: FileIdentity | null = null;
  private markError: Error | null = null;

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
        this.opened = identify(file);
      }
    } catch (err) {
      this.db.close();
      const message = (err as Error).message;
      throw new Error(
        message.startsWith(file)
          ? message
          : `${file}: the audit log cannot be opened (${message}); restore it from a backup`,
      );
    }
  }

  /** After each new row: the high-water mark start-up compares the log with. */
  private grew(): void {
    this.rows++;
    if (this.file === ":memory:") return;
    // The row is committed: a mark that cannot be written fails the health check, not the caller.
    try {
      writeHighWater(this.file, this.rows);
      this.markError = null;
    } catch (e) {
      this.markError = e as Error;
    }
  }

  /** Throws, naming the file, when the log on disk is no longer the one open (see checkOnDisk). */
  checkOnDisk(): void {
    if (this.opened) checkOnDisk(this.file, this.opened, this.rows, this.markError);
  }

  async recordIntent(
    intent: NewAuditRecord,
    opts: { revertAt?: string } = {},
  ): Promise<{ record: AuditRecord; created: boolean }> {
    const run = this.db.transaction(() => {
      if (intent.idempotencyKey) {
        const existing = this.findIntentSync(intent.actor, intent.idempotencyKey);
        if (existing) return { record: existing, created: false };
      }
      const params = toParams(opts.revertAt ? { ...intent, revertAt: opts.revertAt } : intent, {
        isIntent: 1,
        outcome: "pending",
      });
      this.db.prepare(INSERT).run(params);
      const record = this.getSync(params.id)!;
      // The way back is written with the intent: a crash cannot leave a bump without its revert.
      if (opts.revertAt) {
        const r = { ...revertParams(record, opts.revertAt), updated_at: record.time };
        this.db
          .prepare(
            `INSERT INTO scheduled_changes (id, change_id, region, pool, group_name, from_desired, to_desired, by_actor, reason, batch_id, due_at, created_at, updated_at)
             VALUES (@id, @change_id, @region, @pool, @group_name, @from_desired, @to_desired, @by_actor, @reason, @batch_id, @due_at, @created_at, @updated_at)`,
          )
          .run(r);
      }
      return { record, created: true };
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

  async recordOutcome(
    id: string,
    u: OutcomeUpdate,
    events: readonly OutboxEntry[] = [],
  ): Promise<AuditRecord | null> {
    const run = this.db.transaction(() => {
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
      if (res.changes !== 1) return null;
      // The notification is written with the outcome that causes it, or not at all.
      insertOutbox(this.db, events, u.completedAt);
      return this.getSync(id);
    });
    return run.immediate();
  }

  async countRefusal(key: string, windowStart: number): Promise<number> {
    // One conditional upsert: atomic across processes sharing the file.
    const row = this.db
      .prepare(
        `INSERT INTO refusal_counters (key, window_start, count) VALUES (?, ?, 1)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN refusal_counters.window_start = excluded.window_start THEN refusal_counters.count + 1 ELSE 1 END,
           window_start = excluded.window_start
         RETURNING count`,
      )
      .get(key, windowStart) as { count: number };
    return row.count;
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
          const globs = sc.pools.map(
            (p, j) => ((params[`sp${i}_${j}`] = toGlob(p)), `pool GLOB @sp${i}_${j}`),
          );
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
    const rows = this.db
      .prepare("SELECT * FROM audit_log WHERE outcome = 'pending' AND time < ? ORDER BY seq")
      .all(time) as Row[];
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
      { from_desired: number; min_from: number | null; max_from: number | null; time: string } | undefined;
    return row ? { desired: row.from_desired, min: row.min_from, max: row.max_from, time: row.time } : null;
  }

  async markersFor(region: string, pool: string, range: TimeRange): Promise<AuditMarker[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM audit_log WHERE region = ? AND pool = ? AND outcome = 'succeeded' AND action <> 'revert' AND time >= ? AND time < ?
         ORDER BY seq`,
      )
      .all(region, pool, new Date(range.start).toISOString(), new Date(range.end).toISOString()) as Row[];
    return rows.map(toRecord).map(toMarker);
  }

  async pendingRevert(region: string, pool: string): Promise<ScheduledRevert | null> {
    const row = this.db
      .prepare(
        `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
         WHERE s.region = ? AND s.pool = ? AND s.state = 'scheduled' AND a.outcome IN ('pending', 'succeeded')
         ORDER BY s.due_at LIMIT 1`,
      )
      .get(region, pool) as RevertRow | undefined;
    return row ? toRevert(row) : null;
  }

  async pendingReverts(region: string): Promise<ScheduledRevert[]> {
    const rows = this.db
      .prepare(
        `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
         WHERE s.region = ? AND s.state = 'scheduled' AND a.outcome IN ('pending', 'succeeded') ORDER BY s.due_at`,
      )
      .all(region) as RevertRow[];
    return rows.map(toRevert);
  }

  async getRevert(id: string): Promise<ScheduledRevert | null> {
    const row = this.db.prepare("SELECT * FROM scheduled_changes WHERE id = ?").get(id) as
      RevertRow | undefined;
    return row ? toRevert(row) : null;
  }

  async dueReverts(now: string): Promise<ScheduledRevert[]> {
    const rows = this.db
      .prepare(
        `SELECT s.* FROM scheduled_changes s JOIN audit_log a ON a.id = s.change_id
         WHERE s.state = 'scheduled' AND s.due_at <= ? AND a.outcome = 'succeeded' ORDER BY s.due_at`,
      )
      .all(now) as RevertRow[];
    return rows.map(toRevert);
  }

  async voidReverts(): Promise<number> {
    return this.db
      .prepare(
        `UPDATE scheduled_changes SET state = 'void', updated_at = ?
         WHERE state = 'scheduled' AND change_id IN (SELECT id FROM audit_log WHERE outcome IN (${VOID_OUTCOMES.map((o) => `'${o}'`).join(", ")}))`,
      )
      .run(new Date().toISOString()).changes;
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
    const run = this.db.transaction(() => {
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
          ? this.db
              .prepare(
                "UPDATE scheduled_changes SET due_at = ?, updated_at = ? WHERE id = ? AND state = 'scheduled'",
              )
              .run(change.dueAt, now, id)
          : this.db
              .prepare(
                "UPDATE scheduled_changes SET state = ?, result_id = ?, updated_at = ? WHERE id = ? AND state = 'scheduled'",
              )
              .run(change.state, change.resultId ?? params?.id ?? null, now, id);
      if (res.changes !== 1) return null;
      if (params) {
        this.db.prepare(INSERT).run(params);
        record = this.getSync(params.id);
      }
      insertOutbox(this.db, events, now);
      return {
        revert: toRevert(
          this.db.prepare("SELECT * FROM scheduled_changes WHERE id = ?").get(id) as RevertRow,
        ),
        record,
      };
    });
    const result = run.immediate();
    if (result?.record) this.grew();
    return result;
  }

  async enqueue(events: readonly OutboxEntry[], now: string): Promise<void> {
    this.db.transaction(() => insertOutbox(this.db, events, now)).immediate();
  }

  async claimDeliveries(now: string, leaseUntil: string, limit: number): Promise<Delivery[]> {
    return this.db.transaction(() => claimOutbox(this.db, now, leaseUntil, limit)).immediate();
  }

  async finishDelivery(id: string, claim: string, result: DeliveryResult): Promise<boolean> {
    return finishOutbox(this.db, id, claim, result);
  }

  async deliveries(limit: number): Promise<Delivery[]> {
    return listOutbox(this.db, limit);
  }

  async observe(
    key: string,
    value: string,
    now: string,
    events: (previous: { value: string; since: string } | null) => OutboxEntry[],
  ) {
    return observeState(this.db, key, value, now, events);
  }

  async recordEffect(e: ChangeEffect): Promise<ChangeEffect> {
    this.db
      .prepare(
        `INSERT INTO change_effects (change_id, evaluated_at, verdict, before_json, after_json, summary)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (change_id) DO NOTHING`,
      )
      .run(e.changeId, e.evaluatedAt, e.verdict, json(e.before), json(e.after), e.summary);
    return (await this.effectsFor([e.changeId])).get(e.changeId)!;
  }

  async effectsFor(changeIds: string[]): Promise<Map<string, ChangeEffect>> {
    if (changeIds.length === 0) return new Map();
    const rows = this.db
      .prepare(`SELECT * FROM change_effects WHERE change_id IN (${changeIds.map(() => "?").join(", ")})`)
      .all(...changeIds) as EffectRow[];
    return new Map(rows.map((r) => [r.change_id, toEffect(r)]));
  }

  async awaitingEffect(since: string, limit = 50): Promise<AuditRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT a.* FROM audit_log a LEFT JOIN change_effects e ON e.change_id = a.id
         WHERE a.outcome = 'succeeded' AND a.action IN ('capacity', 'bounds') AND a.to_desired IS NOT NULL
           AND a.time >= ? AND e.change_id IS NULL
         ORDER BY a.seq LIMIT ?`,
      )
      .all(since, limit) as Row[];
    return rows.map(toRecord);
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

export interface EffectRow {
  change_id: string;
  evaluated_at: string | Date;
  verdict: ChangeEffect["verdict"];
  before_json: string | null;
  after_json: string | null;
  summary: string;
}

const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

export function toEffect(r: EffectRow): ChangeEffect {
  return {
    changeId: r.change_id,
    evaluatedAt: r.evaluated_at instanceof Date ? r.evaluated_at.toISOString() : r.evaluated_at,
    verdict: r.verdict,
    before: r.before_json ? (JSON.parse(r.before_json) as ChangeEffect["before"]) : null,
    after: r.after_json ? (JSON.parse(r.after_json) as ChangeEffect["after"]) : null,
    summary: r.summary,
  };
}
