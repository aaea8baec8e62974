import "server-only";
import { randomUUID } from "node:crypto";
import type { Role } from "@/lib/config/schema";
import type {
  AuditAction,
  AuditMarker,
  AuditOutcome,
  AuditRecord,
  NewAuditRecord,
  RevertState,
  ScheduledRevert,
} from "./types";

// Rows of the SQLite audit_log table and their mapping to AuditRecord (snake_case ↔ camelCase).

export interface Row {
  seq: number;
  id: string;
  time: string;
  actor: string;
  role: string | null;
  action: string;
  region: string;
  pool: string;
  group_name: string | null;
  from_desired: number | null;
  expected_desired: number | null;
  to_desired: number | null;
  min_from: number | null;
  min_to: number | null;
  max_from: number | null;
  max_to: number | null;
  reason: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  is_intent: number;
  override: number;
  outcome: string;
  error_code: string | null;
  error_message: string | null;
  request_id: string | null;
  completed_at: string | null;
  reconciled: number;
  note: string | null;
  revert_of: string | null;
  revert_at: string | null;
  batch_id: string | null;
}

export function toRecord(r: Row): AuditRecord {
  return {
    id: r.id,
    seq: r.seq,
    time: r.time,
    actor: r.actor,
    role: r.role as Role | null,
    action: r.action as AuditAction,
    region: r.region,
    pool: r.pool,
    group: r.group_name,
    from: r.from_desired,
    expected: r.expected_desired,
    to: r.to_desired,
    minFrom: r.min_from,
    minTo: r.min_to,
    maxFrom: r.max_from,
    maxTo: r.max_to,
    reason: r.reason,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    override: r.override === 1,
    outcome: r.outcome as AuditOutcome,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    requestId: r.request_id,
    completedAt: r.completed_at,
    reconciled: r.reconciled === 1,
    note: r.note,
    revertOf: r.revert_of ?? null,
    revertAt: r.revert_at ?? null,
    batchId: r.batch_id ?? null,
  };
}

export function toParams(
  rec: NewAuditRecord,
  extra: {
    isIntent: 0 | 1;
    outcome: AuditOutcome;
    errorCode?: string | null;
    errorMessage?: string | null;
    completedAt?: string | null;
  },
) {
  return {
    id: randomUUID(),
    time: rec.time,
    actor: rec.actor,
    role: rec.role,
    action: rec.action,
    region: rec.region,
    pool: rec.pool,
    group_name: rec.group,
    from_desired: rec.from,
    expected_desired: rec.expected,
    to_desired: rec.to,
    min_from: rec.minFrom,
    min_to: rec.minTo,
    max_from: rec.maxFrom,
    max_to: rec.maxTo,
    reason: rec.reason,
    idempotency_key: rec.idempotencyKey,
    request_hash: rec.requestHash,
    is_intent: extra.isIntent,
    override: rec.override ? 1 : 0,
    outcome: extra.outcome,
    error_code: extra.errorCode ?? null,
    error_message: extra.errorMessage ?? null,
    completed_at: extra.completedAt ?? null,
    note: rec.note ?? null,
    revert_of: rec.revertOf ?? null,
    revert_at: rec.revertAt ?? null,
    batch_id: rec.batchId ?? null,
  };
}

export const INSERT = `INSERT INTO audit_log (
  id, time, actor, role, action, region, pool, group_name, from_desired, expected_desired, to_desired,
  min_from, min_to, max_from, max_to, reason, idempotency_key, request_hash, is_intent, override,
  outcome, error_code, error_message, completed_at, note, revert_of, revert_at, batch_id
) VALUES (
  @id, @time, @actor, @role, @action, @region, @pool, @group_name, @from_desired, @expected_desired, @to_desired,
  @min_from, @min_to, @max_from, @max_to, @reason, @idempotency_key, @request_hash, @is_intent, @override,
  @outcome, @error_code, @error_message, @completed_at, @note, @revert_of, @revert_at, @batch_id
)`;

/** A successful change as a graph marker. */
export function toMarker(r: AuditRecord): AuditMarker {
  return {
    id: r.id,
    at: Date.parse(r.time),
    time: r.time,
    actor: r.actor,
    action: r.action,
    from: r.from,
    to: r.to,
    minFrom: r.minFrom,
    minTo: r.minTo,
    maxFrom: r.maxFrom,
    maxTo: r.maxTo,
    reason: r.reason,
  };
}

/** A scheduled_changes row (both stores use the same column names). */
export interface RevertRow {
  id: string;
  change_id: string;
  region: string;
  pool: string;
  group_name: string | null;
  from_desired: number;
  to_desired: number;
  by_actor: string;
  reason: string | null;
  batch_id: string | null;
  due_at: string | Date;
  state: string;
  result_id: string | null;
  created_at: string | Date;
}

const iso = (v: string | Date) => (v instanceof Date ? v.toISOString() : v);

export function toRevert(r: RevertRow): ScheduledRevert {
  return {
    id: r.id,
    changeId: r.change_id,
    region: r.region,
    pool: r.pool,
    group: r.group_name,
    from: r.from_desired,
    to: r.to_desired,
    by: r.by_actor,
    reason: r.reason,
    batchId: r.batch_id,
    dueAt: iso(r.due_at),
    state: r.state as RevertState,
    resultId: r.result_id,
    createdAt: iso(r.created_at),
  };
}
