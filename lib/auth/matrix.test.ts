import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// The identity comes from the real path: next/headers answers with the request's own headers.
vi.mock("next/headers", async () => (await import("@/test/support/auth/request")).nextHeadersMock);

import { setAuditStoreForTests, type AuditRecord } from "@/lib/audit";
import type { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import { setBackendForTests } from "@/lib/backends";
import type { SimulatedBackend } from "@/lib/backends/simulated";
import { cleanupDataDirs, harness, WEEKDAY_PEAK } from "@/test/support/simulated/fixtures";
import { sharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests } from "@/lib/config";
import { tempStore } from "@/test/support/services/fixtures";
import { CONFIGURED, IDENTITIES, matrixActions, WEST, type Action, type ActionName, type IdentityName, type Who } from "@/test/support/auth/matrix-cases";
import { configWithAuth } from "@/test/support/auth/config";
import { sha256Hex } from "./tokens";

// THE ROLE × ACTION × SCOPE MATRIX (issue 4, security.md "Authorization"), through the real route
// handlers. Identities are API tokens (`Authorization: Bearer …`) checked against sha256 hashes in
// the configuration; the backend is the simulated fleet (its own temporary data directory and a
// fixed clock) and the audit log a temporary SQLite file, both fresh for every cell, so reads
// return real data and writes really move a group. Every cell asserts the status and the effect:
//   - allowed write: the group's desired (or max) really changed, nothing else did, and the audit
//     row for the request's idempotency key says `succeeded` with the token's name as actor;
//   - denied write (403): the fleet is untouched and the audit row says `denied`, naming the actor;
//   - 401: JSON `error`, the fleet untouched, and no audit row (there is nobody to name);
//   - reads: the body holds what was asked for; GET never changes the fleet or the audit log.
//
// How scope applies (lib/auth/roles.ts, `authorize` → `can` → `scopeCovers`): a scope limits every
// action whose target names a region or pool, reads included — `fleet:read` for
// /api/pools/us-east-1/app is a target {region, pool}, so an operator scoped to `worker-*` or to
// us-west-2 gets 403 there (a scoped grant is not "viewer everywhere"; ALB grants add that
// explicitly). Lists answer 200 with only what the scope covers: /api/fleet lists a pool in a
// region only if the identity may read it there, /api/standby only pools readable in both regions,
// and /api/audit only the rows inside the scope (read-audit.ts turns the scopes into a row filter).
//
// There are no server actions in app/ yet (no "use server" file or function); when one appears,
// call it inside `withRequest` with a Request carrying the same headers and add it as a column.

const ACTIONS = matrixActions((region, pool) => group(region, pool));

// ---- the matrix -----------------------------------------------------------------------------
// Columns, in order: the ACTIONS above. The min/max column targets us-west-2/worker-email, which
// both scoped operators cover: their 403 there is the role, not the scope.

const COLUMNS = Object.keys(ACTIONS) as ActionName[];
//                          fleet pool   pool   stand- audit  desired desired desired min/  revert faults plan  notif. predict surge  surge  health
//                                e1/app w2/wkr  by           e1/app  e1/wkr  w2/app  max   e1/app              e1/app  POST   DELETE
// prettier-ignore
const MATRIX: Record<IdentityName, number[]> = {
  viewer:                  [200,  200,   200,   200,   200,   403,    403,    403,    403,  403,   403,   403,  403,   200,    403,   403,   200],
  operator:                [200,  200,   200,   200,   200,   200,    200,    200,    403,  200,   403,   403,  403,   200,    403,   403,   200],
  admin:                   [200,  200,   200,   200,   200,   200,    200,    200,    200,  200,   200,   200,  200,   200,    200,   200,   200],
  "operator worker-*":     [200,  403,   200,   200,   200,   403,    200,    403,    403,  403,   403,   403,  403,   403,    403,   403,   200],
  "operator us-west-2":    [200,  403,   200,   200,   200,   403,    403,    200,    403,  403,   403,   403,  403,   403,    403,   403,   200],
  "unconfigured token":    [401,  401,   401,   401,   401,   401,    401,    401,    401,  401,   401,   401,  401,   401,    401,   401,   200],
  "no credentials":        [401,  401,   401,   401,   401,   401,    401,    401,    401,  401,   401,   401,  401,   401,    401,   401,   200],
  "Basic scheme":          [401,  401,   401,   401,   401,   401,    401,    401,    401,  401,   401,   401,  401,   401,    401,   401,   200],
};

/** Audit rows seeded before each cell; GET /api/audit shows each identity the ones in its scope. */
const SEEDED: { region: string; pool: string }[] = [
  { region: "us-east-1", pool: "app" },
  { region: "us-east-1", pool: "worker-email" },
  { region: WEST, pool: "app" },
];
// us-east-1/app twice: the seeded refusal and the seeded time-boxed change (whose revert the matrix cancels).
const AUDIT_VISIBLE: Partial<Record<IdentityName, string[]>> = {
  viewer: ["us-east-1/app", "us-east-1/app", "us-east-1/worker-email", "us-west-2/app"],
  operator: ["us-east-1/app", "us-east-1/app", "us-east-1/worker-email", "us-west-2/app"],
  admin: ["us-east-1/app", "us-east-1/app", "us-east-1/worker-email", "us-west-2/app"],
  "operator worker-*": ["us-east-1/worker-email"],
  "operator us-west-2": ["us-west-2/app"],
};

/** A time-boxed change of us-east-1/app whose revert is pending, seeded before each cell. */
async function seedPendingRevert() {
  const g = await group("us-east-1", "app");
  const { record } = await store.recordIntent(
    {
      time: new Date(WEEKDAY_PEAK - 10 * 60_000).toISOString(),
      actor: "seed",
      role: "operator",
      action: "capacity",
      region: "us-east-1",
      pool: "app",
      group: g.groupName,
      from: g.desired - 1,
      expected: g.desired - 1,
      to: g.desired,
      minFrom: null,
      minTo: null,
      maxFrom: null,
      maxTo: null,
      reason: "seeded time-boxed change",
      idempotencyKey: "seed-revert-abcdefgh",
      requestHash: null,
      override: false,
    },
    { revertAt: new Date(WEEKDAY_PEAK + 60 * 60_000).toISOString() },
  );
  await store.recordOutcome(record.id, { outcome: "succeeded", completedAt: record.time });
}

/** Pools each identity sees in GET /api/fleet per region (us-east-1, us-west-2) and in GET /api/standby. */
const WORKERS = ["worker-email", "worker-calendar", "worker-default"].length;
const LIST_VISIBLE: Partial<Record<IdentityName, { east: number; west: number; standby: number }>> = {
  viewer: { east: 8, west: 8, standby: 8 },
  operator: { east: 8, west: 8, standby: 8 },
  admin: { east: 8, west: 8, standby: 8 },
  "operator worker-*": { east: WORKERS, west: WORKERS, standby: WORKERS },
  "operator us-west-2": { east: 0, west: 8, standby: 0 },
};

const CELLS = (Object.keys(MATRIX) as IdentityName[]).flatMap((who) =>
  COLUMNS.map((action, i) => ({ who, action, status: MATRIX[who][i]! })),
);

// ---- fixtures -------------------------------------------------------------------------------

const config = configWithAuth({
  mode: "dev", // the shipped mode: a token decides alone, and with none the (absent) session cookie is read
  tokens: CONFIGURED.map(({ secret, ...t }) => ({ ...t, sha256: sha256Hex(secret) })),
});

let backend: SimulatedBackend;
let store: SqliteAuditStore;
let closeStore: () => void;

async function group(region: string, pool: string) {
  const g = (await backend.listGroups(region)).find((x) => x.poolId === pool);
  if (!g) throw new Error(`no ${pool} in ${region}`);
  return g;
}

/** Every group's min/desired/max in both regions, straight from the backend. */
async function fleetState(): Promise<Record<string, { min: number; desired: number; max: number }>> {
  const out: Record<string, { min: number; desired: number; max: number }> = {};
  for (const region of [config.regions.primary, config.regions.standby]) {
    for (const g of await backend.listGroups(region)) out[`${region}/${g.poolId}`] = { min: g.min, desired: g.desired, max: g.max };
  }
  return out;
}

async function auditRows(): Promise<AuditRecord[]> {
  return (await store.query({ limit: 500 })).records;
}

beforeAll(() => {
  vi.stubEnv("CAPSTAN_PUBLIC_ORIGIN", ""); // the app's origin is the request's own
  // One fixed instant for the app (Date) and the simulated fleet (its injected clock); only Date
  // is faked, so region timeouts still use real timers.
  vi.useFakeTimers({ toFake: ["Date"], now: WEEKDAY_PEAK });
  setConfigForTests(config);
});
afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  setConfigForTests(undefined);
  cleanupDataDirs();
});
beforeEach(async () => {
  backend = harness(config, WEEKDAY_PEAK).backend;
  setBackendForTests(backend);
  sharedCache().clear();
  ({ store, cleanup: closeStore } = tempStore());
  setAuditStoreForTests(store);
  for (const [i, s] of SEEDED.entries()) {
    await store.recordAttempt({
      time: new Date(WEEKDAY_PEAK - (i + 1) * 60_000).toISOString(),
      actor: "seed",
      role: "operator",
      action: "capacity",
      region: s.region,
      pool: s.pool,
      group: null,
      from: 4,
      expected: 3,
      to: 5,
      minFrom: null,
      minTo: null,
      maxFrom: null,
      maxTo: null,
      reason: "seeded for the audit column",
      idempotencyKey: `seed-${i}-abcdefgh`,
      requestHash: null,
      override: false,
      outcome: "rejected",
      errorCode: "Conflict",
      errorMessage: "seeded",
    });
  }
  await seedPendingRevert();
});
afterEach(() => {
  setBackendForTests(undefined);
  setAuditStoreForTests(undefined);
  closeStore();
});

