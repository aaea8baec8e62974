import "server-only";
import { randomUUID } from "node:crypto";
import { DEFAULT_LIMIT, MAX_LIMIT, type AuditPage, type AuditRecord, type ChangeEffect } from "./types";

// The pieces of the audit store that do not depend on the dialect: the SQLite store (lib/audit)
// and the PostgreSQL store (lib/store/postgres) both build on them, so the two cannot drift.

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

/** Cursors are the last row's `seq`; opaque to clients. */
export function parseCursor(cursor: string): number {
  if (!/^[1-9]\d{0,15}$/.test(cursor)) throw new RangeError("invalid cursor");
  return Number(cursor);
}

/** The page size asked for, kept within 1..MAX_LIMIT. */
export function pageLimit(limit: number | undefined): number {
  return Math.min(Math.max(Math.trunc(limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
}

/** A page from up to `limit + 1` rows, newest first: the extra row says there is a next page. */
export function toPage(rows: AuditRecord[], limit: number): AuditPage {
  const more = rows.length > limit;
  const records = more ? rows.slice(0, limit) : rows;
  return { records, nextCursor: more ? String(records[records.length - 1]!.seq) : null };
}

export interface EffectRow {
  change_id: string;
  evaluated_at: string | Date;
  verdict: ChangeEffect["verdict"];
  before_json: string | null;
  after_json: string | null;
  summary: string;
}

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
