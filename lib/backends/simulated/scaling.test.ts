import { afterEach, describe, expect, it } from "vitest";
import type { GroupState } from "@/lib/fleet/types";
import {
  APP,
  EAST,
  MINUTE,
  WEEKDAY_PEAK,
  cleanupDataDirs,
  harness,
  mean,
  poolQuery,
  referenceConfig,
  rejection,
  values,
} from "@/test/support/simulated/fixtures";

afterEach(cleanupDataDirs);

const cfg = referenceConfig();

async function group(h: ReturnType<typeof harness>, name = APP): Promise<GroupState> {
  const g = (await h.backend.listGroups(EAST)).find((x) => x.groupName === name);
  if (!g) throw new Error(name);
  return g;
}
const states = (g: GroupState) => g.instances.map((i) => i.lifecycleState);
const count = (g: GroupState, s: string) => states(g).filter((x) => x === s).length;

describe("simulated groups", () => {
  it("list every pool with its configured group, bounds, tags and instances", async () => {
    const h = harness();
    const groups = await h.backend.listGroups(EAST);
    expect(groups.map((g) => g.poolId)).toEqual(cfg.pools.map((p) => p.id));
    const app = await group(h);
    expect([app.min, app.max, app.desired]).toEqual([4, 48, 12]);
    expect(app.tags).toEqual({ "capstan:pool": "app", "capstan:tier": "web" });
    expect(app.instanceTypes).toEqual(["c4.xlarge"]);
    expect(app.instances).toHaveLength(12);
    for (const i of app.instances) {
      expect(i.id).toMatch(/^i-0[0-9a-f]{16}$/);
      expect(i.availabilityZone).toMatch(/^us-east-1[abc]$/);
    }
    // Balanced over three zones; the instances predate the 7-day window unless replaced since.
    const perAz = ["a", "b", "c"].map(
      (z) => app.instances.filter((i) => i.availabilityZone.endsWith(z)).length,
    );
    expect(Math.max(...perAz) - Math.min(...perAz)).toBeLessThanOrEqual(2);
    const old = app.instances.filter((i) => Date.parse(i.launchTime) < WEEKDAY_PEAK - 7 * 24 * 60 * MINUTE);
    expect(old.length).toBeGreaterThanOrEqual(8);
    const calendar = groups.find((g) => g.poolId === "worker-calendar");
    expect([calendar?.hasScalingPolicies, calendar?.hasScheduledActions]).toEqual([true, false]);
  });

  it("reject a desired capacity outside min and max with AWS's text", async () => {
    const h = harness();
    const above = await rejection(h.backend.setDesiredCapacity(EAST, APP, 49));
    expect([above.code, above.message, above.httpStatus, above.regional]).toEqual([
      "ValidationError",
      "New SetDesiredCapacity value 49 is above max value 48 for the AutoScalingGroup.",
      400,
      false,
    ]);
    const below = await rejection(h.backend.setDesiredCapacity(EAST, APP, 3));
    expect(below.message).toBe(
      "New SetDesiredCapacity value 3 is below min value 4 for the AutoScalingGroup.",
    );
    const unknown = await rejection(h.backend.setDesiredCapacity(EAST, "no-such-group", 3));
    expect([unknown.code, unknown.message]).toEqual([
      "ValidationError",
      "AutoScalingGroup name not found - null",
    ]);
    expect((await group(h)).desired).toBe(12);
  });

  it("keep new instances Pending for the warm-up, then InService", async () => {
    const h = harness();
    const result = await h.backend.setDesiredCapacity(EAST, APP, 16);
    expect(result.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    let g = await group(h);
    expect(g.desired).toBe(16);
    expect([count(g, "Pending"), count(g, "InService")]).toEqual([4, 12]);
    h.advance(89_000); // warm-up is 90 s
    expect(count(await group(h), "Pending")).toBe(4);
    h.advance(1_000);
    g = await group(h);
    expect([count(g, "Pending"), count(g, "InService")]).toEqual([0, 16]);
    // The new four went one per zone, then to the emptiest: still balanced.
    const perAz = ["a", "b", "c"].map(
      (z) => g.instances.filter((i) => i.availabilityZone.endsWith(z)).length,
    );
    expect(Math.max(...perAz) - Math.min(...perAz)).toBeLessThanOrEqual(1);
  });

  it("lower CPU and page load once added instances are in service", async () => {
    const h = harness();
    const window = async () => {
      const [cpu, p90] = await h.backend.getMetricData(
        EAST,
        [poolQuery(cfg, EAST, "app", "cpu"), poolQuery(cfg, EAST, "app", "pageLoad")],
        { start: h.clock.t - 5 * MINUTE, end: h.clock.t },
      );
      return { cpu: mean(values(cpu?.points ?? [])), p90: mean(values(p90?.points ?? [])) };
    };
    await h.backend.setDesiredCapacity(EAST, APP, 10); // squeeze to ρ ≈ 0.93
    h.advance(10 * MINUTE);
    const squeezed = await window();
    await h.backend.setDesiredCapacity(EAST, APP, 18);
    h.advance(MINUTE); // still warming up: nothing changes yet
    const [warming] = await h.backend.getMetricData(EAST, [poolQuery(cfg, EAST, "app", "cpu")], {
      start: h.clock.t - MINUTE,
      end: h.clock.t,
    });
    expect(values(warming?.points ?? [])[0]).toBeGreaterThan(squeezed.cpu - 8);
    h.advance(6 * MINUTE);
    const relieved = await window();
    expect(squeezed.cpu).toBeGreaterThan(80);
    expect(relieved.cpu).toBeLessThan(squeezed.cpu * 0.65); // 10 → 18 instances
    expect(relieved.p90).toBeLessThan(squeezed.p90 * 0.85);
  });

  it("scale in the oldest instances, balanced over zones, through Terminating", async () => {
    const h = harness();
    const before = await group(h);
    await h.backend.setDesiredCapacity(EAST, APP, 9);
    let g = await group(h);
    const leaving = g.instances.filter((i) => i.lifecycleState === "Terminating");
    expect(leaving).toHaveLength(3);
    expect(g.instances).toHaveLength(12);
    // One from each zone (12 = 4 + 4 + 4), each the oldest of its zone.
    expect(new Set(leaving.map((i) => i.availabilityZone)).size).toBe(3);
    for (const i of leaving) {
      const zone = before.instances.filter((x) => x.availabilityZone === i.availabilityZone);
      expect(i.launchTime).toBe(zone.map((x) => x.launchTime).sort()[0]);
    }
    h.advance(30_000);
    g = await group(h);
    expect([g.instances.length, count(g, "InService")]).toEqual([9, 9]);
    expect(g.instances.some((i) => leaving.some((l) => l.id === i.id))).toBe(false);
  });

  it("update bounds with AWS's semantics", async () => {
    const h = harness();
    await h.backend.updateGroupBounds(EAST, APP, { min: 14 }); // above desired: pulls desired up
    let g = await group(h);
    expect([g.min, g.max, g.desired, count(g, "Pending")]).toEqual([14, 48, 14, 2]);
    const [up] = await h.backend.describeActivities(EAST, APP, 1);
    expect(up?.cause).toBe(
      "At 2026-03-11T19:00:00Z a user request update of AutoScalingGroup constraints to min: 14, max: 48 changing the desired capacity from 12 to 14.  " +
        "At 2026-03-11T19:00:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 12 to 14.",
    );
    await h.backend.updateGroupBounds(EAST, APP, { min: 4, max: 10 }); // below desired: pulls it down
    g = await group(h);
    expect([g.min, g.max, g.desired, count(g, "Terminating")]).toEqual([4, 10, 10, 4]);
    await h.backend.updateGroupBounds(EAST, APP, { max: 20, desired: 11 });
    expect([(await group(h)).max, (await group(h)).desired]).toEqual([20, 11]);

    const outside = await rejection(
      h.backend.updateGroupBounds(EAST, "tave-prod-scheduler", { desired: 10 }),
    );
    expect([outside.code, outside.message]).toEqual([
      "ValidationError",
      "Desired capacity:10 must be between the specified min size:1 and max size:1",
    ]);
    const crossed = await rejection(h.backend.updateGroupBounds(EAST, APP, { min: 25 }));
    expect(crossed.message).toBe("Max bound, 20, must be greater than or equal to min bound, 25");
    expect((await rejection(h.backend.updateGroupBounds(EAST, "nope", { max: 3 }))).message).toBe(
      "AutoScalingGroup name not found - null",
    );
  });
});
