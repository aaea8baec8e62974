import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ElasticLoadBalancingV2Client,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { setAuditStoreForTests } from "@/lib/audit";
import { setBackendForTests } from "@/lib/backends";
import { awsCallCounts, createAwsBackend, resetAwsCallCounts, type AwsBackend } from "@/lib/backends/aws";
import {
  MOTO_CREDENTIALS,
  MOTO_PRIMARY as PRIMARY,
  motoEnv,
  motoFleetConfig,
  seedMotoFleet,
  startMoto,
  type MotoServer,
} from "@/test/support/aws";
import { sharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests } from "@/lib/config";
import { readPool } from "./read-pool";
import { tempStore, viewer } from "@/test/support/services/fixtures";

// The pool page with backend: aws against moto: real instances (EC2 launch times), page load
// from the target group of a pool found only by its tag, and what one refresh costs, counted at
// the SDK's transport.

let moto: MotoServer;
let backend: AwsBackend;
let audit: ReturnType<typeof tempStore>;

beforeAll(async () => {
  moto = await startMoto();
  for (const [k, v] of Object.entries(motoEnv(moto.url))) vi.stubEnv(k, v);
  await seedMotoFleet(moto.url);
  const cfg = motoFleetConfig();
  setConfigForTests(cfg);
  backend = createAwsBackend(cfg);
  setBackendForTests(backend);
  audit = tempStore();
  setAuditStoreForTests(audit.store);
  sharedCache().clear();
});

afterAll(async () => {
  backend?.close();
  setBackendForTests(undefined);
  setConfigForTests(undefined);
  setAuditStoreForTests(undefined);
  audit?.cleanup();
  sharedCache().clear();
  vi.unstubAllEnvs();
  await moto?.stop();
});

async function shopTargetGroup(): Promise<{ targetGroup: string; loadBalancer: string }> {
  const elb = new ElasticLoadBalancingV2Client({
    region: PRIMARY,
    endpoint: moto.url,
    credentials: MOTO_CREDENTIALS,
  });
  try {
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ["shop-use1"] }))).TargetGroups![0]!;
    const lb = tg.LoadBalancerArns![0]!;
    return {
      targetGroup: tg.TargetGroupArn!.slice(tg.TargetGroupArn!.indexOf("targetgroup/")),
      loadBalancer: lb.slice(lb.indexOf("loadbalancer/") + 13),
    };
  } finally {
    elb.destroy();
  }
}

describe("the pool page on AWS (moto)", () => {
  it("lists EC2's instances with launch times and draws page load from the tag-only group's target group", async () => {
    const d = await readPool(viewer, PRIMARY, "shop", "6h");
    expect(d.pool.tier).toBe("web");
    expect(d.instances).toHaveLength(2);
    for (const i of d.instances) {
      expect(i.launchTime).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(Date.parse(i.launchTime)).toBeLessThanOrEqual(Date.now());
      expect(i.instanceType).toBe("c5.large");
    }
    const { targetGroup, loadBalancer } = await shopTargetGroup();
    expect(d.pageLoadSource).toEqual({
      namespace: "AWS/ApplicationELB",
      metric: "TargetResponseTime",
      dimensions: { LoadBalancer: loadBalancer, TargetGroup: targetGroup },
      from: "target group",
    });
    expect(d.series.pageLoadP90).not.toBeNull();
    expect(d.series.requests).not.toBeNull();
    // The per-instance CPU is in the page's CloudWatch cost: one series per instance.
    expect(d.cloudwatch.instanceSeries).toBe(2);
    expect(d.cloudwatch.instanceUsdPerDay).toBeGreaterThan(0);
  });

  it("a refresh makes the documented calls and no more", async () => {
    await readPool(viewer, PRIMARY, "shop", "6h"); // warm the backend's own caches (policies, target groups)
    sharedCache().clear(); // every shared entry expired: what a refresh after the longest TTL costs
    resetAwsCallCounts();
    await readPool(viewer, PRIMARY, "shop", "6h");
    expect(awsCallCounts()).toEqual([
      // the region's groups: tagged ones, plus the configured untagged group by name (shared with the overview)
      { service: "autoscaling", operation: "DescribeAutoScalingGroups", region: PRIMARY, count: 2 },
      { service: "autoscaling", operation: "DescribeScalingActivities", region: PRIMARY, count: 1 },
      // the overview's series, the page's series, the per-instance CPU, the advisor's measured
      // window (requests, CPU, p90 for the prediction), the last 24 h's peak a scale-in must
      // still serve (5-minute requests, CPU, in service): one call each
      { service: "cloudwatch", operation: "GetMetricData", region: PRIMARY, count: 5 },
      { service: "ec2", operation: "DescribeInstances", region: PRIMARY, count: 1 },
    ]);
    // Within the refresh interval, a second viewer costs nothing.
    resetAwsCallCounts();
    await readPool(viewer, PRIMARY, "shop", "6h");
    expect(awsCallCounts()).toEqual([]);
  });
});
