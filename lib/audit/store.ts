import "server-only";
import { auditFile, getStore, setStoreForTests, SqliteStore } from "@/lib/store";
import type { AuditStore } from "./types";

export { auditFile };

/** The audit log of the process's store (SQLite or PostgreSQL). */
export function auditStore(): AuditStore {
  return getStore().audit;
}

/** Tests swap the audit store in-process: an SQLite one becomes the whole store. */
export function setAuditStoreForTests(store: AuditStore | undefined): void {
  if (store === undefined) return setStoreForTests(undefined);
  setStoreForTests(new SqliteStore(store));
}
