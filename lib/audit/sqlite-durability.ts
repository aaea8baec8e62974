import "server-only";
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { ensurePrivateFile, PRIVATE_FILE_MODE } from "@/lib/store/private-files";
import { migrate } from "./migrations";

// The audit log must not vanish silently. SQLite keeps recent commits in audit.sqlite-wal until a
// checkpoint: a backup of the database file alone, or a lost -wal file, would quietly drop them.
// So: checkpoint and close on shutdown; at start-up an integrity check, and the row count compared
// with a high-water mark kept beside the file (audit.sqlite.hwm), written after every new row.
// A damaged or shortened log stops the start, naming the file: restoring it is a person's call.

/** The log open and checked: its rows, and which file it is (null for `:memory:`). */
export interface OpenedLog {
  db: Database.Database;
  rows: number;
  opened: FileIdentity | null;
}

/** Opens (0600, WAL, synchronous FULL), migrates and checks the log; throws naming the file. */
export function openAuditLog(file: string): OpenedLog {
  if (file !== ":memory:") ensurePrivateFile(file, [`${file}-wal`, `${file}-shm`]); // 0600 before SQLite opens it (its -wal/-shm follow)
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    // FULL: a committed intent survives a power loss, not only a process crash.
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    migrate(db);
    if (file === ":memory:") return { db, rows: 0, opened: null };
    const rows = checkAuditFile(db, file);
    writeHighWater(file, rows);
    return { db, rows, opened: identify(file) };
  } catch (err) {
    db.close();
    const message = (err as Error).message;
    throw new Error(
      message.startsWith(file)
        ? message
        : `${file}: the audit log cannot be opened (${message}); restore it from a backup`,
    );
  }
}

export function highWaterFile(file: string): string {
  return `${file}.hwm`;
}

export function readHighWater(file: string): number {
  const f = highWaterFile(file);
  if (!existsSync(f)) return 0;
  const n = Number(JSON.parse(readFileSync(f, "utf8")).rows);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`${f}: not a valid high-water mark; restore it or the audit log`);
  return n;
}

export function writeHighWater(file: string, rows: number): void {
  const f = highWaterFile(file);
  const tmp = `${f}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ rows, at: new Date().toISOString() }), { mode: PRIVATE_FILE_MODE });
  renameSync(tmp, f);
}

/** Throws (naming the file) when the database is damaged or holds fewer rows than it once did. */
export function checkAuditFile(db: Database.Database, file: string): number {
  let verdict: unknown;
  try {
    verdict = db.pragma("quick_check", { simple: true });
  } catch (e) {
    throw new Error(`${file}: the audit log is damaged (${(e as Error).message}); restore it from a backup`);
  }
  if (verdict !== "ok")
    throw new Error(
      `${file}: the audit log is damaged (integrity check: ${String(verdict)}); restore it from a backup`,
    );
  const rows = countRows(db);
  const mark = readHighWater(file);
  if (rows < mark) {
    throw new Error(
      `${file}: the audit log holds ${rows} rows but has held ${mark} (${highWaterFile(file)}): it was truncated, replaced, or lost its -wal file. Restore it from a backup; delete the .hwm file only to accept the loss deliberately`,
    );
  }
  return rows;
}

export function countRows(db: Database.Database): number {
  return db.prepare("SELECT count(*) FROM audit_log").pluck().get() as number;
}

/** Move every committed row into the database file itself, then close: a copy of it is complete. */
export function checkpointAndClose(db: Database.Database, file: string): void {
  if (!db.open) return;
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
    if (file !== ":memory:") writeHighWater(file, countRows(db));
  } finally {
    db.close();
  }
}

/** Which file the open database is: a file deleted or replaced underneath keeps being written, then vanishes. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

export function identify(file: string): FileIdentity {
  const st = statSync(file);
  return { dev: st.dev, ino: st.ino };
}

/**
 * While running (each health probe): throws, naming the file, when the database file was deleted,
 * replaced or emptied underneath the open log, or its high-water mark could not be written.
 */
export function checkOnDisk(file: string, opened: FileIdentity, rows: number, markError: Error | null): void {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new Error(
      `${file}: the audit log file is gone while the server has it open; rows written now would be lost at the next start`,
    );
  }
  if (st.dev !== opened.dev || st.ino !== opened.ino)
    throw new Error(`${file}: the audit log file was replaced while the server has it open`);
  if (st.size === 0 && rows > 0)
    throw new Error(`${file}: the audit log file was emptied while the server has it open`);
  if (markError)
    throw new Error(`${highWaterFile(file)}: the high-water mark cannot be written (${markError.message})`);
}
