import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import { tempDataDir } from "@/test/support/services/fixtures";
import { PgStore, databaseSettings } from "@/lib/store/postgres";
import { SqliteStore } from "@/lib/store/sqlite";

// Stores for the contract suites: SQLite in a temporary directory, and PostgreSQL in a schema of
// its own inside the test file's database (a fresh schema per test is much cheaper than a fresh
// database, and the audit log's triggers forbid emptying a table).

export function sqliteForTest(): {
  store: SqliteStore;
  raw(sql: string): Promise<unknown>;
  close(): Promise<void>;
} {
  const dir = tempDataDir();
  const audit = new SqliteAuditStore(dir.file);
  const store = new SqliteStore(audit);
  return {
    store,
    raw: async (sql) => audit.db.prepare(sql).run(),
    close: async () => {
      await store.close();
      dir.cleanup();
    },
  };
}

/** A fresh schema in `databaseUrl`; every store opened on the returned URL uses it. */
export async function pgSchemaUrl(databaseUrl: string): Promise<string> {
  const schema = `t_${randomBytes(5).toString("hex")}`;
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await c.end();
  }
  const url = new URL(databaseUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

export function pgStoreAt(url: string, lockWaitMs?: number): PgStore {
  return new PgStore(databaseSettings({ CAPSTAN_DATABASE_URL: url })!, { lockWaitMs });
}

export async function pgForTest(
  databaseUrl: string,
): Promise<{ store: PgStore; url: string; raw(sql: string): Promise<unknown>; close(): Promise<void> }> {
  const url = await pgSchemaUrl(databaseUrl);
  const store = pgStoreAt(url);
  await store.ready;
  return { store, url, raw: (sql) => store.pool.query(sql), close: () => store.close() };
}
