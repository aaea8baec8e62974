import { describe, expect, it } from "vitest";
import { failureOf, submittedMessage } from "./resize-submit";
import { revertMinutes } from "./revert-after";

// How the resize dialog answers each kind of refusal: what the operator reads, and whether the next
// submission is a new request (new key) or asks again about the first (same key).

describe("failureOf", () => {
  it("an outcome still pending keeps the key, so a resubmission never makes a second change", () => {
    const f = failureOf(409, { error: "pending", kind: "outcome_pending", auditId: "a-1" });
    expect(f.renewKey).toBe(false);
    expect(f.errors._).toContain("(a-1)");
    expect(f.expected).toBeUndefined();
  });

  it("a conflict takes the pool's current desired value and asks for a review", () => {
    const f = failureOf(409, { error: "conflict", current: { desired: 14, inService: 13 } });
    expect(f).toMatchObject({ renewKey: true, expected: 14 });
    expect(f.errors._).toContain("desired is now 14 (in service 13)");
  });

  it("a backend with no reply says the change may have been applied; a refusal names AWS's code", () => {
    expect(failureOf(502, { error: "timed out", code: "Timeout", outcome: "unknown" }).errors._).toMatch(
      /^No reply from the backend \(Timeout: timed out\).*may have been applied/,
    );
    expect(failureOf(502, { error: "too big", code: "ValidationError" }).errors._).toBe(
      "AWS refused the change: ValidationError: too big",
    );
  });

  it("no reply at all shows the client's sentence and keeps the key (a resend is written once); a validation error puts each field's message by it", () => {
    expect(failureOf(0, { error: "Network error", kind: "network" })).toEqual({
      renewKey: false,
      errors: { _: "Network error" },
    });
    expect(failureOf(400, { error: "invalid", fields: { reason: "too short" } }).errors).toEqual({
      _: "invalid",
      reason: "too short",
    });
  });
});

describe("submittedMessage and revertMinutes", () => {
  it("a time-boxed change announces when it goes back, in UTC", () => {
    expect(submittedMessage("eu-west-1", "web", "Desired 12 → 16", 12, "2026-01-01T14:35:00.000Z")).toBe(
      "web in eu-west-1: Desired 12 → 16 submitted, back to 12 at 14:35 UTC.",
    );
    expect(submittedMessage("eu-west-1", "web", "Desired 12 → 16", 12, null)).toBe(
      "web in eu-west-1: Desired 12 → 16 submitted.",
    );
  });

  it("no choice sends no time box; a preset or custom choice sends its minutes", () => {
    expect(revertMinutes("", "60")).toBeUndefined();
    expect(revertMinutes("120", "60")).toBe(120);
    expect(revertMinutes("custom", "45")).toBe(45);
  });
});
