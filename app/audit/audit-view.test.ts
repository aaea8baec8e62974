import { describe, expect, it } from "vitest";
import type { AuditRecord } from "@/lib/audit";
import { changeText, filterQuery, utcTime } from "./audit-view";

const base: AuditRecord = {
  id: "a",
  seq: 1,
  time: "2026-11-29T03:12:05.123Z",
  actor: "olga",
  role: "operator",
  action: "capacity",
  region: "us-east-1",
  pool: "app",
  group: "tave-prod-app",
  from: 12,
  expected: 12,
  to: 16,
  minFrom: 4,
  minTo: null,
  maxFrom: 48,
  maxTo: null,
  reason: "r",
  idempotencyKey: "k",
  requestHash: "h",
  override: false,
  outcome: "succeeded",
  errorCode: null,
  errorMessage: null,
  requestId: "q",
  completedAt: null,
  reconciled: false,
  note: null,
  revertOf: null,
  revertAt: null,
  batchId: null,
};

describe("audit page helpers", () => {
  it("links keep the filters, drop empty ones and the default limit", () => {
    expect(filterQuery({ region: "us-east-1", pool: "", actor: "olga", limit: 50 })).toBe(
      "?region=us-east-1&actor=olga",
    );
    expect(filterQuery({ outcome: "unknown", limit: 20 }, { cursor: "41" })).toBe(
      "?outcome=unknown&limit=20&cursor=41",
    );
    expect(filterQuery({ region: "us-east-1", cursor: "41", limit: 20 }, {}, ["cursor", "limit"])).toBe(
      "?region=us-east-1",
    );
    expect(filterQuery({ actor: "a&b=c" })).toBe("?actor=a%26b%3Dc");
    expect(filterQuery({})).toBe("");
  });

  it("times are UTC and say so", () => {
    expect(utcTime("2026-11-29T03:12:05.123Z")).toBe("2026-11-29 03:12:05 UTC");
  });

  it("a change reads as from → to with what else mattered", () => {
    expect(changeText(base)).toBe("12 → 16 (+4)");
    expect(changeText({ ...base, from: 14, expected: 12 })).toBe("14 → 16 (+2), expected 12");
    expect(changeText({ ...base, from: null, expected: 12, to: 10 })).toBe("12 → 10 (-2)");
    expect(changeText({ ...base, action: "bounds", minTo: 6, maxTo: 48, override: true })).toBe(
      "12 → 16 (+4), min 4 → 6, max 48, guardrail overridden",
    );
    expect(changeText({ ...base, from: null, expected: null, to: null })).toBe("—");
  });
});
