import { generatedPools } from "@/lib/config/generated-pools";
import { configSchema, type FleetConfig, type PoolConfig } from "@/lib/config/schema";

// The benchmark's AWS fleet: N pools per region shaped like CAPSTAN_SIM_EXTRA_POOLS's (half web
// with CPU + page load, half workers with CPU + backlog), each pool one group per region carrying
// the discovery tag and named in the configuration (so discovery costs no describe by name).

export const REGIONS = { primary: "us-east-1", standby: "us-west-2" } as const;
export const REGION_LIST = [REGIONS.primary, REGIONS.standby];

/**
 * Pool definitions for the AWS backend. Page load asks for Maximum instead of p90: moto answers
 * a percentile with HTTP 500 (aws-facts.md); the statistic changes neither the call nor the count.
 */
export function benchPools(n: number): PoolConfig[] {
  return generatedPools(n, REGIONS).map((p) => {
    const pool: PoolConfig = { ...p, metrics: { ...p.metrics } };
    delete pool.simulation;
    if (pool.metrics.pageLoad) pool.metrics.pageLoad = { ...pool.metrics.pageLoad, statistic: "Maximum" };
    if (pool.metrics.pageLoadMedian)
      pool.metrics.pageLoadMedian = { ...pool.metrics.pageLoadMedian, statistic: "Average" };
    return pool;
  });
}

export function benchConfig(n: number): FleetConfig {
  return configSchema.parse({
    backend: "aws",
    regions: REGIONS,
    refresh: { capacitySeconds: 15, timeoutMs: 20_000 },
    pools: benchPools(n),
    auth: { mode: "tokens" },
  });
}

/** The groups to create in one region for those pools. */
export function benchGroups(cfg: FleetConfig, region: string) {
  return cfg.pools.map((p) => ({ name: p.groups![region]!, pool: p.id, min: 1, max: 20, desired: 1 }));
}
