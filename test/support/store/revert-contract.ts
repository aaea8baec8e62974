import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditStore, NewAuditRecord } from "@/lib/audit/types";
import { auditRecord } from "@/test/support/services/fixtures";
import type { AuditHarness } from "./audit-contract";

// Scheduled reverts (time-boxed changes): the same behaviour from SQLite and from PostgreSQL
// (lib/store/store.contract.test.ts runs it against both). `open2` gives a second store on the
// same data where the store can have one (two replicas), else the same one.

const T0 = Date.parse("2026-11-29T10:00:00.000Z");
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();

export function revertContract(open: () => Promise<AuditHarness & { second?: AuditStore }>): void {
  let h: AuditHarness & { second?: AuditStore };
  let store: AuditStore;
  let n = 0;

  beforeEach(async () => {
    h = await open();
    store = h.store;
  });
  afterEach(() => h.close());

  function rec(extra: Partial<NewAuditRecord> = {}): NewAuditRecord {
    return auditRecord({ idempotencyKey: `key-${++n}-revert`, ...extra }, T0);
  }

  async function bump(
    outcome: "succeeded" | "failed" | "unknown" | null = "succeeded",
    extra: Partial<NewAuditRecord> = {},
  ) {
    const { record } = await store.recordIntent(rec(extra), { revertAt: at(60) });
    if (outcome) await store.recordOutcome(record.id, { outcome, completedAt: at(0) });
    return record;
  }

  describe("scheduled reverts", () => {
    it("a time-boxed intent is written with its way back, in the same step", async () => {
      const record = await bump(null);
      expect(record.revertAt).toBe(at(60));
      const pending = await store.pendingRevert("us-east-1", "app");
      expect(pending).toMatchObject({
        changeId: record.id,
        from: 16,
        to: 12,
        by: "olga",
        dueAt: at(60),
        state: "scheduled",
        reason: "page load climbing",
      });
      expect((await store.pendingReverts("us-east-1")).map((r) => r.id)).toEqual([pending!.id]);
      expect(await store.pendingReverts("us-west-2")).toEqual([]);
      // Not due while the original's outcome is unknown to us, nor before its time.
      expect(await store.dueReverts(at(61))).toEqual([]);
      await store.recordOutcome(record.id, { outcome: "succeeded", completedAt: at(0) });
      expect(await store.dueReverts(at(59))).toEqual([]);
      expect((await store.dueReverts(at(60))).map((r) => r.changeId)).toEqual([record.id]);
    });

    it("a replayed intent (same key) schedules nothing more", async () => {
      const r = rec();
      await store.recordIntent(r, { revertAt: at(60) });
      await store.recordIntent(r, { revertAt: at(90) });
      const pending = await store.pendingRevert("us-east-1", "app");
      expect(pending?.dueAt).toBe(at(60));
      await expect(h.raw("SELECT 1")).resolves.toBeDefined();
    });

    it("a change that failed never reverts: its schedule is void", async () => {
      await bump("failed");
      expect(await store.pendingRevert("us-east-1", "app")).toBeNull();
      expect(await store.dueReverts(at(120))).toEqual([]);
      expect(await store.voidReverts()).toBe(1);
      expect(await store.voidReverts()).toBe(0);
    });

    it("ending a revert is conditional: the second of two settles changes and writes nothing", async () => {
      await bump();
      const due = (await store.dueReverts(at(60)))[0]!;
      const other = h.second ?? store;
      const row = {
        ...rec({
          action: "revert",
          actor: "capstan",
          idempotencyKey: null,
          from: 14,
          revertOf: due.changeId,
        }),
        outcome: "rejected" as const,
        errorCode: "RevertSkipped",
        errorMessage: "desired is now 14, changed by adam",
      };
      const [a, b] = await Promise.all([
        store.settleRevert(due.id, { state: "skipped" }, row),
        other.settleRevert(due.id, { state: "skipped" }, row),
      ]);
      expect([a, b].filter((x) => x !== null)).toHaveLength(1);
      const won = (a ?? b)!;
      expect(won.revert).toMatchObject({ state: "skipped", resultId: won.record!.id });
      expect(won.record).toMatchObject({
        action: "revert",
        outcome: "rejected",
        errorCode: "RevertSkipped",
        revertOf: due.changeId,
      });
      expect((await store.query({ actor: "capstan" })).records).toHaveLength(1);
      expect(await store.pendingRevert("us-east-1", "app")).toBeNull();
      expect(await store.dueReverts(at(120))).toEqual([]);
    });

    it("extending moves the due time; cancelling ends it; both are audited", async () => {
      const record = await bump();
      const s = (await store.pendingRevert("us-east-1", "app"))!;
      const ext = await store.settleRevert(
        s.id,
        { dueAt: at(120) },
        {
          ...rec({
            action: "revert",
            idempotencyKey: null,
            from: null,
            revertOf: record.id,
            revertAt: at(120),
          }),
          outcome: "succeeded",
        },
      );
      expect(ext?.revert.dueAt).toBe(at(120));
      expect(ext?.record).toMatchObject({
        action: "revert",
        revertAt: at(120),
        revertOf: record.id,
        outcome: "succeeded",
      });
      expect(await store.dueReverts(at(90))).toEqual([]);
      const cancel = await store.settleRevert(
        s.id,
        { state: "cancelled" },
        {
          ...rec({ action: "revert", idempotencyKey: null, from: null, revertOf: record.id }),
          outcome: "succeeded",
        },
      );
      expect(cancel?.revert).toMatchObject({ state: "cancelled", resultId: cancel!.record!.id });
      expect(await store.dueReverts(at(200))).toEqual([]);
      expect(await store.settleRevert(s.id, { dueAt: at(300) })).toBeNull();
      // Revert rows are not graph markers.
      const markers = await store.markersFor("us-east-1", "app", { start: T0 - 1, end: T0 + 1 });
      expect(markers.map((m) => m.action)).toEqual(["capacity"]);
    });

    it("the new columns are as immutable as the rest", async () => {
      const { record } = await store.recordIntent(rec({ revertOf: "x", batchId: "b-1" }));
      expect(record).toMatchObject({ revertOf: "x", batchId: "b-1" });
      await expect(
        h.raw(`UPDATE audit_log SET outcome = 'succeeded', batch_id = 'b-2' WHERE id = '${record.id}'`),
      ).rejects.toThrow(/only updated/);
      await expect(
        h.raw(`UPDATE audit_log SET outcome = 'succeeded', revert_of = NULL WHERE id = '${record.id}'`),
      ).rejects.toThrow(/only updated/);
      await expect(h.raw("DELETE FROM audit_log")).rejects.toThrow(/never deleted/);
    });
  });
}
