import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditRecord, tempDataDir } from "@/lib/services/testing/fixtures";
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
    store.db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')").run();
    store.close();
    expect(() => new SqliteAuditStore(dir.file)).toThrow(/schema version 999 is newer/);
    store = new SqliteAuditStore(":memory:");
  });

  it("a migration that fails leaves nothing half-applied", () => {
    const db = new Database(":memory:");
    const bad = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: "broken", up: "CREATE TABLE t2 (x); SELECT * FROM nowhere;" }];
    expect(() => migrate(db, bad)).toThrow();
    expect(db.prepare("SELECT count(*) FROM schema_migrations").pluck().get()).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('audit_log', 't2')").pluck().get()).toBe(0);
    db.close();
  });
});

describe("SqliteAuditStore: the database itself refuses rewrites", () => {
  it("a delete or an update of a completed row fails in SQL, not only in Capstan", async () => {
    const { record } = await store.recordIntent(rec());
    await store.recordOutcome(record.id, { outcome: "succeeded", completedAt: "2026-11-29T10:00:01.000Z" });
    expect(() => store.db.prepare("DELETE FROM audit_log").run()).toThrow(/never deleted/);
    expect(() => store.db.prepare("UPDATE audit_log SET outcome = 'failed' WHERE id = ?").run(record.id)).toThrow(/only updated/);
  });
});
