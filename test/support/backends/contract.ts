import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BackendError,
  type FleetBackend,
  type GroupState,
  type LifecycleState,
  type MetricQuery,
} from "@/lib/fleet/types";
import type { ContractFixture } from "./contract-fixture";

export type * from "./contract-fixture";

// ONE contract for every FleetBackend: the same scenarios run against the simulation and against
// the AWS backend talking to the moto emulator, so the simulation cannot drift from AWS.
// Where the emulator differs from AWS, the fixture declares it once in `quirks` and the assertion
// takes the declared branch: it never just loosens.

const LIFECYCLE: LifecycleState[] = [
  "Pending",
  "InService",
  "Terminating",
  "Terminated",
  "Standby",
  "Detaching",
];
const ACTIVITY_STATUS = new Set([
  "PendingSpotBidPlacement",
  "WaitingForSpotInstanceRequestId",
  "WaitingForSpotInstanceId",
  "WaitingForInstanceId",
  "PreInService",
  "InProgress",
  "WaitingForELBConnectionDraining",
  "MidLifecycleAction",
  "WaitingForInstanceWarmup",
  "Successful",
  "Failed",
  "Cancelled",
  "WaitingForConnectionDraining",
]);

/** [pool id, group name] pairs the fixture says the region holds, sorted. */
function expectedPools(fx: ContractFixture, region: string): string[][] {
  return fx.pools
    .flatMap((p) => {
      const g = p.groups[region];
      return g ? [[p.poolId, g.name]] : [];
    })
    .sort();
}

