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
import { StateStore } from "./store";

// The embedded default backend: an in-process fleet that behaves like the reference fleet on
// AWS (see docs in lib/fleet/model.ts and each module here). This file only wires the parts
// together behind the FleetBackend seam and puts every call through its region's fault.

export type { RegionFault } from "./faults";

export interface SimulatedOptions {
  /** Where the fleet's state (simulated-fleet.json) lives; created if missing. */
  dataDir: string;
  /** CAPSTAN_SIM_FAULTS, e.g. "us-west-2:down,us-east-1:slow". */
  faults?: string;
  /** The clock; tests inject one to move time without sleeping. */
  now?: () => number;
  /** How long a "slow" region takes to answer (default 8 s, past the app's 5 s region timeout). */
  slowMs?: number;
}

export interface SimulatedBackend extends FleetBackend {
  readonly kind: "simulated";
  setFault(region: string, fault: RegionFault): void;
  faults(): Record<string, RegionFault>;
}

export function createSimulatedBackend(cfg: FleetConfig, opts: SimulatedOptions): SimulatedBackend {
  const now = opts.now ?? Date.now;
  const regions = [cfg.regions.primary, cfg.regions.standby];
  const faults = parseFaults(opts.faults, regions);
  const slowMs = opts.slowMs ?? DEFAULT_SLOW_MS;
  const fleet = new SimFleet(cfg, new StateStore(opts.dataDir), now());

  /** Fault first (a down region does no work), then bring the fleet up to the clock. */
  async function enter(region: string, service: Service, signal?: AbortSignal): Promise<number> {
    await enactFault(faults[region] ?? "ok", region, service, slowMs, signal);
    const t = now();
    fleet.sync(t);
    return t;
  }

  return {
    kind: "simulated",

    async listGroups(region, signal) {
      const t = await enter(region, "autoscaling", signal);
      return fleet.listGroups(region, t);
    },

    async getMetricData(region, queries, range, signal) {
      const t = await enter(region, "monitoring", signal);
      return getMetricData(fleet, region, queries, range, t);
    },

    async describeInstances(region, instanceIds, signal) {
      const t = await enter(region, "autoscaling", signal);
      const wanted = new Set(instanceIds);
      return fleet.listGroups(region, t).flatMap((g) => {
        const detailed = (g.poolId && cfg.pools.find((p) => p.id === g.poolId)?.metrics.cpu?.period) !== 300;
        return g.instances
          .filter((i) => wanted.has(i.id))
          .map((i) => ({
            id: i.id,
            launchTime: i.launchTime,
            availabilityZone: i.availabilityZone,
            instanceType: i.instanceType,
            detailedMonitoring: detailed,
          }));
      });
    },

    async describeActivities(region, groupName, limit = 50) {
      const t = await enter(region, "autoscaling");
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw new BackendError(
          "ValidationError",
          `1 validation error detected: Value '${limit}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100`,
          { httpStatus: 400 },
        );
      }
      const found = fleet.find(region, groupName);
      return found ? describeActivities(found.g, groupName, t, limit) : [];
    },

    async setDesiredCapacity(region, groupName, desired) {
      const t = await enter(region, "autoscaling");
      return fleet.setDesiredCapacity(region, groupName, desired, t);
    },

    async updateGroupBounds(region, groupName, change) {
      const t = await enter(region, "autoscaling");
      return fleet.updateGroupBounds(region, groupName, change, t);
    },

    setFault(region, fault) {
      faults[region] = checkFault(region, fault, regions);
    },

    faults() {
      return { ...faults };
    },
  };
}
