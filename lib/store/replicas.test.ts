import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { reconcilePending } from "@/lib/audit";
import { sharedSimState } from "@/lib/backends";
import { createSimulatedBackend } from "@/lib/backends/simulated";
import {
  APP as APP_GROUP,
  EAST,
  WEEKDAY_PEAK,
  WEST,
  referenceConfig,
  tempDataDir,
} from "@/test/support/simulated/fixtures";
import { changeCapacity } from "@/lib/services/capacity/change-capacity";
import { ConflictError } from "@/lib/errors";
import { APP } from "@/test/support/services/change-harness";
import { fleetBackend, operator, shippedConfig } from "@/test/support/services/fixtures";
import { loadSessionSecret } from "@/lib/auth/session";
import { poolLockKey } from ".";
import { createTestDatabase, testServerUrl, type TestDatabase } from "@/test/support/store/postgres";
import { pgForTest, pgStoreAt } from "@/test/support/store/stores";
import type { PgStore } from "./postgres";

// What two replicas on one PostgreSQL database must get right, at the service level (the
// end-to-end suite e2e/replicas proves the same with two real servers): one change per pool,
// reconciliation that leaves a change in flight alone, one simulated fleet.

vi.mock("@/lib/backends", async (orig) => ({
  ...(await orig<typeof import("@/lib/backends")>()),
  getBackend: () => {
    throw new Error("tests pass a backend explicitly");
  },
}));

const server = await testServerUrl();
let db: TestDatabase | undefined;
beforeAll(async () => {
  if (server) db = await createTestDatabase(server, "replicas");
});
afterAll(async () => {
  await db?.drop();
});

let open: PgStore[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

/** Two replicas: two stores (two connection pools) on one fresh schema. */
async function replicas(): Promise<[PgStore, PgStore]> {
  const a = await pgForTest(db!.url);
  const b = pgStoreAt(a.url);
  await b.ready;
  open.push(a.store, b);
  return [a.store, b];
}

describe.skipIf(!server)("two replicas on one PostgreSQL database", () => {
  it("two operators who both saw desired 12: one write reaches the backend, the other gets 409 with the current value", async () => {
    const [a, b] = await replicas();
    const backend = fleetBackend();
    const config = shippedConfig();
    const deps = (s: PgStore) => ({
      backend,
      config,
      store: s.audit,
      locks: s,
      cache: { invalidate: () => {} },
    });
    const body = (key: string) => ({
      desired: 16,
      expectedDesired: 12,
      reason: "page load climbing",
      idempotencyKey: key,
    });
    const results = await Promise.allSettled([
      changeCapacity(operator, APP, body("replica-a-key-1"), deps(a)),
      changeCapacity({ ...operator, name: "otto" }, APP, body("replica-b-key-1"), deps(b)),
    ]);
    expect(backend.writes).toHaveLength(1);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ConflictError);
    expect((refused.reason as ConflictError).message).toContain("desired is now 16");
    // Both attempts are in the one shared log, whichever replica wrote them.
    const rows = (await b.audit.query({})).records;
    expect(rows.map((r) => r.outcome).sort()).toEqual(["rejected", "succeeded"]);
  });

  it("reconciliation leaves a pool alone while a change holds its lock on another replica, then settles it", async () => {
    const [a, b] = await replicas();
    const backend = fleetBackend();
    const t0 = Date.parse("2026-11-29T10:00:00.000Z");
    const { record } = await a.audit.recordIntent({
      time: new Date(t0).toISOString(),
      actor: "olga",
      role: "operator",
      action: "capacity",
      region: "us-east-1",
      pool: "app",
      group: "tave-prod-app",
      from: 12,
      expected: 12,
      to: 12,
      minFrom: 4,
      minTo: null,
      maxFrom: 48,
      maxTo: null,
      reason: "r",
      idempotencyKey: "held-key-1",
      requestHash: "h",
      override: false,
    });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const started = new Promise<void>((r) => (holding = r));
    const change = a.withLock(poolLockKey("us-east-1", "app"), async () => {
      holding();
      await held;
    });
    await started;
    const later = () => new Date(t0 + 60_000);
    expect(await reconcilePending(backend, { store: b.audit, locks: b, now: later })).toEqual({
      succeeded: 0,
      unknown: 0,
      skipped: 1,
    });
    expect((await b.audit.get(record.id))?.outcome).toBe("pending");
    release();
    await change;
    expect(await reconcilePending(backend, { store: b.audit, locks: b, now: later })).toEqual({
      succeeded: 1,
      unknown: 0,
      skipped: 0,
    });
    expect(await a.audit.get(record.id)).toMatchObject({ outcome: "succeeded", reconciled: true });
  });

  it("the simulated fleet is one fleet: a change and a fault made through one replica are seen by the other", async () => {
    const [a, b] = await replicas();
    const cfg = referenceConfig();
    const now = () => WEEKDAY_PEAK;
    const one = createSimulatedBackend(cfg, {
      dataDir: tempDataDir(),
      now,
      shared: sharedSimState(a.documents),
    });
    const two = createSimulatedBackend(cfg, {
      dataDir: tempDataDir(),
      now,
      shared: sharedSimState(b.documents),
    });
    const desired = async (backend: typeof one) =>
      (await backend.listGroups(EAST)).find((g) => g.groupName === APP_GROUP)?.desired;
    const before = await desired(two);
    await one.setDesiredCapacity(EAST, APP_GROUP, before! + 3);
    expect(await desired(two)).toBe(before! + 3);
    const activities = await two.describeActivities(EAST, APP_GROUP);
    expect(activities[0]?.cause).toContain(`from ${before} to ${before! + 3}`);

    await one.setFault(WEST, "down");
    await expect(two.listGroups(WEST)).rejects.toMatchObject({ code: "NetworkingError" });
    expect(await two.loadFaults()).toEqual({ [EAST]: "ok", [WEST]: "down" });
    await two.setFault(WEST, "ok");
    expect((await one.listGroups(WEST)).length).toBeGreaterThan(0);

    // Concurrent changes of different pools through both replicas: none is lost.
    const groups = (await one.listGroups(EAST)).filter((g) => g.groupName !== APP_GROUP && g.desired < g.max);
    expect(groups.length).toBeGreaterThan(3);
    await Promise.all(
      groups.map((g, i) => (i % 2 ? one : two).setDesiredCapacity(EAST, g.groupName, g.desired + 1)),
    );
    const after = await one.listGroups(EAST);
    for (const g of groups)
      expect(after.find((x) => x.groupName === g.groupName)?.desired).toBe(g.desired + 1);
  });
});

describe.skipIf(!server)("sessions across replicas", () => {
  it("without CAPSTAN_SESSION_SECRET, replicas sign with one key kept in the database; the secret wins when set", async () => {
    const [a, b] = await replicas();
    const first = await loadSessionSecret({}, a.documents);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await loadSessionSecret({}, b.documents)).toBe(first);
    expect(await loadSessionSecret({ CAPSTAN_SESSION_SECRET: "s".repeat(40) }, b.documents)).toBe(
      "s".repeat(40),
    );
  });
});
