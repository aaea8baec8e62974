import { beforeEach, describe, expect, it, vi } from "vitest";

// The real backend factory is never used here: every test passes its own fake.
vi.mock("@/lib/backends", async () => (await import("@/test/support/services/change-harness")).backendsMock);

import type { Identity } from "@/lib/auth/roles";
import { changeCapacity } from "./change-capacity";
import {
  ConflictError,
  ForbiddenError,
  GuardrailError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from "@/lib/errors";
import { APP, changeHarness } from "@/test/support/services/change-harness";
import { makeGroup } from "@/test/support/services/fake-backend";
import { admin, operator, viewer } from "@/test/support/services/fixtures";

// changeCapacity's rules before anything is written: who may change what, the request body, the
// group's bounds, optimistic concurrency on expectedDesired, and the per-pool guardrails.
// Idempotency is in change-capacity.idempotency.test.ts; backend errors and the audit log around
// the call in change-capacity.audit.test.ts.

const h = changeHarness();
const { deps, body, failure, rows } = h;

describe("changeCapacity: roles", () => {
  it("a viewer gets 403, nothing reaches the backend, and the denial is audited with its reason", async () => {
    const err = await failure(changeCapacity(viewer, APP, body({ reason: "just looking" }), deps()));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as ForbiddenError).status).toBe(403);
    expect(h.backend.reads).toBe(0);
    expect(h.backend.writes).toHaveLength(0);
    const [row] = await rows();
    expect(row).toMatchObject({
      outcome: "denied",
      actor: "vera",
      role: "viewer",
      region: "us-east-1",
      pool: "app",
      group: "tave-prod-app",
      to: 16,
      expected: 12,
      reason: "just looking",
      errorCode: "Forbidden",
    });
    expect(row!.errorMessage).toContain("viewer may not change desired capacity");
  });

  it("signed out is 401 and writes nothing anywhere", async () => {
    const err = await failure(changeCapacity(null, APP, body(), deps()));
    expect(err).toBeInstanceOf(UnauthenticatedError);
    expect(await rows()).toHaveLength(0);
    expect(h.backend.reads + h.backend.writes.length).toBe(0);
  });

  it("an identity with no role is denied and audited", async () => {
    const nobody: Identity = { name: "nina@example.com", role: null, source: "alb" };
    expect(await failure(changeCapacity(nobody, APP, "not even an object", deps()))).toBeInstanceOf(
      ForbiddenError,
    );
    expect((await rows())[0]).toMatchObject({
      outcome: "denied",
      role: null,
      actor: "nina@example.com",
      to: null,
    });
  });

  it("an operator scoped to other pools is denied", async () => {
    const scoped: Identity = { name: "wes", role: "operator", source: "alb", scope: { pools: ["worker-*"] } };
    expect(await failure(changeCapacity(scoped, APP, body(), deps()))).toBeInstanceOf(ForbiddenError);
    expect(h.backend.writes).toHaveLength(0);
  });

  it("an operator changes desired within guardrails: one write, outcome succeeded with the request id", async () => {
    const res = await changeCapacity(operator, APP, body(), deps());
    expect(h.backend.writes).toEqual([
      { method: "setDesiredCapacity", region: "us-east-1", group: "tave-prod-app", desired: 16 },
    ]);
    expect(res.replayed).toBe(false);
    expect(res.record).toMatchObject({
      outcome: "succeeded",
      actor: "olga",
      role: "operator",
      action: "capacity",
      group: "tave-prod-app",
      from: 12,
      expected: 12,
      to: 16,
      requestId: "req-1",
      reason: "page load climbing",
      time: "2026-11-29T10:00:00.000Z",
    });
    expect(res.pool).toMatchObject({
      desired: 16,
      min: 4,
      max: 48,
      inService: 12,
      pending: 4,
      group: "tave-prod-app",
    });
    expect(h.invalidated).toEqual(["groups:us-east-1", "activities:us-east-1:tave-prod-app"]);
    const [row] = await rows();
    expect(row!.id).toBe(res.record.id);
  });

  it("an operator may not send min or max (403 naming the field, audited, no backend call)", async () => {
    const err = await failure(changeCapacity(operator, APP, body({ min: 2 }), deps()));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as ForbiddenError).fields).toEqual({ min: "only an admin may change min" });
    expect(h.backend.reads + h.backend.writes.length).toBe(0);
    expect((await rows())[0]).toMatchObject({ outcome: "denied", action: "bounds", minTo: 2 });
  });

  it("an operator may not send an override", async () => {
    const err = await failure(changeCapacity(operator, APP, body({ override: { confirm: "app" } }), deps()));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as ForbiddenError).fields).toHaveProperty(["override.confirm"]);
    expect(h.backend.writes).toHaveLength(0);
  });

  it("an admin changes min and max with desired in one call", async () => {
    const res = await changeCapacity(admin, APP, body({ min: 6, max: 40 }), deps());
    expect(h.backend.writes).toEqual([
      {
        method: "updateGroupBounds",
        region: "us-east-1",
        group: "tave-prod-app",
        change: { min: 6, max: 40, desired: 16 },
      },
    ]);
    expect(res.record).toMatchObject({
      action: "bounds",
      outcome: "succeeded",
      minFrom: 4,
      minTo: 6,
      maxFrom: 48,
      maxTo: 40,
      from: 12,
      to: 16,
    });
    expect(res.pool).toMatchObject({ min: 6, max: 40, desired: 16 });
  });
});