// ---- the test -------------------------------------------------------------------------------

let n = 0;

describe("role × action × scope, through the JSON API with API tokens", () => {
  it("the matrix has a cell for every identity and action", () => {
    for (const row of Object.values(MATRIX)) expect(row).toHaveLength(COLUMNS.length);
    expect(CELLS).toHaveLength(Object.keys(IDENTITIES).length * COLUMNS.length);
  });

  it.each(CELLS)("$who · $action → $status", async ({ who, action, status }) => {
    const id: Who = IDENTITIES[who];
    const act: Action = ACTIONS[action];
    const headers: Record<string, string> = id.authorization ? { authorization: id.authorization } : {};
    const key = `matrix-${++n}-${action.replace(/[^A-Za-z0-9]+/g, "-")}`;
    const before = await fleetState();
    const auditBefore = await auditRows();
    const faultsBefore = backend.faults();
    const surgesBefore = await backend.surges();

    const res = await act.call(headers, key);
    const body = await res.json();

    expect(res.status, JSON.stringify(body)).toBe(status);
    if (status === 401) expect(body).toMatchObject({ kind: "unauthenticated", error: expect.any(String) });
    if (status === 403) expect(body).toMatchObject({ kind: "forbidden", error: expect.any(String) });

    // Fault injection: only an admin's request changes it. (Then clear it, so the fleet can be read.)
    expect(backend.faults()).toEqual(act.kind === "faults" && status === 200 ? { ...faultsBefore, [WEST]: "throttled" } : faultsBefore);
    for (const region of Object.keys(faultsBefore)) backend.setFault(region, faultsBefore[region]!);

    // Surges: only an admin's POST starts one (the DELETE ends nothing, none is running).
    const surges = await backend.surges();
    if (action === "POST /api/admin/surge" && status === 200) expect(surges).toMatchObject([{ region: WEST, poolId: "app", factor: 2 }]);
    else expect(surges).toEqual(surgesBefore);

    // The fleet: only an allowed write moves it, and only its own group.
    const after = await fleetState();
    const expected = structuredClone(before);
    if (act.kind === "write" && status === 200) {
      const { region, pool, bounds } = act.target!;
      const g = expected[`${region}/${pool}`]!;
      if (bounds) g.max += 1;
      else g.desired += 1;
    }
    expect(after).toEqual(expected);

    // The audit log: a write leaves exactly one row under its idempotency key (none for nobody);
    // nothing else writes to it.
    const rows = await auditRows();
    const added = rows.filter((r) => !auditBefore.some((b) => b.id === r.id));
    if (act.kind === "write" && id.actor) {
      const { region, pool, bounds } = act.target!;
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({
        idempotencyKey: key,
        actor: id.actor,
        region,
        pool,
        action: bounds ? "bounds" : "capacity",
        ...(status === 200
          ? { outcome: "succeeded", from: before[`${region}/${pool}`]!.desired, to: after[`${region}/${pool}`]!.desired }
          : { outcome: "denied", errorCode: "Forbidden", errorMessage: body.error }),
      });
      if (status === 200) expect(body.record).toMatchObject({ id: added[0]!.id, outcome: "succeeded", actor: id.actor });
    } else if (act.kind === "faults" && id.actor) {
      // Fault injection is a write too: one row, applied or denied, naming the actor.
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({
        actor: id.actor,
        action: "faults",
        region: WEST,
        reason: "throttled",
        ...(status === 200 ? { outcome: "succeeded" } : { outcome: "denied", errorCode: "Forbidden", errorMessage: body.error }),
      });
    } else if (act.kind === "revert" && id.actor) {
      // Cancelling a revert is a write: one row, applied or denied, naming the actor; only an allowed one ends the revert.
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({
        actor: id.actor,
        action: "revert",
        region: "us-east-1",
        pool: "app",
        ...(status === 200 ? { outcome: "succeeded" } : { outcome: "denied", errorCode: "Forbidden", errorMessage: body.error }),
      });
      expect((await store.pendingRevert("us-east-1", "app")) === null).toBe(status === 200);
    } else if (act.kind === "surge" && id.actor) {
      // A surge is audited like fault injection: one row, applied or denied, naming actor and pool.
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({
        actor: id.actor,
        action: "faults",
        region: WEST,
        pool: "app",
        reason: action.startsWith("POST") ? "surge ×2 for 10 min" : "surge ended",
        ...(status === 200 ? { outcome: "succeeded" } : { outcome: "denied", errorCode: "Forbidden", errorMessage: body.error }),
      });
    } else {
      expect(added).toEqual([]);
      if (act.kind === "revert") expect(await store.pendingRevert("us-east-1", "app")).not.toBeNull();
    }

    // What an allowed read answers.
    if (status === 200) {
      switch (action) {
        case "GET /api/fleet":
          expect(body.regions.map((r: { region: string; pools: unknown[] }) => [r.region, r.pools.length])).toEqual([
            ["us-east-1", LIST_VISIBLE[who]!.east],
            [WEST, LIST_VISIBLE[who]!.west],
          ]);
          break;
        case "GET /api/pools/us-east-1/app":
        case "GET /api/pools/us-west-2/worker-email": {
          const [region, pool] = action.split("/").slice(-2) as [string, string];
          expect(body).toMatchObject({ region, pool: { id: pool, desired: before[`${region}/${pool}`]!.desired } });
          break;
        }
        case "GET /api/standby":
          expect(body).toMatchObject({ primary: "us-east-1", standby: WEST });
          expect(body.pools).toHaveLength(LIST_VISIBLE[who]!.standby);
          break;
        case "GET /api/audit":
          expect(body.records.map((r: AuditRecord) => `${r.region}/${r.pool}`).sort()).toEqual(AUDIT_VISIBLE[who]);
          break;
        case "GET /api/standby/plan":
          expect(body).toMatchObject({ region: WEST, planId: expect.stringMatching(/\./), changes: expect.any(Array) });
          break;
        case "GET /api/notifications":
          expect(body).toEqual({ targets: [], deliveries: [], counts: { pending: 0, delivered: 0, failed: 0 } });
          break;
        case "GET /api/pools/us-east-1/app/predict":
          expect(body).toMatchObject({ desired: 16, basis: { inService: 12 } });
          expect(body.pageLoadP90Ms).toBeGreaterThan(0);
          break;
        case "GET /api/health":
          expect(body).toMatchObject({ status: "ok", backend: "simulated" });
          expect(JSON.stringify(body)).not.toMatch(/desired|pools/);
          break;
      }
    }
  });
});
