import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import { setConfigForTests } from "@/lib/config";
import type { PoolSummary, StandbyView } from "@/lib/fleet/views";
import { shippedConfig, tempStore } from "@/test/support/services/fixtures";
import { clearObservationHints, observePools, observeVerdict } from "./observe";

// pool.degraded / pool.recovered and standby.verdict-changed: transitions become one event each;
// the first sighting and statuses that mean nothing (stale, error) are silent.

let store: SqliteAuditStore;
let cleanup: () => void;
let clock = Date.parse("2026-11-29T10:00:00.000Z");
let kicks = 0;
const deps = () => ({ store, now: () => new Date(clock), kick: () => void kicks++ });

beforeEach(() => {
  ({ store, cleanup } = tempStore());
  setConfigForTests({
    ...shippedConfig(),
    notify: [{ kind: "slack", urlEnv: "SLACK", events: ["pool.*", "standby.*"] }],
  });
  clearObservationHints();
  kicks = 0;
});
afterEach(() => {
  setConfigForTests(undefined);
  cleanup();
});

const pool = (status: PoolSummary["status"], reason?: string) =>
  ({
    id: "app",
    name: "Application web servers",
    status,
    statusReason: reason,
    desired: 12,
    inService: 12,
  }) as PoolSummary;
const types = async () =>
  (await store.deliveries(20))
    .map((d) => [d.type, JSON.parse(d.payload).data.reason ?? JSON.parse(d.payload).data.to])
    .reverse();

describe("status transitions", () => {
  it("healthy → degraded → (stale: nothing) → scaling is one degraded and one recovered event", async () => {
    await observePools("us-east-1", [pool("healthy")], deps());
    clock += 61_000;
    await observePools("us-east-1", [pool("degraded", "p90 1,800 ms over 1,200 ms target")], deps());
    clock += 61_000;
    await observePools("us-east-1", [pool("degraded", "p90 1,900 ms over 1,200 ms target")], deps());
    await observePools("us-east-1", [pool("stale")], deps());
    clock += 61_000;
    await observePools("us-east-1", [pool("scaling")], deps());
    expect(await types()).toEqual([
      ["pool.degraded", "p90 1,800 ms over 1,200 ms target"],
      ["pool.recovered", undefined],
    ]);
    expect(kicks).toBe(2);
  });

  it("the standby verdict: a change is an event, the first sighting is not", async () => {
    const v = (overall: StandbyView["overall"]) =>
      ({
        standby: "us-west-2",
        primary: "us-east-1",
        overall,
        overallExplanation: `now ${overall}`,
        pools: [],
        regions: [],
        generatedAt: "",
      }) as StandbyView;
    expect(await observeVerdict(v("ready"), deps())).toBe(false);
    clock += 61_000;
    expect(await observeVerdict(v("scale"), deps())).toBe(true);
    expect(await types()).toEqual([["standby.verdict-changed", "scale"]]);
  });
});
