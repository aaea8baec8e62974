import "server-only";
import {
  auditStore,
  type AuditRecord,
  type AuditStore,
  type NewAuditRecord,
  type ScheduledRevert,
} from "@/lib/audit";
import type { Identity } from "@/lib/auth/roles";
import type { RevertView } from "@/lib/fleet/views";
import { getBackend } from "@/lib/backends";
import { sharedCache } from "@/lib/cache/shared-cache";
import { getConfig } from "@/lib/config";
import { newEvent, poolUrl, route } from "@/lib/notify/events";
import { kickDeliveries } from "@/lib/notify/jobs";
import { getStore } from "@/lib/store";
import { changeCapacity, type ChangeDeps } from "./capacity/change-capacity";
import { REASON_MAX } from "./capacity/change-capacity-schema";
import { AuditUnavailableError, ConflictError, UpstreamError } from "@/lib/errors";
import { withRegionTimeout } from "./region-reads";

// Running time-boxed changes' reverts when they fall due. Each goes through changeCapacity, as
// Capstan on behalf of the operator (an operator: guardrails apply, never an override), expecting
// the bumped value and with an idempotency key derived from the schedule: should two runners
// ever race, the audit log's unique key lets one call reach the backend. The schedule is then
// ended with a conditional update, so it runs once with one replica or several.

/** Who runs reverts. Operator, not admin: a revert never overrides a guardrail. */
export const CAPSTAN: Identity = { name: "capstan", role: "operator", source: "token" };

export interface RevertRunSummary {
  done: number;
  skipped: number;
  failed: number;
  /** Left for the next turn (the group could not be read, the store was unavailable). */
  later: number;
}

export type { RevertView };

export function revertView(r: ScheduledRevert | null): RevertView | null {
  return r ? { to: r.to, at: r.dueAt, by: r.by, changeId: r.changeId, from: r.from } : null;
}

/** The pending reverts of a region's pools, by pool id (the earliest when there are several). */
export async function pendingRevertsOf(region: string, store?: AuditStore): Promise<Map<string, RevertView>> {
  try {
    const out = new Map<string, RevertView>();
    for (const r of await (store ?? auditStore()).pendingReverts(region))
      if (!out.has(r.pool)) out.set(r.pool, revertView(r)!);
    return out;
  } catch (err) {
    console.error(
      `capstan: could not read the pending reverts of ${region} (${err instanceof Error ? err.message : String(err)})`,
    );
    return new Map();
  }
}

