import "server-only";
import { differenceCause, joinCauses } from "./activities";
import type { GroupSpec } from "./groups";
import { hash, instanceId, unit, uuidLike } from "./hash";
import type { SimGroup, SimInstance } from "./store";

// How a group closes the gap between desired and actual capacity, the way EC2 Auto Scaling does:
// launches go Pending for the warm-up and then InService; scale-in takes the oldest instances from
// the fullest Availability Zone and passes them through Terminating before they disappear.

export const MINUTE = 60_000;
const HOUR_MS = 60 * MINUTE;
export const DAY = 24 * HOUR_MS;
/** Backfilled history: graphs are full on first open. */
export const HISTORY_MS = 7 * DAY;
/** Connection draining before a terminated instance is gone. */
export const TERMINATE_MS = 30_000;

export interface SimContext {
  seed: number;
  warmupMs: number;
}

const azsOf = (region: string) => [`${region}a`, `${region}b`, `${region}c`];

/** A group as it stood a week before `t0`: its instances have run since before the window. */
export function initGroup(spec: GroupSpec, ctx: SimContext, t0: number): SimGroup {
  const start = t0 - HISTORY_MS;
  const { min, max, desired } = spec.initial;
  const g: SimGroup = {
    region: spec.region,
    poolId: spec.pool.id,
    min,
    max,
    desired,
    seq: 0,
    instances: [],
    activities: [],
    capacity: [{ t: 0, min, max, desired }],
    healthCursor: start,
  };
  const azs = azsOf(spec.region);
  for (let i = 0; i < desired; i++) {
    const age = HOUR_MS + unit(hash(ctx.seed, spec.idKey, i, 31)) * 21 * DAY;
    const launchedAt = Math.floor((start - age) / 1000) * 1000;
    g.instances.push({
      id: instanceId(ctx.seed, spec.idKey, g.seq++),
      az: azs[i % azs.length] ?? spec.region,
      type: spec.pool.instance.type,
      launchedAt,
      inServiceAt: launchedAt + ctx.warmupMs,
    });
  }
  return g;
}
/** Instances that count toward capacity at t: launched, not yet on their way out. */
export function activeInstances(g: SimGroup, t: number): SimInstance[] {
  return g.instances.filter((i) => i.launchedAt <= t && i.terminatingAt === undefined);
}

/** Bring actual capacity to desired at t; `reason` is the first sentence of each activity's cause. */
export function reconcile(g: SimGroup, spec: GroupSpec, ctx: SimContext, t: number, reason: string): void {
  const active = activeInstances(g, t);
  const actual = active.length;
  if (actual < g.desired) {
    const cause = joinCauses(reason, differenceCause(t, actual, g.desired));
    for (let k = actual; k < g.desired; k++) launch(g, spec, ctx, t, cause);
  } else if (actual > g.desired) {
    const cause = joinCauses(reason, differenceCause(t, actual, g.desired));
    for (const victim of pickVictims(active, actual - g.desired)) terminate(g, spec, ctx, victim, t, cause);
  }
}

function launch(g: SimGroup, spec: GroupSpec, ctx: SimContext, t: number, cause: string): void {
  // Balance: the new instance goes to the Availability Zone with the fewest.
  const counts = new Map(azsOf(spec.region).map((az) => [az, 0]));
  for (const i of activeInstances(g, t)) counts.set(i.az, (counts.get(i.az) ?? 0) + 1);
  const az = [...counts].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? spec.region;
  const id = instanceId(ctx.seed, spec.idKey, g.seq++);
  g.instances.push({ id, az, type: spec.pool.instance.type, launchedAt: t, inServiceAt: t + ctx.warmupMs });
  const n = g.seq++;
  g.activities.push({
    id: uuidLike(ctx.seed, spec.idKey, n),
    n,
    kind: "launch",
    instanceId: id,
    start: t,
    end: t + ctx.warmupMs,
    cause,
  });
}

export function terminate(
  g: SimGroup,
  spec: GroupSpec,
  ctx: SimContext,
  victim: SimInstance,
  t: number,
  cause: string,
): void {
  victim.terminatingAt = t;
  victim.terminatedAt = t + TERMINATE_MS;
  const n = g.seq++;
  g.activities.push({
    id: uuidLike(ctx.seed, spec.idKey, n),
    n,
    kind: "terminate",
    instanceId: victim.id,
    start: t,
    end: t + TERMINATE_MS,
    cause,
  });
}

/**
 * Scale-in order: unhealthy instances first (they are being replaced anyway), then the oldest in
 * whichever Availability Zone has the most, so the group stays balanced.
 */
export function pickVictims(active: SimInstance[], count: number): SimInstance[] {
  const left = [...active];
  const victims: SimInstance[] = [];
  const older = (a: SimInstance, b: SimInstance) => a.launchedAt - b.launchedAt || a.id.localeCompare(b.id);
  while (victims.length < count && left.length > 0) {
    let pool = left.filter((i) => i.unhealthyAt !== undefined);
    if (pool.length === 0) {
      const perAz = new Map<string, number>();
      for (const i of left) perAz.set(i.az, (perAz.get(i.az) ?? 0) + 1);
      const most = Math.max(...perAz.values());
      pool = left.filter((i) => perAz.get(i.az) === most);
    }
    const victim = pool.sort(older)[0];
    if (!victim) break;
    victims.push(victim);
    left.splice(left.indexOf(victim), 1);
  }
  return victims;
}
