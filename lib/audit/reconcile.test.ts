import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError } from "@/lib/fleet/types";
import { FakeBackend, makeGroup } from "@/test/support/services/fake-backend";
import { auditRecord, tempDataDir } from "@/test/support/services/fixtures";
import { trackInFlight } from "./in-flight";
import { displayOutcome, reconcilePending } from "./reconcile";
import { SqliteAuditStore } from "./sqlite-store";
import type { NewAuditRecord } from "./types";

const T0 = Date.parse("2026-11-29T10:00:00.000Z");
let dir: ReturnType<typeof tempDataDir>;
let store: SqliteAuditStore;
let backend: FakeBackend;

beforeEach(() => {
  dir = tempDataDir();
  store = new SqliteAuditStore(dir.file);
  backend = new FakeBackend([
    makeGroup("us-east-1", "app", "tave-prod-app", { min: 4, max: 48, desired: 12 }),
  ]);
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

function intent(extra: Partial<NewAuditRecord> = {}, at = T0): NewAuditRecord {
  return auditRecord({ idempotencyKey: `k-${Math.random().toString(36).slice(2)}`, ...extra }, at);
}

const at = (ms: number) => () => new Date(ms);

describe("reconcilePending", () => {
  it("after a process death, an intent whose change is in place becomes succeeded (reconciled)", async () => {
    const { record } = await store.recordIntent(intent());
    store.close(); // the process dies between intent and outcome
    store = new SqliteAuditStore(dir.file);
    backend.setDesired("us-east-1", "tave-prod-app", 16);

    expect(displayOutcome((await store.get(record.id))!, new Date(T0 + 31_000))).toBe("outcome unknown");
    const summary = await reconcilePending(backend, { store, now: at(T0 + 31_000) });
    expect(summary).toEqual({ succeeded: 1, unknown: 0, skipped: 0 });
    const after = (await store.get(record.id))!;
    expect(after).toMatchObject({
      outcome: "succeeded",
      reconciled: true,
      requestId: null,
      completedAt: "2026-11-29T10:00:31.000Z",
    });
    expect(after.note).toMatch(
      /^Reconciled: no reply was recorded; the group showed desired 16 \(as asked\)/,
    );
    expect(displayOutcome(after)).toBe("succeeded (reconciled)");
  });

  it("an intent whose change is not in place becomes unknown with a note, and stays unknown", async () => {
    const { record } = await store.recordIntent(intent());
    await reconcilePending(backend, { store, now: at(T0 + 31_000) });
    const after = (await store.get(record.id))!;
    expect(after).toMatchObject({ outcome: "unknown", reconciled: false });
    expect(after.note).toContain("desired 12, not desired 16");

    backend.setDesired("us-east-1", "tave-prod-app", 16); // a later coincidence proves nothing
    await reconcilePending(backend, { store, now: at(T0 + 600_000) });
    expect((await store.get(record.id))!.outcome).toBe("unknown");
  });

  it("a young intent is left alone: its reply may still arrive", async () => {
    const { record } = await store.recordIntent(intent());
    backend.setDesired("us-east-1", "tave-prod-app", 16);
    expect(await reconcilePending(backend, { store, now: at(T0 + 10_000) })).toEqual({
      succeeded: 0,
      unknown: 0,
      skipped: 0,
    });
    expect((await store.get(record.id))!.outcome).toBe("pending");
    expect(displayOutcome((await store.get(record.id))!, new Date(T0 + 10_000))).toBe("pending");
    expect(backend.reads).toBe(0);
  });

  it("an intent still in flight in this process is left alone however old", async () => {
    const { record } = await store.recordIntent(intent());
    const done = trackInFlight(record.id);
    try {
      await reconcilePending(backend, { store, now: at(T0 + 120_000) });
      expect((await store.get(record.id))!.outcome).toBe("pending");
    } finally {
      done();
    }
  });

  it("when the group cannot be read the intent stays pending (shown as unknown) for the next read", async () => {
    const { record } = await store.recordIntent(intent());
    backend.readError = new BackendError("Throttling", "Rate exceeded", { httpStatus: 400, regional: true });
    expect(await reconcilePending(backend, { store, now: at(T0 + 31_000) })).toEqual({
      succeeded: 0,
      unknown: 0,
      skipped: 1,
    });
    const row = (await store.get(record.id))!;
    expect(row.outcome).toBe("pending");
    expect(displayOutcome(row, new Date(T0 + 31_000))).toBe("outcome unknown");
  });

  it("the first observation after the intent decides, not the state now", async () => {
    const { record } = await store.recordIntent(intent());
    // 5 s later someone else's attempt read the group fresh and saw 14, not 16.
    await store.recordAttempt({
      ...intent({ actor: "adam", from: 14, expected: 12, to: 20 }, T0 + 5_000),
      outcome: "rejected",
      errorCode: "Conflict",
      errorMessage: "m",
    });
    backend.setDesired("us-east-1", "tave-prod-app", 16);
    await reconcilePending(backend, { store, now: at(T0 + 31_000) });
    const after = (await store.get(record.id))!;
    expect(after.outcome).toBe("unknown");
    expect(after.note).toContain("by a later attempt");
    expect(backend.reads).toBe(0);
  });

  it("a bounds change needs min and max in place too", async () => {
    const ok = await store.recordIntent(intent({ action: "bounds", minTo: 6, maxTo: 40 }));
    // The second intent read the group after the first had landed.
    const notOk = await store.recordIntent(
      intent({ action: "bounds", from: 16, minFrom: 6, maxFrom: 40, minTo: 5, maxTo: 40 }, T0 + 1),
    );
    backend.put(makeGroup("us-east-1", "app", "tave-prod-app", { min: 6, max: 40, desired: 16 }));
    expect(await reconcilePending(backend, { store, now: at(T0 + 31_000) })).toEqual({
      succeeded: 1,
      unknown: 1,
      skipped: 0,
    });
    expect((await store.get(ok.record.id))!.outcome).toBe("succeeded");
    expect((await store.get(notOk.record.id))!.note).toContain("min 6, max 40");
  });

  it("a group that no longer exists makes the outcome unknown", async () => {
    const { record } = await store.recordIntent(intent({ group: "tave-prod-gone" }));
    await reconcilePending(backend, { store, now: at(T0 + 31_000) });
    expect((await store.get(record.id))!).toMatchObject({ outcome: "unknown" });
    expect((await store.get(record.id))!.note).toContain("tave-prod-gone was not found");
  });

  it("reads each region once however many groups have pending intents", async () => {
    backend.put(makeGroup("us-east-1", "proxy", "tave-prod-proxy", { min: 2, max: 12, desired: 4 }));
    await store.recordIntent(intent({}, T0));
    await store.recordIntent(
      intent({ pool: "proxy", group: "tave-prod-proxy", from: 4, expected: 4, to: 4 }, T0 + 1),
    );
    expect(await reconcilePending(backend, { store, now: at(T0 + 60_000) })).toEqual({
      succeeded: 1,
      unknown: 1,
      skipped: 0,
    });
    expect(backend.reads).toBe(1);
  });
});
