import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditStore } from "@/lib/audit/types";
import type { OutboxEntry } from "@/lib/audit/outbox";
import { auditRecord } from "@/test/support/services/fixtures";
import type { AuditHarness } from "./audit-contract";

// The notification outbox and observed states: the same behaviour from SQLite and PostgreSQL
// (store.contract.test.ts runs it against both). `second` is another replica on the same data
// where the store can have one (PostgreSQL), else the same store.

const T0 = Date.parse("2026-11-29T10:00:00.000Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function entry(eventId: string, extra: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    eventId,
    type: "capacity.changed",
    targetKind: "webhook",
    urlEnv: "HOOK_URL",
    secretEnv: "HOOK_SECRET",
    payload: JSON.stringify({ id: eventId }),
    ...extra,
  };
}

export function outboxContract(open: () => Promise<AuditHarness & { second?: AuditStore }>): void {
  let h: AuditHarness & { second?: AuditStore };
  let store: AuditStore;

  beforeEach(async () => {
    h = await open();
    store = h.store;
  });
  afterEach(() => h.close());

  describe("notification outbox", () => {
    it("an outcome and its events commit together; a second outcome writes neither", async () => {
      const { record } = await store.recordIntent(auditRecord({ idempotencyKey: "outbox-key-1" }, T0));
      await store.recordOutcome(record.id, { outcome: "succeeded", completedAt: at(1) }, [
        entry("e1"),
        entry("e1", { targetKind: "slack", urlEnv: "SLACK_URL", secretEnv: null }),
      ]);
      expect(
        await store.recordOutcome(record.id, { outcome: "failed", completedAt: at(2) }, [entry("e2")]),
      ).toBeNull();
      const rows = await store.deliveries(10);
      expect(rows.map((d) => [d.eventId, d.targetKind, d.state, d.attempts]).sort()).toEqual([
        ["e1", "slack", "pending", 0],
        ["e1", "webhook", "pending", 0],
      ]);
      expect(rows.every((d) => d.nextAt === at(1) && d.createdAt === at(1))).toBe(true);
    });

    it("the same event for the same target is queued once", async () => {
      await store.enqueue([entry("e1")], at(0));
      await store.enqueue([entry("e1")], at(5));
      expect(await store.deliveries(10)).toHaveLength(1);
    });

    it("replicas claim disjoint rows; a leased row is not claimed again until its lease ends", async () => {
      await store.enqueue(
        Array.from({ length: 10 }, (_, i) => entry(`e${i}`)),
        at(0),
      );
      const other = h.second ?? store;
      const [a, b] = await Promise.all([
        store.claimDeliveries(at(1), at(31), 6),
        other.claimDeliveries(at(1), at(31), 6),
      ]);
      const ids = [...a, ...b].map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(10);
      expect([...a, ...b].every((d) => d.attempts === 1 && d.claim)).toBe(true);
      expect(await store.claimDeliveries(at(10), at(40), 20)).toEqual([]);
      // The lease ran out (a replica died mid-send): the row is claimable again.
      expect(await store.claimDeliveries(at(31), at(61), 20)).toHaveLength(10);
    });

    it("only the claimer records a result, once; a retry waits for its time; giving up marks it failed", async () => {
      await store.enqueue([entry("e1")], at(0));
      const [d] = await store.claimDeliveries(at(0), at(30), 5);
      expect(
        await store.finishDelivery(d!.id, "someone-else", { delivered: true, at: at(1), status: 200 }),
      ).toBe(false);
      expect(
        await store.finishDelivery(d!.id, d!.claim!, {
          delivered: false,
          at: at(1),
          status: 500,
          error: "HTTP 500",
          nextAt: at(11),
        }),
      ).toBe(true);
      expect(await store.claimDeliveries(at(10), at(40), 5)).toEqual([]);
      const [again] = await store.claimDeliveries(at(11), at(41), 5);
      expect(again).toMatchObject({ attempts: 2, lastStatus: 500, lastError: "HTTP 500" });
      expect(
        await store.finishDelivery(again!.id, again!.claim!, { delivered: true, at: at(12), status: 204 }),
      ).toBe(true);
      expect(
        await store.finishDelivery(again!.id, again!.claim!, { delivered: true, at: at(13), status: 204 }),
      ).toBe(false);
      expect((await store.deliveries(5))[0]).toMatchObject({
        state: "delivered",
        deliveredAt: at(12),
        lastStatus: 204,
        lastError: null,
      });
      expect(await store.claimDeliveries(at(9999), at(9999), 5)).toEqual([]);

      await store.enqueue([entry("e2")], at(0));
      const [f] = await store.claimDeliveries(at(20), at(50), 5);
      await store.finishDelivery(f!.id, f!.claim!, {
        delivered: false,
        at: at(21),
        status: null,
        error: "timed out after 5 s",
        nextAt: null,
      });
      expect((await store.deliveries(5)).find((x) => x.eventId === "e2")).toMatchObject({
        state: "failed",
        lastError: "timed out after 5 s",
      });
      expect(await store.claimDeliveries(at(9999), at(9999), 5)).toEqual([]);
    });

    it("an observed change is one event, whichever replica sees it; a first sighting is none", async () => {
      const other = h.second ?? store;
      const ev = (prev: { value: string } | null) => (prev ? [entry(`status-${prev.value}`)] : []);
      expect(await store.observe("pool:us-east-1/app", "ok", at(0), ev)).toEqual({
        changed: true,
        previous: null,
      });
      const results = await Promise.all([
        store.observe("pool:us-east-1/app", "degraded", at(5), ev),
        other.observe("pool:us-east-1/app", "degraded", at(5), ev),
      ]);
      expect(results.filter((r) => r.changed)).toHaveLength(1);
      expect(results.find((r) => r.changed)!.previous).toEqual({ value: "ok", since: at(0) });
      expect((await store.deliveries(10)).map((d) => d.eventId)).toEqual(["status-ok"]);
    });
  });
}
