import { describe, expect, it, vi } from "vitest";

// The identity comes from the real path: next/headers answers with the request's own headers.
vi.mock("next/headers", async () => (await import("@/test/support/auth/request")).nextHeadersMock);

import {
  IDENTITIES,
  matrixActions,
  WEST,
  type Action,
  type ActionName,
  type IdentityName,
  type Who,
} from "@/test/support/auth/matrix-cases";
import { expectAudit, expectedFleet, expectReadBody } from "@/test/support/auth/matrix-effects";
import {
  auditRows,
  fleetState,
  group,
  installMatrixFixtures,
  signAlb,
  world,
} from "@/test/support/auth/matrix-fixtures";

// THE ROLE × ACTION × SCOPE MATRIX (issue 4, security.md "Authorization"), through the real route
// handlers. Identities are API tokens (`Authorization: Bearer …`) checked against sha256 hashes in
// the configuration, and people signed in at the ALB (`x-amzn-oidc-data`, ES256-signed by a local
// stand-in for its key endpoint): one whose group maps to operator, and one whose groups map to
// no role — known, so refused with 403 everywhere and their denied writes audited; the backend is the simulated fleet and the audit log a temporary SQLite file,
// both fresh for every cell (./matrix-fixtures.ts), so reads return real data and writes really
// move a group. Every cell asserts the status and the effect (./matrix-effects.ts):
//   - allowed write: the group's desired (or max) really changed, nothing else did, and the audit
//     row for the request's idempotency key says `succeeded` with the token's name as actor;
//   - denied write (403): the fleet is untouched and the audit row says `denied`, naming the actor;
//   - 401: JSON `error`, the fleet untouched, and no audit row (there is nobody to name);
//   - reads: the body holds what was asked for; GET never changes the fleet or the audit log.
// Every route handler in app/ has a column: matrix-routes.test.ts finds them on disk.
//
// How scope applies (lib/auth/roles.ts, `authorize` → `can` → `scopeCovers`): a scope limits every
// action whose target names a region or pool, reads included — `fleet:read` for
// /api/pools/us-east-1/app is a target {region, pool}, so an operator scoped to `worker-*` or to
// us-west-2 gets 403 there (a scoped grant is not "viewer everywhere"; ALB grants add that
// explicitly). Lists answer 200 with only what the scope covers: /api/fleet lists a pool in a
// region only if the identity may read it there, /api/standby only pools readable in both regions,
// and /api/audit (and its CSV) only the rows inside the scope.
//
// There are no server actions in app/ yet (no "use server" file or function); when one appears,
// call it inside `withRequest` with a Request carrying the same headers and add it as a column.

installMatrixFixtures();
const ACTIONS = matrixActions((region, pool) => group(region, pool));

// ---- the matrix -----------------------------------------------------------------------------
// Columns, in order: the ACTIONS of ./matrix-cases.ts. The min/max column targets
// us-west-2/worker-email, which both scoped operators cover: their 403 there is the role, not the scope.

const COLUMNS = Object.keys(ACTIONS) as ActionName[];
//                       fleet pool   pool  stand- audit desired desired desired min/ revert faults plan notif. predict surge surge  health faults audit revert plan
//                             e1/app w2/wkr by          e1/app  e1/wkr  w2/app  max  DELETE POST   GET         e1/app  POST  DELETE        GET    CSV   POST   POST
// prettier-ignore
const MATRIX: Record<IdentityName, number[]> = {
  viewer:               [200,  200,   200,  200,   200,  403,    403,    403,    403, 403,   403,   403, 403,   200,    403,  403,   200,   403,   200,  403,   403],
  operator:             [200,  200,   200,  200,   200,  200,    200,    200,    403, 200,   403,   403, 403,   200,    403,  403,   200,   403,   200,  200,   403],
  admin:                [200,  200,   200,  200,   200,  200,    200,    200,    200, 200,   200,   200, 200,   200,    200,  200,   200,   200,   200,  200,   200],
  "operator worker-*":  [200,  403,   200,  200,   200,  403,    200,    403,    403, 403,   403,   403, 403,   403,    403,  403,   200,   403,   200,  403,   403],
  "operator us-west-2": [200,  403,   200,  200,   200,  403,    403,    200,    403, 403,   403,   403, 403,   403,    403,  403,   200,   403,   200,  403,   403],
  "unconfigured token": [401,  401,   401,  401,   401,  401,    401,    401,    401, 401,   401,   401, 401,   401,    401,  401,   200,   401,   401,  401,   401],
  "no credentials":     [401,  401,   401,  401,   401,  401,    401,    401,    401, 401,   401,   401, 401,   401,    401,  401,   200,   401,   401,  401,   401],
  "Basic scheme":       [401,  401,   401,  401,   401,  401,    401,    401,    401, 401,   401,   401, 401,   401,    401,  401,   200,   401,   401,  401,   401],
  "ALB operator":       [200,  200,   200,  200,   200,  200,    200,    200,    403, 200,   403,   403, 403,   200,    403,  403,   200,   403,   200,  200,   403],
  "ALB no role":        [403,  403,   403,  403,   403,  403,    403,    403,    403, 403,   403,   403, 403,   403,    403,  403,   200,   403,   403,  403,   403],
};

