import type { PoolConfig } from "@/lib/config";
import type { GroupState } from "@/lib/fleet/types";
import type { PoolStatus, RegionStatus } from "@/lib/fleet/views";

export interface Counts {
  inService: number;
  pending: number;
  terminating: number;
  unhealthy: number;
}

export function countInstances(g: GroupState): Counts {
  const c: Counts = { inService: 0, pending: 0, terminating: 0, unhealthy: 0 };
  for (const i of g.instances) {
    if (i.lifecycleState === "InService") c.inService++;
    else if (i.lifecycleState === "Pending") c.pending++;
    else if (i.lifecycleState === "Terminating") c.terminating++;
    if (i.health === "Unhealthy") c.unhealthy++;
  }
  return c;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** One status per pool, worst first, with the reason an operator would want at a glance. */
export function poolStatus(
  pool: PoolConfig,
  group: GroupState | undefined,
  counts: Counts,
  region: RegionStatus,
  now: { cpu: number | null; pageLoadMs: number | null; backlog: number | null },
): { status: PoolStatus; reason?: string } {
  if (!group) return region === "error" ? { status: "error", reason: "region unreachable" } : { status: "missing", reason: "no group in this region" };
  if (region === "stale") return { status: "stale", reason: "showing last good data" };
  if (counts.unhealthy > 0) return { status: "degraded", reason: `${counts.unhealthy} unhealthy instance${counts.unhealthy > 1 ? "s" : ""}` };
  const t = pool.targets;
  if (t.pageLoadP90Ms !== undefined && now.pageLoadMs !== null && now.pageLoadMs > t.pageLoadP90Ms) {
    return { status: "degraded", reason: `p90 ${fmt(now.pageLoadMs)} ms over ${fmt(t.pageLoadP90Ms)} ms target` };
  }
  if (t.backlog !== undefined && now.backlog !== null && now.backlog > t.backlog) {
    return { status: "degraded", reason: `backlog ${fmt(now.backlog)} over ${fmt(t.backlog)}` };
  }
  if (now.cpu !== null && now.cpu > t.cpuPercent) {
    return { status: "degraded", reason: `CPU ${fmt(now.cpu)} % over ${t.cpuPercent} % target` };
  }
  if (counts.pending > 0 || counts.terminating > 0 || counts.inService !== group.desired) {
    return { status: "scaling", reason: `${counts.inService} of ${group.desired} in service` };
  }
  return { status: "healthy" };
}
