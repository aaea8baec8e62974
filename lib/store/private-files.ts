import "server-only";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";

// The data directory holds the audit log, the dev session key and the simulated fleet: nobody
// but the server's user may read or change them. The directory is 0700, every file in it 0600.

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create the directory (and its parents) and make the directory itself 0700, even if it existed. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Create `file` empty with mode 0600 if it does not exist, and make it 0600 if it does. SQLite
 * gives its -wal and -shm files the database file's mode, so creating the database this way
 * first keeps them private too; existing ones are tightened as well.
 */
export function ensurePrivateFile(file: string, companions: string[] = []): void {
  ensurePrivateDir(path.dirname(file));
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  for (const f of [file, ...companions]) if (existsSync(f)) chmodSync(f, PRIVATE_FILE_MODE);
}
