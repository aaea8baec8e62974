import { randomBytes } from "node:crypto";
import { Client } from "pg";

// A fresh PostgreSQL database per test suite or benchmark measurement, on the server named by
// CAPSTAN_TEST_DATABASE_URL (scripts/test.sh points it at a per-run database; the fallback is the
// machine's local server), dropped afterwards with every connection to it ended first.

export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  name: string;
  /** The connection URL of the new database. */
  url: string;
  /** Ends every connection to it and drops it; safe to call twice. */
  drop(): Promise<void>;
}

export function testDatabaseBaseUrl(): string {
  return process.env.CAPSTAN_TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}

/** `<base database>_<purpose>_<random>`, lower case, within PostgreSQL's 63-byte identifier limit. */
export function databaseName(baseUrl: string, purpose: string): string {
  const base = decodeURIComponent(new URL(baseUrl).pathname.replace(/^\//, "")) || "postgres";
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  const suffix = `_${clean(purpose)}_${randomBytes(4).toString("hex")}`;
  return `${clean(base).slice(0, 63 - suffix.length)}${suffix}`;
}

const quote = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

async function admin<T>(baseUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: baseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createTestDatabase(
  purpose: string,
  baseUrl = testDatabaseBaseUrl(),
): Promise<TestDatabase> {
  const name = databaseName(baseUrl, purpose);
  await admin(baseUrl, (c) => c.query(`CREATE DATABASE ${quote(name)}`));
  const url = new URL(baseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin(baseUrl, async (c) => {
        await c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [name],
        );
        await c.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
      });
    },
  };
}

/** Databases on the server whose name starts with this prefix (tests check that none is left behind). */
export async function listDatabases(prefix: string, baseUrl = testDatabaseBaseUrl()): Promise<string[]> {
  return admin(baseUrl, async (c) => {
    const r = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1",
      [prefix],
    );
    return r.rows.map((x) => x.datname);
  });
}