export function runBackendContract(name: string, setup: () => Promise<ContractFixture>): void {
  describe(`FleetBackend contract: ${name}`, () => {
    let fx: ContractFixture;
    beforeAll(async () => {
      fx = await setup();
    });
    afterAll(async () => {
      await fx?.teardown?.();
    });

    const groupIn = async (backend: FleetBackend, region: string, groupName: string): Promise<GroupState> => {
      const found = (await backend.listGroups(region)).find((g) => g.groupName === groupName);
      if (!found) throw new Error(`group ${groupName} not listed in ${region}`);
      return found;
    };

    it("discovers every pool in both regions, by pool id and group name, and nothing else", async () => {
      for (const region of [fx.regions.primary, fx.regions.standby]) {
        const listed = await fx.backend.listGroups(region);
        expect(listed.map((g) => [g.poolId, g.groupName]).sort()).toEqual(expectedPools(fx, region));
        expect(new Set(listed.map((g) => g.region))).toEqual(new Set([region]));
      }
    });

    it("reports bounds, desired, automation and instances of each pool's group", async () => {
      for (const region of [fx.regions.primary, fx.regions.standby]) {
        const listed = await fx.backend.listGroups(region);
        for (const pool of fx.pools) {
          const fact = pool.groups[region];
          if (!fact) continue;
          const g = listed.find((x) => x.groupName === fact.name)!;
          expect({ min: g.min, max: g.max, desired: g.desired }, `${region} ${fact.name}`).toEqual({
            min: fact.min,
            max: fact.max,
            desired: fact.desired,
          });
          expect([g.hasScalingPolicies, g.hasScheduledActions], `${region} ${fact.name} automation`).toEqual([
            fact.policies,
            fact.scheduled,
          ]);
          const active = g.instances.filter(
            (i) => i.lifecycleState !== "Terminated" && i.lifecycleState !== "Terminating",
          );
          expect(active.length, `${region} ${fact.name} instances`).toBe(fact.desired);
          expect(new Set(g.instances.map((i) => i.id)).size).toBe(g.instances.length);
          for (const i of g.instances) {
            expect(i.id).toMatch(/^i-[0-9a-f]+$/);
            expect(i.availabilityZone.startsWith(region)).toBe(true);
            expect(LIFECYCLE).toContain(i.lifecycleState);
            expect(["Healthy", "Unhealthy"]).toContain(i.health);
            expect(g.instanceTypes).toContain(i.instanceType);
          }
        }
      }
    });

    it("describes a group's instances as EC2 does: launch time, AZ and type per id, unknown ids left out", async () => {
      const region = fx.regions.primary;
      const g = (await fx.backend.listGroups(region)).find((x) => x.instances.length > 0);
      if (!g) throw new Error(`no group with instances in ${region}`);
      const ids = g.instances.map((i) => i.id);
      const details = await fx.backend.describeInstances(region, [...ids, "i-0000000000000dead"]);
      expect(details.map((d) => d.id).sort()).toEqual([...ids].sort());
      for (const d of details) {
        expect(Number.isNaN(Date.parse(d.launchTime)), `${d.id} launch time ${d.launchTime}`).toBe(false);
        expect(Date.parse(d.launchTime)).toBeLessThanOrEqual(Date.now());
        expect(d.availabilityZone.startsWith(region)).toBe(true);
        expect(g.instanceTypes).toContain(d.instanceType);
        expect(typeof d.detailedMonitoring).toBe("boolean");
      }
      expect(await fx.backend.describeInstances(region, [])).toEqual([]);
    });

    it("reads metric series back, Average and Maximum, aligned to the period across the range", async () => {
      const { region, query, range, expected } = fx.metric;
      const [avg, max] = await fx.backend.getMetricData(
        region,
        [
          { ...query, id: "avg", statistic: "Average" },
          { ...query, id: "max", statistic: "Maximum" },
        ],
        range,
      );
      const step = query.period * 1000;
      const first = Math.floor(range.start / step) * step;
      const count = Math.ceil(range.end / step) - first / step;
      for (const s of [avg!, max!]) {
        expect(s.status).toBe("Complete");
        expect(s.points.map((p) => p[0])).toEqual(Array.from({ length: count }, (_, k) => first + k * step));
        expect(s.points.some((p) => p[1] !== null)).toBe(true);
      }
      avg!.points.forEach(([t, a], k) => {
        const m = max!.points[k]![1];
        if (a !== null && m !== null) expect(m, `t=${t}`).toBeGreaterThanOrEqual(a);
      });
      if (expected) {
        expect(avg!.points).toEqual(expected.Average);
        expect(max!.points).toEqual(expected.Maximum);
      }
    });

    it("a metric nobody publishes comes back Complete and empty, not as zeros", async () => {
      const { region, query, range } = fx.metric;
      const [none] = await fx.backend.getMetricData(
        region,
        [
          {
            ...query,
            id: "none",
            namespace: "Capstan/Contract",
            metricName: "NoSuchMetric",
            statistic: "Average",
          },
        ],
        range,
      );
      expect(none).toEqual({ id: "none", status: "Complete", messages: [], points: [] });
    });

    it("a desired change is read back", async () => {
      const { region, groupName } = fx.writable;
      const before = await groupIn(fx.backend, region, groupName);
      expect(before.desired + 1).toBeLessThanOrEqual(before.max);
      await fx.backend.setDesiredCapacity(region, groupName, before.desired + 1);
      const after = await groupIn(fx.backend, region, groupName);
      expect({ min: after.min, max: after.max, desired: after.desired }).toEqual({
        min: before.min,
        max: before.max,
        desired: before.desired + 1,
      });
      await fx.backend.setDesiredCapacity(region, groupName, before.desired);
      expect((await groupIn(fx.backend, region, groupName)).desired).toBe(before.desired);
    });

    it("a bounds change touches only the fields sent", async () => {
      const { region, groupName } = fx.writable;
      const before = await groupIn(fx.backend, region, groupName);
      await fx.backend.updateGroupBounds(region, groupName, { max: before.max + 2 });
      const after = await groupIn(fx.backend, region, groupName);
      expect({ min: after.min, max: after.max, desired: after.desired }).toEqual({
        min: before.min,
        max: before.max + 2,
        desired: before.desired,
      });
      await fx.backend.updateGroupBounds(region, groupName, { max: before.max });
      expect((await groupIn(fx.backend, region, groupName)).max).toBe(before.max);
    });

    it("a desired value above max is refused with AWS's ValidationError (or, declared, accepted by the emulator)", async () => {
      const { region, groupName } = fx.writable;
      const before = await groupIn(fx.backend, region, groupName);
      const tooMany = before.max + 1;
      const attempt = fx.backend.setDesiredCapacity(region, groupName, tooMany);
      if (fx.quirks.acceptsOutOfRangeDesired) {
        await attempt;
        expect((await groupIn(fx.backend, region, groupName)).desired).toBe(tooMany);
        await fx.backend.updateGroupBounds(region, groupName, { desired: before.desired });
      } else {
        const err = await attempt.then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(BackendError);
        expect(err).toMatchObject({
          code: "ValidationError",
          message: `New SetDesiredCapacity value ${tooMany} is above max value ${before.max} for the AutoScalingGroup.`,
          regional: false,
        });
      }
      expect((await groupIn(fx.backend, region, groupName)).desired).toBe(before.desired);
    });

    it("scaling activities record the changes (or, declared, the emulator keeps none)", async () => {
      const { region, groupName } = fx.writable;
      const activities = await fx.backend.describeActivities(region, groupName, 10);
      if (!fx.quirks.activities) {
        expect(activities).toEqual([]);
        return;
      }
      expect(activities.length).toBeGreaterThan(0);
      expect(activities.length).toBeLessThanOrEqual(10);
      for (const a of activities) {
        expect(a.groupName).toBe(groupName);
        expect(ACTIVITY_STATUS.has(a.statusCode)).toBe(true);
        expect(Number.isNaN(Date.parse(a.startTime))).toBe(false);
        expect(a.progress).toBeGreaterThanOrEqual(0);
        expect(a.progress).toBeLessThanOrEqual(100);
      }
    });

    it("one region failing leaves the other's pools intact and surfaces a regional BackendError", async () => {
      const iso = await fx.isolation();
      try {
        const range = fx.metric.range;
        const q: MetricQuery = { ...fx.metric.query, id: "cpu", statistic: "Average" };
        const [healthy, failing, failingMetrics] = await Promise.allSettled([
          iso.backend.listGroups(iso.healthy),
          iso.backend.listGroups(iso.failing),
          iso.backend.getMetricData(iso.failing, [q], range),
        ]);
        expect(healthy.status).toBe("fulfilled");
        const groups = (healthy as PromiseFulfilledResult<GroupState[]>).value;
        expect(groups.map((g) => [g.poolId, g.groupName]).sort()).toEqual(expectedPools(fx, iso.healthy));
        for (const r of [failing, failingMetrics]) {
          expect(r.status).toBe("rejected");
          const err = (r as PromiseRejectedResult).reason;
          expect(err).toBeInstanceOf(BackendError);
          // An unreachable region reads the same from both backends.
          expect(err).toMatchObject({ code: "NetworkingError", regional: true, answered: false });
        }
      } finally {
        await iso.cleanup?.();
      }
    });
  });
}
