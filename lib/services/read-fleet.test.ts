import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setBackendForTests } from "@/lib/backends";
import { cleanupDataDirs, harness, referenceConfig, type Harness } from "@/test/support/simulated/fixtures";
import { sharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests, type FleetConfig } from "@/lib/config";
import type { Identity } from "@/lib/auth/roles";
import { BackendError } from "@/lib/fleet/types";
import { UnauthenticatedError } from "@/lib/errors";
import { readOverview, SPARK_POINTS } from "./read-fleet";

/** The whole fleet, as GET /api/fleet answers it. */
const readFleet = async (...args: Parameters<typeof readOverview>) => readOverview(...args).fleet;

const viewer: Identity = { name: "vera", role: "viewer", source: "dev" };
let h: Harness;
let cfg: FleetConfig;

beforeEach(() => {
  cfg = referenceConfig((c) => (c.refresh.timeoutMs = 300));
  setConfigForTests(cfg);
  // The app asks for "the last hour up to now", so the simulated clock is the real one here.
  h = harness(cfg, Date.now(), { slowMs: 10_000 });
  setBackendForTests(h.backend);
  sharedCache().clear();
});

afterEach(() => {
  setBackendForTests(undefined);
  setConfigForTests(undefined);
  sharedCache().clear();
  cleanupDataDirs();
});

const region = (v: Awaited<ReturnType<typeof readFleet>>, name: string) =>
  v.regions.find((r) => r.region === name)!;