describe("changeCapacity: input", () => {
  it.each([
    ["an unknown field", { colour: "red" }, "colour", "unknown field"],
    ["a fractional desired", { desired: 12.5 }, "desired", "expected a whole number"],
    ["a negative desired", { desired: -1 }, "desired", "must be at least 0"],
    ["a string number", { expectedDesired: "12" }, "expectedDesired", "expected number"],
    ["a short reason", { reason: " ok  " }, "reason", "must be at least 3 characters"],
    ["a long reason", { reason: "x".repeat(501) }, "reason", "must be at most 500 characters"],
    ["a short idempotency key", { idempotencyKey: "abc" }, "idempotencyKey", "must be at least 8 characters"],
    [
      "an unknown override field",
      { override: { confirm: "app", force: true } },
      "override.force",
      "unknown field",
    ],
  ])("%s is a 400 naming the field, with no backend call", async (_name, patch, field, message) => {
    const err = await failure(changeCapacity(admin, APP, body(patch), deps()));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).status).toBe(400);
    expect((err as ValidationError).fields[field]).toBe(message);
    expect(h.backend.reads + h.backend.writes.length).toBe(0);
  });

  it("a missing body is a 400", async () => {
    const err = await failure(changeCapacity(operator, APP, undefined, deps()));
    expect(err).toBeInstanceOf(ValidationError);
  });

  it("an unknown region or pool is a 404", async () => {
    expect(
      await failure(changeCapacity(admin, { region: "eu-west-1", pool: "app" }, body(), deps())),
    ).toBeInstanceOf(NotFoundError);
    expect(
      await failure(changeCapacity(admin, { region: "us-east-1", pool: "nope" }, body(), deps())),
    ).toBeInstanceOf(NotFoundError);
    expect(h.backend.writes).toHaveLength(0);
  });

  it("a configured pool without a group in the region is a 404", async () => {
    const err = await failure(
      changeCapacity(
        admin,
        { region: "us-east-1", pool: "bastion" },
        body({ desired: 2, expectedDesired: 1 }),
        deps(),
      ),
    );
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toContain("no Auto Scaling group");
  });
});

describe("changeCapacity: which group", () => {
  it("two groups claiming the pool (blue/green) are refused, recorded, and neither is touched", async () => {
    h.backend.put(makeGroup("us-east-1", "app", "tave-prod-app-green", { min: 4, max: 48, desired: 12 }));
    const err = await h.failure(changeCapacity(operator, APP, body(), deps()));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain("2 groups claim app in us-east-1 (tave-prod-app, tave-prod-app-green)");
    expect(h.backend.writes).toHaveLength(0);
    expect((await rows())[0]).toMatchObject({ outcome: "rejected", errorCode: "AmbiguousPool" });
  });
});

