import "server-only";
import path from "node:path";
import { dataDir } from "@/lib/config";
import { databaseSettings, PgStore } from "./postgres";
import { SqliteStore } from "./sqlite";
import type { Store } from "./types";

export * from "./types";
export { PgStore, databaseSettings } from "./postgres";
export { SqliteStore } from "./sqlite";

// One store per server process, chosen by one variable: CAPSTAN_DATABASE_URL → PostgreSQL (the
// state several replicas share), unset → SQLite in CAPSTAN_DATA_DIR (the embedded default).
const holder = globalThis as unknown as { __capstanStore?: Store };

/** The lock held from a change's fresh read to its outcome; reconciliation skips a held one. */
export function poolLockKey(region: string, pool: string): string {
  return `pool:${region}/${pool}`;
}

export function auditFile(env: Record<string, string | undefined> = process.env): string {
  return path.join(dataDir(env), "audit.sqlite");
}

export function createStore(env: Record<string, string | undefined> = process.env): Store {
  const settings = databaseSettings(env);
  return settings ? new PgStore(settings) : new SqliteStore(auditFile(env));
}

/** The process's store. A failure to open is not cached: the next call tries again. */
export function getStore(): Store {
  holder.__capstanStore ??= createStore();
  return holder.__capstanStore;
}

/** Tests swap the store in-process (closing the previous one is the caller's business). */
export function setStoreForTests(store: Store | undefined): void {
  holder.__capstanStore = store;
}
