import "server-only";
import type { FleetConfig, PoolConfig } from "@/lib/config/schema";
import type { RegionRole } from "@/lib/fleet/types";
import { strHash } from "./hash";

// Which simulated groups exist: one per pool with a `simulation` block, in each region its
// `simulation.capacity` sizes. Names come from `groups` in the configuration, as in AWS.

export interface GroupSpec {
  /** "<region>/<pool id>": the group's key in the saved state. */
  key: string;
  region: string;
  role: RegionRole;
  pool: PoolConfig;
  poolIndex: number;
  groupName: string;
  /** Hash of the key, mixed into instance and activity ids. */
  idKey: number;
  initial: { min: number; max: number; desired: number };
}

export function simGroupName(pool: PoolConfig, region: string): string {
  return pool.groups?.[region] ?? `sim-${region}-${pool.id}`;
}

export function groupSpecs(cfg: FleetConfig): GroupSpec[] {
  const roles: [string, RegionRole][] = [
    [cfg.regions.primary, "primary"],
    [cfg.regions.standby, "standby"],
  ];
  const out: GroupSpec[] = [];
  for (const [region, role] of roles) {
    cfg.pools.forEach((pool, poolIndex) => {
      const initial = pool.simulation?.capacity[region];
      if (!initial) return;
      const key = `${region}/${pool.id}`;
      out.push({
        key,
        region,
        role,
        pool,
        poolIndex,
        groupName: simGroupName(pool, region),
        idKey: strHash(key),
        initial,
      });
    });
  }
  return out;
}
