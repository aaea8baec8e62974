import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditQuery, AuditStore, NewAuditRecord } from "@/lib/audit/types";
import { auditRecord } from "@/test/support/services/fixtures";

// The audit store's contract: the same behaviour from SQLite and from PostgreSQL
// (lib/store/store.contract.test.ts runs it against both).

export interface AuditHarness {
  store: AuditStore;
  /** Run raw SQL against the store's database (to prove the database itself refuses rewrites). */
  raw(sql: string): Promise<unknown>;
  close(): Promise<void>;
}

export function auditContract(open: () => Promise<AuditHarness>): void {
  let h: AuditHarness;
  let store: AuditStore;
  let minute = 0;

  beforeEach(async () => {
    minute = 0;
    h = await open();
    store = h.store;
  });
  afterEach(() => h.close());

  function rec(extra: Partial<NewAuditRecord> = {}): NewAuditRecord {
    const time = Date.parse("2026-11-29T10:00:00.000Z") + minute++ * 60_000;
    return auditRecord({ idempotencyKey: `key-${minute}-xxxxxx`, ...extra }, time);
  }

  describe("audit store: rows are never deleted, only completed", () => {
    it("the database refuses a delete", async () => {
      await store.recordIntent(rec());
      await expect(h.raw("DELETE FROM audit_log")).rejects.toThrow(/never deleted/);
    });

    it("an outcome is recorded once; a completed row cannot change", async () => {
      const { record } = await store.recordIntent(rec());
      const done = await store.recordOutcome(record.id, {
        outcome: "succeeded",
        completedAt: "2026-11-29T10:00:01.000Z",
        requestId: "r-1",
      });
      expect(done).toMatchObject({
        outcome: "succeeded",
        requestId: "r-1",
        completedAt: "2026-11-29T10:00:01.000Z",
      });
      expect(
        await store.recordOutcome(record.id, { outcome: "failed", completedAt: "2026-11-29T10:00:02.000Z" }),
      ).toBeNull();
      await expect(
        h.raw(`UPDATE audit_log SET outcome = 'failed' WHERE id = '${record.id}'`),
      ).rejects.toThrow(/only updated/);
    });

    it("even a pending row's facts cannot be rewritten", async () => {
      const { record } = await store.recordIntent(rec());
      await expect(
        h.raw(`UPDATE audit_log SET outcome = 'succeeded', to_desired = 99 WHERE id = '${record.id}'`),
      ).rejects.toThrow(/only updated/);
      await expect(
        h.raw(`UPDATE audit_log SET outcome = 'pending' WHERE id = '${record.id}'`),
      ).rejects.toThrow(/only updated/);
    });

    it("denied and rejected attempts are written complete", async () => {
      const r = await store.recordAttempt({
        ...rec(),
        outcome: "denied",
        errorCode: "Forbidden",
        errorMessage: "Role viewer may not change desired capacity.",
      });
      expect(r).toMatchObject({ outcome: "denied", completedAt: r.time, errorCode: "Forbidden" });
      expect(
        await store.recordOutcome(r.id, { outcome: "succeeded", completedAt: "2026-11-29T10:05:00.000Z" }),
      ).toBeNull();
    });
  });

  describe("audit store: change effects beside the audit row", () => {
    const effect = (changeId: string, verdict: "helped" | "worse" = "helped") => ({
      changeId,
      evaluatedAt: "2026-11-29T10:20:00.000Z",
      verdict,
      before: {
        from: "2026-11-29T09:50:00.000Z",
        to: "2026-11-29T10:00:00.000Z",
        pageLoadP90Ms: 2300,
        cpuPercent: 94,
        backlog: null,
      },
      after: {
        from: "2026-11-29T10:10:00.000Z",
        to: "2026-11-29T10:20:00.000Z",
        pageLoadP90Ms: 470,
        cpuPercent: 61,
        backlog: null,
      },
      summary: "p90 2.3 s → 470 ms, CPU 94 % → 61 %: helped",
    });

    it("a succeeded change awaits its effect; once recorded it no longer does, and the audit row is unchanged", async () => {
      const { record } = await store.recordIntent(rec());
      const done = (await store.recordOutcome(record.id, {
        outcome: "succeeded",
        completedAt: "2026-11-29T10:00:01.000Z",
      }))!;
      const failed = (await store.recordIntent(rec())).record;
      await store.recordOutcome(failed.id, { outcome: "failed", completedAt: "2026-11-29T10:01:01.000Z" });
      expect((await store.awaitingEffect("2026-11-29T00:00:00.000Z")).map((r) => r.id)).toEqual([record.id]);
      expect(await store.awaitingEffect("2026-11-29T11:00:00.000Z")).toEqual([]);
      expect(await store.recordEffect(effect(record.id))).toEqual(effect(record.id));
      expect(await store.awaitingEffect("2026-11-29T00:00:00.000Z")).toEqual([]);
      expect(await store.effectsFor([record.id, failed.id])).toEqual(
        new Map([[record.id, effect(record.id)]]),
      );
      expect(await store.get(record.id)).toEqual(done);
    });

    it("one effect per change: a second evaluation (another replica) gets the first; rows cannot be rewritten or deleted", async () => {
      const { record } = await store.recordIntent(rec());
      await store.recordOutcome(record.id, { outcome: "succeeded", completedAt: "2026-11-29T10:00:01.000Z" });
      const [a, b] = await Promise.all([
        store.recordEffect(effect(record.id)),
        store.recordEffect(effect(record.id, "worse")),
      ]);
      expect(a).toEqual(b);
      await expect(h.raw("UPDATE change_effects SET verdict = 'worse'")).rejects.toThrow(/never/);
      await expect(h.raw("DELETE FROM change_effects")).rejects.toThrow(/never/);
      await expect(
        h.raw(
          `INSERT INTO change_effects (change_id, evaluated_at, verdict, summary) VALUES ('${record.id}x', '2026-11-29T10:00:00Z', 'maybe', 's')`,
        ),
      ).rejects.toThrow();
    });
  });

  describe("audit store: idempotency keys", () => {
    it("one intent per actor and key; the second write returns the first", async () => {
      const first = await store.recordIntent(rec({ idempotencyKey: "same-key-123" }));
      const second = await store.recordIntent(rec({ idempotencyKey: "same-key-123", to: 20 }));
      expect(first.created).toBe(true);
      expect(second).toEqual({ record: first.record, created: false });
      expect(await store.findIntent("olga", "same-key-123")).toEqual(first.record);
      const other = await store.recordIntent(rec({ idempotencyKey: "same-key-123", actor: "adam" }));
      expect(other.created).toBe(true);
    });

    it("a rejected attempt does not hold its key", async () => {
      await store.recordAttempt({
        ...rec({ idempotencyKey: "k-rejected-1" }),
        outcome: "rejected",
        errorCode: "Conflict",
        errorMessage: "m",
      });
      expect(await store.findIntent("olga", "k-rejected-1")).toBeNull();
      expect((await store.recordIntent(rec({ idempotencyKey: "k-rejected-1" }))).created).toBe(true);
    });
  });

  describe("audit store: queries", () => {
    beforeEach(async () => {
      // 12 rows, oldest first: alternating regions, three pools, two actors, mixed outcomes.
      const pools = ["app", "worker-email", "proxy"];
      for (let i = 0; i < 12; i++) {
        const r = rec({
          region: i % 2 ? "us-west-2" : "us-east-1",
          pool: pools[i % 3]!,
          actor: i < 6 ? "olga" : "adam",
          to: i,
        });
        if (i % 4 === 3)
          await store.recordAttempt({ ...r, outcome: "rejected", errorCode: "Conflict", errorMessage: "m" });
        else {
          const { record } = await store.recordIntent(r);
          if (i % 4 !== 2)
            await store.recordOutcome(record.id, { outcome: "succeeded", completedAt: r.time });
        }
      }
    });

    it("newest first, keyset pages without overlap or gaps", async () => {
      const seen: number[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.query({ limit: 5, cursor });
        seen.push(...page.records.map((r) => r.to!));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    });

    it("a page inserted meanwhile does not shift the next page", async () => {
      const first = await store.query({ limit: 4 });
      await store.recordIntent(rec({ to: 100 }));
      const second = await store.query({ limit: 4, cursor: first.nextCursor! });
      expect(second.records.map((r) => r.to)).toEqual([7, 6, 5, 4]);
    });

    it("filters by region, pool, actor and outcome, together", async () => {
      const to = async (q: AuditQuery) => (await store.query(q)).records.map((r) => r.to);
      expect(await to({ region: "us-west-2" })).toEqual([11, 9, 7, 5, 3, 1]);
      expect(await to({ pool: "app" })).toEqual([9, 6, 3, 0]);
      expect(await to({ actor: "adam", outcome: "succeeded" })).toEqual([9, 8]);
      expect(await to({ outcome: "rejected" })).toEqual([11, 7, 3]);
      expect(await to({ outcome: "pending" })).toEqual([10, 6, 2]);
      expect(await to({ region: "us-east-1", pool: "app", actor: "olga" })).toEqual([0]);
    });

    it("unknown includes pending rows older than staleBefore", async () => {
      const staleBefore = new Date(Date.parse("2026-11-29T10:00:00.000Z") + 7 * 60_000).toISOString();
      const r = await store.query({ outcome: "unknown", staleBefore });
      expect(r.records.map((x) => x.to)).toEqual([6, 2]);
      expect((await store.query({ outcome: "pending", staleBefore })).records.map((x) => x.to)).toEqual([10]);
    });

    it("limit defaults to 50 and is capped at 500", async () => {
      for (let i = 0; i < 60; i++)
        await store.recordAttempt({ ...rec(), outcome: "denied", errorCode: "Forbidden", errorMessage: "m" });
      expect((await store.query({})).records).toHaveLength(50);
      expect((await store.query({ limit: 10_000 })).records).toHaveLength(72);
    });

    it("scopes restrict rows to what a scoped identity covers (globs included)", async () => {
      const to = async (scopes: { regions?: string[]; pools?: string[] }[]) =>
        (await store.query({ scopes })).records.map((r) => r.to);
      expect(await to([{ pools: ["worker-*"] }])).toEqual([10, 7, 4, 1]);
      expect(await to([{ pools: ["worker-*"], regions: ["us-west-2"] }])).toEqual([7, 1]);
      expect(await to([{ pools: ["proxy"] }, { regions: ["us-east-1"], pools: ["app"] }])).toEqual([
        11, 8, 6, 5, 2, 0,
      ]);
      expect(await to([])).toEqual([]);
    });

    it("rejects a malformed cursor", async () => {
      await expect(store.query({ cursor: "1 OR 1=1" })).rejects.toThrow(RangeError);
    });
  });

  describe("audit store: markers and observations", () => {
    it("markers are the pool's successful changes inside the range", async () => {
      const a = await store.recordIntent(rec({ to: 14 }));
      await store.recordOutcome(a.record.id, { outcome: "succeeded", completedAt: a.record.time });
      const b = await store.recordIntent(rec({ to: 15 }));
      await store.recordOutcome(b.record.id, { outcome: "failed", completedAt: b.record.time });
      const c = await store.recordIntent(rec({ to: 16, pool: "proxy" }));
      await store.recordOutcome(c.record.id, { outcome: "succeeded", completedAt: c.record.time });
      const d = await store.recordIntent(rec({ to: 17 }));
      await store.recordOutcome(d.record.id, { outcome: "succeeded", completedAt: d.record.time });

      const start = Date.parse(a.record.time);
      const all = await store.markersFor("us-east-1", "app", { start, end: Date.parse(d.record.time) + 1 });
      expect(all.map((m) => [m.to, m.actor, m.reason])).toEqual([
        [14, "olga", "page load climbing"],
        [17, "olga", "page load climbing"],
      ]);
      expect(all[0]!.at).toBe(start);
      const early = await store.markersFor("us-east-1", "app", { start, end: Date.parse(d.record.time) });
      expect(early.map((m) => m.to)).toEqual([14]);
    });

    it("observedAfter is the next fresh read of the same group", async () => {
      const a = await store.recordIntent(rec({ to: 16 }));
      expect(await store.observedAfter(a.record)).toBeNull();
      await store.recordAttempt({
        ...rec({ group: "tave-prod-proxy", from: 3 }),
        outcome: "rejected",
        errorCode: "Conflict",
        errorMessage: "m",
      });
      await store.recordAttempt({
        ...rec({ from: null }),
        outcome: "denied",
        errorCode: "Forbidden",
        errorMessage: "m",
      });
      const later = await store.recordAttempt({
        ...rec({ from: 15 }),
        outcome: "rejected",
        errorCode: "Conflict",
        errorMessage: "m",
      });
      await store.recordAttempt({
        ...rec({ from: 16 }),
        outcome: "rejected",
        errorCode: "Conflict",
        errorMessage: "m",
      });
      expect(await store.observedAfter(a.record)).toEqual({ desired: 15, min: 4, max: 48, time: later.time });
    });
  });

  describe("audit store: concurrency", () => {
    it("ten concurrent writes of one actor's key make one intent, and every writer gets it", async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.recordIntent(rec({ idempotencyKey: "raced-key-1" }))),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.record.id)).size).toBe(1);
      expect((await store.query({})).records).toHaveLength(1);
    });
  });
  describe("audit store: refusal counters (the rate limit of refused attempts)", () => {
    it("count per key within a minute, start again at 1 in the next, atomically under concurrency", async () => {
      const t0 = Date.parse("2026-11-29T10:00:00.000Z");
      const counts = await Promise.all(
        Array.from({ length: 20 }, () => store.countRefusal("actor:vera", t0)),
      );
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await store.countRefusal("actor:olga", t0)).toBe(1); // another key
      expect(await store.countRefusal("actor:vera", t0 + 60_000)).toBe(1); // the next minute
      expect(await store.countRefusal("actor:vera", t0 + 60_000)).toBe(2);
    });
  });
}
