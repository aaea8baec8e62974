import "server-only";
import type Database from "better-sqlite3";
import { toRecord, type Row } from "./sqlite-rows";
import { toEffect, type EffectRow } from "./store-shared";
import type { AuditRecord, ChangeEffect } from "./types";

// Change effects in SQLite: what a succeeded change did to its pool, written once per change.

const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

export function recordEffect(db: Database.Database, e: ChangeEffect): ChangeEffect {
  db.prepare(
    `INSERT INTO change_effects (change_id, evaluated_at, verdict, before_json, after_json, summary)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (change_id) DO NOTHING`,
  ).run(e.changeId, e.evaluatedAt, e.verdict, json(e.before), json(e.after), e.summary);
  return effectsFor(db, [e.changeId]).get(e.changeId)!;
}

export function effectsFor(db: Database.Database, changeIds: string[]): Map<string, ChangeEffect> {
  if (changeIds.length === 0) return new Map();
  const rows = db
    .prepare(`SELECT * FROM change_effects WHERE change_id IN (${changeIds.map(() => "?").join(", ")})`)
    .all(...changeIds) as EffectRow[];
  return new Map(rows.map((r) => [r.change_id, toEffect(r)]));
}

/** Succeeded capacity and bounds changes since `since` whose effect is not yet written. */
export function awaitingEffect(db: Database.Database, since: string, limit: number): AuditRecord[] {
  const rows = db
    .prepare(
      `SELECT a.* FROM audit_log a LEFT JOIN change_effects e ON e.change_id = a.id
       WHERE a.outcome = 'succeeded' AND a.action IN ('capacity', 'bounds') AND a.to_desired IS NOT NULL
         AND a.time >= ? AND e.change_id IS NULL
       ORDER BY a.seq LIMIT ?`,
    )
    .all(since, limit) as Row[];
  return rows.map(toRecord);
}
