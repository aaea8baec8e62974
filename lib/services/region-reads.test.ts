import { describe, expect, it } from "vitest";
import { stubbedConfig } from "@/test/support/aws/stubbed";
import type { GroupState } from "@/lib/fleet/types";
import { poolsInRegion } from "./region-reads";

// Page load from the target group at run time: which pools get it, and that configuration wins.

const group = (poolId: string, extra: Partial<GroupState> = {}): GroupState => ({
  poolId,
  region: "us-east-1",
  groupName: `${poolId}-use1`,
  min: 0,
  max: 4,
  desired: 1,
  instances: [],
  instanceTypes: ["c5.large"],
  hasScalingPolicies: false,
  hasScheduledActions: false,
  tags: { "capstan:pool": poolId },
  ...extra,
});
const target = { loadBalancer: "app/web/1", targetGroup: "targetgroup/web/2" };
const dims = { LoadBalancer: "app/web/1", TargetGroup: "targetgroup/web/2" };

describe("page load from the group's target group", () => {
  const cfg = stubbedConfig(
    { id: "jobs", name: "Jobs", tier: "worker", instance: { type: "m5.large", hourlyPrice: 0.1 } },
    {
      id: "rum",
      name: "RUM",
      tier: "web",
      instance: { type: "m5.large", hourlyPrice: 0.1 },
      metrics: {
        pageLoad: {
          namespace: "AWS/RUM",
          metric: "PerformanceNavigationDuration",
          dimensions: { application_name: "shop" },
          statistic: "p90",
          unit: "Milliseconds",
        },
      },
    },
  );

  it("a web pool without page load gets p90, p50 and the request count from it", () => {
    const [app] = poolsInRegion(cfg, [group("app", { loadBalancerTarget: target })]);
    expect(app!.pool.metrics.pageLoad).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metric: "TargetResponseTime",
      statistic: "p90",
      dimensions: dims,
    });
    expect(app!.pool.metrics.pageLoadMedian).toMatchObject({ statistic: "p50", dimensions: dims });
    expect(app!.pool.metrics.requestCount).toMatchObject({
      metric: "RequestCount",
      statistic: "Sum",
      dimensions: dims,
    });
  });

  it("configured page load wins, and workers get none", () => {
    const pools = poolsInRegion(cfg, [
      group("jobs", { loadBalancerTarget: target }),
      group("rum", { loadBalancerTarget: target }),
    ]);
    expect(pools.find((p) => p.pool.id === "jobs")!.pool.metrics.pageLoad).toBeUndefined();
    expect(pools.find((p) => p.pool.id === "rum")!.pool.metrics.pageLoad?.namespace).toBe("AWS/RUM");
    expect(pools.find((p) => p.pool.id === "rum")!.pool.metrics.requestCount).toBeUndefined();
  });

  it("a pool only its tag names is a web pool behind a load balancer, infra otherwise", () => {
    const pools = poolsInRegion(cfg, [group("shop", { loadBalancerTarget: target }), group("tools")]);
    const shop = pools.find((p) => p.pool.id === "shop")!.pool;
    expect(shop.tier).toBe("web");
    expect(shop.metrics.pageLoad?.dimensions).toEqual(dims);
    expect(pools.find((p) => p.pool.id === "tools")!.pool).toMatchObject({ tier: "infra", metrics: {} });
  });
});
