import { afterEach, describe, expect, it } from "vitest";
import { parseFaults } from "./faults";
import {
  EAST,
  WEEKDAY_PEAK,
  WEST,
  cleanupDataDirs,
  harness,
  poolQuery,
  referenceConfig,
  rejection,
} from "@/test/support/simulated/fixtures";

afterEach(cleanupDataDirs);

const cfg = referenceConfig();
const REGIONS = [EAST, WEST];

describe("CAPSTAN_SIM_FAULTS", () => {
  it("sets a fault per region, the rest ok", () => {
    expect(parseFaults("us-west-2:down, us-east-1:slow", REGIONS)).toEqual({
      [EAST]: "slow",
      [WEST]: "down",
    });
    expect(parseFaults("", REGIONS)).toEqual({ [EAST]: "ok", [WEST]: "ok" });
    expect(parseFaults(undefined, REGIONS)).toEqual({ [EAST]: "ok", [WEST]: "ok" });
  });

  it("names the variable and the bad entry", () => {
    for (const bad of ["us-west-2:broken", "us-west-2", "eu-west-1:down", "us-west-2:down:now"]) {
      expect(() => parseFaults(`us-east-1:ok,${bad}`, REGIONS)).toThrow(
        `CAPSTAN_SIM_FAULTS: bad entry "${bad}"`,
      );
    }
  });
});

describe("region faults", () => {
  it("down: every call fails like an unreachable endpoint, the other region answers", async () => {
    const { backend } = harness(cfg, WEEKDAY_PEAK, { faults: "us-west-2:down" });
    expect(backend.faults()).toEqual({ [EAST]: "ok", [WEST]: "down" });
    const e = await rejection(backend.listGroups(WEST));
    expect([e.code, e.message, e.regional]).toEqual([
      "NetworkingError",
      "connect ECONNREFUSED autoscaling.us-west-2.amazonaws.com:443",
      true,
    ]);
    const m = await rejection(
      backend.getMetricData(WEST, [poolQuery(cfg, WEST, "app", "cpu")], {
        start: WEEKDAY_PEAK - 60_000,
        end: WEEKDAY_PEAK,
      }),
    );
    expect(m.message).toBe("connect ECONNREFUSED monitoring.us-west-2.amazonaws.com:443");
    expect(await backend.listGroups(EAST)).toHaveLength(8);
  });

  it("throttled: AWS's Throttling error", async () => {
    const { backend } = harness();
    backend.setFault(EAST, "throttled");
    const e = await rejection(backend.describeActivities(EAST, "tave-prod-app"));
    expect([e.code, e.message, e.httpStatus, e.regional]).toEqual(["Throttling", "Rate exceeded", 400, true]);
    backend.setFault(EAST, "ok");
    expect((await backend.describeActivities(EAST, "tave-prod-app")).length).toBeGreaterThan(0);
  });

  it("apply to writes too", async () => {
    const { backend } = harness();
    backend.setFault(EAST, "down");
    expect((await rejection(backend.setDesiredCapacity(EAST, "tave-prod-app", 14))).code).toBe(
      "NetworkingError",
    );
    expect((await rejection(backend.updateGroupBounds(EAST, "tave-prod-app", { max: 20 }))).code).toBe(
      "NetworkingError",
    );
    backend.setFault(EAST, "ok");
    const app = (await backend.listGroups(EAST)).find((g) => g.groupName === "tave-prod-app");
    expect([app?.desired, app?.max]).toEqual([12, 48]);
  });

  it("slow: answers only after slowMs", async () => {
    const { backend } = harness(cfg, WEEKDAY_PEAK, { faults: "us-east-1:slow", slowMs: 50 });
    const started = performance.now();
    expect(await backend.listGroups(EAST)).toHaveLength(8);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("slow: stops early when the caller gives up", async () => {
    const { backend } = harness(cfg, WEEKDAY_PEAK, { faults: "us-east-1:slow", slowMs: 60_000 });
    const started = performance.now();
    const timedOut = await rejection(backend.listGroups(EAST, AbortSignal.timeout(20)));
    expect([timedOut.code, timedOut.regional]).toEqual(["TimeoutError", true]);
    const controller = new AbortController();
    const pending = backend.getMetricData(
      EAST,
      [],
      { start: WEEKDAY_PEAK - 60_000, end: WEEKDAY_PEAK },
      controller.signal,
    );
    controller.abort();
    expect((await rejection(pending)).code).toBe("AbortError");
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("rejects an unknown region or fault at run time", () => {
    const { backend } = harness();
    expect(() => backend.setFault("eu-west-1", "down")).toThrow(/unknown region/);
    expect(() => backend.setFault(EAST, "flaky" as never)).toThrow(/unknown fault/);
  });
});
