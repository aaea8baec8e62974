import { getConfig, regionsOf } from "@/lib/config";
import { readGroups, regionStatus } from "./region-reads";

/**
 * Public liveness and reachability (no sign-in): backend kind and each region's state, no fleet
 * data. It shares the dashboard's cached read and accepts one up to a minute old, so a load
 * balancer probing every few seconds costs at most one describe per region per minute.
 */
const HEALTH_MAX_AGE_MS = 60_000;

export async function readHealth() {
  const cfg = getConfig();
  const regions = await Promise.all(
    regionsOf(cfg).map(async ({ region, role }) => {
      const r = await readGroups(region, cfg, HEALTH_MAX_AGE_MS);
      const { status, error } = regionStatus(r);
      return { region, role, reachable: status === "ok", status, error: error?.code };
    }),
  );
  return { status: regions.every((r) => r.reachable) ? "ok" : "degraded", backend: cfg.backend, regions };
}
