import "server-only";
import { toParams, toRecord, type Row } from "@/lib/audit/sqlite-rows";
import type { AuditRecord } from "@/lib/audit/types";

// Rows of the PostgreSQL audit_log table: the SQLite row mapping (lib/audit/sqlite-rows) with
// PostgreSQL's types (bigint seq as text, timestamptz as Date, real booleans) converted first.

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

export const INSERT = `INSERT INTO audit_log (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`;

export interface PgRow extends Omit<
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

export function fromPg(r: PgRow): AuditRecord {
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

/** The parameters of INSERT, in column order, with the flags as booleans. */
export function values(params: ReturnType<typeof toParams>): unknown[] {
  return COLUMNS.map((c) => {
    const v = params[c];
    return c === "is_intent" || c === "override" ? v === 1 : v;
  });
}
