import "server-only";
import { instancesForCpu } from "@/lib/fleet/model";
import type { PoolSummary } from "@/lib/fleet/views";
import { scaleInHold, type PeakResult } from "./headroom";

export interface CapacityAdvice {
  desired: number;
  reason: string;
}

/**
 * Suggested desired capacity from measured load and the pool's targets: the size that brings CPU
 * to its target, raised by one while p90 page load or the backlog is over its target (the queue
 * says "more" even when CPU looks fine), kept within min–max. A scale-in keeps what the busiest
 * moment of the lookback window needed at the CPU target (see headroom.ts). Null while the pool is
 * changing or CPU is unknown: advice on a moving target would chase itself.
 */
export function adviseCapacity(
  p: Pick<
    PoolSummary,
    "desired" | "inService" | "pending" | "terminating" | "min" | "max" | "cpu" | "pageLoad" | "backlog"
  >,
  targets: { cpuPercent: number; pageLoadP90Ms?: number; backlog?: number },
  peak: PeakResult | null = null,
): CapacityAdvice | null {
  const cpu = p.cpu.latest;
  if (cpu === null || p.inService === 0 || p.pending > 0 || p.terminating > 0) return null;
  let desired = instancesForCpu(p.inService, cpu, targets.cpuPercent);
  const reasons = [`CPU ${Math.round(cpu)} % on ${p.inService} → ${targets.cpuPercent} % target`];
  const slow = targets.pageLoadP90Ms !== undefined && (p.pageLoad?.latest ?? 0) > targets.pageLoadP90Ms;
  const queued = targets.backlog !== undefined && (p.backlog?.latest ?? 0) > targets.backlog;
  if ((slow || queued) && desired <= p.inService) {
    desired = p.inService + 1;
    reasons.push(slow ? "p90 page load over target" : "backlog over target");
  }
  const hold = scaleInHold(p.desired, desired, peak, (pk) =>
    pk.cpuLoad === null ? null : Math.ceil(pk.cpuLoad / targets.cpuPercent - 1e-9),
  );
  if (hold) {
    desired = Math.max(desired, hold.desired);
    reasons.push(hold.why);
  }
  if (desired > p.max) reasons.push(`capped at max ${p.max}`);
  if (desired < p.min) reasons.push(`kept at min ${p.min}`);
  desired = Math.min(p.max, Math.max(p.min, desired));
  return { desired, reason: reasons.join("; ") };
}
