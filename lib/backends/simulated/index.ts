import "server-only";
import type { FleetConfig } from "@/lib/config/schema";
import { BackendError, type FleetBackend } from "@/lib/fleet/types";
import {
  DEFAULT_SLOW_MS,
  checkFault,
  enactFault,
  parseFaults,
  type RegionFault,
  type Service,
} from "./faults";
import { describeActivities } from "./activities";
import { SimFleet } from "./fleet";
import { getMetricData } from "./metrics";
import { StateStore, type SimState, type SimSurge } from "./store";

// The embedded default backend: an in-process fleet that behaves like the reference fleet on
// AWS (see docs in lib/fleet/model.ts and each module here). This file only wires the parts
// together behind the FleetBackend seam and puts every call through its region's fault.

export type { RegionFault } from "./faults";
export type { SimSurge } from "./store";

/** An admin's surge as asked for: times `factor` for `minutes`, started `startedMinutesAgo`. */
export interface SurgeRequest {
  factor: number;
  minutes: number;
  startedMinutesAgo: number;
}

export interface SimulatedOptions {
  /** Where the fleet's state (simulated-fleet.json) lives; created if missing. */
  dataDir: string;
  /** CAPSTAN_SIM_FAULTS, e.g. "us-west-2:down,us-east-1:slow". */
  faults?: string;
  /** The clock; tests inject one to move time without sleeping. */
  now?: () => number;
  /** How long a "slow" region takes to answer (default 8 s, past the app's 5 s region timeout). */
  slowMs?: number;
  /**
   * Several replicas: the fleet's state and its faults live in the shared store instead of the
   * data directory, so every replica shows and changes the same fleet.
   */
  shared?: SharedSimState;
}

/** The shared store's side of the simulation (lib/store documents under their own locks). */
export interface SharedSimState {
  /** Read-modify-write the state, one call at a time across replicas. */
  transact<T>(fn: (saved: SimState | null) => { next?: SimState; result: T }): Promise<T>;
  readFaults(): Promise<Record<string, RegionFault> | null>;
  /** Merge these regions' faults into the shared ones. */
  mergeFaults(faults: Record<string, RegionFault>): Promise<void>;
}

export interface SimulatedBackend extends FleetBackend {
  readonly kind: "simulated";
  /** Validates at once (throws); the promise settles when every replica will see the fault. */
  setFault(region: string, fault: RegionFault): Promise<void>;
  /** The faults as of the last call (see loadFaults). */
  faults(): Record<string, RegionFault>;
  /** Shared mode: catch up with faults another replica set. */
  loadFaults(): Promise<Record<string, RegionFault>>;
  /** Start (or, with null, end) a load surge on one pool; saved with the fleet, so every replica sees it. */
  setSurge(region: string, poolId: string, surge: SurgeRequest | null): Promise<SimSurge | null>;
  /** Surges running now. */
  surges(): Promise<SimSurge[]>;
}

export function createSimulatedBackend(cfg: FleetConfig, opts: SimulatedOptions): SimulatedBackend {
  const now = opts.now ?? Date.now;
  const regions = [cfg.regions.primary, cfg.regions.standby];
  const faults = parseFaults(opts.faults, regions);
  const slowMs = opts.slowMs ?? DEFAULT_SLOW_MS;
  const shared = opts.shared;
  // Shared: saves only mark the state dirty; the transaction writes it back.
  let dirty = false;
  const fleet = new SimFleet(
    cfg,
    shared ? { load: () => null, save: () => void (dirty = true) } : new StateStore(opts.dataDir),
    now(),
  );
  // Faults named in the environment apply from this replica's first call on.
  let envFaults = shared && opts.faults ? { ...faults } : null;

  async function loadFaults(): Promise<Record<string, RegionFault>> {
    if (shared) {
      if (envFaults) {
        await shared.mergeFaults(envFaults);
        envFaults = null;
      }
      Object.assign(faults, (await shared.readFaults()) ?? {});
    }
    return { ...faults };
  }

  /**
   * Fault first (a down region does no work, and a slow one waits outside any lock), then bring
   * the fleet up to the clock and run the call — in shared mode on the latest saved state, under
   * its lock, writing it back when anything changed.
   */
  async function run<T>(
    region: string,
    service: Service,
    signal: AbortSignal | undefined,
    op: (t: number) => T,
  ): Promise<T> {
    await loadFaults();
    await enactFault(faults[region] ?? "ok", region, service, slowMs, signal);
    const t = now();
    if (!shared) {
      fleet.sync(t);
      return op(t);
    }
    return shared.transact((saved) => {
      dirty = fleet.adopt(saved, t);
      fleet.sync(t);
      const result = op(t);
      return { next: dirty ? fleet.snapshot() : undefined, result };
    });
  }

  /** The fleet brought up to now, outside any region's fault: surges are the simulator's own knobs. */
  function local<T>(op: (t: number) => T): Promise<T> {
    const t = now();
    if (!shared) {
      return new Promise((resolve) => {
        fleet.sync(t);
        resolve(op(t));
      });
    }
    return shared.transact((saved) => {
      dirty = fleet.adopt(saved, t);
      fleet.sync(t);
      const result = op(t);
      return { next: dirty ? fleet.snapshot() : undefined, result };
    });
  }

  return {
    kind: "simulated",

    listGroups(region, signal) {
      return run(region, "autoscaling", signal, (t) => fleet.listGroups(region, t));
    },

    getMetricData(region, queries, range, signal) {
      return run(region, "monitoring", signal, (t) => getMetricData(fleet, region, queries, range, t));
    },

    describeInstances(region, instanceIds, signal) {
      const wanted = new Set(instanceIds);
      return run(region, "autoscaling", signal, (t) =>
        fleet.listGroups(region, t).flatMap((g) => {
          const detailed =
            (g.poolId && cfg.pools.find((p) => p.id === g.poolId)?.metrics.cpu?.period) !== 300;
          return g.instances
            .filter((i) => wanted.has(i.id))
            .map((i) => ({
              id: i.id,
              launchTime: i.launchTime,
              availabilityZone: i.availabilityZone,
              instanceType: i.instanceType,
              detailedMonitoring: detailed,
            }));
        }),
      );
    },

    describeActivities(region, groupName, limit = 50) {
      return run(region, "autoscaling", undefined, (t) => {
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
          throw new BackendError(
            "ValidationError",
            `1 validation error detected: Value '${limit}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100`,
            { httpStatus: 400 },
          );
        }
        const found = fleet.find(region, groupName);
        return found ? describeActivities(found.g, groupName, t, limit) : [];
      });
    },

    setDesiredCapacity(region, groupName, desired) {
      return run(region, "autoscaling", undefined, (t) =>
        fleet.setDesiredCapacity(region, groupName, desired, t),
      );
    },

    updateGroupBounds(region, groupName, change) {
      return run(region, "autoscaling", undefined, (t) =>
        fleet.updateGroupBounds(region, groupName, change, t),
      );
    },

    setFault(region, fault) {
      faults[region] = checkFault(region, fault, regions);
      return shared ? shared.mergeFaults({ [region]: faults[region]! }) : Promise.resolve();
    },

    faults() {
      return { ...faults };
    },

    loadFaults,

    setSurge(region, poolId, surge) {
      return local((t) =>
        fleet.setSurge(
          region,
          poolId,
          surge && {
            factor: surge.factor,
            start: t - surge.startedMinutesAgo * 60_000,
            end: t - surge.startedMinutesAgo * 60_000 + surge.minutes * 60_000,
          },
          t,
        ),
      );
    },

    surges() {
      return local((t) => fleet.activeSurges(t));
    },
  };
}
