import "server-only";
import { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import type { AuditStore } from "@/lib/audit/types";
import { isLocallyLocked, withLocalLock } from "./local-lock";
import type { Store } from "./types";

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

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return withLocalLock(key, fn);
  }

  async tryWithLock<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (isLocallyLocked(key)) return { ran: false };
    return { ran: true, value: await withLocalLock(key, fn) };
  }

  async ping(): Promise<void> {
    await this.audit.query({ limit: 1 });
  }

  async close(): Promise<void> {
    this.audit.close();
  }
}
