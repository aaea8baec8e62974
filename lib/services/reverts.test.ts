import { describe, expect, it, vi } from "vitest";

vi.mock("@/lib/backends", async () => (await import("@/test/support/services/change-harness")).backendsMock);

import { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import { withLocalLock } from "@/lib/store/local-lock";
import { changeCapacity } from "./capacity/change-capacity";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { cancelRevert, extendRevert } from "./revert-actions";
import { runDueReverts } from "./reverts";
import { APP, changeHarness } from "@/test/support/services/change-harness";
import { admin, operator, viewer } from "@/test/support/services/fixtures";

// Time-boxed changes: "16 for a minute, then back to 12". The revert is a scheduled change in the
// store, run by runDueReverts (the background job) through changeCapacity as Capstan.

const h = changeHarness();
const { deps, body, failure, rows } = h;
const GROUP = "tave-prod-app";
const desired = () => h.backend.group("us-east-1", GROUP).desired;

async function bump(extra: Record<string, unknown> = {}, who = operator) {
  return changeCapacity(who, APP, body({ revertAfterMinutes: 1, ...extra }), deps());
}

describe("time-boxed changes", () => {
  it("a bump with a 1-minute revert comes back on its own, as Capstan, on the operator's behalf", async () => {
    const first = await bump();
    expect(first.record).toMatchObject({
      outcome: "succeeded",
      to: 16,
      revertAt: "2026-11-29T10:01:00.000Z",
    });
    expect(desired()).toBe(16);

    h.clock += 59_000;
    expect(await runDueReverts(deps())).toEqual({ done: 0, skipped: 0, failed: 0, later: 0 });
    expect(desired()).toBe(16);

    h.clock += 1_000;
    expect(await runDueReverts(deps())).toMatchObject({ done: 1 });
    expect(desired()).toBe(12);
    const revert = (await rows()).find((r) => r.actor === "capstan")!;
    expect(revert).toMatchObject({
      action: "capacity",
      outcome: "succeeded",
      role: "operator",
      from: 16,
      expected: 16,
      to: 12,
      revertOf: first.record.id,
      override: false,
    });
    expect(revert.reason).toContain("olga");
    expect(await h.store.pendingRevert("us-east-1", "app")).toBeNull();

    // It ran once: a second turn finds nothing due.
    h.clock += 60_000;
    expect(await runDueReverts(deps())).toEqual({ done: 0, skipped: 0, failed: 0, later: 0 });
    expect(h.backend.writes.map((w) => w.desired)).toEqual([16, 12]);
  });

  it("is skipped, audited with who changed the pool, when desired moved in between", async () => {
    const first = await bump();
    await changeCapacity(admin, APP, body({ desired: 14, expectedDesired: 16 }), deps());
    h.clock += 60_000;
    expect(await runDueReverts(deps())).toMatchObject({ skipped: 1, done: 0 });
    expect(desired()).toBe(14);
    const skip = (await rows()).find((r) => r.action === "revert")!;
    expect(skip).toMatchObject({
      actor: "capstan",
      outcome: "rejected",
      errorCode: "RevertSkipped",
      revertOf: first.record.id,
      from: 14,
      to: 12,
    });
    expect(skip.errorMessage).toBe("desired is now 14, changed by adam: the revert to 12 did not run.");
    expect(h.backend.writes.map((w) => w.desired)).toEqual([16, 14]);
  });

  it("names someone outside Capstan when no change of Capstan's explains the value", async () => {
    await bump();
    h.backend.setDesired("us-east-1", GROUP, 20);
    h.clock += 60_000;
    await runDueReverts(deps());
    const skip = (await rows()).find((r) => r.action === "revert")!;
    expect(skip.errorMessage).toContain("desired is now 20, changed by someone outside Capstan");
    expect(desired()).toBe(20);
  });

  it("a restart between the bump and the revert still reverts (the schedule is in the store)", async () => {
    await bump();
    const file = h.store.db.name;
    h.store.close();
    const reopened = new SqliteAuditStore(file);
    try {
      h.clock += 60_000;
      expect(await runDueReverts(deps({ store: reopened }))).toMatchObject({ done: 1 });
      expect(desired()).toBe(12);
    } finally {
      reopened.close();
    }
  });

  it("a cancelled revert does not fire; the cancel is audited", async () => {
    const first = await bump();
    const res = await cancelRevert(operator, APP, deps());
    expect(res.revert).toBeNull();
    expect(res.record).toMatchObject({
      action: "revert",
      actor: "olga",
      outcome: "succeeded",
      revertOf: first.record.id,
      revertAt: null,
    });
    h.clock += 120_000;
    expect(await runDueReverts(deps())).toEqual({ done: 0, skipped: 0, failed: 0, later: 0 });
    expect(desired()).toBe(16);
    await expect(cancelRevert(operator, APP, deps())).rejects.toBeInstanceOf(NotFoundError);
  });

  it("an extension moves the revert to now + N minutes; viewers may do neither", async () => {
    await bump();
    h.clock += 30_000;
    const res = await extendRevert(operator, APP, { revertAfterMinutes: 60 }, deps());
    expect(res.revert).toMatchObject({ to: 12, from: 16, by: "olga", at: "2026-11-29T11:00:30.000Z" });
    expect(res.record).toMatchObject({ action: "revert", revertAt: "2026-11-29T11:00:30.000Z" });
    h.clock += 60_000;
    expect((await runDueReverts(deps())).done).toBe(0);
    h.clock += 60 * 60_000;
    expect((await runDueReverts(deps())).done).toBe(1);
    await expect(extendRevert(viewer, APP, { revertAfterMinutes: 5 }, deps())).rejects.toThrow(/viewer/);
    await expect(extendRevert(operator, APP, { revertAfterMinutes: 0 }, deps())).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it("scale-in on revert respects the guardrails: beyond the max step it is refused, not forced", async () => {
    // 12 → 24 needs an admin override (max step 8); the way back, 24 → 12, is Capstan's, and Capstan never overrides.
    await bump({ desired: 24, override: { confirm: "app" } }, admin);
    h.clock += 60_000;
    expect(await runDueReverts(deps())).toMatchObject({ failed: 1 });
    expect(desired()).toBe(24);
    const refusal = (await rows()).find((r) => r.actor === "capstan")!;
    expect(refusal).toMatchObject({ outcome: "denied", errorCode: "Guardrail", to: 12 });
    expect(refusal.revertOf).not.toBeNull();
    expect(await h.store.pendingRevert("us-east-1", "app")).toBeNull();
  });

  it("a change that failed never reverts", async () => {
    const err = new (await import("@/lib/fleet/types")).BackendError("ValidationError", "nope", {
      httpStatus: 400,
    });
    h.backend.nextWriteError = err;
    await failure(bump());
    h.clock += 60_000;
    expect(await runDueReverts(deps())).toEqual({ done: 0, skipped: 0, failed: 0, later: 0 });
    expect(h.backend.writes).toHaveLength(1);
  });

  it("two runners at once make one backend call (the derived idempotency key)", async () => {
    await bump();
    h.clock += 60_000;
    await Promise.all([runDueReverts(deps({ locks: { withLock: withLocalLock } })), runDueReverts(deps())]);
    expect(h.backend.writes.map((w) => w.desired)).toEqual([16, 12]);
    expect((await rows()).filter((r) => r.actor === "capstan" && r.action === "capacity")).toHaveLength(1);
  });

  it("refuses a time-boxed change that changes nothing, or bounds, and revertAfterMinutes out of range", async () => {
    expect(await failure(bump({ desired: 12 }))).toBeInstanceOf(ValidationError);
    expect(await failure(bump({ revertAfterMinutes: 10_081 }))).toBeInstanceOf(ValidationError);
    expect(await failure(bump({ revertAfterMinutes: 0 }))).toBeInstanceOf(ValidationError);
    expect(await failure(bump({ desired: 12, min: 4, max: 40 }, admin))).toBeInstanceOf(ValidationError);
    expect(await h.store.pendingRevert("us-east-1", "app")).toBeNull();
  });

  it("an extension racing the revert finds it already ran: 409, nothing written", async () => {
    await bump();
    const s = (await h.store.pendingRevert("us-east-1", "app"))!;
    await h.store.settleRevert(s.id, { state: "done" });
    const before = (await rows()).length;
    // pendingRevert is gone, so the request is a 404; a settle on the stale id is the 409 path.
    await expect(extendRevert(operator, APP, { revertAfterMinutes: 5 }, deps())).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await h.store.settleRevert(s.id, { dueAt: "2026-11-29T12:00:00.000Z" })).toBeNull();
    expect((await rows()).length).toBe(before);
  });
});
