import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runBackendContract, type ContractQuirks } from "@/test/support/backends/contract";
import { awsCallCounts, awsMetricsRequested, createAwsBackend, resetAwsCallCounts, type AwsBackend } from ".";
import { MAX_ATTEMPTS } from "./clients";
import {
  deadEndpoint,
  MOTO_PRIMARY as PRIMARY,
  MOTO_STANDBY as STANDBY,
  motoEnv,
  motoFleetConfig as motoConfig,
  motoFleetPools,
  seedMotoFleet,
  startMoto,
  type MotoServer,
  type SeededCpu,
} from "@/test/support/aws";

// The AWS backend against the moto emulator, started and stopped here. The SDK finds moto through
// AWS_ENDPOINT_URL (the SDK's own endpoint resolution) and moto's fake keys through the default
// credential chain: the same path a real deployment takes. The fleet: test/support/aws/fleet.ts.

/** Where moto differs from AWS, said once (aws-facts.md, "An AWS emulator on these machines"). */
const MOTO_QUIRKS: ContractQuirks = { acceptsOutOfRangeDesired: true, activities: false };

let moto: MotoServer;
let cpu: SeededCpu;
const backends: AwsBackend[] = [];
const track = (b: AwsBackend) => (backends.push(b), b);

beforeAll(async () => {
  moto = await startMoto();
  for (const [k, v] of Object.entries(motoEnv(moto.url))) vi.stubEnv(k, v);
  cpu = await seedMotoFleet(moto.url);
});

afterAll(async () => {
  for (const b of backends) b.close();
  vi.unstubAllEnvs();
  await moto?.stop();
});

runBackendContract("aws (moto)", async () => ({
  backend: track(createAwsBackend(motoConfig())),
  regions: { primary: PRIMARY, standby: STANDBY },
  pools: motoFleetPools(),
  metric: {
    region: PRIMARY,
    query: {
      namespace: "AWS/EC2",
      metricName: "CPUUtilization",
      dimensions: { AutoScalingGroupName: "capstan-web-use1" },
      period: 60,
    },
    range: cpu.range,
    expected: cpu.expected,
  },
  writable: { region: PRIMARY, groupName: "capstan-worker-use1" },
  isolation: async () => ({
    backend: track(
      createAwsBackend(motoConfig(), {
        ...process.env,
        CAPSTAN_AWS_ENDPOINT_URL_US_WEST_2: await deadEndpoint(),
      }),
    ),
    failing: STANDBY,
    healthy: PRIMARY,
  }),
  quirks: MOTO_QUIRKS,
}));

describe("aws backend against moto: calls and endpoints", () => {
  const count = (operation: string, region: string) =>
    awsCallCounts().find((c) => c.operation === operation && c.region === region)?.count ?? 0;

  it("a refresh costs one describe per 100 tagged groups (+1 by name for untagged configured ones); policies are cached", async () => {
    const backend = track(createAwsBackend(motoConfig()));
    resetAwsCallCounts();
    await backend.listGroups(PRIMARY);
    await backend.listGroups(PRIMARY);
    await backend.getMetricData(
      PRIMARY,
      ["a", "b", "c", "d"].map((id) => ({
        id,
        namespace: "AWS/EC2",
        metricName: "CPUUtilization",
        dimensions: { AutoScalingGroupName: "capstan-web-use1" },
        statistic: "Average" as const,
        period: 60,
      })),
      cpu.range,
    );
    // Only the primary: the region-down tests may still be finishing their standby retries.
    // The tag-only shop pool has no page load configured: its target group's load balancer is
    // looked up once and cached (like the policies), not on every refresh.
    expect(awsCallCounts().filter((c) => c.region === PRIMARY)).toEqual([
      { service: "autoscaling", operation: "DescribeAutoScalingGroups", region: PRIMARY, count: 4 },
      { service: "autoscaling", operation: "DescribePolicies", region: PRIMARY, count: 1 },
      { service: "autoscaling", operation: "DescribeScheduledActions", region: PRIMARY, count: 1 },
      { service: "cloudwatch", operation: "GetMetricData", region: PRIMARY, count: 1 },
      { service: "elasticloadbalancing", operation: "DescribeLoadBalancers", region: PRIMARY, count: 1 },
      { service: "elasticloadbalancing", operation: "DescribeTargetGroups", region: PRIMARY, count: 1 },
    ]);
    // What CloudWatch bills: the metrics requested, four in one call.
    expect(awsMetricsRequested(PRIMARY)).toBe(4);
  });

  it("a tag-only group behind an application load balancer gets its page load from the target group", async () => {
    const backend = track(createAwsBackend(motoConfig()));
    for (const region of [PRIMARY, STANDBY]) {
      const shop = (await backend.listGroups(region)).find((g) => g.poolId === "shop")!;
      expect(shop.loadBalancerTarget?.targetGroup, region).toMatch(
        new RegExp(`^targetgroup/shop-${region === PRIMARY ? "use1" : "usw2"}/[0-9a-f]+$`),
      );
      expect(shop.loadBalancerTarget?.loadBalancer, region).toMatch(/^app\/shop-.*-lb\/[0-9a-f]+$/);
      // A pool with no target group has none.
      expect(
        (await backend.listGroups(region)).find((g) => g.poolId === "worker")?.loadBalancerTarget,
      ).toBeUndefined();
    }
  });

  it("an unreachable region is retried (3 attempts in all), then reported as regional", async () => {
    const backend = track(
      createAwsBackend(motoConfig(), {
        ...process.env,
        CAPSTAN_AWS_ENDPOINT_URL_US_WEST_2: await deadEndpoint(),
      }),
    );
    resetAwsCallCounts();
    await expect(backend.setDesiredCapacity(STANDBY, "capstan-web-usw2", 2)).rejects.toMatchObject({
      code: "NetworkingError",
      message: expect.stringContaining("ECONNREFUSED"),
      regional: true,
    });
    expect(count("SetDesiredCapacity", STANDBY)).toBe(MAX_ATTEMPTS);
  });

  it("honours the per-service endpoint variables over AWS_ENDPOINT_URL (resolved by the SDK itself)", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL", await deadEndpoint());
    vi.stubEnv("AWS_ENDPOINT_URL_AUTO_SCALING", moto.url);
    vi.stubEnv("AWS_ENDPOINT_URL_CLOUDWATCH", moto.url);
    try {
      const backend = track(createAwsBackend(motoConfig()));
      const groups = await backend.listGroups(STANDBY);
      expect(groups.map((g) => g.groupName).sort()).toEqual([
        "capstan-web-usw2",
        "capstan-worker-usw2",
        "legacy-batch-usw2",
        "shop-frontend-usw2",
      ]);
      const [max] = await backend.getMetricData(
        PRIMARY,
        [
          {
            id: "cpu",
            namespace: "AWS/EC2",
            metricName: "CPUUtilization",
            dimensions: { AutoScalingGroupName: "capstan-web-use1" },
            statistic: "Maximum",
            period: 60,
          },
        ],
        cpu.range,
      );
      expect(max!.points).toEqual(cpu.expected.Maximum);
    } finally {
      vi.stubEnv("AWS_ENDPOINT_URL", moto.url);
      vi.stubEnv("AWS_ENDPOINT_URL_AUTO_SCALING", "");
      vi.stubEnv("AWS_ENDPOINT_URL_CLOUDWATCH", "");
    }
  });
});
