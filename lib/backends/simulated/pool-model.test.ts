import { afterEach, describe, expect, it } from "vitest";
import type { MetricQuery } from "@/lib/fleet/types";
import {
  DAY,
  EAST,
  MINUTE,
  WEEKDAY_PEAK,
  cleanupDataDirs,
  harness,
  mean,
  poolQuery,
  referenceConfig,
  values,
} from "@/test/support/simulated/fixtures";

afterEach(cleanupDataDirs);

const cfg = referenceConfig();

describe("simulated pools over time", () => {
  it("follow the day: the afternoon is much busier than the night", async () => {
    const { backend } = harness();
    const [s] = await backend.getMetricData(EAST, [poolQuery(cfg, EAST, "app", "cpu", 3600)], {
      start: WEEKDAY_PEAK - DAY,
      end: WEEKDAY_PEAK,
    });
    const byHour = new Map((s?.points ?? []).map(([t, v]) => [new Date(t).getUTCHours(), v ?? NaN]));
    // 08:00 UTC is 04:00 EDT, 18:00 UTC is 14:00 EDT.
    expect(byHour.get(18) ?? 0).toBeGreaterThan(4 * (byHour.get(8) ?? Infinity));
  });

  it("grow a worker backlog in a burst above capacity and drain it after", async () => {
    const { backend } = harness();
    const hourStart = WEEKDAY_PEAK - 60 * MINUTE; // 14:00 EDT
    const [backlog, cpu] = await backend.getMetricData(
      EAST,
      [poolQuery(cfg, EAST, "worker-calendar", "backlog"), poolQuery(cfg, EAST, "worker-calendar", "cpu")],
      { start: hourStart, end: WEEKDAY_PEAK },
    );
    const b = values(backlog?.points ?? []);
    const c = values(cpu?.points ?? []);
    // On the hour the feeds arrive at ~95/s against 4 × 18 = 72/s of capacity.
    expect(b[0]).toBeGreaterThan(1000);
    expect(c[0]).toBeGreaterThan(97); // busy while the backlog lasts
    expect(Math.max(...b.slice(10))).toBeLessThan(100); // drained ten minutes later
    expect(mean(c.slice(20))).toBeLessThan(75);
    // A range starting mid-burst sees the same backlog: it is integrated from hours before.
    const [late] = await backend.getMetricData(EAST, [poolQuery(cfg, EAST, "worker-calendar", "backlog")], {
      start: hourStart + MINUTE,
      end: hourStart + 3 * MINUTE,
    });
    expect(values(late?.points ?? [])).toEqual(b.slice(1, 3));
  });

  it("draw capacity history from the AutoScaling group metrics", async () => {
    const h = harness();
    await h.backend.setDesiredCapacity(EAST, "tave-prod-app", 16);
    h.advance(10 * MINUTE);
    const q = (metricName: string): MetricQuery => ({
      id: metricName.toLowerCase(),
      namespace: "AWS/AutoScaling",
      metricName,
      dimensions: { AutoScalingGroupName: "tave-prod-app" },
      statistic: "Average",
      period: 60,
    });
    const [desired, inService] = await h.backend.getMetricData(
      EAST,
      [q("GroupDesiredCapacity"), q("GroupInServiceInstances")],
      {
        start: WEEKDAY_PEAK - 3 * MINUTE,
        end: h.clock.t,
      },
    );
    expect(values(desired?.points ?? [])).toEqual([12, 12, 12, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16]);
    // 90 s warm-up: the minute after the change (sampled at :30) is still 12 in service, then 16.
    expect(values(inService?.points ?? []).slice(2, 6)).toEqual([12, 12, 16, 16]);
  });

  it("carry a backlog through a long overload whatever range is asked", async () => {
    const edt = (hhmm: string) => Date.parse(`2026-03-11T${hhmm}:00-04:00`);
    const h = harness(cfg, edt("10:00"));
    await h.backend.updateGroupBounds(EAST, "tave-prod-worker-default", { min: 1, desired: 2 }); // 18 jobs/s for ~30
    h.clock.t = edt("17:00");
    const at = async (start: number) => {
      const [s] = await h.backend.getMetricData(EAST, [poolQuery(cfg, EAST, "worker-default", "backlog")], {
        start,
        end: edt("17:00"),
      });
      return values(s?.points ?? []).at(-1) ?? NaN;
    };
    const fromHourAgo = await at(edt("16:00"));
    expect(fromHourAgo).toBeGreaterThan(100_000); // seven hours at ~8 jobs/s short
    expect(await at(edt("10:30"))).toBe(fromHourAgo);
    expect(await at(edt("16:55"))).toBe(fromHourAgo);
  });
});
