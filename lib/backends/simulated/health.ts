import "server-only";
import { healthCause } from "./activities";
import type { GroupSpec } from "./groups";
import { hash, unit } from "./hash";
import { DAY, reconcile, terminate, type SimContext } from "./lifecycle";
import type { SimGroup } from "./store";

// Time moves lazily: each call brings every group up to `now` by replaying what happened since
// the last call. The only spontaneous events are health failures: now and then an instance turns
// Unhealthy and, shortly after, is terminated and replaced, so the instances table and activity
// history are never suspiciously perfect. Their schedule is a pure function of the seed.

/** About one failure per group every two days: a 25 % chance in each 12-hour slot. */
const SLOT_MS = 12 * 60 * 60_000;
const FAILURE_CHANCE = 0.25;
/** The health check notices and the group starts the replacement this long after the failure. */
export const REPLACE_AFTER_MS = 90_000;
/** Terminated instances and finished activities are forgotten after this. */
export const RETENTION_MS = 8 * DAY;

/** The first scheduled failure in (after, until], or null. */
export function nextFailure(seed: number, idKey: number, after: number, until: number): number | null {
  for (let s = Math.floor(after / SLOT_MS); s * SLOT_MS <= until; s++) {
    if (unit(hash(seed, idKey, s, 41)) >= FAILURE_CHANCE) continue;
    const t = s * SLOT_MS + Math.floor(unit(hash(seed, idKey, s, 42)) * SLOT_MS);
    if (t > after && t <= until) return t;
  }
  return null;
}

/** Replay failures and replacements up to `now`; true when the group changed (worth saving). */
export function advanceGroup(g: SimGroup, spec: GroupSpec, ctx: SimContext, now: number): boolean {
  let changed = false;
  for (;;) {
    const failure = nextFailure(ctx.seed, spec.idKey, g.healthCursor, now);
    const sick = g.instances.filter((i) => i.unhealthyAt !== undefined && i.terminatingAt === undefined);
    const due = Math.min(...sick.map((i) => (i.unhealthyAt ?? 0) + REPLACE_AFTER_MS));
    if (due <= now && (failure === null || due <= failure)) {
      for (const i of sick.filter((x) => (x.unhealthyAt ?? 0) + REPLACE_AFTER_MS === due)) {
        terminate(g, spec, ctx, i, due, healthCause(due));
      }
      reconcile(g, spec, ctx, due, "");
    } else if (failure !== null) {
      fail(g, ctx, spec, failure);
      g.healthCursor = failure;
    } else break;
    changed = true;
  }
  // Moving the cursor needs no save: a restart re-scans a stretch that held no failure.
  g.healthCursor = Math.max(g.healthCursor, now);
  return changed;
}

function fail(g: SimGroup, ctx: SimContext, spec: GroupSpec, t: number): void {
  const healthy = g.instances
    .filter((i) => i.inServiceAt <= t && i.unhealthyAt === undefined && i.terminatingAt === undefined)
    .sort((a, b) => a.id.localeCompare(b.id));
  const victim = healthy[hash(ctx.seed, spec.idKey, t / 1000, 43) % Math.max(1, healthy.length)];
  if (victim) victim.unhealthyAt = t;
}

/** Forget what fell out of the retention window; true when anything went. */
export function prune(g: SimGroup, now: number): boolean {
  const cutoff = now - RETENTION_MS;
  const before = g.instances.length + g.activities.length + g.capacity.length;
  g.instances = g.instances.filter((i) => i.terminatedAt === undefined || i.terminatedAt >= cutoff);
  g.activities = g.activities.filter((a) => a.end >= cutoff);
  // Keep the last capacity change before the cutoff: it says what the group was at the window start.
  const lastOld = g.capacity.filter((c) => c.t < cutoff).at(-1);
  g.capacity = [...(lastOld ? [lastOld] : []), ...g.capacity.filter((c) => c.t >= cutoff)];
  return g.instances.length + g.activities.length + g.capacity.length !== before;
}
