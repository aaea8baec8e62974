import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SharedCache } from "@/lib/cache/shared-cache";
import { BackendError } from "@/lib/fleet/types";
import { auditContract } from "@/test/support/store/audit-contract";
import { outboxContract } from "@/test/support/store/outbox-contract";
import { revertContract } from "@/test/support/store/revert-contract";
import { createTestDatabase, testServerUrl, type TestDatabase } from "@/test/support/store/postgres";
import { PG_MIGRATIONS } from "./postgres/migrations";
import { pgForTest, pgSchemaUrl, pgStoreAt, sqliteForTest } from "@/test/support/store/stores";
import { StoreUnavailableError, type Store } from "./types";

// One contract for both stores: SQLite (the embedded default) and PostgreSQL (replicas). Where a
// guarantee spans replicas, "two replicas" are two PgStore instances (two connection pools) on
// one database, as two Capstan processes would be.

const server = await testServerUrl();
let db: TestDatabase | undefined;
beforeAll(async () => {
  if (server) db = await createTestDatabase(server, "store");
});
afterAll(async () => {
  await db?.drop();
});

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe("SQLite store", () => {
  auditContract(async () => {
    const s = sqliteForTest();
    return { store: s.store.audit, raw: s.raw, close: s.close };
  });
  revertContract(async () => {
    const s = sqliteForTest();
    return { store: s.store.audit, raw: s.raw, close: s.close };
  });
  outboxContract(async () => {
    const s = sqliteForTest();
    return { store: s.store.audit, raw: s.raw, close: s.close };
  });
  lockContract(async () => {
    const s = sqliteForTest();
    return { a: s.store, b: s.store, close: s.close };
  });
});

