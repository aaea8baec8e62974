import "server-only";
import { trackInFlight, type AuditRecord, type AuditStore, type OutcomeUpdate } from "@/lib/audit";
import type { FleetConfig } from "@/lib/config";
import { BackendError, type FleetBackend, type GroupState } from "@/lib/fleet/types";
import type { NotifyTarget } from "@/lib/config/schema";
import { capacityEvent, route, type OutboxEntry } from "@/lib/notify/events";
import type { ChangeCapacityInput } from "./change-capacity-schema";
import { UpstreamError } from "@/lib/errors";
import { withRegionTimeout } from "../region-reads";

// The middle of a change: the backend call between the audit intent and its outcome. A reply
// (success or AWS's refusal) is the outcome; no reply leaves the intent for reconciliation.

/** Where the outcome is told: the configured targets, and a nudge to the delivery job. */
export interface Notify {
  targets: readonly NotifyTarget[];
  kick: () => void;
}

/** The backend call between intent and outcome. Its reply is the outcome. */
export async function callBackend(
  backend: FleetBackend,
  store: AuditStore,
  intent: AuditRecord,
  group: GroupState,
  input: ChangeCapacityInput,
  cache: { invalidate(prefix: string): void | Promise<void> },
  now: () => Date,
  timeoutMs: number,
  notify: Notify = { targets: [], kick: () => {} },
): Promise<AuditRecord> {
  const done = trackInFlight(intent.id);
  // capacity.changed (capacity.reverted for Capstan's reverts) with the outcome, written with it.
  // A change of a batch (a standby plan) is told once, for the whole batch, by its caller.
  const events = (u: OutcomeUpdate): OutboxEntry[] =>
    notify.targets.length === 0 ||
    (intent.batchId && !intent.revertOf) ||
    u.outcome === "rejected" ||
    u.outcome === "denied"
      ? []
      : route(notify.targets, capacityEvent({ ...intent, ...u, outcome: u.outcome }));
  const settle = async (
    store: AuditStore,
    intent: AuditRecord,
    update: OutcomeUpdate,
  ): Promise<AuditRecord> => {
    const ev = events(update);
    const r = await settleOutcome(store, intent, update, ev);
    if (ev.length > 0) notify.kick();
    return r;
  };
  const call = (async () =>
    intent.action === "bounds"
      ? backend.updateGroupBounds(group.region, group.groupName, {
          min: input.min,
          max: input.max,
          desired: input.desired,
        })
      : backend.setDesiredCapacity(group.region, group.groupName, input.desired))();
  // In flight until the SDK call itself settles, not until our timeout: a late reply must still
  // find its intent pending, and reconciliation must not guess while the call may yet answer.
  call.finally(done).catch(() => {});
  try {
    const reply = await withRegionTimeout(group.region, timeoutMs, () => call);
    return await settle(store, intent, {
      outcome: "succeeded",
      completedAt: now().toISOString(),
      requestId: reply.requestId ?? null,
    });
  } catch (err) {
    // Without a definite answer (BackendError.answered, set where the error was made) AWS may
    // still have acted on the request, so the outcome is unknown rather than failed.
    if (err instanceof BackendError && err.answered) {
      await settle(store, intent, {
        outcome: "failed",
        completedAt: now().toISOString(),
        errorCode: err.code,
        errorMessage: err.message,
        requestId: err.requestId ?? null,
      });
      throw new UpstreamError(err.code, err.message, err.requestId, {
        auditId: intent.id,
        outcome: "failed",
      });
    }
    // No reply (timeout, connection lost, a bug): the change may or may not have happened. The
    // intent stays pending, shows as "outcome unknown" and is reconciled against the group —
    // unless the real reply still arrives, which then records the outcome itself.
    // Tell the team now that the outcome is unknown (the row stays pending for reconciliation).
    const unknown = events({
      outcome: "unknown",
      completedAt: now().toISOString(),
      errorCode: asBackendError(err).code,
      errorMessage: asBackendError(err).message,
    });
    if (unknown.length > 0) {
      store
        .enqueue(unknown, now().toISOString())
        .then(notify.kick, (e: unknown) => console.error("capstan: could not queue a notification", e));
    }
    call.then(
      (reply) =>
        settle(store, intent, {
          outcome: "succeeded",
          completedAt: now().toISOString(),
          requestId: reply.requestId ?? null,
          note: "The reply arrived after the request had timed out.",
        }),
      (late) => {
        if (late instanceof BackendError && late.answered) {
          return settle(store, intent, {
            outcome: "failed",
            completedAt: now().toISOString(),
            errorCode: late.code,
            errorMessage: late.message,
            requestId: late.requestId ?? null,
          });
        }
      },
    );
    const e = asBackendError(err);
    if (!(err instanceof BackendError)) console.error("capstan: capacity change ended without a reply", err);
    throw new UpstreamError(
      e.code,
      `${e.message.replace(/\.$/, "")}. The change may or may not have been applied; the audit log will reconcile it against the group.`,
      e.requestId,
      { auditId: intent.id, outcome: "unknown" },
    );
  } finally {
    await cache.invalidate(`groups:${group.region}`);
    await cache.invalidate(`activities:${group.region}:${group.groupName}`);
  }
}

/**
 * Record the outcome. If the store fails now the change has already happened: the row stays
 * pending and reconciliation settles it, so the operator still gets the backend's answer.
 */
async function settleOutcome(
  store: AuditStore,
  intent: AuditRecord,
  update: OutcomeUpdate,
  events: readonly OutboxEntry[],
): Promise<AuditRecord> {
  try {
    return (await store.recordOutcome(intent.id, update, events)) ?? (await store.get(intent.id)) ?? intent;
  } catch (err) {
    console.error("capstan: could not record the outcome of audit intent", intent.id, err);
    return intent;
  }
}

/** A write gets longer than a read, but gives up well before reconciliation would look at it. */
export function writeTimeout(config: FleetConfig): number {
  return Math.min(Math.max(config.refresh.timeoutMs * 2, 5_000), 20_000);
}

export function asBackendError(err: unknown): BackendError {
  if (err instanceof BackendError) return err;
  return new BackendError("InternalError", "The backend call failed unexpectedly", {
    regional: true,
    answered: false,
  });
}
