import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAuditStoreForTests } from "@/lib/audit";
import { setBackendForTests } from "@/lib/backends";
import {
  cleanupDataDirs,
  harness,
  referenceConfig,
  WEEKDAY_PEAK,
  type Harness,
} from "@/test/support/simulated/fixtures";
import { sharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests } from "@/lib/config";
import { changeCapacity } from "./capacity/change-capacity";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { readPool } from "./read-pool";
import { operator, tempStore, viewer } from "@/test/support/services/fixtures";

let h: Harness;
let audit: ReturnType<typeof tempStore>;

beforeEach(() => {
  const cfg = referenceConfig();
  setConfigForTests(cfg);
  h = harness(cfg, Date.now());
  setBackendForTests(h.backend);
  audit = tempStore();
  setAuditStoreForTests(audit.store);
  sharedCache().clear();
});

afterEach(() => {
  setBackendForTests(undefined);
  setConfigForTests(undefined);
  setAuditStoreForTests(undefined);
  audit.cleanup();
  sharedCache().clear();
  cleanupDataDirs();
});

describe("readPool", () => {
  it("series for the range at its period, capacity steps, instances, activities and the CloudWatch cost", async () => {
    // A weekday afternoon, so the advice below is the model's own size whatever the hour the test runs
    // (at night a scale-in is held at what the day's peak needed: predict.test.ts).
    vi.useFakeTimers({ toFake: ["Date"], now: WEEKDAY_PEAK });
    h = harness(referenceConfig(), WEEKDAY_PEAK);
    setBackendForTests(h.backend);
    const d = await readPool(viewer, "us-east-1", "app", "7d").finally(() => vi.useRealTimers());
    expect(d.period).toBe(900);
    expect(d.series.cpuAvg.length).toBeGreaterThan(200);
    expect(d.series.cpuAvg.length).toBeLessThanOrEqual(300);
    expect(d.series.pageLoadP90!.length).toBe(d.series.cpuAvg.length);
    const p50 = d.series.pageLoadP50!.at(-2)![1]!;
    const p90 = d.series.pageLoadP90!.at(-2)![1]!;
    expect(p90).toBeGreaterThan(p50);
    expect(d.series.desired.at(-2)![1]).toBe(12);
    expect(d.series.inService.at(-2)![1]).toBe(12);
    expect(d.instances).toHaveLength(12);
    expect(d.otherRegion).toBe("us-west-2");
    expect(d.domain[1] - d.domain[0]).toBe(7 * 24 * 3600_000);
    expect(d.cloudwatch.seriesPerRefresh).toBeGreaterThan(0);
    // Advice from the queueing model fitted to the measured minutes: the smallest size that meets
    // the p90 and CPU targets, with what the model predicts there.
    expect(d.suggestion!.reason).toMatch(
      /smallest size that meets p90 ≤ 1.2 s and CPU ≤ 70 %; measured [\d.]+ req\/s, [\d.]+ per instance/,
    );
    expect(d.suggestion!.predicted!.cpuPercent).toBeLessThanOrEqual(70);
    expect(d.suggestion!.predicted!.pageLoadP90Ms).toBeLessThanOrEqual(1200);
    expect(d.suggestion!.desired).toBeGreaterThanOrEqual(4);
    // CPU scales as 1/n: one instance fewer than suggested would run over the target (or below min).
    const cpuNow = d.pool.cpu.latest!;
    expect(
      Math.abs(((cpuNow - 2.25) * 12) / d.suggestion!.desired + 2.25 - d.suggestion!.predicted!.cpuPercent),
    ).toBeLessThan(5);
    expect(d.cloudwatch.usdPerDay).toBeCloseTo((d.cloudwatch.metricsPerDay * 0.01) / 1000, 2);
  });

  it("a successful change shows as a marker with who, from → to and why", async () => {
    await changeCapacity(
      operator,
      { region: "us-east-1", pool: "app" },
      { desired: 14, expectedDesired: 12, reason: "page load climbing", idempotencyKey: "marker-test-1" },
    );
    const d = await readPool(viewer, "us-east-1", "app", "1h");
    expect(d.markers).toEqual([
      expect.objectContaining({ actor: "olga", from: 12, to: 14, reason: "page load climbing" }),
    ]);
    expect(d.pool).toMatchObject({ desired: 14, pending: 2 });
  });

  it("404 for an unknown pool or region, 403 outside the identity's scope", async () => {
    await expect(readPool(viewer, "us-east-1", "nope", "1h")).rejects.toBeInstanceOf(NotFoundError);
    await expect(readPool(viewer, "eu-west-1", "app", "1h")).rejects.toBeInstanceOf(NotFoundError);
    const scoped = { ...viewer, scope: { pools: ["worker-*"] } };
    await expect(readPool(scoped, "us-east-1", "app", "1h")).rejects.toBeInstanceOf(ForbiddenError);
  });
});
