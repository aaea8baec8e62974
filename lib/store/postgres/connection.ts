import { Pool, type PoolClient, type PoolConfig } from "pg";
import { StoreUnavailableError } from "@/lib/errors";

// The PostgreSQL connection: one pool per process, from CAPSTAN_DATABASE_URL (libpq-style URL;
// `sslmode` and `sslrootcert` are honoured by node-postgres) and CAPSTAN_DATABASE_POOL_SIZE.
// The URL's password never leaves this module: messages name the host, port, database and user.

export interface DatabaseSettings {
  url: string;
  poolSize: number;
  /** "user@host:port/database", safe to print. */
  where: string;
}

export const DEFAULT_POOL_SIZE = 10;

/** Parse the environment's database settings; errors name the variable, never the password. */
export function databaseSettings(env: Record<string, string | undefined>): DatabaseSettings | null {
  const url = env.CAPSTAN_DATABASE_URL?.trim();
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error("CAPSTAN_DATABASE_URL: not a URL (expected postgres://user:password@host:5432/database)");
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new Error(`CAPSTAN_DATABASE_URL: expected a postgres:// URL, not ${parsed.protocol}//`);
  }
  if (!parsed.hostname) throw new Error("CAPSTAN_DATABASE_URL: the host is missing");
  const rawSize = env.CAPSTAN_DATABASE_POOL_SIZE?.trim();
  const poolSize = rawSize ? Number(rawSize) : DEFAULT_POOL_SIZE;
  if (!Number.isInteger(poolSize) || poolSize < 4 || poolSize > 100) {
    throw new Error(`CAPSTAN_DATABASE_POOL_SIZE: expected a whole number from 4 to 100, got "${rawSize}"`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "(default)";
  const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : "";
  return { url, poolSize, where: `${user}${parsed.hostname}:${parsed.port || "5432"}/${database}` };
}

export function createPool(s: DatabaseSettings, extra: Partial<PoolConfig> = {}): Pool {
  const pool = new Pool({
    connectionString: s.url,
    max: s.poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: "capstan",
    ...extra,
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would end the
  // process. The next query fails instead, and the caller refuses the write.
  pool.on("error", (err) => console.error(`capstan: database connection lost (${describeError(err)})`));
  return pool;
}

/** A driver error in one line, with no connection string (node-postgres never puts it there). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: string }).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** Run `fn` in a transaction on one connection; any driver failure is a StoreUnavailableError. */
export async function inTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw new StoreUnavailableError(`the database cannot be reached (${describeError(err)})`);
  }
  let broken = false;
  try {
    await client.query("BEGIN");
    const value = await fn(client);
    await client.query("COMMIT");
    return value;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Advisory lock keys: a 64-bit hash of a namespaced name, computed by the server. */
export const LOCK_KEY = "hashtextextended('capstan:' || $1::text, 0)";
