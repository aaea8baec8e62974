import "server-only";
import type { FleetConfig } from "@/lib/config/schema";
import {
  BackendError,
  type BoundsChange,
  type FleetBackend,
  type GroupState,
  type InstanceDetail,
  type MetricQuery,
  type MetricSeries,
  type ScalingActivity,
  type TimeRange,
  type WriteResult,
} from "@/lib/fleet/types";
import { describeActivities } from "./activities";
import { AutomationCache } from "./automation";
import { AwsClients, regionEndpoints } from "./clients";
import { listGroups } from "./groups";
import { describeInstances } from "./instances";
import { getMetricData } from "./metrics";
import { TargetGroupCache } from "./target-group-cache";
import { setDesiredCapacity, updateGroupBounds } from "./writes";

// The AWS implementation of the FleetBackend seam. The only folder of Capstan that imports
// @aws-sdk: everything leaving it is Capstan's own types and BackendError.

export {
  awsCallCounts,
  awsCallTotal,
  awsMetricsRequested,
  resetAwsCallCounts,
  type AwsCallCount,
  type AwsService,
} from "./calls";

export interface AwsBackend extends FleetBackend {
  readonly kind: "aws";
  /** Closes the SDK clients' sockets (tests, shutdown). */
  close(): void;
}

export interface AwsBackendOptions {
  /** Per-attempt HTTP timeout; defaults to the configuration's `refresh.timeoutMs`. */
  requestTimeoutMs?: number;
  now?: () => number;
}

export function createAwsBackend(
  cfg: FleetConfig,
  env: Record<string, string | undefined> = process.env,
  options: AwsBackendOptions = {},
): AwsBackend {
  const regions = [cfg.regions.primary, cfg.regions.standby];
  const clients = new AwsClients({
    // Per attempt, half the region's budget: one hung connection leaves room for a retry on a
    // fresh one instead of using up the whole read (writes are set-to-N, so a retry is harmless).
    requestTimeoutMs: options.requestTimeoutMs ?? Math.max(1000, Math.floor(cfg.refresh.timeoutMs / 2)),
    endpoints: regionEndpoints(regions, env),
  });
  const automation = new AutomationCache((region) => clients.autoscaling(region), options.now);
  const targetGroups = new TargetGroupCache((region) => clients.elbv2(region), options.now);

  // Only the configured regions: a typo elsewhere must not quietly create a client for it.
  const known = (region: string): string => {
    if (!regions.includes(region)) {
      throw new BackendError(
        "UnknownRegion",
        `Region ${region} is not configured (expected ${regions.join(" or ")}).`,
      );
    }
    return region;
  };

  return {
    kind: "aws",

    async listGroups(region: string, signal?: AbortSignal): Promise<GroupState[]> {
      const client = clients.autoscaling(known(region));
      return listGroups({
        client,
        region,
        cfg,
        automation: automation.get(region),
        targetGroups: (arns) => targetGroups.get(region, arns),
        signal,
      });
    },

    async getMetricData(
      region: string,
      queries: MetricQuery[],
      range: TimeRange,
      signal?: AbortSignal,
    ): Promise<MetricSeries[]> {
      const client = clients.cloudwatch(known(region));
      return getMetricData({ client, region, signal }, queries, range);
    },

    async describeInstances(
      region: string,
      instanceIds: string[],
      signal?: AbortSignal,
    ): Promise<InstanceDetail[]> {
      return describeInstances(clients.ec2(known(region)), region, instanceIds, signal);
    },

    async describeActivities(region: string, groupName: string, limit?: number): Promise<ScalingActivity[]> {
      return describeActivities(clients.autoscaling(known(region)), region, groupName, limit);
    },

    async setDesiredCapacity(region: string, groupName: string, desired: number): Promise<WriteResult> {
      return setDesiredCapacity(clients.autoscaling(known(region)), region, groupName, desired);
    },

    async updateGroupBounds(region: string, groupName: string, change: BoundsChange): Promise<WriteResult> {
      return updateGroupBounds(clients.autoscaling(known(region)), region, groupName, change);
    },

    close(): void {
      clients.destroy();
    },
  };
}
