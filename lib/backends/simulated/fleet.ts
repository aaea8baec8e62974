import "server-only";
import { randomUUID } from "node:crypto";
import type { FleetConfig } from "@/lib/config/schema";
import { BackendError, type BoundsChange, type GroupState, type WriteResult } from "@/lib/fleet/types";
import { boundsCause, userSetCause } from "./activities";
import { groupSpecs, type GroupSpec } from "./groups";
import { advanceGroup, prune } from "./health";
import { initGroup, reconcile, type SimContext } from "./lifecycle";
import type { MetricSource } from "./metrics";
import { buildMetricIndex } from "./metrics";
import type { PoolInput } from "./pool-model";
import type { SimGroup, SimState, SimSurge } from "./store";
import { buildProfiles, type SurgeAt, type TrafficProfile } from "./traffic";

// The simulated fleet's state and its Auto Scaling API: bounds checks with AWS's own messages,
// desired-capacity changes that launch and terminate through the lifecycle, and lazy time — every
// call first brings each group up to the injected clock, then saves if anything happened.

/** Where the state is saved: a file (one process), or a shared document (replicas; see adopt). */
export interface StateSaver {
  load(): SimState | null;
  save(state: SimState): void;
}

const PRUNE_EVERY_MS = 10 * 60_000;
/** Surges older than the longest graph (7 days) plus a day are forgotten. */
const SURGE_KEEP_MS = 8 * 24 * 3_600_000;
const invalid = (message: string) => new BackendError("ValidationError", message, { httpStatus: 400 });

export class SimFleet implements MetricSource {
  readonly specs: GroupSpec[];
  readonly index: ReturnType<typeof buildMetricIndex>;
  private readonly profiles: Map<string, TrafficProfile>;
  private readonly ctx: SimContext;
  private state: SimState;
  private lastPrune = -Infinity;

  constructor(
    private readonly cfg: FleetConfig,
    private readonly store: StateSaver,
    t0: number,
  ) {
    this.specs = groupSpecs(cfg);
    this.index = buildMetricIndex(this.specs);
    this.profiles = buildProfiles(cfg);
    this.ctx = { seed: cfg.simulation.seed, warmupMs: cfg.simulation.warmupSeconds * 1000 };
    this.state = this.fit(store.load(), t0).state;
    this.sync(t0, true);
  }

  /**
   * Replicas share one saved state: before each call, take the latest (another replica may have
   * moved it on), fitted to this configuration. Returns whether fitting changed it.
   */
  adopt(saved: SimState | null, t: number): boolean {
    const { state, changed } = this.fit(saved, t);
    this.state = state;
    return changed;
  }

  /** The state as it would be saved. */
  snapshot(): SimState {
    return this.state;
  }

  private fit(saved: SimState | null, t0: number): { state: SimState; changed: boolean } {
    // Instance ids and failures derive from the seed: state from another seed would not fit, and
    // silently starting a fresh fleet would lose every change made to it. Refuse, and say how.
    if (saved !== null && saved.seed !== this.ctx.seed) {
      throw new Error(
        `the simulated fleet state was made with simulation.seed ${saved.seed}, but the configuration now says ${this.ctx.seed}: restore the seed, or delete the state file (simulated-fleet.json in the data directory) to start a fresh simulated fleet`,
      );
    }
    const fits = saved !== null;
    const state: SimState = fits ? saved : { version: 1, seed: this.ctx.seed, groups: {}, growthEpoch: t0 };
    let changed = !fits;
    if (state.growthEpoch === undefined) {
      state.growthEpoch = t0;
      changed = true;
    }
    // Groups the configuration no longer has are dropped, so the file stays as small as the fleet.
    const known = new Set(this.specs.map((s) => s.key));
    for (const key of Object.keys(state.groups)) {
      if (!known.has(key)) {
        delete state.groups[key];
        changed = true;
      }
    }
    for (const spec of this.specs) {
      if (!state.groups[spec.key]) {
        state.groups[spec.key] = initGroup(spec, this.ctx, t0);
        changed = true;
      }
    }
    return { state, changed };
  }