export async function runDueReverts(deps: Partial<ChangeDeps> = {}): Promise<RevertRunSummary> {
  const store = deps.store ?? auditStore();
  const now = deps.now ?? (() => new Date());
  const config = deps.config ?? getConfig();
  const backend = deps.backend ?? getBackend();
  const summary: RevertRunSummary = { done: 0, skipped: 0, failed: 0, later: 0 };
  await store.voidReverts();
  for (const due of await store.dueReverts(now().toISOString())) {
    let desired: number;
    try {
      const groups = await withRegionTimeout(due.region, config.refresh.timeoutMs, (signal) =>
        backend.listGroups(due.region, signal),
      );
      const g = groups.find((x) => x.poolId === due.pool);
      if (!g) {
        summary.later++;
        continue;
      }
      desired = g.desired;
    } catch {
      summary.later++;
      continue;
    }
    if (desired !== due.from) {
      const by = await changedBy(store, due, desired);
      const message = `desired is now ${desired}, changed by ${by}: the revert to ${due.to} did not run.`;
      const row: NewAuditRecord & { outcome: "rejected"; errorCode: string; errorMessage: string } = {
        ...revertRow(due, now()),
        from: desired,
        outcome: "rejected",
        errorCode: "RevertSkipped",
        errorMessage: message,
      };
      const targets = config.notify ?? [];
      const events = route(
        targets,
        newEvent("capacity.revert-skipped", now().toISOString(), {
          region: due.region,
          pool: due.pool,
          revertOf: due.changeId,
          by: due.by,
          from: due.from,
          to: due.to,
          desired,
          changedBy: by,
          message,
          url: poolUrl(due.region, due.pool),
        }),
      );
      if (await store.settleRevert(due.id, { state: "skipped" }, row, events)) {
        summary.skipped++;
        if (events.length > 0) (deps.kick ?? kickDeliveries)();
      }
      continue;
    }
    try {
      const result = await changeCapacity(
        CAPSTAN,
        { region: due.region, pool: due.pool },
        {
          desired: due.to,
          expectedDesired: due.from,
          reason: revertReason(due),
          idempotencyKey: `revert-${due.id}`,
        },
        {
          ...deps,
          store,
          now,
          config,
          backend,
          internal: { revertOf: due.changeId, batchId: due.batchId ?? undefined },
        },
      );
      await store.settleRevert(due.id, { state: "done", resultId: result.record.id });
      summary.done++;
    } catch (err) {
      if (err instanceof AuditUnavailableError) {
        summary.later++;
        continue;
      }
      if (err instanceof UpstreamError && err.extra.outcome === "unknown") {
        // The call may have happened: reconciliation settles its row; never send it twice.
        await store.settleRevert(due.id, {
          state: "done",
          resultId: String(err.extra.auditId ?? "") || null,
        });
        summary.done++;
        continue;
      }
      // Refused by a rule (a conflict that raced the check above, a guardrail, bounds) or by the
      // backend: the refusal is in the audit log under revertOf; the revert is over.
      const state = err instanceof ConflictError ? "skipped" : "failed";
      const last = await lastRowOf(store, due);
      await store.settleRevert(due.id, { state, resultId: last?.id ?? null });
      summary[state]++;
    }
  }
  return summary;
}

function revertRow(due: ScheduledRevert, at: Date): NewAuditRecord {
  return {
    time: at.toISOString(),
    actor: CAPSTAN.name,
    role: CAPSTAN.role,
    action: "revert",
    region: due.region,
    pool: due.pool,
    group: due.group,
    from: null,
    expected: due.from,
    to: due.to,
    minFrom: null,
    minTo: null,
    maxFrom: null,
    maxTo: null,
    reason: revertReason(due),
    idempotencyKey: null,
    requestHash: null,
    override: false,
    revertOf: due.changeId,
    batchId: due.batchId,
  };
}

function revertReason(due: ScheduledRevert): string {
  const text = `Time-boxed change by ${due.by} ends: back to ${due.to}, on their behalf${due.reason ? ` (they said: ${due.reason})` : ""}`;
  return text.length > REASON_MAX ? `${text.slice(0, REASON_MAX - 1)}…` : text;
}

/** Who set the pool to `desired`: the newest successful change to that value since the bump. */
async function changedBy(store: AuditStore, due: ScheduledRevert, desired: number): Promise<string> {
  const original = await store.get(due.changeId);
  const page = await store.query({ region: due.region, pool: due.pool, outcome: "succeeded", limit: 100 });
  const r = page.records.find(
    (x) =>
      (x.action === "capacity" || x.action === "bounds") &&
      x.to === desired &&
      (!original || x.seq > original.seq),
  );
  return r ? r.actor : "someone outside Capstan";
}

async function lastRowOf(store: AuditStore, due: ScheduledRevert): Promise<AuditRecord | null> {
  const page = await store.query({ region: due.region, pool: due.pool, actor: CAPSTAN.name, limit: 20 });
  return page.records.find((r) => r.revertOf === due.changeId) ?? null;
}

let running: Promise<RevertRunSummary | null> | null = null;

/** Run due reverts now, on one replica at a time. Never throws. */
export function revertsNow(): Promise<RevertRunSummary | null> {
  running ??= (async () => {
    const store = getStore();
    const r = await store.tryWithLock("job:reverts", () =>
      runDueReverts({ store: store.audit, locks: store, cache: sharedCache() }),
    );
    return r.ran ? r.value : null;
  })()
    .catch((e: unknown) => {
      console.error(`capstan: scheduled reverts failed (${e instanceof Error ? e.message : String(e)})`);
      return null;
    })
    .finally(() => {
      running = null;
    });
  return running;
}
