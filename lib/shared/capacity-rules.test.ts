import { describe, expect, it } from "vitest";
import { changeCapacitySchema } from "@/lib/services/capacity/change-capacity-schema";
import {
  boundsErrors,
  guardrailViolations,
  previewChange,
  type PreviewGroup,
  type PreviewPool,
} from "./capacity-rules";

const app: PreviewPool = {
  id: "app",
  guardrails: { floor: { "us-east-1": 4 }, maxStep: 8 },
  instance: { hourlyPrice: 0.199 },
};
const group: PreviewGroup = {
  region: "us-east-1",
  desired: 12,
  min: 4,
  max: 48,
  hasScalingPolicies: false,
  hasScheduledActions: false,
};

describe("previewChange", () => {
  it("describes the change as the confirmation shows it", () => {
    const p = previewChange(group, app, { desired: 16 });
    expect(p.summary).toBe("Desired 12 → 16 (+4, +33 %)");
    expect(p.hourlyCostDelta).toBeCloseTo(0.796, 6);
    expect(p.costSummary).toBe("+$0.80 per hour (about +$581 per month)");
    expect(p.warnings).toEqual([]);
    expect(p.requiresOverride).toBe(false);
    expect(p.boundsErrors).toEqual({});
    expect(p.noChange).toBe(false);
  });

  it("a decrease, no change, and a group at zero", () => {
    expect(previewChange(group, app, { desired: 9 }).summary).toBe("Desired 12 → 9 (-3, -25 %)");
    expect(previewChange(group, app, { desired: 9 }).costSummary).toBe(
      "-$0.60 per hour (about -$436 per month)",
    );
    const same = previewChange(group, app, { desired: 12 });
    expect([same.summary, same.costSummary, same.noChange]).toEqual([
      "Desired 12 → 12 (no change)",
      "no change in cost",
      true,
    ]);
    expect(previewChange({ ...group, desired: 0, min: 0 }, app, { desired: 2 }).summary).toBe(
      "Desired 0 → 2 (+2)",
    );
  });

  it("tiny prices keep their digits", () => {
    const bastion: PreviewPool = {
      id: "bastion",
      guardrails: { floor: {} },
      instance: { hourlyPrice: 0.0104 },
    };
    expect(previewChange({ ...group, desired: 1, max: 2 }, bastion, { desired: 2 }).costSummary).toBe(
      "+$0.01 per hour (about +$8 per month)",
    );
    const free: PreviewPool = { ...bastion, instance: { hourlyPrice: 0.001 } };
    expect(previewChange({ ...group, desired: 1 }, free, { desired: 2 }).costSummary).toBe(
      "+$0.0010 per hour (about +$1 per month)",
    );
  });

  it("warns about guardrails, scaling policies and scheduled actions", () => {
    const busy = { ...group, hasScalingPolicies: true, hasScheduledActions: true };
    const p = previewChange(busy, app, { desired: 21 });
    expect(p.requiresOverride).toBe(true);
    expect(p.guardrails).toEqual([
      {
        field: "desired",
        guardrail: "maxStep",
        message: "a step of +9 is more than the maximum step of 8 per change for app",
      },
    ]);
    expect(p.warnings[0]).toBe(
      'Guardrail: a step of +9 is more than the maximum step of 8 per change for app. Only an admin can override it, typing "app" to confirm.',
    );
    expect(p.warnings[1]).toMatch(/scaling policies/);
    expect(p.warnings[2]).toMatch(/scheduled actions/);
  });

  it("shows bound changes and out-of-range values the server would refuse", () => {
    const p = previewChange(group, app, { desired: 16, min: 6, max: 14 });
    expect(p.boundsSummary).toEqual(["Min 4 → 6", "Max 48 → 14"]);
    expect(p.boundsErrors).toEqual({ desired: "must be at most the maximum (max 14)" });
  });
});

describe("guardrailViolations and boundsErrors", () => {
  it("the floor applies to going down below it, in its region only", () => {
    const low = { ...group, desired: 6, min: 1 };
    expect(guardrailViolations(low, app, { desired: 3 }).map((v) => v.guardrail)).toEqual(["floor"]);
    expect(guardrailViolations(low, app, { desired: 4 })).toEqual([]);
    expect(guardrailViolations({ ...low, desired: 2 }, app, { desired: 3 })).toEqual([]); // raising towards the floor
    expect(guardrailViolations({ ...low, region: "us-west-2" }, app, { desired: 1 })).toEqual([]);
    expect(
      guardrailViolations({ ...low, min: 4 }, app, { desired: 6, min: 2 }).map((v) => [v.field, v.guardrail]),
    ).toEqual([["min", "floor"]]);
  });

  it("the step limits each change both ways", () => {
    expect(guardrailViolations(group, app, { desired: 20 })).toEqual([]);
    expect(guardrailViolations(group, app, { desired: 21 })).toHaveLength(1);
    expect(guardrailViolations({ ...group, desired: 20 }, app, { desired: 11 })).toHaveLength(1);
  });

  it("bounds name the bound and never clamp", () => {
    expect(boundsErrors(group, { desired: 48 })).toEqual({});
    expect(boundsErrors(group, { desired: 49 })).toEqual({ desired: "must be at most the maximum (max 48)" });
    expect(boundsErrors(group, { desired: 3 })).toEqual({ desired: "must be at least the minimum (min 4)" });
    expect(boundsErrors(group, { desired: 10, min: 12 })).toEqual({
      desired: "must be at least the minimum (min 12)",
    });
  });
});

describe("changeCapacitySchema", () => {
  it("accepts the documented body and trims the reason", () => {
    const r = changeCapacitySchema.parse({
      desired: 16,
      expectedDesired: 12,
      reason: "  page load climbing ",
      idempotencyKey: "0f8c2b7e-1d2a",
    });
    expect(r.reason).toBe("page load climbing");
  });
});
