import { afterEach, describe, expect, it } from "vitest";
import type { MetricQuery } from "@/lib/fleet/types";
import {
  DAY,
  EAST,
  MINUTE,
  WEEKDAY_PEAK,
  WEST,
  cleanupDataDirs,
  harness,
  mean,
  poolQuery,
  referenceConfig,
  values,
} from "@/test/support/simulated/fixtures";

afterEach(cleanupDataDirs);

const cfg = referenceConfig();

/** Every metric of every pool in a region, as the overview asks for them. */
function allQueries(region: string, period = 60): MetricQuery[] {
  return cfg.pools.flatMap((p) =>
    (["cpu", "cpuMax", "pageLoad", "pageLoadMedian", "backlog"] as const).flatMap((kind) => {
      try {
        return [poolQuery(cfg, region, p.id, kind, period)];
      } catch {
        return []; // the pool has no such metric
      }
    }),
  );
}

describe("simulated metrics", () => {
  it("are deterministic for a seed and differ for another seed", async () => {
    const range = { start: WEEKDAY_PEAK - DAY, end: WEEKDAY_PEAK };
    const a = await harness().backend.getMetricData(EAST, allQueries(EAST), range);
    const b = await harness().backend.getMetricData(EAST, allQueries(EAST), range);
    expect(b).toEqual(a);
    const other = referenceConfig((c) => {
      c.simulation.seed = 43;
    });
    const c = await harness(other).backend.getMetricData(EAST, allQueries(EAST), range);
    const cpu = (s: typeof a) => values(s.find((x) => x.id === "cpu_app")?.points ?? []);
    expect(cpu(c)).toHaveLength(cpu(a).length);
    expect(cpu(c)).not.toEqual(cpu(a));
  });

  it("backfill seven days of one-minute history on first start", async () => {
    const { backend } = harness();
    const [cpu, p90] = await backend.getMetricData(
      EAST,
      [poolQuery(cfg, EAST, "app", "cpu"), poolQuery(cfg, EAST, "app", "pageLoad")],
      {
        start: WEEKDAY_PEAK - 7 * DAY,
        end: WEEKDAY_PEAK,
      },
    );
    for (const s of [cpu, p90]) {
      expect(s?.status).toBe("Complete");
      expect(s?.points).toHaveLength(10_080);
      expect(values(s?.points ?? [])).toHaveLength(10_080);
      expect(s?.points[0]?.[0]).toBe(WEEKDAY_PEAK - 7 * DAY);
    }
  });

  it("align points to the period, cover the range and never pass now", async () => {
    const h = harness(cfg, WEEKDAY_PEAK + 90_000); // 1.5 minutes past the hour
    for (const period of [60, 300, 900, 3600]) {
      const [s] = await h.backend.getMetricData(EAST, [poolQuery(cfg, EAST, "app", "cpu", period)], {
        start: WEEKDAY_PEAK - DAY + 7_000,
        end: WEEKDAY_PEAK + DAY,
      });
      const ts = (s?.points ?? []).map(([t]) => t);
      expect(ts.every((t) => t % (period * 1000) === 0)).toBe(true);
      expect(ts[0]).toBe(Math.floor((WEEKDAY_PEAK - DAY + 7_000) / (period * 1000)) * period * 1000);
      expect(Math.max(...ts)).toBeLessThanOrEqual(h.clock.t);
      expect(Math.max(...ts)).toBeGreaterThan(h.clock.t - period * 1000);
      expect(ts.slice(1).every((t, i) => t - (ts[i] ?? 0) === period * 1000)).toBe(true);
    }
  });

  it("aggregate one-minute values into longer periods per statistic", async () => {
    const { backend } = harness();
    const range = { start: WEEKDAY_PEAK - 60 * MINUTE, end: WEEKDAY_PEAK };
    const [avg1, max1, avg5, max5, min5, count5] = await backend.getMetricData(
      EAST,
      [
        poolQuery(cfg, EAST, "app", "cpu", 60),
        poolQuery(cfg, EAST, "app", "cpuMax", 60),
        poolQuery(cfg, EAST, "app", "cpu", 300),
        poolQuery(cfg, EAST, "app", "cpuMax", 300),
        poolQuery(cfg, EAST, "app", "cpu", 300, "Minimum"),
        poolQuery(cfg, EAST, "app", "cpu", 300, "SampleCount"),
      ].map((q, i) => ({ ...q, id: `q${i}` })),
      range,
    );
    expect(avg5?.points).toHaveLength(12);
    const first5 = values(avg1?.points ?? []).slice(0, 5);
    expect(values(avg5?.points ?? [])[0]).toBeCloseTo(mean(first5), 3); // 12 instances every minute: equal weights
    expect(values(max5?.points ?? [])[0]).toBeCloseTo(Math.max(...values(max1?.points ?? []).slice(0, 5)), 3);
    expect(values(min5?.points ?? [])[0]).toBeLessThan(values(avg5?.points ?? [])[0] ?? 0);
    expect(values(count5?.points ?? [])[0]).toBe(5 * 12); // one datapoint per instance per minute
  });

  it("report page load in seconds with p90 above p50, CPU in percent", async () => {
    const { backend } = harness();
    const range = { start: WEEKDAY_PEAK - 60 * MINUTE, end: WEEKDAY_PEAK };
    const [p90, p50, cpu] = await backend.getMetricData(
      EAST,
      [
        poolQuery(cfg, EAST, "app", "pageLoad"),
        poolQuery(cfg, EAST, "app", "pageLoadMedian"),
        poolQuery(cfg, EAST, "app", "cpu"),
      ],
      range,
    );
    const v90 = values(p90?.points ?? []);
    const v50 = values(p50?.points ?? []);
    expect(mean(v90)).toBeGreaterThan(0.2); // 200 ms – 1.2 s for a healthy app pool at peak
    expect(mean(v90)).toBeLessThan(1.2);
    v90.forEach((v, i) => expect(v).toBeGreaterThan(v50[i] ?? Infinity));
    expect(mean(values(cpu?.points ?? []))).toBeGreaterThan(50); // ρ ≈ 0.75 at the weekday peak
    expect(Math.max(...values(cpu?.points ?? []))).toBeLessThanOrEqual(100);
  });

  it("give the standby region a small fraction of the primary's requests", async () => {
    const { backend } = harness();
    const range = { start: WEEKDAY_PEAK - 60 * MINUTE, end: WEEKDAY_PEAK };
    const requests = async (region: string) => {
      const [s] = await backend.getMetricData(
        region,
        [poolQuery(cfg, region, "app", "pageLoad", 3600, "SampleCount")],
        range,
      );
      return values(s?.points ?? [])[0] ?? NaN;
    };
    const ratio = (await requests(WEST)) / (await requests(EAST));
    expect(ratio).toBeGreaterThan(0.03);
    expect(ratio).toBeLessThan(0.05);
  });

  it("answer an unknown metric with an empty, complete series", async () => {
    const { backend } = harness();
    const known = poolQuery(cfg, EAST, "app", "cpu");
    const series = await backend.getMetricData(
      EAST,
      [
        { ...known, id: "nosuch", metricName: "NoSuchMetric" },
        { ...known, id: "othergroup", dimensions: { AutoScalingGroupName: "not-a-group" } },
        { ...known, id: "wrongregion", dimensions: { AutoScalingGroupName: "tave-dr-app" } },
      ],
      { start: WEEKDAY_PEAK - 60 * MINUTE, end: WEEKDAY_PEAK },
    );
    expect(series).toEqual(
      ["nosuch", "othergroup", "wrongregion"].map((id) => ({
        id,
        points: [],
        status: "Complete",
        messages: [],
      })),
    );
  });
});
