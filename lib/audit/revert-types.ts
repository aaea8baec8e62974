import "server-only";
import type { NewAuditRecord } from "./record-types";

// Scheduled reverts in Capstan's words: the way back of a time-boxed change, and how one is settled.

/**
 * A time-boxed change's way back, kept in the store beside the audit log. `scheduled` until it
 * runs (`done`), is skipped because the pool changed in between, is cancelled, or is void because
 * the original change did not succeed. It becomes due only once its original change succeeded.
 */
export type RevertState = "scheduled" | "done" | "skipped" | "cancelled" | "void" | "failed";

export interface ScheduledRevert {
  id: string;
  /** The audit id of the time-boxed change. */
  changeId: string;
  region: string;
  pool: string;
  group: string | null;
  /** The bumped value the revert expects to find. */
  from: number;
  /** The value it goes back to. */
  to: number;
  /** Who made the original change (the revert runs on their behalf). */
  by: string;
  reason: string | null;
  batchId: string | null;
  /** ISO-8601 UTC */
  dueAt: string;
  state: RevertState;
  /** The audit row that ended it (the revert's own change, the skip, the cancel). */
  resultId: string | null;
  createdAt: string;
}

/** How settleRevert changes a scheduled revert: end it (its audit row's id), or move its due time. */
export type RevertChange =
  { state: Exclude<RevertState, "scheduled">; resultId?: string | null } | { dueAt: string };

/** The audit row written with a settled revert (the revert's own change, or its skip). */
export type RevertRecord = NewAuditRecord & {
  outcome: "succeeded" | "rejected";
  errorCode?: string | null;
  errorMessage?: string | null;
};
