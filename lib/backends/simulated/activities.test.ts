import { afterEach, describe, expect, it } from "vitest";
import { APP, EAST, MINUTE, cleanupDataDirs, harness, rejection } from "@/test/support/simulated/fixtures";

afterEach(cleanupDataDirs);

describe("simulated scaling activities", () => {
  it("record activities with AWS's status codes, progress and cause", async () => {
    const h = harness();
    await h.backend.setDesiredCapacity(EAST, APP, 14);
    const acts = await h.backend.describeActivities(EAST, APP);
    const launches = acts.filter((a) => a.startTime === "2026-03-11T19:00:00.000Z");
    expect(launches).toHaveLength(2);
    expect(acts.slice(0, 2)).toEqual(launches); // in progress first
    for (const a of launches) {
      expect(a.description).toMatch(/^Launching a new EC2 instance: i-0[0-9a-f]{16}$/);
      expect([a.statusCode, a.progress, a.endTime, a.groupName]).toEqual([
        "PreInService",
        20,
        undefined,
        APP,
      ]);
      expect(a.cause).toBe(
        "At 2026-03-11T19:00:00Z a user request explicitly set group desired capacity changing the desired capacity from 12 to 14.  " +
          "At 2026-03-11T19:00:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 12 to 14.",
      );
    }
    h.advance(40_000);
    expect((await h.backend.describeActivities(EAST, APP, 1))[0]).toMatchObject({
      statusCode: "MidLifecycleAction",
      progress: 50,
    });
    h.advance(30_000);
    expect((await h.backend.describeActivities(EAST, APP, 1))[0]).toMatchObject({
      statusCode: "WaitingForInstanceWarmup",
      progress: 75,
    });
    h.advance(20_000);
    const done = (await h.backend.describeActivities(EAST, APP, 2))[0];
    expect(done).toMatchObject({
      statusCode: "Successful",
      progress: 100,
      endTime: "2026-03-11T19:01:30.000Z",
    });

    await h.backend.setDesiredCapacity(EAST, APP, 13);
    const [term] = await h.backend.describeActivities(EAST, APP, 1);
    expect(term?.description).toMatch(/^Terminating EC2 instance: i-0[0-9a-f]{16}$/);
    expect([term?.statusCode, term?.progress]).toEqual(["WaitingForELBConnectionDraining", 50]);
    expect(term?.cause).toContain("shrinking the capacity from 14 to 13.");
    h.advance(30_000);
    expect((await h.backend.describeActivities(EAST, APP, 1))[0]?.statusCode).toBe("Successful");
  });

  it("list activities newest first, up to the limit AWS allows", async () => {
    const h = harness();
    await h.backend.setDesiredCapacity(EAST, APP, 13);
    h.advance(5 * MINUTE);
    await h.backend.setDesiredCapacity(EAST, APP, 14);
    h.advance(5 * MINUTE);
    const acts = await h.backend.describeActivities(EAST, APP);
    const starts = acts.map((a) => Date.parse(a.startTime));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect(acts.length).toBeLessThanOrEqual(50);
    expect(await h.backend.describeActivities(EAST, APP, 1)).toHaveLength(1);
    expect((await rejection(h.backend.describeActivities(EAST, APP, 101))).code).toBe("ValidationError");
    expect(await h.backend.describeActivities(EAST, "no-such-group")).toEqual([]);
  });
});
