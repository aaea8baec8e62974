import "server-only";
import type { FleetBackend, GroupState } from "@/lib/fleet/types";
import { poolLockKey, type Store } from "@/lib/store";
import { isInFlight } from "./in-flight";
import { auditStore } from "./store";
import type { AuditRecord, AuditStore, Observation } from "./types";

// An intent without an outcome means the process stopped (or the reply was lost) between the
// audit write and the backend's answer. Auto Scaling has no idempotency token and no way to ask
// "did request X happen", so the only evidence is the group's desired capacity afterwards.
//
// The rule, and why:
// - Only intents older than RECONCILE_AFTER_MS and not in flight in this process are considered:
//   a younger one may still get its real reply (backend calls time out well within 30 s).
// - The evidence is the FIRST observation of the group after the intent: the `from` of the next
//   attempt on the same group (every attempt reads the group fresh), else the group's state now.
//   Later observations are weaker: policies, schedules and other operators move desired, and a
//   match found hours later would be a coincidence, not proof.
// - Observed desired (and min/max for bounds changes) equal to what was asked → `succeeded`,
//   flagged `reconciled`, with a note: the state the operator asked for was in place, which is
//   what the log must answer. No request id is invented.
// - Anything else → `unknown`, final, with a note saying what was observed. We do not keep it
//   pending to look again: the evidence only gets weaker, so a later "match" could record a
//   success that never happened. An honest "unknown" is better than a guessed outcome.
// - If the group cannot be read now, the intent stays pending (shown as "outcome unknown") and
//   the next read tries again.

export const RECONCILE_AFTER_MS = 30_000;

/** CAPSTAN_RECONCILE_AFTER_SECONDS shortens the wait in tests; 30 s otherwise. */
export function reconcileAfterMs(env: Record<string, string | undefined> = process.env): number {
  const s = Number(env.CAPSTAN_RECONCILE_AFTER_SECONDS);
  return Number.isFinite(s) && s > 0 ? s * 1000 : RECONCILE_AFTER_MS;
}

export interface ReconcileSummary {
  succeeded: number;
  unknown: number;
  /** Left pending: the group could not be read, or a change to the pool is under way somewhere. */
  skipped: number;
}

export interface ReconcileOptions {
  store?: AuditStore;
  now?: () => Date;
  afterMs?: number;
  timeoutMs?: number;
  /**
   * The store's pool locks. A change holds its pool's lock from the fresh read to the outcome, on
   * whichever replica runs it: a record whose lock is held is in flight, not lost. A replica that
   * died mid-change released its lock with its database connection.
   */
  locks?: Pick<Store, "tryWithLock">;
}

export async function reconcilePending(
  backend: FleetBackend,
  opts: ReconcileOptions = {},
): Promise<ReconcileSummary> {
  const store = opts.store ?? auditStore();
  const now = opts.now ?? (() => new Date());
  const cutoff = new Date(now().getTime() - (opts.afterMs ?? reconcileAfterMs())).toISOString();
  const summary: ReconcileSummary = { succeeded: 0, unknown: 0, skipped: 0 };
  const pending = (await store.pendingBefore(cutoff)).filter((r) => !isInFlight(r.id));
  if (pending.length === 0) return summary;

  // One fresh read per region, only when a record needs the current state.
  const regions = new Map<string, Promise<GroupState[] | null>>();
  const groupsOf = (region: string) => {
    let p = regions.get(region);
    if (!p) {
      p = backend.listGroups(region, AbortSignal.timeout(opts.timeoutMs ?? 5000)).catch(() => null);
      regions.set(region, p);
    }
    return p;
  };

  for (const rec of pending) {
    if (!opts.locks) {
      await settle(rec);
      continue;
    }
    const r = await opts.locks.tryWithLock(poolLockKey(rec.region, rec.pool), () => settle(rec));
    if (!r.ran) summary.skipped++;
  }
  return summary;

  async function settle(rec: AuditRecord): Promise<void> {
    let seen: Observation | null = await store.observedAfter(rec);
    let where = "by a later attempt";
    if (!seen && rec.group !== null) {
      const groups = await groupsOf(rec.region);
      if (groups === null) {
        summary.skipped++;
        return;
      }
      const g = groups.find((x) => x.groupName === rec.group);
      if (g) seen = { desired: g.desired, min: g.min, max: g.max, time: now().toISOString() };
      where = "on reconciliation";
    }
    const completedAt = now().toISOString();
    if (!seen) {
      await store.recordOutcome(rec.id, {
        outcome: "unknown",
        completedAt,
        note: `No outcome was recorded and group ${rec.group ?? "(unknown)"} was not found ${where}.`,
      });
      summary.unknown++;
      return;
    }
    const matches =
      seen.desired === rec.to &&
      (rec.action !== "bounds" ||
        ((rec.minTo === null || seen.min === rec.minTo) && (rec.maxTo === null || seen.max === rec.maxTo)));
    const observed = `desired ${seen.desired}${rec.action === "bounds" ? `, min ${seen.min ?? "?"}, max ${seen.max ?? "?"}` : ""}`;
    if (matches) {
      const updated = await store.recordOutcome(rec.id, {
        outcome: "succeeded",
        completedAt,
        reconciled: true,
        note: `Reconciled: no reply was recorded; the group showed ${observed} (as asked) ${where} at ${seen.time}.`,
      });
      if (updated) summary.succeeded++;
    } else {
      const updated = await store.recordOutcome(rec.id, {
        outcome: "unknown",
        completedAt,
        note: `No reply was recorded and the group showed ${observed}, not desired ${rec.to}, ${where} at ${seen.time}: the change may have failed, or been applied and changed again since.`,
      });
      if (updated) summary.unknown++;
    }
  }
}

/** A pending intent whose reply is overdue and not on its way in this process. */
export function isStalePending(
  record: AuditRecord,
  now: Date = new Date(),
  afterMs = reconcileAfterMs(),
): boolean {
  return (
    record.outcome === "pending" &&
    Date.parse(record.time) < now.getTime() - afterMs &&
    !isInFlight(record.id)
  );
}

export type OutcomeLabel =
  "pending" | "succeeded" | "succeeded (reconciled)" | "failed" | "rejected" | "denied" | "outcome unknown";

/** How an outcome reads on screen and in exports. */
export function displayOutcome(record: AuditRecord, now: Date = new Date()): OutcomeLabel {
  switch (record.outcome) {
    case "pending":
      return isStalePending(record, now) ? "outcome unknown" : "pending";
    case "unknown":
      return "outcome unknown";
    case "succeeded":
      return record.reconciled ? "succeeded (reconciled)" : "succeeded";
    default:
      return record.outcome;
  }
}
