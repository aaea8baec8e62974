import "server-only";
import type { Pool } from "pg";
import { isLocallyLocked, withLocalLock } from "../local-lock";
import { StoreUnavailableError, type Store } from "../types";
import { PgAuditStore } from "./audit";
import { createPool, describeError, inTransaction, LOCK_KEY, type DatabaseSettings } from "./connection";
import { migratePg } from "./migrations";
import { PgCacheLayer, PgDocumentStore } from "./shared";

export { databaseSettings, type DatabaseSettings } from "./connection";

export interface PgStoreOptions {
  /** Longest wait for a lock another replica holds (a change, a cache refresh). */
  lockWaitMs?: number;
}

/**
 * Capstan's state in PostgreSQL, for several replicas. Locks are transaction-scoped advisory
 * locks: held on one connection for as long as the work runs, released by COMMIT — or by the
 * server when a replica dies mid-change, so its pool is never locked forever.
 */
export class PgStore implements Store {
  readonly kind = "postgres" as const;
  readonly pool: Pool;
  readonly audit: PgAuditStore;
  readonly cacheLayer: PgCacheLayer;
  readonly documents: PgDocumentStore;
  readonly ready: Promise<void>;
  readonly location: string;
  private readonly lockWaitMs: number;

  constructor(
    readonly settings: DatabaseSettings,
    opts: PgStoreOptions = {},
  ) {
    this.pool = createPool(settings);
    this.location = settings.where;
    this.lockWaitMs = opts.lockWaitMs ?? 30_000;
    this.audit = new PgAuditStore(this.pool);
    this.cacheLayer = new PgCacheLayer(this.pool, Math.min(this.lockWaitMs, 15_000));
    this.documents = new PgDocumentStore(this.pool);
    this.ready = migratePg(this.pool).then(
      () => undefined,
      (err: unknown) => {
        throw new Error(`PostgreSQL at ${settings.where}: ${describeError(err)}`);
      },
    );
    this.ready.catch(() => {}); // the start-up awaits it; requests meet the error on first use
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    await this.ready;
    return withLocalLock(key, () =>
      this.locked(key, true, fn).then((r) => {
        if (!r.ran) throw new StoreUnavailableError(`lock ${key} not granted`);
        return r.value;
      }),
    );
  }

  async tryWithLock<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    await this.ready;
    if (isLocallyLocked(key)) return { ran: false };
    return withLocalLock(key, () => this.locked(key, false, fn));
  }

  async ping(timeoutMs = 2_000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.pool.query("SELECT 1"), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Run fn inside a transaction that holds key's advisory lock (waiting for it, or not). */
  private async locked<T>(
    key: string,
    wait: boolean,
    fn: () => Promise<T>,
  ): Promise<{ ran: true; value: T } | { ran: false }> {
    let got: { ran: true; value: T } | { ran: false } = { ran: false };
    try {
      await inTransaction(this.pool, async (c) => {
        if (wait) {
          await c.query(`SET LOCAL lock_timeout = ${Math.round(this.lockWaitMs)}`);
          await c.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`, [`lock:${key}`]);
        } else {
          const { rows } = await c.query<{ ok: boolean }>(
            `SELECT pg_try_advisory_xact_lock(${LOCK_KEY}) AS ok`,
            [`lock:${key}`],
          );
          if (!rows[0]?.ok) return;
        }
        got = { ran: true, value: await fnOutsideDb(fn) };
      });
    } catch (err) {
      if (err instanceof FnError) {
        throw err.cause;
      }
      // The lock could not be taken (or released): the database is the problem, not the work.
      if (got.ran) return got; // the work ran and committed nothing of ours: its result stands
      throw err instanceof StoreUnavailableError
        ? err
        : new StoreUnavailableError(`the database cannot be reached (${describeError(err)})`);
    }
    return got;
  }
}

/** Errors thrown by the caller's work, told apart from the database's own. */
class FnError extends Error {
  constructor(override readonly cause: unknown) {
    super("work failed");
  }
}

async function fnOutsideDb<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new FnError(err);
  }
}
