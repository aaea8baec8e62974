import { randomBytes } from "node:crypto";
import { Client } from "pg";

// A fresh PostgreSQL database per test file, on the server of CAPSTAN_TEST_DATABASE_URL (set by
// scripts/test.sh to this run's own database) or the local one at 127.0.0.1:5432. Named after the
// run's database, so the test script drops whatever a killed run left behind.
// CAPSTAN_REQUIRE_POSTGRES=1 (set by scripts/test.sh) turns "no server" into a failure; without
// it (a plain `vitest run` on a laptop with no PostgreSQL) the PostgreSQL half is skipped.

const FALLBACK = "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function postgresRequired(): boolean {
  return process.env.CAPSTAN_REQUIRE_POSTGRES === "1";
}

/** The admin URL when a server answers, else null (or a throw when one is required). */
export async function testServerUrl(): Promise<string | null> {
  const url = process.env.CAPSTAN_TEST_DATABASE_URL || FALLBACK;
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return url;
  } catch (err) {
    if (postgresRequired())
      throw new Error(`PostgreSQL for the tests did not answer: ${(err as Error).message}`);
    return null;
  } finally {
    await c.end().catch(() => {});
  }
}

export async function createTestDatabase(adminUrl: string, label: string): Promise<TestDatabase> {
  const base = new URL(adminUrl);
  const prefix = decodeURIComponent(base.pathname.slice(1)) || "capstan";
  const name = `${prefix}_${label}_${randomBytes(4).toString("hex")}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 63);
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [name],
        );
        await c.query(`DROP DATABASE IF EXISTS "${name}"`);
      } finally {
        await c.end();
      }
    },
  };
}
