import "server-only";
import type Database from "better-sqlite3";
import type { TimeRange } from "@/lib/fleet/types";
import { toMarker, toRecord, type Row } from "./sqlite-rows";
import { pageLimit, parseCursor, toPage } from "./store-shared";
import type { AuditMarker, AuditPage, AuditQuery, AuditRecord, Observation } from "./types";

// Reading the SQLite audit_log: one record, a filtered page, and the look-ups reconciliation,
// the graphs' markers and the effect check make.

export function getRecord(db: Database.Database, id: string): AuditRecord | null {
  const row = db.prepare("SELECT * FROM audit_log WHERE id = ?").get(id) as Row | undefined;
  return row ? toRecord(row) : null;
}

export function findIntentRecord(db: Database.Database, actor: string, key: string): AuditRecord | null {
  const row = db
    .prepare("SELECT * FROM audit_log WHERE actor = ? AND idempotency_key = ? AND is_intent = 1")
    .get(actor, key) as Row | undefined;
  return row ? toRecord(row) : null;
}

/** Scope globs (`worker-*`) as SQLite GLOB patterns, escaping GLOB's other metacharacters. */
function toGlob(pattern: string): string {
  return pattern.replace(/[[?]/g, (c) => `[${c}]`);
}

export function queryPage(db: Database.Database, q: AuditQuery): AuditPage {
  const limit = pageLimit(q.limit);
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
  return toPage((db.prepare(sql).all(params) as Row[]).map(toRecord), limit);
}

export function pendingBefore(db: Database.Database, time: string): AuditRecord[] {
  const rows = db
    .prepare("SELECT * FROM audit_log WHERE outcome = 'pending' AND time < ? ORDER BY seq")
    .all(time) as Row[];
  return rows.map(toRecord);
}

export function observedAfter(db: Database.Database, record: AuditRecord): Observation | null {
  if (record.group === null) return null;
  const row = db
    .prepare(
      `SELECT from_desired, min_from, max_from, time FROM audit_log
       WHERE region = ? AND group_name = ? AND seq > ? AND from_desired IS NOT NULL
       ORDER BY seq LIMIT 1`,
    )
    .get(record.region, record.group, record.seq) as
    { from_desired: number; min_from: number | null; max_from: number | null; time: string } | undefined;
  return row ? { desired: row.from_desired, min: row.min_from, max: row.max_from, time: row.time } : null;
}

export function markersFor(
  db: Database.Database,
  region: string,
  pool: string,
  range: TimeRange,
): AuditMarker[] {
  const rows = db
    .prepare(
      `SELECT * FROM audit_log WHERE region = ? AND pool = ? AND outcome = 'succeeded' AND action <> 'revert' AND time >= ? AND time < ?
       ORDER BY seq`,
    )
    .all(region, pool, new Date(range.start).toISOString(), new Date(range.end).toISOString()) as Row[];
  return rows.map(toRecord).map(toMarker);
}
