import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type Database from "better-sqlite3";
import { PRIVATE_FILE_MODE } from "@/lib/store/private-files";

// The audit log must not vanish silently. SQLite keeps recent commits in audit.sqlite-wal until a
// checkpoint: a backup of the database file alone, or a lost -wal file, would quietly drop them.
// So: checkpoint and close on shutdown; at start-up an integrity check, and the row count compared
// with a high-water mark kept beside the file (audit.sqlite.hwm), written after every new row.
// A damaged or shortened log stops the start, naming the file: restoring it is a person's call.

export function highWaterFile(file: string): string {
  return `${file}.hwm`;
}

export function readHighWater(file: string): number {
  const f = highWaterFile(file);
  if (!existsSync(f)) return 0;
  const n = Number(JSON.parse(readFileSync(f, "utf8")).rows);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${f}: not a valid high-water mark; restore it or the audit log`);
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
  if (verdict !== "ok") throw new Error(`${file}: the audit log is damaged (integrity check: ${String(verdict)}); restore it from a backup`);
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
