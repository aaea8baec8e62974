import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { setAuditStoreForTests } from "@/lib/audit";
import { setBackendForTests } from "@/lib/backends";
import {
  cleanupDataDirs,
  EAST,
  harness,
  referenceConfig,
  WEEKDAY_PEAK,
  type Harness,
} from "@/test/support/simulated/fixtures";
import { sharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests } from "@/lib/config";
import { NotFoundError, PredictionUnavailableError, ValidationError } from "@/lib/errors";
import { readPrediction } from "./predict";
import { readPool } from "./read-pool";
import { tempStore, viewer } from "@/test/support/services/fixtures";

// GET /api/pools/{region}/{pool}/predict on the simulated fleet: the advisor sees only the metrics
// the simulation draws (RequestCount, CPU, in service, p90), yet must find the per-instance
// throughput the configuration hides from it, and predict what a size would do.

const cfg = referenceConfig();
let h: Harness;
let audit: ReturnType<typeof tempStore>;

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: WEEKDAY_PEAK });
  setConfigForTests(cfg);
});
afterAll(() => {
  vi.useRealTimers();
  setConfigForTests(undefined);
  cleanupDataDirs();
});
beforeEach(() => {
  h = harness(cfg, WEEKDAY_PEAK);
  setBackendForTests(h.backend);
  audit = tempStore();
  setAuditStoreForTests(audit.store);
  sharedCache().clear();
});
afterEach(() => {
  setBackendForTests(undefined);
  setAuditStoreForTests(undefined);
  audit.cleanup();
});

describe("predict", () => {
  it("recovers app's throughput per instance (32 req/s) within 5 % from measured data, and predicts a bigger pool", async () => {
    const p = await readPrediction(viewer, EAST, "app", "16");
    expect(p.basis.throughputPerInstance / 32).toBeGreaterThan(0.95);
    expect(p.basis.throughputPerInstance / 32).toBeLessThan(1.05);
    expect(p.basis.inService).toBe(12);
    expect(p.basis.window.minutes).toBeGreaterThanOrEqual(100);
    expect(p.now.pageLoadP90Ms).toBeGreaterThan(300);
    // Four more instances: CPU down by about a quarter, p90 no higher than now.
    expect(p.cpuPercent).toBeCloseTo(((p.now.cpuPercent! - 2) * 12) / 16 + 2, -1);
    expect(p.pageLoadP90Ms!).toBeLessThanOrEqual(p.now.pageLoadP90Ms! * 1.05);
    expect(p.saturated).toBe(false);
  });

  it("for workers, predicts CPU and the time to drain the backlog", async () => {
    const p = await readPrediction(viewer, EAST, "worker-email", "6");
    expect(p.backlogDrainMinutes === null || (p.backlogDrainMinutes ?? -1) >= 0).toBe(true);
    expect(p.basis.throughputPerInstance / 14).toBeGreaterThan(0.9);
    expect(p.basis.throughputPerInstance / 14).toBeLessThan(1.1);
    expect(p.pageLoadP90Ms).toBeUndefined();
  });

  it("during a surge past saturation, still predicts from the unsaturated minutes before it", async () => {
    await h.backend.setSurge(EAST, "app", { factor: 1.6, minutes: 60, startedMinutesAgo: 20 });
    const p = await readPrediction(viewer, EAST, "app", "12");
    expect(p.saturated).toBe(true);
    expect(p.now.pageLoadP90Ms).toBeGreaterThan(5000);
    const d = await readPool(viewer, EAST, "app", "1h");
    expect(d.pool.status).toBe("degraded");
    expect(d.pool.statusReason).toMatch(
      /^p90 page load [\d.]+ s, (\d+ % over|\d+×) its 1.2 s target for 3 min$/,
    );
    // The suggestion: more instances (capped at one step of 8), predicted back under the targets.
    expect(d.suggestion!.desired).toBeGreaterThan(12);
    expect(d.suggestion!.desired).toBeLessThanOrEqual(20);
    expect(d.suggestion!.predicted!.pageLoadP90Ms).toBeLessThan(1200);
  });

  it("400 for a bad desired, 404 for an unknown pool, 422 when the data cannot support a prediction", async () => {
    for (const bad of [null, "", "x", "1.5", "-1", "10001"]) {
      await expect(readPrediction(viewer, EAST, "app", bad)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(readPrediction(viewer, EAST, "nope", "3")).rejects.toBeInstanceOf(NotFoundError);
    // The scheduler has no request metric: the model cannot know its arrivals.
    const e = await readPrediction(viewer, EAST, "scheduler", "1").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PredictionUnavailableError);
    expect((e as Error).message).toMatch(/no request metric configured/);
  });
});

describe("the suggestion at night", () => {
  // Thursday 12 March 2026, 03:30 EDT: app serves a tenth of its afternoon traffic.
  const NIGHT = Date.parse("2026-03-12T03:30:00-04:00");
  beforeEach(() => {
    vi.setSystemTime(NIGHT);
    h = harness(cfg, NIGHT);
    setBackendForTests(h.backend);
  });
  afterEach(() => {
    vi.setSystemTime(WEEKDAY_PEAK);
    vi.unstubAllEnvs();
  });

  it("does not scale app in below what yesterday afternoon needed (the 4 that serve 3 a.m. would fail on the morning ramp)", async () => {
    const d = await readPool(viewer, EAST, "app", "1h");
    expect(d.pool.desired).toBe(12);
    expect(d.suggestion!.desired).toBe(12);
    expect(d.suggestion!.reason).toMatch(
      /^\d would meet p90 ≤ 1\.2 s and CPU ≤ 70 % now; no scale-in: the peak of the last 24 h needed \d+; measured [\d.]+ req\/s \([\d.]+ at that peak\)/,
    );
  });

  it("with a lookback that sees only the night (CAPSTAN_SCALE_IN_LOOKBACK_HOURS=2), it goes down to what the night needs", async () => {
    vi.stubEnv("CAPSTAN_SCALE_IN_LOOKBACK_HOURS", "2");
    const d = await readPool(viewer, EAST, "app", "1h");
    expect(d.suggestion!.desired).toBe(4);
    expect(d.suggestion!.reason).toMatch(/kept at min 4/);
  });
});
