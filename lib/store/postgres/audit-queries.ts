import "server-only";
import type { Pool } from "pg";
import { toMarker } from "@/lib/audit/sqlite-rows";
import { pageLimit, parseCursor, toPage } from "@/lib/audit/store-shared";
import type { AuditMarker, AuditPage, AuditQuery, AuditRecord, Observation } from "@/lib/audit/types";
import type { TimeRange } from "@/lib/fleet/types";
import { fromPg, type PgRow } from "./audit-rows";

// Reading the PostgreSQL audit_log: one record, a filtered page, and the look-ups reconciliation
// and the graphs' markers make.

export async function getRecord(pool: Pool, id: string): Promise<AuditRecord | null> {
  const { rows } = await pool.query<PgRow>("SELECT * FROM audit_log WHERE id = $1", [id]);
  return rows[0] ? fromPg(rows[0]) : null;
}

export async function findIntentRecord(
  pool: Pool,
  actor: string,
  idempotencyKey: string,
): Promise<AuditRecord | null> {
  const { rows } = await pool.query<PgRow>(
    "SELECT * FROM audit_log WHERE actor = $1 AND idempotency_key = $2 AND is_intent",
    [actor, idempotencyKey],
  );
  return rows[0] ? fromPg(rows[0]) : null;
}

/** A scope glob (`worker-*`) as a LIKE pattern: `*` is the only wildcard, as in the SQLite store. */
function toLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
}

export async function queryPage(pool: Pool, q: AuditQuery): Promise<AuditPage> {
  const limit = pageLimit(q.limit);
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
  return toPage((await pool.query<PgRow>(sql, params)).rows.map(fromPg), limit);
}

export async function pendingBefore(pool: Pool, time: string): Promise<AuditRecord[]> {
  const { rows } = await pool.query<PgRow>(
    "SELECT * FROM audit_log WHERE outcome = 'pending' AND time < $1 ORDER BY seq",
    [time],
  );
  return rows.map(fromPg);
}

export async function observedAfter(pool: Pool, record: AuditRecord): Promise<Observation | null> {
  if (record.group === null) return null;
  const { rows } = await pool.query<{
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

export async function markersFor(
  pool: Pool,
  region: string,
  poolName: string,
  range: TimeRange,
): Promise<AuditMarker[]> {
  const { rows } = await pool.query<PgRow>(
    `SELECT * FROM audit_log WHERE region = $1 AND pool = $2 AND outcome = 'succeeded' AND action <> 'revert' AND time >= $3 AND time < $4 ORDER BY seq`,
    [region, poolName, new Date(range.start).toISOString(), new Date(range.end).toISOString()],
  );
  return rows.map(fromPg).map(toMarker);
}
