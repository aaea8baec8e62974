import "server-only";
import type { SimGroup, SimInstance } from "./store";

// The capacity timeline: how many instances served traffic, and what the group's bounds were, at
// any instant, read off the saved instances and capacity events. Reads walk forward in time, so
// a whole range costs one pass.

/** Counts intervals [from, to) covering t, for non-decreasing t. */
export class StepCounter {
  private readonly starts: number[];
  private readonly ends: number[];
  private i = 0;
  private j = 0;

  constructor(intervals: [number, number][]) {
    const real = intervals.filter(([from, to]) => to > from);
    this.starts = real.map(([from]) => from).sort((a, b) => a - b);
    this.ends = real.map(([, to]) => to).sort((a, b) => a - b);
  }

  at(t: number): number {
    while (this.i < this.starts.length && (this.starts[this.i] ?? Infinity) <= t) this.i++;
    while (this.j < this.ends.length && (this.ends[this.j] ?? Infinity) <= t) this.j++;
    return this.i - this.j;
  }
}

/** An instance serves from entering service until it turns unhealthy or starts terminating. */
const servesUntil = (i: SimInstance) => Math.min(i.unhealthyAt ?? Infinity, i.terminatingAt ?? Infinity);

export function servingCounter(g: SimGroup): StepCounter {
  return new StepCounter(g.instances.map((i): [number, number] => [i.inServiceAt, servesUntil(i)]));
}

/** Instances serving at one instant (a single look; walks through time use servingCounter). */
export function servingAt(g: SimGroup, t: number): number {
  return g.instances.filter((i) => i.inServiceAt <= t && servesUntil(i) > t).length;
}

/** AWS/AutoScaling group metrics the simulation can answer (with EnableMetricsCollection on). */
export const GROUP_METRICS = [
  "GroupMinSize",
  "GroupMaxSize",
  "GroupDesiredCapacity",
  "GroupInServiceInstances",
  "GroupPendingInstances",
  "GroupTerminatingInstances",
  "GroupTotalInstances",
] as const;
export type GroupMetric = (typeof GROUP_METRICS)[number];

const lifecycleCounts: Partial<Record<GroupMetric, (i: SimInstance, t: number) => boolean>> = {
  GroupInServiceInstances: (i, t) => i.inServiceAt <= t && (i.terminatingAt ?? Infinity) > t,
  GroupPendingInstances: (i, t) =>
    i.launchedAt <= t && i.inServiceAt > t && (i.terminatingAt ?? Infinity) > t,
  GroupTerminatingInstances: (i, t) => (i.terminatingAt ?? Infinity) <= t && (i.terminatedAt ?? Infinity) > t,
  GroupTotalInstances: (i, t) => i.launchedAt <= t && (i.terminatedAt ?? Infinity) > t,
};

/** A group metric at t; `cursor` remembers the capacity event reached, for forward walks. */
export function groupMetricAt(g: SimGroup, metric: GroupMetric, t: number, cursor: { k: number }): number {
  const count = lifecycleCounts[metric];
  if (count) return g.instances.reduce((n, i) => n + (count(i, t) ? 1 : 0), 0);
  while (cursor.k + 1 < g.capacity.length && (g.capacity[cursor.k + 1]?.t ?? Infinity) <= t) cursor.k++;
  const c = g.capacity[cursor.k];
  if (!c || c.t > t) return NaN;
  return metric === "GroupMinSize" ? c.min : metric === "GroupMaxSize" ? c.max : c.desired;
}
