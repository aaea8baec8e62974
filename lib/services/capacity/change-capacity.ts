import "server-only";
import { auditStore, type AuditRecord, type AuditStore, type NewAuditRecord } from "@/lib/audit";
import { can, type Identity } from "@/lib/auth/roles";
import { getBackend } from "@/lib/backends";
import { sharedCache } from "@/lib/cache/shared-cache";
import { findPool, getConfig, regionsOf, type FleetConfig, type PoolConfig } from "@/lib/config";
import type { FleetBackend, GroupState, Instance } from "@/lib/fleet/types";
import { kickDeliveries } from "@/lib/notify/jobs";
import { getStore } from "@/lib/store";
import { fieldErrors } from "@/lib/validation";
import { baseRecord, withObserved, type ChangeTarget } from "./change-audit";
import { authorizeChange } from "./change-authorize";
import { refuse } from "../refusals";
import { changeCapacitySchema } from "./change-capacity-schema";
import { boundsErrors, guardrailFields, guardrailViolations } from "@/lib/shared/capacity-rules";
import {
  AuditUnavailableError,
  ConflictError,
  ForbiddenError,
  GuardrailError,
  IdempotencyMismatchError,
  NotFoundError,
  OutcomePendingError,
  UpstreamError,
  ValidationError,
} from "@/lib/errors";
import { asBackendError, callBackend, writeTimeout } from "./change-call";
import { withGroupLock, type Locks } from "../group-lock";
import { countInstances } from "../pool-status";
import { withRegionTimeout } from "../region-reads";

export type { ChangeTarget } from "./change-audit";
export { authorizeChange } from "./change-authorize";

/** A pool's state right after a change (read fresh from the backend). */
export interface PoolState {
  region: string;
  pool: string;
  group: string;
  desired: number;
  min: number;
  max: number;
  inService: number;
  pending: number;
  terminating: number;
  unhealthy: number;
  instances: Instance[];
  hasScalingPolicies: boolean;
  hasScheduledActions: boolean;
  /** ISO-8601 UTC */
  readAt: string;
}

export interface ChangeResult {
  record: AuditRecord;
  /** null when the group could not be read back after the write; the page's polling catches up. */
  pool: PoolState | null;
  /** True when this was a repeated idempotency key: the first attempt's record, nothing written. */
  replayed: boolean;
}

export interface ChangeDeps {
  backend: FleetBackend;
  store: AuditStore;
  config: FleetConfig;
  cache: { invalidate(prefix: string): void | Promise<void> };
  /** One change per pool at a time: the store's lock (across replicas with PostgreSQL). */
  locks: Locks;
  now: () => Date;
  /**
   * Set by Capstan itself, never from a request body: the change this one reverts (a scheduled
   * revert) and the batch it belongs to (a standby plan). Written on every row of the attempt.
   */
  internal: { revertOf?: string; batchId?: string };
  /** Nudges the notification delivery job after an event is written (tests pass their own). */
  kick: () => void;
  /** The client's address (signed-out refusals are rate-limited per address). */
  clientAddress?: string;
}

/**
 * The one way desired capacity (and, for admins, min/max) changes, for the UI, the JSON API and
 * every backend. Order: authorize → parse → idempotency → fresh read → bounds, conflict,
 * guardrails → audit intent → backend call → audit outcome → result. Every refusal is audited.
 */
