import "server-only";
import { getConfig, regionsOf } from "@/lib/config";
import { getStore } from "@/lib/store";
import { readGroups, regionStatus } from "./region-reads";

/**
 * Public liveness and reachability (no sign-in): backend kind and each region's state, no fleet
 * data. It shares the dashboard's cached read and accepts one up to a minute old, so a load
 * balancer probing every few seconds costs at most one describe per region per minute.
 */
const HEALTH_MAX_AGE_MS = 60_000;

export async function readHealth() {
  const cfg = getConfig();
  const [storeReachable, regions] = await Promise.all([storeAnswers(), Promise.all(
    regionsOf(cfg).map(async ({ region, role }) => {
      const r = await readGroups(region, cfg, HEALTH_MAX_AGE_MS);
      const { status, error } = regionStatus(r);
      return { region, role, reachable: status === "ok", status, error: error?.code };
    }),
  )]);
  // A lost database does not take the replica out of the load balancer (reads still work, from
  // the backend and the cache), but it is reported: every change is refused meanwhile.
  const ok = storeReachable && regions.every((r) => r.reachable);
  return { status: ok ? "ok" : "degraded", backend: cfg.backend, store: getStore().kind, storeReachable, regions };
}

async function storeAnswers(): Promise<boolean> {
  try {
    await getStore().ping(2_000);
    return true;
  } catch {
    return false;
  }
}
