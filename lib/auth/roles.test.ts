import { describe, expect, it } from "vitest";
import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";
import { authorize, can, globMatch, type Action, type Identity, type Role } from "./roles";

const ACTIONS: Action[] = [
  "fleet:read",
  "audit:read",
  "capacity:change",
  "bounds:change",
  "guardrail:override",
];

// Expected outcome per role and action, unscoped: the whole matrix, written out.
const MATRIX: Record<Role, Record<string, boolean>> = {
  viewer: {
    "fleet:read": true,
    "audit:read": true,
    "capacity:change": false,
    "bounds:change": false,
    "guardrail:override": false,
  },
  operator: {
    "fleet:read": true,
    "audit:read": true,
    "capacity:change": true,
    "bounds:change": false,
    "guardrail:override": false,
  },
  admin: {
    "fleet:read": true,
    "audit:read": true,
    "capacity:change": true,
    "bounds:change": true,
    "guardrail:override": true,
  },
};

const who = (role: Role | null, scope?: Identity["scope"], grants?: Identity["grants"]): Identity => ({
  name: "sam",
  role,
  source: "dev",
  scope,
  grants,
});

function outcome(identity: Identity | null, action: Action, target = {}): "ok" | 401 | 403 {
  try {
    authorize(identity, action, target);
    return "ok";
  } catch (e) {
    if (e instanceof UnauthenticatedError) return 401;
    if (e instanceof ForbiddenError) return 403;
    throw e;
  }
}

describe("authorize: role × action", () => {
  for (const role of ["viewer", "operator", "admin"] as Role[]) {
    for (const action of ACTIONS) {
      const allowed = MATRIX[role][action];
      it(`${role} ${allowed ? "may" : "may not"} ${action}`, () => {
        expect(outcome(who(role), action, { region: "us-east-1", pool: "app" })).toBe(allowed ? "ok" : 403);
        expect(can(who(role), action, { region: "us-east-1", pool: "app" })).toBe(allowed);
      });
    }
  }

  it("nobody is 401 and an identity without a role is 403, for every action", () => {
    for (const action of ACTIONS) {
      expect(outcome(null, action)).toBe(401);
      expect(outcome(who(null), action)).toBe(403);
      expect(can(who(null), action)).toBe(false);
    }
  });

  it("returns the identity it checked", () => {
    const id = who("operator");
    expect(authorize(id, "capacity:change")).toBe(id);
  });
});

describe("authorize: scope", () => {
  it("an operator for worker-* pools cannot resize app", () => {
    const op = who("operator", { pools: ["worker-*"] });
    expect(outcome(op, "capacity:change", { region: "us-east-1", pool: "worker-email" })).toBe("ok");
    expect(outcome(op, "capacity:change", { region: "us-west-2", pool: "worker-default" })).toBe("ok");
    expect(outcome(op, "capacity:change", { region: "us-east-1", pool: "app" })).toBe(403);
    expect(() => authorize(op, "capacity:change", { region: "us-east-1", pool: "app" })).toThrow(
      "sam may not change desired capacity for pool app in region us-east-1",
    );
    expect(outcome(op, "fleet:read", { pool: "app" })).toBe(403);
  });

  it("a region-scoped admin has no say in the other region", () => {
    const admin = who("admin", { regions: ["us-west-2"] });
    expect(outcome(admin, "bounds:change", { region: "us-west-2", pool: "app" })).toBe("ok");
    expect(outcome(admin, "guardrail:override", { region: "us-east-1", pool: "app" })).toBe(403);
    expect(outcome(admin, "fleet:read", { region: "us-east-1" })).toBe(403);
  });

  it("region and pool limits combine", () => {
    const op = who("operator", { regions: ["us-east-1"], pools: ["worker-*", "scheduler"] });
    expect(outcome(op, "capacity:change", { region: "us-east-1", pool: "scheduler" })).toBe("ok");
    expect(outcome(op, "capacity:change", { region: "us-west-2", pool: "scheduler" })).toBe(403);
    expect(outcome(op, "capacity:change", { region: "us-east-1", pool: "schedulers" })).toBe(403);
  });

  it("with several grants, each applies within its own scope", () => {
    const id = who("operator", { pools: ["worker-*"] }, [
      { role: "operator", scope: { pools: ["worker-*"] } },
      { role: "viewer" },
    ]);
    expect(outcome(id, "capacity:change", { pool: "worker-email" })).toBe("ok");
    expect(outcome(id, "fleet:read", { pool: "app" })).toBe("ok");
    expect(outcome(id, "capacity:change", { pool: "app" })).toBe(403);
    expect(outcome(id, "bounds:change", { pool: "worker-email" })).toBe(403);
  });

  it("globs match whole ids and treat other characters literally", () => {
    expect(globMatch("worker-*", "worker-email")).toBe(true);
    expect(globMatch("worker-*", "app")).toBe(false);
    expect(globMatch("app", "app-2")).toBe(false);
    expect(globMatch("a.p", "axp")).toBe(false);
  });
});
