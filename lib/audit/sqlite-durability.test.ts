import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { closeStoreOnShutdown } from "@/lib/startup";
import { SqliteStore } from "@/lib/store/sqlite";
import { auditRecord, tempDataDir } from "@/lib/services/testing/fixtures";
import { highWaterFile } from "./sqlite-durability";
import { SqliteAuditStore } from "./sqlite-store";

// The probe that found it: 6 rows, SIGTERM, then start-up with the WAL deleted or the database
// file emptied or damaged came up healthy showing 0–2 rows. Each case must now refuse, by name.

const dirs: ReturnType<typeof tempDataDir>[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
  vi.restoreAllMocks();
});

async function sixRows(): Promise<{ store: SqliteAuditStore; file: string; dir: string }> {
  const t = tempDataDir();
  dirs.push(t);
  const store = new SqliteAuditStore(t.file);
  for (let i = 0; i < 6; i++) {
    await store.recordAttempt({ ...auditRecord({ idempotencyKey: `k-${i}-xxxxxxxx` }, Date.UTC(2026, 10, 30, 10, i)), outcome: "denied", errorCode: "Forbidden", errorMessage: "m" });
  }
  return { store, file: t.file, dir: t.dir };
}

const rowsIn = (file: string) => {
  const s = new SqliteAuditStore(file);
  try {
    return s.db.prepare("SELECT count(*) FROM audit_log").pluck().get();
  } finally {
    s.close();
  }
};

describe("the SQLite audit log on disk", () => {
  it("is private: directory 0700, database and its -wal/-shm 0600", async () => {
    const { store, file, dir } = await sixRows();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of [file, `${file}-wal`, `${file}-shm`, highWaterFile(file)]) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    store.close();
  });

  it("is checkpointed on close: the database file alone holds every row", async () => {
    const { store, file, dir } = await sixRows();
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0); // before: the rows are in the WAL
    store.close();
    expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0);
    const backup = path.join(dir, "backup");
    mkdirSync(backup);
    copyFileSync(file, path.join(backup, "audit.sqlite")); // the file alone, as a naive backup takes it
    expect(rowsIn(path.join(backup, "audit.sqlite"))).toBe(6);
  });

  it("closes (checkpointed) on a clean stop of the server", async () => {
    const { store, file } = await sixRows();
    const handlers = new Map<string, () => void>();
    const exit = vi.fn() as unknown as (code?: number) => never;
    closeStoreOnShutdown(new SqliteStore(store), { once: ((e: string, f: () => void) => handlers.set(e, f)) as never, listenerCount: () => 0, exit });
    handlers.get("SIGTERM")!();
    expect(exit).toHaveBeenCalledWith(0);
    expect(store.db.open).toBe(false);
    expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0);
    handlers.get("exit")!(); // runs again on exit: harmless
  });

  it("refuses to open when rows written before a crash are lost with the WAL, naming the file", async () => {
    const { file, dir } = await sixRows(); // not closed: a crash; rows only in the WAL
    const copy = path.join(dir, "copy");
    mkdirSync(copy);
    const moved = path.join(copy, "audit.sqlite");
    copyFileSync(file, moved);
    copyFileSync(highWaterFile(file), highWaterFile(moved));
    expect(() => new SqliteAuditStore(moved)).toThrow(new RegExp(`^${moved.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: the audit log holds \\d rows but has held 6`));
  });

  it("refuses a 0-byte database file", async () => {
    const { store, file } = await sixRows();
    store.close();
    writeFileSync(file, "");
    expect(() => new SqliteAuditStore(file)).toThrow(`${file}: the audit log holds 0 rows but has held 6`);
  });

  it("refuses a damaged database file", async () => {
    const { store, file } = await sixRows();
    store.close();
    const bytes = readFileSync(file);
    bytes.fill(0x41, 0, 100); // header destroyed
    writeFileSync(file, bytes);
    expect(() => new SqliteAuditStore(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: the audit log`));
  });

  it("a fresh data directory starts empty and sets its mark", () => {
    const t = tempDataDir();
    dirs.push(t);
    rmSync(t.dir, { recursive: true, force: true });
    const s = new SqliteAuditStore(t.file);
    s.close();
    expect(JSON.parse(readFileSync(highWaterFile(t.file), "utf8")).rows).toBe(0);
  });
});