  /** Replay everything up to t; save when the state changed. */
  sync(t: number, forceSave = false): void {
    let changed = forceSave;
    const pruning = t - this.lastPrune >= PRUNE_EVERY_MS;
    for (const spec of this.specs) {
      const g = this.group(spec);
      if (advanceGroup(g, spec, this.ctx, t)) changed = true;
      if (pruning && prune(g, t)) changed = true;
    }
    if (pruning) {
      this.lastPrune = t;
      const kept = (this.state.surges ?? []).filter((s) => s.end > t - SURGE_KEEP_MS);
      if (kept.length !== (this.state.surges ?? []).length) {
        this.state.surges = kept;
        changed = true;
      }
    }
    if (changed) this.store.save(this.state);
  }

  group(spec: GroupSpec): SimGroup {
    const g = this.state.groups[spec.key];
    if (!g) throw new Error(`simulated fleet: no state for ${spec.key}`);
    return g;
  }

  input(spec: GroupSpec): PoolInput {
    const profile = this.profiles.get(spec.pool.id);
    if (!profile) throw new Error(`simulated fleet: no traffic profile for ${spec.pool.id}`);
    const growth = {
      weeklyRate: this.cfg.simulation.weeklyGrowthPercent / 100,
      epoch: this.state.growthEpoch ?? 0,
    };
    return {
      pool: spec.pool,
      role: spec.role,
      profile,
      group: this.group(spec),
      traffic: { surge: this.surgeAt(spec.region), growth },
    };
  }

  /** The surge multiplier of each pool in a region (the proxy's fronted pools bring theirs). */
  private surgeAt(region: string): SurgeAt {
    const list = (this.state.surges ?? []).filter((s) => s.region === region);
    if (list.length === 0) return () => 1;
    return (poolId, t) => {
      let f = 1;
      for (const s of list) if (s.poolId === poolId && t >= s.start && t < s.end) f *= s.factor;
      return f;
    };
  }

  /** Surges running at t. */
  activeSurges(t: number): SimSurge[] {
    return (this.state.surges ?? []).filter((s) => s.start <= t && s.end > t);
  }

  /**
   * Start a surge (replacing one running on the pool: it ends where the new one starts), or end
   * the running one at t (factor null). History stays: a surge that ran is still drawn.
   */
  setSurge(
    region: string,
    poolId: string,
    surge: { factor: number; start: number; end: number } | null,
    t: number,
  ): SimSurge | null {
    if (!this.specs.some((s) => s.region === region && s.pool.id === poolId))
      throw invalid(`No pool ${poolId} in ${region}.`);
    const list = this.state.surges ?? [];
    let ended = false;
    const cut = surge ? Math.min(surge.start, t) : t;
    for (const s of list) {
      if (s.region === region && s.poolId === poolId && s.end > cut) {
        // A surge that has not begun yet is dropped rather than cut to nothing.
        s.end = Math.max(s.start, cut);
        ended = true;
      }
    }
    const kept = list.filter((s) => s.end > s.start);
    const next = surge ? { region, poolId, ...surge } : null;
    if (next) kept.push(next);
    this.state.surges = kept;
    if (next || ended) this.store.save(this.state);
    return next;
  }

  find(region: string, groupName: string): { spec: GroupSpec; g: SimGroup } | null {
    const spec = this.specs.find((s) => s.region === region && s.groupName === groupName);
    return spec ? { spec, g: this.group(spec) } : null;
  }

