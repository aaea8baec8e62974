import "server-only";
import { getConfig, regionsOf } from "@/lib/config";
import { getStore } from "@/lib/store";
import { beforeDeadline, readGroups, regionStatus } from "./region-reads";

/**
 * Liveness and reachability: backend kind and each region's state, no fleet data (signed-in
 * users; `publicHealth` is all a signed-out caller sees). It shares the dashboard's cached read
 * and accepts one up to a minute old, so a load
 * balancer probing every few seconds costs at most one describe per region per minute.
 */
const HEALTH_MAX_AGE_MS = 60_000;
/**
 * A load balancer's health check times out after ~5 s: health never waits on a slow region for
 * longer than this. The read goes on in the background (single-flight) and fills the cache; until
 * it answers the region is reported as not reachable ("Timeout").
 */
export const HEALTH_WAIT_MS = 1_000;

export async function readHealth(waitMs = HEALTH_WAIT_MS) {
  const cfg = getConfig();
  const [storeReachable, regions] = await Promise.all([
    storeAnswers(),
    Promise.all(
      regionsOf(cfg).map(async ({ region, role }) => {
        const r = await beforeDeadline(
          readGroups(region, cfg, HEALTH_MAX_AGE_MS),
          Date.now() + waitMs,
          () => null,
        );
        if (!r) return { region, role, reachable: false, status: "error" as const, error: "Timeout" };
        const { status, error } = regionStatus(r);
        return { region, role, reachable: status === "ok", status, error: error?.code };
      }),
    ),
  ]);
  // A lost database does not take the replica out of the load balancer (reads still work, from
  // the backend and the cache), but it is reported: every change is refused meanwhile.
  const ok = storeReachable && regions.every((r) => r.reachable);
  return {
    status: ok ? "ok" : "degraded",
    backend: cfg.backend,
    store: getStore().kind,
    storeReachable,
    regions,
  };
}

/** What anyone may see: ok or degraded, nothing about the backend, regions or their errors. */
export function publicHealth(h: { status: string }): { status: "ok" | "degraded" } {
  return { status: h.status === "ok" ? "ok" : "degraded" };
}

async function storeAnswers(): Promise<boolean> {
  try {
    await getStore().ping(2_000);
    return true;
  } catch {
    return false;
  }
}
