import type { z } from "zod";
import { configSchema, type authSchema, type FleetConfig } from "@/lib/config/schema";
import type { Point, TimeRange } from "@/lib/fleet/types";
import type { PoolFact } from "@/test/support/backends/contract-fixture";
import { putMetricSeries, seedGroups, type SeedGroup } from "./seed";

// One small fleet for the emulator, shared by the contract suite, the end-to-end test and the
// benchmark: tagged pools in both regions, a group only the configuration names, tagged pools
// the configuration does not know (one of them behind an application load balancer, so its page
// load comes from its target group), and a group that is nobody's.

export const MOTO_PRIMARY = "us-east-1";
export const MOTO_STANDBY = "us-west-2";
const MINUTE = 60_000;

export const MOTO_FLEET: Record<string, SeedGroup[]> = {
  [MOTO_PRIMARY]: [
    {
      name: "capstan-web-use1",
      pool: "web",
      min: 2,
      max: 10,
      desired: 3,
      instanceType: "c5.large",
      scalingPolicy: true,
    },
    {
      name: "capstan-worker-use1",
      pool: "worker",
      min: 1,
      max: 6,
      desired: 2,
      instanceType: "m5.large",
      scheduledAction: true,
    },
    { name: "legacy-batch-use1", min: 0, max: 4, desired: 1 }, // untagged: found by its configured name
    {
      name: "adhoc-tools-use1",
      pool: "adhoc",
      tags: { "capstan:tier": "worker" },
      min: 0,
      max: 2,
      desired: 1,
    },
    { name: "unrelated-use1", min: 0, max: 2, desired: 1 }, // neither tagged nor configured: not Capstan's
    // Tag only, behind a load balancer: a web pool whose page load comes from its target group.
    {
      name: "shop-frontend-use1",
      pool: "shop",
      min: 1,
      max: 4,
      desired: 2,
      instanceType: "c5.large",
      behindAlb: "shop-use1",
    },
  ],
  [MOTO_STANDBY]: [
    { name: "capstan-web-usw2", pool: "web", min: 1, max: 10, desired: 1, instanceType: "c5.large" },
    { name: "capstan-worker-usw2", pool: "worker", min: 0, max: 6, desired: 1, instanceType: "m5.large" },
    { name: "legacy-batch-usw2", min: 0, max: 2, desired: 0 },
    { name: "unrelated-usw2", min: 0, max: 2, desired: 0 },
    {
      name: "shop-frontend-usw2",
      pool: "shop",
      min: 0,
      max: 4,
      desired: 1,
      instanceType: "c5.large",
      behindAlb: "shop-usw2",
    },
  ],
};

/** The configuration that goes with MOTO_FLEET (`auth` defaults to API tokens, none issued). */
export function motoFleetConfig(auth: z.input<typeof authSchema> = { mode: "tokens" }): FleetConfig {
  const pool = (id: string, tier: string, groups?: Record<string, string>) => ({
    id,
    name: id,
    tier,
    ...(groups ? { groups } : {}),
    instance: { type: "c5.large", hourlyPrice: 0.085 },
  });
  return configSchema.parse({
    backend: "aws",
    regions: { primary: MOTO_PRIMARY, standby: MOTO_STANDBY },
    refresh: { capacitySeconds: 15, timeoutMs: 5000 },
    pools: [
      // "web" names its primary group although the tag finds it too: that costs no extra call.
      pool("web", "web", { [MOTO_PRIMARY]: "capstan-web-use1" }),
      pool("worker", "worker"),
      pool("legacy", "infra", { [MOTO_PRIMARY]: "legacy-batch-use1", [MOTO_STANDBY]: "legacy-batch-usw2" }),
    ],
    auth,
  });
}

/** What the backend must report for MOTO_FLEET: pool → group per region (the contract's facts). */
export function motoFleetPools(): PoolFact[] {
  const fact = (region: string, name: string) => {
    const g = MOTO_FLEET[region]!.find((x) => x.name === name)!;
    const { min, max, desired } = g;
    return { name, min, max, desired, policies: !!g.scalingPolicy, scheduled: !!g.scheduledAction };
  };
  return [
    {
      poolId: "web",
      groups: {
        [MOTO_PRIMARY]: fact(MOTO_PRIMARY, "capstan-web-use1"),
        [MOTO_STANDBY]: fact(MOTO_STANDBY, "capstan-web-usw2"),
      },
    },
    {
      poolId: "worker",
      groups: {
        [MOTO_PRIMARY]: fact(MOTO_PRIMARY, "capstan-worker-use1"),
        [MOTO_STANDBY]: fact(MOTO_STANDBY, "capstan-worker-usw2"),
      },
    },
    {
      poolId: "legacy",
      groups: {
        [MOTO_PRIMARY]: fact(MOTO_PRIMARY, "legacy-batch-use1"),
        [MOTO_STANDBY]: fact(MOTO_STANDBY, "legacy-batch-usw2"),
      },
    },
    { poolId: "adhoc", groups: { [MOTO_PRIMARY]: fact(MOTO_PRIMARY, "adhoc-tools-use1") } },
    {
      poolId: "shop",
      groups: {
        [MOTO_PRIMARY]: fact(MOTO_PRIMARY, "shop-frontend-use1"),
        [MOTO_STANDBY]: fact(MOTO_STANDBY, "shop-frontend-usw2"),
      },
    },
  ];
}

export interface SeededCpu {
  /** The 30 minutes before `now` (minute-aligned). */
  range: TimeRange;
  /** What GetMetricData must answer at a 60 s period; minutes 10–12 are gaps. */
  expected: { Average: Point[]; Maximum: Point[] };
}

/**
 * Seeds MOTO_FLEET in both regions and 30 minutes of CPU for the primary web group: two samples a
 * minute (v and v + 20, so Average = v + 10 and Maximum = v + 20), minutes 10–12 left empty.
 */
export async function seedMotoFleet(url: string, now: number = Date.now()): Promise<SeededCpu> {
  for (const [region, groups] of Object.entries(MOTO_FLEET)) await seedGroups(url, region, groups);
  const end = Math.floor(now / MINUTE) * MINUTE;
  const range = { start: end - 30 * MINUTE, end };
  const minutes = Array.from({ length: 30 }, (_, k) => range.start + k * MINUTE);
  const written = (k: number) => k < 10 || k > 12;
  await putMetricSeries(url, MOTO_PRIMARY, {
    namespace: "AWS/EC2",
    metricName: "CPUUtilization",
    dimensions: { AutoScalingGroupName: "capstan-web-use1" },
    samples: minutes.flatMap((t, k) =>
      written(k)
        ? [
            { timestamp: t + 5_000, value: 10 + k },
            { timestamp: t + 35_000, value: 30 + k },
          ]
        : [],
    ),
  });
  const points = (offset: number): Point[] => minutes.map((t, k) => [t, written(k) ? 10 + k + offset : null]);
  return { range, expected: { Average: points(10), Maximum: points(20) } };
}