  listGroups(region: string, t: number): GroupState[] {
    return this.specs
      .filter((s) => s.region === region)
      .map((spec) => {
        const g = this.group(spec);
        const instances = g.instances
          .filter((i) => i.launchedAt <= t && (i.terminatedAt ?? Infinity) > t)
          .map(
            (i) =>
              ({
                id: i.id,
                availabilityZone: i.az,
                lifecycleState:
                  (i.terminatingAt ?? Infinity) <= t
                    ? "Terminating"
                    : i.inServiceAt > t
                      ? "Pending"
                      : "InService",
                health: (i.unhealthyAt ?? Infinity) <= t ? "Unhealthy" : "Healthy",
                instanceType: i.type,
                launchTime: new Date(i.launchedAt).toISOString(),
              }) satisfies GroupState["instances"][number],
          );
        const sim = spec.pool.simulation;
        return {
          poolId: spec.pool.id,
          region,
          groupName: spec.groupName,
          min: g.min,
          max: g.max,
          desired: g.desired,
          instances,
          instanceTypes: [
            ...new Set([spec.pool.instance.type, ...instances.map((i) => i.instanceType)]),
          ].sort(),
          hasScalingPolicies: sim?.hasScalingPolicies ?? false,
          hasScheduledActions: sim?.hasScheduledActions ?? false,
          tags: { [this.cfg.discovery.tagKey]: spec.pool.id, "capstan:tier": spec.pool.tier },
        };
      });
  }

  setDesiredCapacity(region: string, groupName: string, desired: number, t: number): WriteResult {
    wholeNumber("desiredCapacity", desired);
    const { spec, g } = this.require(region, groupName);
    if (desired > g.max)
      throw invalid(
        `New SetDesiredCapacity value ${desired} is above max value ${g.max} for the AutoScalingGroup.`,
      );
    if (desired < g.min)
      throw invalid(
        `New SetDesiredCapacity value ${desired} is below min value ${g.min} for the AutoScalingGroup.`,
      );
    const from = g.desired;
    if (desired !== from) {
      g.desired = desired;
      g.capacity.push({ t, min: g.min, max: g.max, desired });
      reconcile(g, spec, this.ctx, t, userSetCause(t, from, desired));
      this.store.save(this.state);
    }
    return { requestId: randomUUID() };
  }

  /** UpdateAutoScalingGroup: only the fields sent change; desired follows the new bounds. */
  updateGroupBounds(region: string, groupName: string, change: BoundsChange, t: number): WriteResult {
    if (change.min !== undefined) wholeNumber("minSize", change.min);
    if (change.max !== undefined) wholeNumber("maxSize", change.max);
    if (change.desired !== undefined) wholeNumber("desiredCapacity", change.desired);
    const { spec, g } = this.require(region, groupName);
    const min = change.min ?? g.min;
    const max = change.max ?? g.max;
    if (min > max) throw invalid(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
    if (change.desired !== undefined && (change.desired < min || change.desired > max)) {
      throw invalid(
        `Desired capacity:${change.desired} must be between the specified min size:${min} and max size:${max}`,
      );
    }
    const desired = change.desired ?? Math.min(max, Math.max(min, g.desired));
    const from = g.desired;
    if (min === g.min && max === g.max && desired === from) return { requestId: randomUUID() };
    Object.assign(g, { min, max, desired });
    g.capacity.push({ t, min, max, desired });
    if (desired !== from)
      reconcile(g, spec, this.ctx, t, boundsCause(t, { min, max, desired: change.desired }, from, desired));
    this.store.save(this.state);
    return { requestId: randomUUID() };
  }

  private require(region: string, groupName: string): { spec: GroupSpec; g: SimGroup } {
    const found = this.find(region, groupName);
    // AWS's words for a group that does not exist (in this region).
    if (!found) throw invalid("AutoScalingGroup name not found - null");
    return found;
  }
}

/** The API's integer fields; AWS rejects anything else before looking at the group. */
function wholeNumber(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) {
    throw invalid(
      `1 validation error detected: Value '${v}' at '${field}' failed to satisfy constraint: Member must be a whole number greater than or equal to 0`,
    );
  }
}
