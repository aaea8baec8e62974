import "server-only";
import { createHash } from "node:crypto";
import { getBackend } from "@/lib/backends";
import { sharedCache } from "@/lib/cache/shared-cache";
import { getConfig, type FleetConfig } from "@/lib/config";
import type { GroupState, Instance, InstanceDetail, MetricQuery, Point } from "@/lib/fleet/types";
import type { RegionError } from "@/lib/fleet/views";
import { downsample } from "@/lib/metrics/period";
import { readSeries, toRegionError, withRegionTimeout } from "./region-reads";

// The pool page's instances: Auto Scaling's list (lifecycle, health) completed by EC2's view
// (launch time, AZ, type, monitoring), and a CPU sparkline per instance, because a hot instance
// hides behind a calm average. Only the pool page asks; both are cached and shared by viewers:
// DescribeInstances at the capacity refresh (free), one GetMetricData for every instance of the
// pool at the instances' CloudWatch period (billed: counted in the page's CloudWatch cost).

/** The sparkline's window. */
export const INSTANCE_CPU_RANGE_MS = 60 * 60_000;
const SPARK_POINTS = 60;

export interface PoolInstances {
  list: Instance[];
  /** Instance id → CPU % over the last hour (at 1 or 5 minutes, as the instance is monitored). */
  cpu: Record<string, Point[]>;
  /** The per-instance CPU series asked for per refresh, and how often (for the cost line). */
  queries: MetricQuery[];
  error?: RegionError;
}

export async function readInstances(
  region: string,
  group: GroupState | undefined,
  now: number,
  cfg: FleetConfig = getConfig(),
): Promise<PoolInstances> {
  if (!group || group.instances.length === 0) return { list: group?.instances ?? [], cpu: {}, queries: [] };
  const ids = group.instances.map((i) => i.id).sort();
  // Keyed by the instance set: a new or replaced instance is described at once, not a refresh later.
  const set = createHash("sha256").update(ids.join(",")).digest("hex").slice(0, 16);
  const details = await sharedCache().get(
    `instances:${region}:${group.groupName}:${set}`,
    cfg.refresh.capacitySeconds * 1000,
    () =>
      withRegionTimeout(region, cfg.refresh.timeoutMs, (signal) =>
        getBackend().describeInstances(region, ids, signal),
      ),
  );
  const byId = new Map<string, InstanceDetail>((details.value ?? []).map((d) => [d.id, d]));
  const list = group.instances.map((i): Instance => {
    const d = byId.get(i.id);
    if (!d) return i;
    return {
      ...i,
      launchTime: d.launchTime || i.launchTime,
      availabilityZone: d.availabilityZone || i.availabilityZone,
      instanceType: d.instanceType !== "unknown" ? d.instanceType : i.instanceType,
    };
  });

  // Without EC2's answer the monitoring is unknown: ask at five minutes, which basic and detailed both have.
  const queries = ids.map((id, k): MetricQuery => ({
    id: `i_${k}`,
    namespace: "AWS/EC2",
    metricName: "CPUUtilization",
    dimensions: { InstanceId: id },
    statistic: "Average",
    period: byId.get(id)?.detailedMonitoring ? 60 : 300,
  }));
  const period = Math.min(...queries.map((q) => q.period));
  const end = Math.ceil(now / 300_000) * 300_000;
  const series = await readSeries(
    `instances-cpu:${group.groupName}:${set}`,
    region,
    queries,
    { start: end - INSTANCE_CPU_RANGE_MS, end },
    period * 1000,
    cfg,
  );
  const cpu: Record<string, Point[]> = {};
  for (const s of series.value ?? []) {
    const q = queries.find((x) => x.id === s.id);
    if (q)
      cpu[q.dimensions.InstanceId!] = downsample(s.points, SPARK_POINTS, "mean").map(([t, v]) => [
        t,
        v === null ? null : Math.round(v * 10) / 10,
      ]);
  }
  const err = details.error ?? series.error;
  return { list, cpu, queries, error: err ? toRegionError(err) : undefined };
}
