import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { closeStoreOnShutdown } from "@/lib/startup";
import { SqliteStore } from "@/lib/store/sqlite";
import { StoreUnavailableError } from "@/lib/store/types";
import { auditRecord, tempDataDir } from "@/test/support/services/fixtures";
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
    await store.recordAttempt({
      ...auditRecord({ idempotencyKey: `k-${i}-xxxxxxxx` }, Date.UTC(2026, 10, 30, 10, i)),
      outcome: "denied",
      errorCode: "Forbidden",
      errorMessage: "m",
    });
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
    for (const f of [file, `${file}-wal`, `${file}-shm`, highWaterFile(file)])
      expect(statSync(f).mode & 0o777, f).toBe(0o600);
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
    closeStoreOnShutdown(new SqliteStore(store), {
      once: ((e: string, f: () => void) => handlers.set(e, f)) as never,
      listenerCount: () => 0,
      exit,
    });
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
    expect(() => new SqliteAuditStore(moved)).toThrow(
      new RegExp(
        `^${moved.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: the audit log holds \\d rows but has held 6`,
      ),
    );
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
    expect(() => new SqliteAuditStore(file)).toThrow(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: the audit log`),
    );
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

describe("the high-water mark", () => {
  it("counts every kind of row: intents, refusals and the rows a time-boxed change's revert writes", async () => {
    const { store, file } = await sixRows();
    const at = (m: number) => new Date(Date.UTC(2026, 10, 30, 11, m)).toISOString();
    const { record } = await store.recordIntent(
      auditRecord({ idempotencyKey: "bump-xxxxxxxx", from: 4, to: 6 }, Date.UTC(2026, 10, 30, 11, 0)),
      { revertAt: at(30) },
    );
    await store.recordOutcome(record.id, { outcome: "succeeded", completedAt: at(1) });
    const due = (await store.pendingRevert(record.region, record.pool))!;
    const cancel = {
      ...auditRecord({ action: "revert", idempotencyKey: null, from: null, revertOf: record.id }),
      outcome: "succeeded" as const,
    };
    expect((await store.settleRevert(due.id, { state: "cancelled" }, cancel))?.record).toBeTruthy();
    expect(JSON.parse(readFileSync(highWaterFile(file), "utf8")).rows).toBe(8);
    store.close();
    expect(rowsIn(file)).toBe(8);
  });
});

describe("the SQLite audit log while the server runs", () => {
  const esc = (f: string) => f.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

  it("fails the store's ping, naming the file, and refuses changes when the file is deleted underneath", async () => {
    const { store, file } = await sixRows();
    const s = new SqliteStore(store);
    await expect(s.ping()).resolves.toBeUndefined();
    rmSync(file);
    await expect(s.ping()).rejects.toThrow(new RegExp(`^${esc(file)}: the audit log file is gone`));
    // A change takes the pool's lock before its intent: refused, nothing runs (a 503 upstream).
    const change = vi.fn(async () => "changed");
    await expect(s.withLock("pool:us-east-1/app", change)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(change).not.toHaveBeenCalled();
    store.close();
  });

  it("fails the ping when the file is replaced or emptied underneath", async () => {
    const { store, file, dir } = await sixRows();
    const s = new SqliteStore(store);
    writeFileSync(path.join(dir, "other"), "x");
    renameSync(path.join(dir, "other"), file);
    await expect(s.ping()).rejects.toThrow(`${file}: the audit log file was replaced`);
    store.close();

    const again = await sixRows();
    truncateSync(again.file, 0);
    await expect(new SqliteStore(again.store).ping()).rejects.toThrow(
      `${again.file}: the audit log file was emptied`,
    );
    again.store.close();
  });

  it("keeps the row when its high-water mark cannot be written, and fails the ping until it can", async () => {
    const { store, file } = await sixRows();
    const s = new SqliteStore(store);
    rmSync(highWaterFile(file));
    mkdirSync(path.join(highWaterFile(file), "blocker"), { recursive: true }); // the rename onto it fails
    await store.recordAttempt({
      ...auditRecord({ idempotencyKey: "k-7-xxxxxxxx" }),
      outcome: "denied",
      errorCode: "Forbidden",
      errorMessage: "m",
    });
    expect(store.db.prepare("SELECT count(*) FROM audit_log").pluck().get()).toBe(7);
    await expect(s.ping()).rejects.toThrow(`${highWaterFile(file)}: the high-water mark cannot be written`);
    rmSync(highWaterFile(file), { recursive: true });
    await store.recordAttempt({
      ...auditRecord({ idempotencyKey: "k-8-xxxxxxxx" }),
      outcome: "denied",
      errorCode: "Forbidden",
      errorMessage: "m",
    });
    await expect(s.ping()).resolves.toBeUndefined();
    expect(JSON.parse(readFileSync(highWaterFile(file), "utf8")).rows).toBe(8);
    store.close();
  });
});
