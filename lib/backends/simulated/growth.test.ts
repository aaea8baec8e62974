import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { STATE_FILE } from "./store";
import {
  DAY,
  EAST,
  MINUTE,
  WEEKDAY_PEAK,
  cleanupDataDirs,
  harness,
  poolQuery,
  referenceConfig,
  values,
  type Harness,
} from "@/test/support/simulated/fixtures";

// Slow growth week over week (docs/fleet-model.md): a fleet left at its reference size slides
// from a healthy afternoon peak to page load over target, as a real one does when nobody scales.

afterEach(cleanupDataDirs);

const cfg = referenceConfig();
const WEEK = 7 * DAY;
const HOUR = 60 * MINUTE;
/** Monday 9 March 2026, 00:00 EDT: the simulated fleet starts here, so its growth does too. */
const START = Date.parse("2026-03-09T00:00:00-04:00");
const TARGET = cfg.pools.find((p) => p.id === "app")!.targets.pageLoadP90Ms!;

/** Longest run of minutes with app's p90 over target, each weekday afternoon (12:00–18:00 EDT) of week `w`. */
async function afternoonsOverTarget(h: Harness, w: number): Promise<number[]> {
  const runs: number[] = [];
  for (let d = 0; d < 5; d++) {
    const start = START + w * WEEK + d * DAY + 12 * HOUR;
    const end = start + 6 * HOUR;
    h.clock.t = Math.max(h.clock.t, end + MINUTE);
    const [p90] = await h.backend.getMetricData(EAST, [poolQuery(cfg, EAST, "app", "pageLoad")], {
      start,
      end,
    });
    let best = 0;
    let run = 0;
    for (const seconds of values(p90!.points))
      best = Math.max(best, (run = seconds * 1000 > TARGET ? run + 1 : 0));
    runs.push(best);
  }
  return runs;
}

describe("a fleet left alone", () => {
  it("goes from a healthy weekday peak to p90 over target at peak within 8 weeks, at 2 % a week", async () => {
    const h = harness(cfg, START);
    // Week 0: every weekday afternoon, the rushes included, stays under the 1.2 s target.
    expect(await afternoonsOverTarget(h, 0)).toEqual([0, 0, 0, 0, 0]);
    // Week 8 (1.02^8 ≈ 1.17 × the traffic, still 12 instances): most weekdays spend half an hour or more over it.
    const week8 = await afternoonsOverTarget(h, 8);
    expect(week8.filter((minutes) => minutes >= 30).length).toBeGreaterThanOrEqual(3);
  });

  it("stays healthy at peak with weeklyGrowthPercent: 0", async () => {
    const flat = referenceConfig((c) => {
      c.simulation.weeklyGrowthPercent = 0;
    });
    const h = harness(flat, START);
    expect(await afternoonsOverTarget(h, 8)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("the growth epoch", () => {
  it("is the fleet's start, saved with its state, so a restart draws the same traffic", async () => {
    const h = harness(cfg, WEEKDAY_PEAK);
    const file = path.join(h.dataDir, STATE_FILE);
    expect(JSON.parse(readFileSync(file, "utf8")).growthEpoch).toBe(WEEKDAY_PEAK);
    const q = [poolQuery(cfg, EAST, "app", "requestCount")];
    h.advance(3 * WEEK);
    const range = { start: h.clock.t - 2 * HOUR, end: h.clock.t };
    const before = await h.backend.getMetricData(EAST, q, range);
    expect(await h.restart().getMetricData(EAST, q, range)).toEqual(before);
  });

  it("of state saved before growth existed is the first start that reads it", () => {
    const h = harness(cfg, WEEKDAY_PEAK);
    const file = path.join(h.dataDir, STATE_FILE);
    const old = JSON.parse(readFileSync(file, "utf8"));
    delete old.growthEpoch;
    writeFileSync(file, JSON.stringify(old));
    h.advance(DAY);
    h.restart();
    expect(JSON.parse(readFileSync(file, "utf8")).growthEpoch).toBe(WEEKDAY_PEAK + DAY);
  });
});
