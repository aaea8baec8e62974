import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditRecord, tempDataDir } from "@/test/support/services/fixtures";
import { migrate, MIGRATIONS } from "./migrations";
import { SqliteAuditStore } from "./sqlite-store";
import type { NewAuditRecord } from "./types";

let dir: ReturnType<typeof tempDataDir>;
let store: SqliteAuditStore;
let minute = 0;

beforeEach(() => {
  minute = 0;
  dir = tempDataDir();
  store = new SqliteAuditStore(dir.file);
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

function rec(extra: Partial<NewAuditRecord> = {}): NewAuditRecord {
  const time = Date.parse("2026-11-29T10:00:00.000Z") + minute++ * 60_000;
  return auditRecord({ idempotencyKey: `key-${minute}-xxxxxx`, ...extra }, time);
}

describe("SqliteAuditStore: the file and its migrations", () => {
  it("runs in WAL mode and records each migration once", () => {
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    const versions = store.db.prepare("SELECT version FROM schema_migrations").pluck().all();
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it("reopening is idempotent: no migration runs twice and the rows are still there", async () => {
    const { record } = await store.recordIntent(rec());
    store.close();
    store = new SqliteAuditStore(dir.file);
    store.close();
    store = new SqliteAuditStore(dir.file);
    expect(store.db.prepare("SELECT count(*) FROM schema_migrations").pluck().get()).toBe(MIGRATIONS.length);
    expect(await store.get(record.id)).toEqual(record);
    expect(migrate(store.db)).toEqual([]);
  });

  it("refuses a database written by a newer Capstan", () => {
    store.db
      .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')")
      .run();
    store.close();
    expect(() => new SqliteAuditStore(dir.file)).toThrow(/schema version 999 is newer/);
    store = new SqliteAuditStore(":memory:");
  });

  it("a migration that fails leaves nothing half-applied", () => {
    const db = new Database(":memory:");
    const bad = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: "broken", up: "CREATE TABLE t2 (x); SELECT * FROM nowhere;" },
    ];
    expect(() => migrate(db, bad)).toThrow();
    expect(db.prepare("SELECT count(*) FROM schema_migrations").pluck().get()).toBe(0);
    expect(
      db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('audit_log', 't2')").pluck().get(),
    ).toBe(0);
    db.close();
  });
});

describe("SqliteAuditStore: version 2 (time-boxed changes) on a version 1 file", () => {
  it("keeps every row with its seq, refuses rewrites and deletes as before, and goes on counting", async () => {
    const d = tempDataDir();
    const db = new Database(d.file);
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version === 1),
    );
    const insert = db.prepare(
      `INSERT INTO audit_log (id, time, actor, role, action, region, pool, to_desired, is_intent, outcome)
       VALUES (?, '2026-11-29T10:00:00.000Z', 'olga', 'operator', 'capacity', 'us-east-1', 'app', ?, 1, ?)`,
    );
    insert.run("old-1", 14, "succeeded");
    insert.run("old-2", 15, "pending");
    db.close();
    const upgraded = new SqliteAuditStore(d.file);
    try {
      expect(await upgraded.get("old-1")).toMatchObject({
        seq: 1,
        to: 14,
        outcome: "succeeded",
        revertOf: null,
        batchId: null,
      });
      expect(await upgraded.get("old-2")).toMatchObject({ seq: 2, outcome: "pending" });
      expect(() => upgraded.db.prepare("DELETE FROM audit_log").run()).toThrow(/never deleted/);
      expect(() =>
        upgraded.db.prepare("UPDATE audit_log SET to_desired = 1 WHERE id = 'old-1'").run(),
      ).toThrow(/only updated/);
      expect(
        await upgraded.recordOutcome("old-2", { outcome: "failed", completedAt: "2026-11-29T10:00:01.000Z" }),
      ).toMatchObject({ outcome: "failed" });
      const { record } = await upgraded.recordIntent(rec({ batchId: "b" }));
      expect(record.seq).toBe(3);
    } finally {
      upgraded.close();
      d.cleanup();
    }
  });
});

describe("SqliteAuditStore: the database itself refuses rewrites", () => {
  it("a delete or an update of a completed row fails in SQL, not only in Capstan", async () => {
    const { record } = await store.recordIntent(rec());
    await store.recordOutcome(record.id, { outcome: "succeeded", completedAt: "2026-11-29T10:00:01.000Z" });
    expect(() => store.db.prepare("DELETE FROM audit_log").run()).toThrow(/never deleted/);
    expect(() =>
      store.db.prepare("UPDATE audit_log SET outcome = 'failed' WHERE id = ?").run(record.id),
    ).toThrow(/only updated/);
  });
});