describe.skipIf(!server)("PostgreSQL store", () => {
  auditContract(async () => {
    const s = await pgForTest(db!.url);
    return { store: s.store.audit, raw: s.raw, close: s.close };
  });
  // Two replicas claiming and observing: disjoint claims, one event per change.
  outboxContract(async () => {
    const s = await pgForTest(db!.url);
    const b = pgStoreAt(s.url);
    await b.ready;
    return {
      store: s.store.audit,
      second: b.audit,
      raw: s.raw,
      close: async () => (await b.close(), await s.close()),
    };
  });
  // Two replicas settling the same revert: one wins.
  revertContract(async () => {
    const s = await pgForTest(db!.url);
    const b = pgStoreAt(s.url);
    await b.ready;
    return {
      store: s.store.audit,
      second: b.audit,
      raw: s.raw,
      close: async () => (await b.close(), await s.close()),
    };
  });
  // Two replicas: two stores, two connection pools, one database.
  lockContract(async () => {
    const a = await pgForTest(db!.url);
    const b = pgStoreAt(a.url);
    await b.ready;
    return { a: a.store, b, close: async () => (await b.close(), await a.close()) };
  });

  it("refuses a truncate of the audit log, in the database", async () => {
    const s = await pgForTest(db!.url);
    await expect(s.raw("TRUNCATE audit_log")).rejects.toThrow(/never deleted/);
    await s.close();
  });

  it("replicas started together on an empty database migrate once, and both open", async () => {
    const url = await pgSchemaUrl(db!.url);
    const stores = [pgStoreAt(url), pgStoreAt(url), pgStoreAt(url)];
    await Promise.all(stores.map((s) => s.ready));
    const { rows } = await stores[0]!.pool.query("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version })));
    await Promise.all(stores.map((s) => s.close()));
  });

  it("an unreachable database fails to open naming the host, never the password", async () => {
    const store = pgStoreAt("postgres://capstan:hunter2-secret@127.0.0.1:1/capstan");
    const err = await store.ready.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain("capstan@127.0.0.1:1/capstan");
    expect(err?.message).not.toContain("hunter2");
    await expect(store.withLock("pool:x", async () => 1)).rejects.toThrow();
    await store.close();
  });

  it("a lock cannot be taken while the database is gone: the work never runs", async () => {
    const s = await pgForTest(db!.url);
    await s.store.pool.end();
    let ran = false;
    await expect(s.store.withLock("pool:us-east-1/app", async () => (ran = true))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(ran).toBe(false);
  });

  describe("shared read cache", () => {
    it("two replicas and many viewers: one upstream call per refresh; a write on one is seen by the other", async () => {
      const a = await pgForTest(db!.url);
      const b = pgStoreAt(a.url);
      let t = 1_000_000;
      const clock = () => t;
      const ca = new SharedCache(clock, a.store.cacheLayer);
      const cb = new SharedCache(clock, b.cacheLayer);
      let loads = 0;
      const gate = deferred();
      const load = async () => {
        loads++;
        await gate.promise;
        return { desired: 12 + loads };
      };
      const viewers = [ca, cb, ca, cb, ca, cb].map((c) => c.get("groups:us-east-1", 15_000, load));
      await new Promise((r) => setTimeout(r, 100)); // let every viewer reach the lock
      gate.resolve();
      const results = await Promise.all(viewers);
      expect(loads).toBe(1);
      expect(results.map((r) => r.value)).toEqual(Array(6).fill({ desired: 13 }));

      t += 5_000; // still fresh on both
      expect((await cb.get("groups:us-east-1", 15_000, load)).value).toEqual({ desired: 13 });
      expect(loads).toBe(1);

      await ca.invalidate("groups:us-east-1"); // a write through replica a
      expect((await cb.get("groups:us-east-1", 15_000, load)).value).toEqual({ desired: 14 });
      expect((await ca.get("groups:us-east-1", 15_000, load)).value).toEqual({ desired: 14 });
      expect(loads).toBe(2);

      t += 16_000; // past the window: one refresh, by whichever asks first
      await Promise.all([ca.get("groups:us-east-1", 15_000, load), cb.get("groups:us-east-1", 15_000, load)]);
      expect(loads).toBe(3);
      await b.close();
      await a.close();
    });

    it("a failed refresh is shared too, as the backend's error, with the last good value", async () => {
      const a = await pgForTest(db!.url);
      const b = pgStoreAt(a.url);
      let t = 1_000_000;
      const ca = new SharedCache(() => t, a.store.cacheLayer);
      const cb = new SharedCache(() => t, b.cacheLayer);
      await ca.get("metrics:us-west-2", 60_000, async () => [1, 2, 3]);
      t += 61_000;
      const failed = await ca.get("metrics:us-west-2", 60_000, async () => {
        throw new BackendError("Throttling", "Rate exceeded", { httpStatus: 400, regional: true });
      });
      expect(failed.stale).toBe(true);
      let called = false;
      const seen = await cb.get("metrics:us-west-2", 60_000, async () => ((called = true), [9]));
      expect(called).toBe(false);
      expect(seen.value).toEqual([1, 2, 3]);
      expect(seen.error).toBeInstanceOf(BackendError);
      expect(seen.error).toMatchObject({ code: "Throttling", message: "Rate exceeded", httpStatus: 400 });
      await b.close();
      await a.close();
    });

    it("with the database gone, a replica still reads, from its own memory", async () => {
      const a = await pgForTest(db!.url);
      const ca = new SharedCache(() => 5_000_000, a.store.cacheLayer);
      await a.store.pool.end();
      const r = await ca.get("groups:us-east-1", 15_000, async () => ["from upstream"]);
      expect(r).toMatchObject({ value: ["from upstream"], stale: false });
    });
  });

  describe("documents", () => {
    it("read-modify-write is one at a time across replicas: no update is lost", async () => {
      const a = await pgForTest(db!.url);
      const b = pgStoreAt(a.url);
      const bump = (s: Store) =>
        s.documents!.update<{ n: number }, number>("counter", (cur) => {
          const n = (cur?.n ?? 0) + 1;
          return { next: { n }, result: n };
        });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? a.store : b)));
      expect([...results].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await b.documents.read("counter")).toEqual({ n: 20 });
      expect(await a.store.documents.read("counter")).toEqual({ n: 20 });
      expect(await a.store.documents.read("nothing-here")).toBeNull();
      await b.close();
      await a.close();
    });
  });
});

/** Locks: one holder per key across replicas (a and b), free again after a failure. */
function lockContract(open: () => Promise<{ a: Store; b: Store; close(): Promise<void> }>): void {
  describe("locks", () => {
    it("one holder per key across replicas; other keys run meanwhile; a failure releases the lock", async () => {
      const { a, b, close } = await open();
      const log: string[] = [];
      const hold = deferred();
      const first = a.withLock("pool:us-east-1/app", async () => {
        log.push("a start");
        await hold.promise;
        log.push("a end");
        throw new Error("a failed");
      });
      await expect.poll(() => log.includes("a start")).toBe(true);
      const second = b.withLock("pool:us-east-1/app", async () => log.push("b ran"));
      const other = await b.withLock("pool:us-west-2/app", async () => (log.push("other ran"), "other"));
      expect(other).toBe("other");
      expect(await b.tryWithLock("pool:us-east-1/app", async () => "never")).toEqual({ ran: false });
      hold.resolve();
      await expect(first).rejects.toThrow("a failed");
      await second;
      expect(log).toEqual(["a start", "other ran", "a end", "b ran"]);
      expect(await a.tryWithLock("pool:us-east-1/app", async () => "free")).toEqual({
        ran: true,
        value: "free",
      });
      await close();
    });
  });
}