export async function changeCapacity(
  identity: Identity | null | undefined,
  target: ChangeTarget,
  raw: unknown,
  deps: Partial<ChangeDeps> = {},
): Promise<ChangeResult> {
  const config = deps.config ?? getConfig();
  const now = deps.now ?? (() => new Date());
  const store = () => deps.store ?? auditStore();

  // 1. Authorize, first. A denial is audited, then rethrown.
  const who = await authorizeChange(identity, target, raw, deps);

  // 2. Parse with the shared schema; then the target must exist.
  const parsed = changeCapacitySchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError("Check the highlighted fields.", fieldErrors(parsed.error));
  const input = parsed.data;
  if (!regionsOf(config).some((r) => r.region === target.region))
    throw new NotFoundError(`Unknown region ${target.region}.`);
  const pool = findPool(config, target.pool);
  if (!pool)
    throw new NotFoundError(
      `Unknown pool ${target.pool}: only pools in the fleet configuration can be changed.`,
    );
  let rec: NewAuditRecord = {
    ...baseRecord(who, target, input, pool.groups?.[target.region] ?? null, now()),
    revertOf: deps.internal?.revertOf ?? null,
    batchId: deps.internal?.batchId ?? null,
  };
  if (input.revertAfterMinutes !== undefined && (input.min !== undefined || input.max !== undefined)) {
    throw new ValidationError("A time-boxed change sets desired only.", {
      revertAfterMinutes: "a time-boxed change sets desired only, not min or max",
    });
  }

  // Admin-only fields are refused outright for other roles (audited as denied).
  const adminOnly: Record<string, string> = {};
  if (input.min !== undefined) adminOnly.min = "only an admin may change min";
  if (input.max !== undefined) adminOnly.max = "only an admin may change max";
  if (input.min !== undefined || input.max !== undefined) {
    if (!can(who, "bounds:change", target))
      await refuse(
        store,
        rec,
        "denied",
        "Forbidden",
        new ForbiddenError(`Role ${who.role} may not change min or max.`, adminOnly),
      );
  }
  if (input.override && !can(who, "guardrail:override", target)) {
    await refuse(
      store,
      rec,
      "denied",
      "Forbidden",
      new ForbiddenError(`Role ${who.role} may not override guardrails.`, {
        "override.confirm": "only an admin may override guardrails",
      }),
    );
  }

  // From the key's lookup to the backend's reply, no other change to this pool may interleave.
  return withGroupLock(deps.locks ?? getStore(), target.region, pool.id, async () => {
    // 3. Idempotency, looked up once, under the pool's lock: a first attempt with this key has
    // settled by now (it held the lock until its reply), so its outcome is replayed; one still
    // pending lost its process mid-call and answers 409 outcome_pending (see replay).
    const first = await audited(() => store().findIntent(who.name, input.idempotencyKey));
    if (first) return replay(first);

    // Current state, fresh from the backend: guardrails are never checked against a cache.
    const backend = deps.backend ?? getBackend();
    let claimants: GroupState[];
    try {
      const groups = await withRegionTimeout(target.region, config.refresh.timeoutMs, (signal) =>
        backend.listGroups(target.region, signal),
      );
      claimants = groups.filter((g) => g.poolId === pool.id);
    } catch (err) {
      const e = asBackendError(err);
      const message = `Could not read ${pool.id} in ${target.region}, so its guardrails cannot be checked and nothing was changed: ${e.message}`;
      return refuse(store, rec, "rejected", e.code, new UpstreamError(e.code, message, e.requestId));
    }
    if (claimants.length > 1) {
      // Blue/green pairs carrying the same tag: resizing "the first one" could resize the one
      // being drained. Refuse until the configuration says which group is the pool.
      const message = `${claimants.length} groups claim ${pool.id} in ${target.region} (${claimants.map((g) => g.groupName).join(", ")}): pin one in pools[].groups before changing it. Nothing was changed.`;
      return refuse(store, rec, "rejected", "AmbiguousPool", new ValidationError(message, { _: message }));
    }
    const group = claimants[0];
    if (!group) throw new NotFoundError(`Pool ${pool.id} has no Auto Scaling group in ${target.region}.`);
    rec = withObserved(rec, group);

    // Business rules: bounds, then the value the operator saw, then guardrails.
    const outOfBounds = boundsErrors(group, input);
    if (Object.keys(outOfBounds).length > 0) {
      const message = `Out of range: ${Object.entries(outOfBounds)
        .map(([f, m]) => `${f} ${m}`)
        .join("; ")}.`;
      return refuse(store, rec, "rejected", "OutOfBounds", new ValidationError(message, outOfBounds));
    }
    if (input.expectedDesired !== group.desired) {
      const message = `Conflict: desired is now ${group.desired}, not ${input.expectedDesired} (it changed since the page was loaded). Nothing was changed; review and try again.`;
      const current = {
        desired: group.desired,
        min: group.min,
        max: group.max,
        inService: countInstances(group).inService,
      };
      return refuse(store, rec, "rejected", "Conflict", new ConflictError(message, current));
    }
    const violations = guardrailViolations(group, pool, input);
    if (violations.length > 0) {
      const fields = guardrailFields(violations);
      const what = violations.map((v) => v.message).join("; ");
      if (!can(who, "guardrail:override", target)) {
        const message = `Beyond the guardrails (${what}). Only an admin can override them.`;
        return refuse(store, rec, "denied", "Guardrail", new GuardrailError(message, fields, 403));
      }
      if (input.override?.confirm !== pool.id) {
        const message = `Beyond the guardrails (${what}). To override, type the pool id "${pool.id}" as confirmation.`;
        const confirm = { ...fields, "override.confirm": `type ${pool.id} to override the guardrails` };
        return refuse(store, rec, "rejected", "Guardrail", new GuardrailError(message, confirm, 400));
      }
      rec = { ...rec, override: true };
    }

    // 4. Intent before the call: no intent, no call.
    if (input.revertAfterMinutes !== undefined && input.desired === group.desired) {
      const message = `Desired is already ${group.desired}: there is nothing to go back from.`;
      return refuse(
        store,
        rec,
        "rejected",
        "NothingToRevert",
        new ValidationError(message, { revertAfterMinutes: message }),
      );
    }
    // A time-boxed change: its way back is written with the intent, due revertAfterMinutes later.
    const revertAt =
      input.revertAfterMinutes !== undefined
        ? new Date(now().getTime() + input.revertAfterMinutes * 60_000).toISOString()
        : undefined;
    const intent = await audited(() => store().recordIntent(rec, revertAt ? { revertAt } : {}));
    if (!intent.created) return replay(intent.record); // a concurrent double submit got here first
    const record = await callBackend(
      backend,
      store(),
      intent.record,
      group,
      input,
      deps.cache ?? sharedCache(),
      now,
      writeTimeout(config),
      {
        targets: config.notify ?? [],
        kick: deps.kick ?? kickDeliveries,
      },
    );

    // 5. The result, with the group as it is now.
    return { record, pool: await readBack(backend, config, target, pool, now), replayed: false };
  });

  async function replay(first: AuditRecord): Promise<ChangeResult> {
    if (first.requestHash !== rec.requestHash) {
      throw new IdempotencyMismatchError(
        `Idempotency key ${input.idempotencyKey} was already used for a different request (${first.pool} in ${first.region}, desired ${first.to}). Use a new key for a new change.`,
      );
    }
    if (first.outcome === "pending" || first.outcome === "unknown") {
      throw new OutcomePendingError(
        `The first attempt's outcome is not known yet (audit ${first.id}: ${first.outcome}). Nothing was sent again. Watch the pool and check the audit log; retrying with the same key answers once the outcome is settled.`,
        first.id,
        first.outcome,
      );
    }
    if (first.outcome === "failed") {
      throw new UpstreamError(
        first.errorCode ?? "Unknown",
        first.errorMessage ?? "The change failed.",
        first.requestId ?? undefined,
        {
          auditId: first.id,
          outcome: first.outcome,
          replayed: true,
        },
      );
    }
    return {
      record: first,
      pool: await readBack(deps.backend ?? getBackend(), config, target, pool!, now),
      replayed: true,
    };
  }
}

async function audited<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    console.error("capstan: audit store unavailable", err);
    throw new AuditUnavailableError(
      "The audit log cannot be written, so nothing was changed. Try again shortly.",
    );
  }
}

export function toPoolState(group: GroupState, at: Date): PoolState {
  return {
    region: group.region,
    pool: group.poolId,
    group: group.groupName,
    desired: group.desired,
    min: group.min,
    max: group.max,
    ...countInstances(group),
    instances: group.instances,
    hasScalingPolicies: group.hasScalingPolicies,
    hasScheduledActions: group.hasScheduledActions,
    readAt: at.toISOString(),
  };
}

async function readBack(
  backend: FleetBackend,
  config: FleetConfig,
  target: ChangeTarget,
  pool: PoolConfig,
  now: () => Date,
): Promise<PoolState | null> {
  try {
    const groups = await withRegionTimeout(target.region, config.refresh.timeoutMs, (signal) =>
      backend.listGroups(target.region, signal),
    );
    const g = groups.find((x) => x.poolId === pool.id);
    return g ? toPoolState(g, now()) : null;
  } catch {
    return null;
  }
}
