import { describe, expect, it, vi } from "vitest";

vi.mock("@/lib/backends", async () => (await import("@/test/support/services/change-harness")).backendsMock);

import type { StandbyPoolView, StandbyView } from "@/lib/fleet/views";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { runDueReverts } from "./reverts";
import { applyStandbyPlan, planFromView, PLAN_TTL_MS } from "./standby-plan";
import { changeHarness } from "@/test/support/services/change-harness";
import { makeGroup } from "@/test/support/services/fake-backend";
import { admin, operator, shippedConfig } from "@/test/support/services/fixtures";

// The standby plan: the changes the verdict asks for, applied in one action as a batch of
// ordinary changes. A pool that moved since the plan was made is refused (409) and reported;
// the others go ahead; the team hears about it once.

const h = changeHarness();
const WEST = "us-west-2";
const notify = [{ kind: "webhook" as const, urlEnv: "HOOK", secretEnv: "HOOK_SECRET", events: ["*"] }];
const config = { ...shippedConfig(), notify };
let kicks = 0;
const deps = () => h.deps({ config, kick: () => void kicks++ });

function standbyPool(id: string, desired: number, needed: number, max = 48): StandbyPoolView {
  return {
    id,
    name: id,
    tier: "web",
    primary: { desired: needed, inService: needed, cpu: 60 },
    standby: { desired, inService: desired, max, unhealthy: 0, metricAgeMs: 60_000 },
    ratio: null,
    needed,
    verdict: desired >= needed ? "ready" : "scale",
    explanation: `scale ${desired} → ${needed}`,
  };
}

function view(): StandbyView {
  return {
    generatedAt: h.now().toISOString(),
    primary: "us-east-1",
    standby: WEST,
    regions: [],
    overall: "scale",
    overallExplanation:
      "The standby can take over after scaling 3 pools: app → 10, public-site → 3, worker-email → 4.",
    pools: [
      standbyPool("app", 6, 10),
      standbyPool("public-site", 2, 3, 16),
      standbyPool("worker-email", 2, 4, 16),
      standbyPool("proxy", 2, 2),
    ],
  };
}

function withWestGroups() {
  h.backend.put(makeGroup(WEST, "public-site", "tave-dr-public-site", { min: 1, max: 16, desired: 2 }));
  h.backend.put(makeGroup(WEST, "worker-email", "tave-dr-worker-email", { min: 1, max: 16, desired: 2 }));
}

describe("standby plan", () => {
  it("lists the changes the verdict asks for, with guardrails and the cost per hour", () => {
    const plan = planFromView(
      { ...view(), pools: [...view().pools, standbyPool("worker-calendar", 2, 12, 16)] },
      config,
      h.clock,
    );
    expect(plan.changes.map((c) => [c.pool, c.from, c.to])).toEqual([
      ["app", 6, 10],
      ["public-site", 2, 3],
      ["worker-email", 2, 4],
      ["worker-calendar", 2, 12],
    ]);
    expect(plan.changes[0]).toMatchObject({ costPerHour: 0.796, guardrails: [] });
    expect(plan.changes[3]!.guardrails[0]).toMatch(/step of \+10 is more than the maximum step of 4/);
    expect(plan.costPerHour).toBeCloseTo(
      plan.changes.reduce((s, c) => s + c.costPerHour, 0),
      6,
    );
  });

  it("applies as one batch; a pool that moved since is refused with 409 and reported; one event for the batch", async () => {
    withWestGroups();
    kicks = 0;
    const plan = planFromView(view(), config, h.clock);
    h.backend.setDesired(WEST, "tave-dr-worker-email", 3); // someone moved it after the plan was made
    const res = await applyStandbyPlan(admin, { planId: plan.planId, reason: "failover drill" }, deps());
    expect(res.results.map((r) => [r.pool, r.status, r.httpStatus])).toEqual([
      ["app", "applied", 200],
      ["public-site", "applied", 200],
      ["worker-email", "refused", 409],
    ]);
    expect(res.results[2]!.message).toContain("desired is now 3");
    expect(h.backend.group(WEST, "tave-dr-app").desired).toBe(10);
    expect(h.backend.group(WEST, "tave-dr-public-site").desired).toBe(3);
    expect(h.backend.group(WEST, "tave-dr-worker-email").desired).toBe(3);

    const rows = (await h.rows()).filter((r) => r.region === WEST);
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.batchId))).toEqual(new Set([res.batchId]));
    expect(rows.every((r) => r.actor === "adam" && r.reason === "Standby plan: failover drill")).toBe(true);

    const out = await h.store.deliveries(10);
    expect(out.map((d) => d.type)).toEqual(["standby.plan-applied"]);
    expect(JSON.parse(out[0]!.payload).data).toMatchObject({
      actor: "adam",
      region: WEST,
      applied: 2,
      refused: 1,
      batchId: res.batchId,
    });
    expect(kicks).toBe(1);

    // The same plan again applies nothing twice (idempotency keys derived from the plan).
    const again = await applyStandbyPlan(admin, { planId: plan.planId, reason: "failover drill" }, deps());
    expect(again.results.map((r) => r.status)).toEqual(["applied", "applied", "refused"]);
    expect(h.backend.writes.filter((w) => w.region === WEST)).toHaveLength(2);
  });

  it("with revertAfterMinutes the whole batch stands itself down", async () => {
    withWestGroups();
    const plan = planFromView(view(), config, h.clock);
    const res = await applyStandbyPlan(
      admin,
      { planId: plan.planId, reason: "failover drill", revertAfterMinutes: 30 },
      deps(),
    );
    expect(res.revertAt).toBe(new Date(h.clock + 30 * 60_000).toISOString());
    h.clock += 30 * 60_000;
    expect(await runDueReverts(deps())).toMatchObject({ done: 3 });
    expect([
      h.backend.group(WEST, "tave-dr-app").desired,
      h.backend.group(WEST, "tave-dr-public-site").desired,
      h.backend.group(WEST, "tave-dr-worker-email").desired,
    ]).toEqual([6, 2, 2]);
    const reverts = (await h.rows()).filter((r) => r.actor === "capstan");
    expect(reverts.every((r) => r.batchId === res.batchId && r.revertOf)).toBe(true);
  });

  it("admins only; a forged, foreign or stale plan id is refused before anything changes", async () => {
    withWestGroups();
    const plan = planFromView(view(), config, h.clock);
    await expect(
      applyStandbyPlan(operator, { planId: plan.planId, reason: "drill" }, deps()),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await h.rows()).map((r) => [r.actor, r.outcome, r.errorCode, r.pool])).toEqual([
      ["olga", "denied", "Forbidden", "(standby plan)"],
    ]);
    const [body] = plan.planId.split(".");
    const forged = `${Buffer.from(JSON.stringify({ v: 1, at: h.clock, r: WEST, c: [["app", 6, 40]] })).toString("base64url")}.${plan.planId.split(".")[1]}`;
    await expect(applyStandbyPlan(admin, { planId: forged, reason: "drill" }, deps())).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      applyStandbyPlan(admin, { planId: `${body}.x`, reason: "drill" }, deps()),
    ).rejects.toBeInstanceOf(ValidationError);
    h.clock += PLAN_TTL_MS + 1;
    await expect(applyStandbyPlan(admin, { planId: plan.planId, reason: "drill" }, deps())).rejects.toThrow(
      /15 minutes old/,
    );
    await expect(applyStandbyPlan(admin, { planId: plan.planId }, deps())).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(h.backend.writes).toEqual([]);
  });
});