// us-east-1/app twice: the seeded refusal and the seeded time-boxed change (whose revert the matrix acts on).
const ALL_ROWS = ["us-east-1/app", "us-east-1/app", "us-east-1/worker-email", "us-west-2/app"];
const AUDIT_VISIBLE: Partial<Record<IdentityName, string[]>> = {
  viewer: ALL_ROWS,
  operator: ALL_ROWS,
  admin: ALL_ROWS,
  "operator worker-*": ["us-east-1/worker-email"],
  "operator us-west-2": ["us-west-2/app"],
  "ALB operator": ALL_ROWS,
};

/** Pools each identity sees in GET /api/fleet per region (us-east-1, us-west-2) and in GET /api/standby. */
const WORKERS = ["worker-email", "worker-calendar", "worker-default"].length;
const ALL_POOLS = { east: 8, west: 8, standby: 8 };
const LIST_VISIBLE: Partial<Record<IdentityName, { east: number; west: number; standby: number }>> = {
  viewer: ALL_POOLS,
  operator: ALL_POOLS,
  admin: ALL_POOLS,
  "operator worker-*": { east: WORKERS, west: WORKERS, standby: WORKERS },
  "operator us-west-2": { east: 0, west: 8, standby: 0 },
  "ALB operator": ALL_POOLS,
};

const CELLS = (Object.keys(MATRIX) as IdentityName[]).flatMap((who) =>
  COLUMNS.map((action, i) => ({ who, action, status: MATRIX[who][i]! })),
);

// ---- the test -------------------------------------------------------------------------------

let n = 0;

describe("role × action × scope, through the JSON API with API tokens and ALB sign-in", () => {
  it("the matrix has a cell for every identity and action", () => {
    for (const row of Object.values(MATRIX)) expect(row).toHaveLength(COLUMNS.length);
    expect(CELLS).toHaveLength(Object.keys(IDENTITIES).length * COLUMNS.length);
  });

  it.each(CELLS)("$who · $action → $status", async ({ who, action, status }) => {
    const { backend, store } = world;
    const id: Who = IDENTITIES[who];
    const act: Action = ACTIONS[action];
    const headers: Record<string, string> = id.authorization ? { authorization: id.authorization } : {};
    if (id.alb) headers["x-amzn-oidc-data"] = await signAlb(id.alb);
    const key = `matrix-${++n}-${action.replace(/[^A-Za-z0-9]+/g, "-")}`;
    const before = await fleetState();
    const auditBefore = await auditRows();
    const faultsBefore = backend.faults();
    const surgesBefore = await backend.surges();

    const res = await act.call(headers, key);
    const text = await res.text();
    const body = res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;

    expect(res.status, text).toBe(status);
    if (status === 401) expect(body).toMatchObject({ kind: "unauthenticated", error: expect.any(String) });
    if (status === 403) expect(body).toMatchObject({ kind: "forbidden", error: expect.any(String) });

    // Fault injection: only an admin's request changes it. (Then clear it, so the fleet can be read.)
    expect(backend.faults()).toEqual(
      act.kind === "faults" && status === 200 ? { ...faultsBefore, [WEST]: "throttled" } : faultsBefore,
    );
    for (const region of Object.keys(faultsBefore)) backend.setFault(region, faultsBefore[region]!);

    // Surges: only an admin's POST starts one (the DELETE ends nothing, none is running).
    const surges = await backend.surges();
    if (action === "POST /api/admin/surge" && status === 200)
      expect(surges).toMatchObject([{ region: WEST, poolId: "app", factor: 2 }]);
    else expect(surges).toEqual(surgesBefore);

    const after = await fleetState();
    expect(after).toEqual(expectedFleet(before, act, status, body));

    const added = (await auditRows()).filter((r) => !auditBefore.some((b) => b.id === r.id));
    await expectAudit({
      id,
      act,
      action,
      status,
      key,
      body,
      before,
      after,
      added,
      pendingRevert: () => store.pendingRevert("us-east-1", "app"),
    });

    if (status === 200) {
      expectReadBody(action, body, {
        before,
        audit: AUDIT_VISIBLE[who],
        list: LIST_VISIBLE[who],
        csvType: res.headers.get("content-type"),
        signedIn: Boolean(id.actor) && !id.noRole,
      });
    }
  });
});
