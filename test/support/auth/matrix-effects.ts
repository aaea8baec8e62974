// Test-only (matrix.test.ts): what one cell of the authorization matrix must have done besides
// answering its status — to the fleet, to the audit log, and in the body of an allowed read.
import { expect } from "vitest";
import type { AuditRecord } from "@/lib/audit";
import { WEST, type Action, type ActionName, type Who } from "./matrix-cases";
import type { FleetState } from "./matrix-fixtures";

interface PlanResult {
  pool: string;
  to: number;
  status: string;
  auditId: string | null;
}

/** The fleet after the cell: only an allowed write moves it, and only its own groups. */
export function expectedFleet(
  before: FleetState,
  act: Action,
  status: number,
  body: { results?: PlanResult[] },
): FleetState {
  const expected = structuredClone(before);
  if (status !== 200) return expected;
  if (act.kind === "write") {
    const { region, pool, bounds } = act.target!;
    const g = expected[`${region}/${pool}`]!;
    if (bounds) g.max += 1;
    else g.desired += 1;
  }
  if (act.kind === "plan")
    for (const r of body.results!) if (r.status === "applied") expected[`${WEST}/${r.pool}`]!.desired = r.to;
  return expected;
}

const applied = (status: number, body: { error?: string }) =>
  status === 200
    ? { outcome: "succeeded" }
    : { outcome: "denied", errorCode: "Forbidden", errorMessage: body.error };

/**
 * The audit log: a write by a known identity leaves its row(s), applied or denied, naming the
 * actor; nobody (401) leaves none; nothing else writes to it.
 */
export async function expectAudit(c: {
  id: Who;
  act: Action;
  action: ActionName;
  status: number;
  key: string;
  body: Record<string, unknown> & { error?: string };
  before: FleetState;
  after: FleetState;
  added: AuditRecord[];
  pendingRevert: () => Promise<unknown>;
}): Promise<void> {
  const { id, act, action, status, key, body, before, after, added } = c;
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
        ? {
            outcome: "succeeded",
            from: before[`${region}/${pool}`]!.desired,
            to: after[`${region}/${pool}`]!.desired,
          }
        : applied(status, body)),
    });
    if (status === 200)
      expect(body.record).toMatchObject({ id: added[0]!.id, outcome: "succeeded", actor: id.actor });
  } else if (act.kind === "faults" && id.actor) {
    // Fault injection is a write too: one row, applied or denied, naming the actor.
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      actor: id.actor,
      action: "faults",
      region: WEST,
      reason: "throttled",
      ...applied(status, body),
    });
  } else if (act.kind === "revert" && id.actor) {
    // Extending or cancelling a revert is a write: one row naming the actor; only an allowed
    // DELETE ends the revert (an allowed POST moves it).
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      actor: id.actor,
      action: "revert",
      region: "us-east-1",
      pool: "app",
      ...applied(status, body),
    });
    const pending = await c.pendingRevert();
    expect(pending === null).toBe(status === 200 && action.startsWith("DELETE"));
  } else if (act.kind === "surge" && id.actor) {
    // A surge is audited like fault injection: one row, applied or denied, naming actor and pool.
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      actor: id.actor,
      action: "faults",
      region: WEST,
      pool: "app",
      reason: action.startsWith("POST") ? "surge ×2 for 10 min" : "surge ended",
      ...applied(status, body),
    });
  } else if (act.kind === "plan" && id.actor) {
    // Allowed: one capacity row per pool of the plan, under one batch id. Denied: one row.
    if (status === 200) {
      const results = body.results as PlanResult[];
      expect(results.length).toBeGreaterThan(0);
      expect(added.map((r) => r.id).sort()).toEqual(
        results
          .map((r) => r.auditId)
          .filter(Boolean)
          .sort(),
      );
      for (const r of added)
        expect(r).toMatchObject({ actor: id.actor, action: "capacity", region: WEST, batchId: body.batchId });
    } else {
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({
        actor: id.actor,
        action: "capacity",
        region: WEST,
        pool: "(standby plan)",
        ...applied(status, body),
      });
    }
  } else {
    expect(added).toEqual([]);
    if (act.kind === "revert") expect(await c.pendingRevert()).not.toBeNull();
  }
}

/** What an allowed read answers. `audit`: the region/pool of the audit rows this identity sees. */
export function expectReadBody(
  action: ActionName,
  body: unknown,
  c: {
    before: FleetState;
    audit?: string[];
    list?: { east: number; west: number; standby: number };
    csvType: string | null;
    signedIn: boolean;
  },
): void {
  const b = body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  switch (action) {
    case "GET /api/fleet":
      expect(b.regions.map((r: { region: string; pools: unknown[] }) => [r.region, r.pools.length])).toEqual([
        ["us-east-1", c.list!.east],
        [WEST, c.list!.west],
      ]);
      break;
    case "GET /api/pools/us-east-1/app":
    case "GET /api/pools/us-west-2/worker-email": {
      const [region, pool] = action.split("/").slice(-2) as [string, string];
      expect(b).toMatchObject({
        region,
        pool: { id: pool, desired: c.before[`${region}/${pool}`]!.desired },
      });
      break;
    }
    case "GET /api/standby":
      expect(b).toMatchObject({ primary: "us-east-1", standby: WEST });
      expect(b.pools).toHaveLength(c.list!.standby);
      break;
    case "GET /api/audit":
      expect(b.records.map((r: AuditRecord) => `${r.region}/${r.pool}`).sort()).toEqual(c.audit);
      break;
    case "GET /api/audit/export":
      // The CSV holds exactly the rows the JSON list shows this identity (header + one line each).
      expect(c.csvType).toMatch(/^text\/csv/);
      expect(String(body).trim().split("\n")).toHaveLength(c.audit!.length + 1);
      break;
    case "GET /api/admin/faults":
      expect(b.faults).toBeTypeOf("object");
      break;
    case "GET /api/standby/plan":
      expect(b).toMatchObject({
        region: WEST,
        planId: expect.stringMatching(/\./),
        changes: expect.any(Array),
      });
      break;
    case "GET /api/notifications":
      expect(b).toEqual({ targets: [], deliveries: [], counts: { pending: 0, delivered: 0, failed: 0 } });
      break;
    case "GET /api/pools/us-east-1/app/predict":
      expect(b).toMatchObject({ desired: 16, basis: { inService: 12 } });
      expect(b.pageLoadP90Ms).toBeGreaterThan(0);
      break;
    case "GET /api/health":
      // Signed out (a load balancer): ok or degraded and nothing else. Signed in: the details.
      if (c.signedIn)
        expect(b).toMatchObject({
          status: "ok",
          backend: "simulated",
          regions: [{ region: "us-east-1" }, { region: WEST }],
        });
      else expect(b).toEqual({ status: "ok" });
      expect(JSON.stringify(b)).not.toMatch(/desired|pools/);
      break;
  }
}
