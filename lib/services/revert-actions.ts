import "server-only";
import { z } from "zod";
import { auditStore, type AuditRecord, type NewAuditRecord, type ScheduledRevert } from "@/lib/audit";
import { authorize, type AuthorizedIdentity, type Identity } from "@/lib/auth/roles";
import { findPool, getConfig, regionsOf } from "@/lib/config";
import { fieldErrors } from "@/lib/validation";
import type { ChangeDeps, ChangeTarget } from "./capacity/change-capacity";
import { REVERT_MAX_MINUTES, REVERT_MIN_MINUTES } from "./capacity/change-capacity-schema";
import { assertKnownTarget, refusalRow, refuse } from "./refusals";
import {
  AuditUnavailableError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from "@/lib/errors";
import { revertView, type RevertView } from "./reverts";

// Extending or cancelling a pool's pending revert: anyone allowed to change the pool may. Each is
// a conditional update of the schedule (still scheduled) with its audit row, in one transaction,
// so an extension racing the revert job either moves it in time or finds it already ran (409).

export const extendRevertSchema = z.strictObject({
  revertAfterMinutes: z.number().int().min(REVERT_MIN_MINUTES).max(REVERT_MAX_MINUTES),
});

export interface RevertActionResult {
  /** The revert as it is now: null once cancelled. */
  revert: RevertView | null;
  record: AuditRecord;
}

type Deps = Partial<Pick<ChangeDeps, "store" | "config" | "now">>;

/**
 * Step 1: may this identity change the pool (and so its revert)? A denial of a known identity is
 * audited, like every denied write, then rethrown. Routes call it alone when the body is unreadable.
 */
export async function authorizeRevert(
  identity: Identity | null | undefined,
  target: ChangeTarget,
  deps: Deps = {},
): Promise<AuthorizedIdentity> {
  try {
    return authorize(identity, "capacity:change", target);
  } catch (err) {
    if (identity && err instanceof ForbiddenError) {
      assertKnownTarget(deps.config ?? getConfig(), target);
      const row = refusalRow(
        identity,
        { action: "revert", region: target.region, pool: target.pool },
        (deps.now ?? (() => new Date()))(),
      );
      await refuse(() => deps.store ?? auditStore(), row, "denied", "Forbidden", err);
    }
    throw err;
  }
}

/** POST …/revert: the revert now happens `revertAfterMinutes` from now. */
export async function extendRevert(
  identity: Identity | null | undefined,
  target: ChangeTarget,
  raw: unknown,
  deps: Deps = {},
): Promise<RevertActionResult> {
  const who = await authorizeRevert(identity, target, deps);
  const parsed = extendRevertSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError("Check the highlighted fields.", fieldErrors(parsed.error));
  const now = (deps.now ?? (() => new Date()))();
  const dueAt = new Date(now.getTime() + parsed.data.revertAfterMinutes * 60_000).toISOString();
  const pending = await findPending(target, deps);
  const note = `Revert to ${pending.to} moved from ${pending.dueAt} to ${dueAt}.`;
  const done = await settle(pending, { dueAt }, { ...row(who, pending, now, note), revertAt: dueAt }, deps);
  return { revert: revertView(done.revert), record: done.record! };
}

/** DELETE …/revert: the pool stays where it is. */
export async function cancelRevert(
  identity: Identity | null | undefined,
  target: ChangeTarget,
  deps: Deps = {},
): Promise<RevertActionResult> {
  const who = await authorizeRevert(identity, target, deps);
  const now = (deps.now ?? (() => new Date()))();
  const pending = await findPending(target, deps);
  const note = `Revert to ${pending.to} (due ${pending.dueAt}) cancelled: desired stays at ${pending.from}.`;
  const done = await settle(pending, { state: "cancelled" }, row(who, pending, now, note), deps);
  return { revert: null, record: done.record! };
}

async function findPending(target: ChangeTarget, deps: Deps): Promise<ScheduledRevert> {
  const config = deps.config ?? getConfig();
  if (!regionsOf(config).some((r) => r.region === target.region) || !findPool(config, target.pool)) {
    throw new NotFoundError(`Unknown pool ${target.pool} in ${target.region}.`);
  }
  const pending = await guarded(() => (deps.store ?? auditStore()).pendingRevert(target.region, target.pool));
  if (!pending) throw new NotFoundError(`${target.pool} in ${target.region} has no pending revert.`);
  return pending;
}

async function settle(
  pending: ScheduledRevert,
  change: { dueAt: string } | { state: "cancelled" },
  r: NewAuditRecord & { outcome: "succeeded" },
  deps: Deps,
): Promise<{ revert: ScheduledRevert; record: AuditRecord | null }> {
  const done = await guarded(() => (deps.store ?? auditStore()).settleRevert(pending.id, change, r));
  if (!done)
    throw new ConflictError("The revert already ran or was cancelled meanwhile. Nothing was changed.", {
      revert: null,
    });
  return done;
}

function row(
  who: AuthorizedIdentity,
  s: ScheduledRevert,
  now: Date,
  note: string,
): NewAuditRecord & { outcome: "succeeded" } {
  return {
    time: now.toISOString(),
    actor: who.name,
    role: who.role,
    action: "revert",
    region: s.region,
    pool: s.pool,
    group: s.group,
    from: null,
    expected: s.from,
    to: s.to,
    minFrom: null,
    minTo: null,
    maxFrom: null,
    maxTo: null,
    reason: note,
    idempotencyKey: null,
    requestHash: null,
    override: false,
    revertOf: s.changeId,
    batchId: s.batchId,
    revertAt: null,
    outcome: "succeeded",
  };
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    console.error("capstan: audit store unavailable", err);
    throw new AuditUnavailableError(
      "The audit log cannot be written, so nothing was changed. Try again shortly.",
    );
  }
}