describe("readOverview", () => {
  it("every pool in both regions, with CPU for all, page load in ms for web pools and backlog for workers", async () => {
    const v = await readFleet(viewer, "1h");
    expect(v.period).toBe(60);
    for (const r of v.regions) {
      expect(r.status).toBe("ok");
      expect(r.pools.map((p) => p.id)).toEqual(cfg.pools.map((p) => p.id));
    }
    const app = region(v, "us-east-1").pools.find((p) => p.id === "app")!;
    expect(app).toMatchObject({
      tier: "web",
      desired: 12,
      inService: 12,
      min: 4,
      max: 48,
      group: "tave-prod-app",
    });
    // Sparklines on the wire: { start, step, values }, no more points than a 72 px line can show.
    expect(app.cpu.values.length).toBeGreaterThan(20);
    expect(app.cpu.values.length).toBeLessThanOrEqual(SPARK_POINTS);
    expect(app.cpu.step % 60_000).toBe(0);
    expect(app.cpu.values.every((v) => v === null || Number.isInteger(v))).toBe(true);
    // TargetResponseTime comes in seconds; the overview shows milliseconds.
    expect(app.pageLoad!.unit).toBe("ms");
    expect(app.pageLoad!.latest!).toBeGreaterThan(50);
    expect(app.backlog).toBeNull();
    const email = region(v, "us-east-1").pools.find((p) => p.id === "worker-email")!;
    expect(email.pageLoad).toBeNull();
    expect(email.backlog!.values.length).toBeGreaterThan(20);
  });

  it("asks the backend once per region and kind however many viewers read at once", async () => {
    await Promise.all(Array.from({ length: 20 }, () => readFleet(viewer, "1h")));
    expect(sharedCache().calls.get("groups")).toBe(2);
    expect(sharedCache().calls.get("metrics")).toBe(2);
  });

  it("a region that is down leaves the other region's pools intact and reports the error", async () => {
    h.backend.setFault("us-west-2", "down");
    const v = await readFleet(viewer, "1h");
    expect(region(v, "us-east-1").pools.every((p) => p.status !== "error" && p.desired > 0)).toBe(true);
    const west = region(v, "us-west-2");
    expect(west).toMatchObject({ status: "error", fetchedAt: null, error: { code: "NetworkingError" } });
    expect(west.pools.every((p) => p.status === "error")).toBe(true);
  });

  it("a region that starts throttling keeps its last good data, marked stale", async () => {
    const first = await readFleet(viewer, "1h");
    h.backend.setFault("us-west-2", "throttled");
    sharedCache().invalidate("groups:us-west-2");
    const v = await readFleet(viewer, "1h");
    const west = region(v, "us-west-2");
    expect(west.status).toBe("stale");
    expect(west.error).toEqual({ code: "Throttling", message: "Rate exceeded" });
    expect(west.fetchedAt).toBe(region(first, "us-west-2").fetchedAt);
    expect(west.pools.find((p) => p.id === "app")).toMatchObject({ desired: 6, status: "stale" });
    expect(region(v, "us-east-1").status).toBe("ok");
  });

  it("metrics that cannot be read are reported, and no pool is called healthy on numbers that are not there", async () => {
    vi.spyOn(h.backend, "getMetricData").mockRejectedValue(
      new BackendError("AccessDenied", "User is not authorized to perform: cloudwatch:GetMetricData", {
        httpStatus: 403,
      }),
    );
    const v = await readFleet(viewer, "1h");
    const east = region(v, "us-east-1");
    expect(east.status).toBe("ok");
    expect(east.metricsError).toEqual({
      code: "AccessDenied",
      message: "User is not authorized to perform: cloudwatch:GetMetricData",
    });
    const app = east.pools.find((p) => p.id === "app")!;
    expect(app).toMatchObject({
      desired: 12,
      status: "stale",
      statusReason: "metrics unavailable: AccessDenied",
    });
    expect(app.cpu.latest).toBeNull();
  });

  it("a slow region times out on its own without holding the other back", async () => {
    h.backend.setFault("us-west-2", "slow");
    const started = Date.now();
    const v = await readFleet(viewer, "1h");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(region(v, "us-west-2").error?.code).toBe("Timeout");
    expect(region(v, "us-east-1").status).toBe("ok");
  });

  it("streams regions as they arrive: the fast region first, alone, then both; the fleet once both are in", async () => {
    h.backend.setFault("us-west-2", "slow");
    const o = readOverview(viewer, "1h");
    expect(o.regions.map((r) => r.region)).toEqual(["us-east-1", "us-west-2"]);
    const first = await o.arrivals[0]!;
    expect(first[0]?.status).toBe("ok");
    expect(first[1]).toBeNull();
    const both = await o.arrivals[1]!;
    expect(both[0]).toBe(first[0]);
    expect(both[1]?.error?.code).toBe("Timeout");
    expect((await o.fleet).regions.map((r) => r.region)).toEqual(["us-east-1", "us-west-2"]);
  });

  it("refuses the signed-out before reading anything", () => {
    expect(() => readOverview(null)).toThrow(UnauthenticatedError);
  });

  it("refuses the signed-out and shows scoped identities only their pools", async () => {
    await expect(readFleet(null)).rejects.toBeInstanceOf(UnauthenticatedError);
    const workers: Identity = {
      name: "w",
      role: "operator",
      source: "token",
      scope: { pools: ["worker-*"] },
    };
    const v = await readFleet(workers, "1h");
    expect(region(v, "us-east-1").pools.map((p) => p.id)).toEqual([
      "worker-email",
      "worker-calendar",
      "worker-default",
    ]);
  });

  it("series refresh at their own period: one-minute ones every minute, basic-monitoring (300 s) ones every five", async () => {
    cfg = referenceConfig((c) => c.pools.forEach((p) => p.metrics.cpu && (p.metrics.cpu.period = 300)));
    setConfigForTests(cfg);
    const t0 = Date.UTC(2026, 10, 30, 15, 0, 5);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(t0);
      h = harness(cfg, t0);
      setBackendForTests(h.backend);
      const spy = vi.spyOn(h.backend, "getMetricData");
      const at = async (t: number) => {
        vi.setSystemTime(t);
        h.clock.t = t;
        spy.mockClear();
        await readFleet(viewer, "1h");
        return spy.mock.calls
          .map(([region, queries]) => `${region}:${[...new Set(queries.map((q) => q.period))].join("+")}`)
          .sort();
      };
      expect(await at(t0)).toEqual(["us-east-1:300", "us-east-1:60", "us-west-2:300", "us-west-2:60"]);
      expect(await at(t0 + 30_000)).toEqual([]);
      expect(await at(t0 + 61_000)).toEqual(["us-east-1:60", "us-west-2:60"]);
      expect(await at(t0 + 301_000)).toEqual([
        "us-east-1:300",
        "us-east-1:60",
        "us-west-2:300",
        "us-west-2:60",
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("one deadline per region", () => {
  it("a region whose capacity and metrics are each slow holds readers for one timeout, not two", async () => {
    // Capacity answers after 800 ms, metrics not before released: before, 800 + 1000 ms; now one 1000 ms deadline.
    cfg.refresh.timeoutMs = 1000;
    const realList = h.backend.listGroups.bind(h.backend);
    const slow = (ms: number) => new Promise((r) => setTimeout(r, ms));
    vi.spyOn(h.backend, "listGroups").mockImplementation(async (r, signal) => {
      if (r === "us-west-2") await slow(800);
      return realList(r, signal);
    });
    const realMetrics = h.backend.getMetricData.bind(h.backend);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const metrics = vi.spyOn(h.backend, "getMetricData").mockImplementation(async (r, q, range, signal) => {
      if (r === "us-west-2") await held; // answers only when released
      return realMetrics(r, q, range, signal);
    });
    const started = performance.now();
    const view = await readFleet(viewer, "1h");
    const took = performance.now() - started;
    expect(took).toBeLessThan(1600); // one deadline (plus work), not 800 + 1000
    expect(region(view, "us-west-2")).toMatchObject({ status: "ok", metricsError: { code: "Timeout" } });
    expect(region(view, "us-east-1").metricsError).toBeUndefined();
    // The read the overview did not wait for goes on and fills the cache: the next one has metrics.
    const westCalls = () => metrics.mock.calls.filter(([r]) => r === "us-west-2").length;
    const asked = westCalls();
    release();
    await vi.waitFor(async () =>
      expect(region(await readFleet(viewer, "1h"), "us-west-2").metricsError).toBeUndefined(),
    );
    expect(westCalls()).toBe(asked);
  });
});