describe("changeCapacity: bounds", () => {
  it("desired above max is a 400 naming max; no write, no clamp", async () => {
    const err = await failure(
      changeCapacity(admin, APP, body({ desired: 49, override: { confirm: "app" } }), deps()),
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual({ desired: "must be at most the maximum (max 48)" });
    expect(h.backend.writes).toHaveLength(0);
    expect(h.backend.group("us-east-1", "tave-prod-app").desired).toBe(12);
    expect((await rows())[0]).toMatchObject({
      outcome: "rejected",
      errorCode: "OutOfBounds",
      from: 12,
      to: 49,
    });
  });

  it("desired below min is a 400 naming min", async () => {
    const err = await failure(changeCapacity(operator, APP, body({ desired: 3 }), deps()));
    expect((err as ValidationError).fields).toEqual({ desired: "must be at least the minimum (min 4)" });
    expect(h.backend.writes).toHaveLength(0);
  });

  it("an admin's new bounds are the ones checked", async () => {
    const above = await failure(changeCapacity(admin, APP, body({ desired: 16, max: 14 }), deps()));
    expect((above as ValidationError).fields).toEqual({ desired: "must be at most the maximum (max 14)" });
    const crossed = await failure(
      changeCapacity(admin, APP, body({ desired: 16, min: 20, max: 18 }), deps()),
    );
    expect((crossed as ValidationError).fields.min).toBe("must be at most the maximum (max 18)");
    expect(h.backend.writes).toHaveLength(0);
  });
});

describe("changeCapacity: optimistic concurrency", () => {
  it("a stale expectedDesired is a 409 with the current state, and nothing is written", async () => {
    h.backend.setDesired("us-east-1", "tave-prod-app", 14);
    const err = await failure(
      changeCapacity(operator, APP, body({ desired: 16, expectedDesired: 12 }), deps()),
    );
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).status).toBe(409);
    expect((err as ConflictError).current).toEqual({ desired: 14, min: 4, max: 48, inService: 12 });
    expect(err.message).toContain("desired is now 14, not 12");
    expect(h.backend.writes).toHaveLength(0);
    expect((await rows())[0]).toMatchObject({
      outcome: "rejected",
      errorCode: "Conflict",
      from: 14,
      expected: 12,
      to: 16,
    });
  });
});

describe("changeCapacity: guardrails", () => {
  beforeEach(() => {
    // app in us-east-1: floor 4, max step 8. Min 1 here, so only the guardrail stands in the way.
    h.backend.put(makeGroup("us-east-1", "app", "tave-prod-app", { min: 1, max: 48, desired: 6 }));
  });

  it("an operator going below the floor gets 403 with a field error explaining it, audited, no write", async () => {
    const err = await failure(
      changeCapacity(operator, APP, body({ desired: 3, expectedDesired: 6 }), deps()),
    );
    expect(err).toBeInstanceOf(GuardrailError);
    expect((err as GuardrailError).status).toBe(403);
    expect((err as GuardrailError).fields.desired).toBe("3 is below the floor of 4 for app in us-east-1");
    expect(h.backend.writes).toHaveLength(0);
    expect((await rows())[0]).toMatchObject({ outcome: "denied", errorCode: "Guardrail" });
  });

  it("an operator going beyond the maximum step gets 403", async () => {
    const err = await failure(
      changeCapacity(operator, APP, body({ desired: 15, expectedDesired: 6 }), deps()),
    );
    expect((err as GuardrailError).status).toBe(403);
    expect((err as GuardrailError).fields.desired).toBe(
      "a step of +9 is more than the maximum step of 8 per change for app",
    );
    expect(h.backend.writes).toHaveLength(0);
  });

  it("exactly at the floor and at the maximum step is allowed", async () => {
    await changeCapacity(operator, APP, body({ desired: 14, expectedDesired: 6 }), deps());
    await changeCapacity(operator, APP, body({ desired: 6, expectedDesired: 14 }), deps());
    await changeCapacity(operator, APP, body({ desired: 4, expectedDesired: 6 }), deps());
    expect(h.backend.writes.map((w) => w.desired)).toEqual([14, 6, 4]);
  });

  it("an admin without the typed pool id gets 400 asking for it", async () => {
    const err = await failure(changeCapacity(admin, APP, body({ desired: 3, expectedDesired: 6 }), deps()));
    expect((err as GuardrailError).status).toBe(400);
    expect((err as GuardrailError).fields["override.confirm"]).toBe("type app to override the guardrails");
    const wrong = await failure(
      changeCapacity(
        admin,
        APP,
        body({ desired: 3, expectedDesired: 6, override: { confirm: "App" } }),
        deps(),
      ),
    );
    expect((wrong as GuardrailError).status).toBe(400);
    expect(h.backend.writes).toHaveLength(0);
    expect((await rows()).map((r) => r.outcome)).toEqual(["rejected", "rejected"]);
  });

  it("an admin overrides with the pool id typed and a reason; the record says so", async () => {
    const res = await changeCapacity(
      admin,
      APP,
      body({
        desired: 2,
        expectedDesired: 6,
        override: { confirm: "app" },
        reason: "draining for maintenance",
      }),
      deps(),
    );
    expect(res.record).toMatchObject({
      outcome: "succeeded",
      override: true,
      to: 2,
      reason: "draining for maintenance",
    });
    expect(h.backend.writes).toHaveLength(1);
  });

  it("no floor in the standby region", async () => {
    const res = await changeCapacity(
      operator,
      { region: "us-west-2", pool: "app" },
      body({ desired: 2, expectedDesired: 6 }),
      deps(),
    );
    expect(res.record.outcome).toBe("succeeded");
  });
});
