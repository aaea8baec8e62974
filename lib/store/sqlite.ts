import "server-only";
import { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import type { AuditStore } from "@/lib/audit/types";
import { isLocallyLocked, withLocalLock } from "./local-lock";
import { StoreUnavailableError, type Store } from "./types";

/**
 * The embedded default: the audit log in one SQLite file, everything else in this process's
 * memory (locks, the read cache) or its own files (the simulated fleet, the dev session key).
 * One process; several replicas need PostgreSQL.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  readonly audit: AuditStore;
  readonly ready = Promise.resolve();
  readonly cacheLayer = null;
  readonly documents = null;

  /** A file name, or (tests) an audit store already open. */
  readonly location: string;

  constructor(file: string | AuditStore) {
    this.audit = typeof file === "string" ? new SqliteAuditStore(file) : file;
    this.location = typeof file === "string" ? file : "(in-process)";
  }

  /** The lock a change takes before its intent: a log that would vanish refuses it (nothing has run). */
  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      this.checkFile();
    } catch (e) {
      throw new StoreUnavailableError((e as Error).message);
    }
    return withLocalLock(key, fn);
  }

  async tryWithLock<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (isLocallyLocked(key)) return { ran: false };
    return { ran: true, value: await withLocalLock(key, fn) };
  }

  async ping(): Promise<void> {
    await this.audit.query({ limit: 1 });
    this.checkFile();
  }

  /** The file itself: deleted, replaced or emptied underneath, the open log would vanish at the next start. */
  private checkFile(): void {
    if (this.audit instanceof SqliteAuditStore) this.audit.checkOnDisk();
  }

  async close(): Promise<void> {
    this.audit.close();
  }
}
