import "server-only";
import type { Pool } from "pg";
import { toEffect, type EffectRow } from "@/lib/audit/store-shared";
import type { AuditRecord, ChangeEffect } from "@/lib/audit/types";
import { fromPg, type PgRow } from "./audit-rows";

// Change effects in PostgreSQL: what a succeeded change did to its pool, written once per change.

export async function recordEffect(pool: Pool, e: ChangeEffect): Promise<ChangeEffect> {
  await pool.query(
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
  return (await effectsFor(pool, [e.changeId])).get(e.changeId)!;
}

export async function effectsFor(pool: Pool, changeIds: string[]): Promise<Map<string, ChangeEffect>> {
  if (changeIds.length === 0) return new Map();
  const { rows } = await pool.query<EffectRow>(
    "SELECT * FROM change_effects WHERE change_id = ANY($1::text[])",
    [changeIds],
  );
  return new Map(rows.map((r) => [r.change_id, toEffect(r)]));
}

/** Succeeded capacity and bounds changes since `since` whose effect is not yet written. */
export async function awaitingEffect(pool: Pool, since: string, limit: number): Promise<AuditRecord[]> {
  const { rows } = await pool.query<PgRow>(
    `SELECT a.* FROM audit_log a LEFT JOIN change_effects e ON e.change_id = a.id
     WHERE a.outcome = 'succeeded' AND a.action IN ('capacity', 'bounds') AND a.to_desired IS NOT NULL
       AND a.time >= $1 AND e.change_id IS NULL
     ORDER BY a.seq LIMIT $2`,
    [since, limit],
  );
  return rows.map(fromPg);
}
