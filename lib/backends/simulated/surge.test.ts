import { afterAll, describe, expect, it } from "vitest";
import {
  cleanupDataDirs,
  EAST,
  harness,
  mean,
  MINUTE,
  poolQuery,
  referenceConfig,
  values,
  WEEKDAY_PEAK,
} from "@/test/support/simulated/fixtures";

// An admin's load surge multiplies one pool's arrivals over a window; the proxy in front of the
// web pools follows; it is saved with the fleet (a restart keeps it) and metrics stay a pure
// function of time and that state.

afterAll(cleanupDataDirs);
const cfg = referenceConfig();
const range = { start: WEEKDAY_PEAK - 30 * MINUTE, end: WEEKDAY_PEAK };
const series = async (
  b: ReturnType<typeof harness>["backend"],
  pool: string,
  kind: "requestCount" | "cpu" | "pageLoad",
) => values((await b.getMetricData(EAST, [poolQuery(cfg, EAST, pool, kind)], range))[0]!.points);

describe("load surge", () => {
  it("multiplies the pool's arrivals over its window, the proxy follows, other pools do not", async () => {
    const quiet = harness(cfg);
    const surged = harness(cfg);
    await surged.backend.setSurge(EAST, "app", { factor: 1.5, minutes: 60, startedMinutesAgo: 10 });
    const [appQ, appS] = [
      await series(quiet.backend, "app", "requestCount"),
      await series(surged.backend, "app", "requestCount"),
    ];
    // Before the surge: the same minutes; the last ten minutes: 1.5 × (the in-progress minute is drawn as of now).
    expect(appS.slice(0, 20)).toEqual(appQ.slice(0, 20));
    for (let i = 20; i < 30; i++) expect(appS[i]! / appQ[i]!).toBeCloseTo(1.5, 4);
    const proxyQ = await series(quiet.backend, "proxy", "requestCount");
    const proxyS = await series(surged.backend, "proxy", "requestCount");
    expect(mean(proxyS.slice(20)) - mean(proxyQ.slice(20))).toBeCloseTo(
      mean(appS.slice(20)) - mean(appQ.slice(20)),
      0,
    );
    expect(await series(surged.backend, "public-site", "requestCount")).toEqual(
      await series(quiet.backend, "public-site", "requestCount"),
    );
  });

  it("drives the pool past saturation: p90 climbs to the timeouts and CPU to 100 %", async () => {
    const h = harness(cfg);
    await h.backend.setSurge(EAST, "app", { factor: 2, minutes: 60, startedMinutesAgo: 30 });
    const p90 = await series(h.backend, "app", "pageLoad");
    const cpu = await series(h.backend, "app", "cpu");
    expect(Math.min(...p90.slice(-5))).toBeGreaterThan(10); // seconds
    expect(Math.min(...cpu.slice(-5))).toBeGreaterThan(97);
  });

  it("is saved with the fleet: a restart sees it; ending it stops it and keeps its history", async () => {
    const h = harness(cfg);
    const s = await h.backend.setSurge(EAST, "app", { factor: 3, minutes: 30, startedMinutesAgo: 5 });
    expect(s).toMatchObject({
      region: EAST,
      poolId: "app",
      factor: 3,
      start: WEEKDAY_PEAK - 5 * MINUTE,
      end: WEEKDAY_PEAK + 25 * MINUTE,
    });
    const before = await series(h.backend, "app", "requestCount");
    const again = h.restart();
    expect(await again.surges()).toEqual([s]);
    expect(await series(again, "app", "requestCount")).toEqual(before);
    h.advance(2 * MINUTE);
    await again.setSurge(EAST, "app", null);
    expect(await again.surges()).toEqual([]);
    h.advance(MINUTE);
    // The five minutes it ran are still drawn surged.
    const after = values(
      (await again.getMetricData(EAST, [poolQuery(cfg, EAST, "app", "requestCount")], range))[0]!.points,
    );
    expect(after.slice(-5)).toEqual(before.slice(-5));
  });

  it("refuses an unknown pool", async () => {
    const h = harness(cfg);
    await expect(
      h.backend.setSurge(EAST, "nope", { factor: 2, minutes: 5, startedMinutesAgo: 0 }),
    ).rejects.toThrow(/No pool nope/);
  });
});
