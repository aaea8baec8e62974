import path from "node:path";
import { dataDir } from "@/lib/config";
import { SqliteAuditStore } from "./sqlite-store";
import type { AuditStore } from "./types";

// One store per server process. Opening runs the migrations; a failure is not cached, so the
// next request tries again (and a write is refused meanwhile: no intent, no backend call).
const holder = globalThis as unknown as { __capstanAudit?: AuditStore };

export function auditFile(env: Record<string, string | undefined> = process.env): string {
  return path.join(dataDir(env), "audit.sqlite");
}

export function auditStore(): AuditStore {
  holder.__capstanAudit ??= new SqliteAuditStore(auditFile());
  return holder.__capstanAudit;
}

/** Tests swap the store in-process (closing the previous one is the caller's business). */
export function setAuditStoreForTests(store: AuditStore | undefined): void {
  holder.__capstanAudit = store;
}
