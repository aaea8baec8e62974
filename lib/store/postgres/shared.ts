import "server-only";
import type { Pool, PoolClient } from "pg";
import type { CacheLayer, DocumentStore, LayerEntry } from "../types";
import { inTransaction, LOCK_KEY } from "./connection";

// The read cache and the documents, shared by replicas through PostgreSQL.

interface CacheRow {
  version: string;
  gen: string;
  invalid: boolean;
  fetched_at: string | null;
  error_at: string | null;
  value?: string | null;
  error?: string | null;
}

const num = (v: string | null) => (v === null ? null : Number(v));

function toEntry(r: CacheRow, withTexts: boolean): LayerEntry {
  const e: LayerEntry = {
    version: Number(r.version),
    invalid: r.invalid,
    fetchedAt: num(r.fetched_at),
    errorAt: num(r.error_at),
  };
  if (withTexts) {
    e.value = r.value ?? null;
    e.error = r.error ?? null;
  }
  return e;
}

/** The row, with its texts only when the caller's version is not the latest (saves parsing). */
async function readRow(
  c: Pool | PoolClient,
  key: string,
  known: number | undefined,
): Promise<{ entry: LayerEntry; gen: number } | null> {
  const { rows } = await c.query<CacheRow>(
    `SELECT version, gen, invalid, fetched_at, error_at,
            CASE WHEN version IS DISTINCT FROM $2 THEN value END AS value,
            CASE WHEN version IS DISTINCT FROM $2 THEN error END AS error
     FROM read_cache WHERE key = $1`,
    [key, known ?? null],
  );
  const r = rows[0];
  return r ? { entry: toEntry(r, Number(r.version) !== known), gen: Number(r.gen) } : null;
}

export class PgCacheLayer implements CacheLayer {
  /** Longest wait for another replica's refresh of the same key before giving up on sharing. */
  constructor(
    private readonly pool: Pool,
    private readonly lockWaitMs: number,
  ) {}

  async read(key: string, knownVersion?: number): Promise<LayerEntry | null> {
    return (await readRow(this.pool, key, knownVersion))?.entry ?? null;
  }

  async refresh(
    key: string,
    knownVersion: number | undefined,
    stale: (e: LayerEntry | null) => boolean,
    load: () => Promise<{ value?: string; error?: string; at: number }>,
  ): Promise<LayerEntry> {
    return inTransaction(this.pool, async (c) => {
      await c.query(`SET LOCAL lock_timeout = ${Math.round(this.lockWaitMs)}`);
      // Waiting here means another replica is refreshing this key: its result is what we read next.
      await c.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`, [`cache:${key}`]);
      await c.query("INSERT INTO read_cache (key) VALUES ($1) ON CONFLICT (key) DO NOTHING", [key]);
      const cur = (await readRow(c, key, knownVersion))!;
      if (!stale(cur.entry.version === 0 ? null : cur.entry)) return cur.entry;
      const r = await load();
      // Stored only if no write invalidated the key meanwhile (gen unchanged): a read that started
      // before a write must not overwrite what the write made stale.
      const { rows } = await c.query<CacheRow>(
        r.error !== undefined
          ? `UPDATE read_cache SET error = $2, error_at = $3, invalid = FALSE, version = version + 1
             WHERE key = $1 AND gen = $4 RETURNING version, gen, invalid, fetched_at, error_at, value, error`
          : `UPDATE read_cache SET value = $2, fetched_at = $3, invalid = FALSE, version = version + 1
             WHERE key = $1 AND gen = $4 RETURNING version, gen, invalid, fetched_at, error_at, value, error`,
        [key, r.error ?? r.value ?? null, r.at, cur.gen],
      );
      return rows[0] ? toEntry(rows[0], true) : (await readRow(c, key, undefined))!.entry;
    });
  }

  async invalidate(prefix: string): Promise<void> {
    await this.pool.query(
      "UPDATE read_cache SET invalid = TRUE, gen = gen + 1, version = version + 1 WHERE starts_with(key, $1)",
      [prefix],
    );
  }
}

export class PgDocumentStore implements DocumentStore {
  /** Parsed documents by name with their version: an unchanged document is not read again. */
  private readonly cache = new Map<string, { version: number; value: unknown }>();

  constructor(private readonly pool: Pool) {}

  async read<T>(name: string): Promise<T | null> {
    return this.fetch<T>(this.pool, name);
  }

  async update<T, R>(name: string, fn: (current: T | null) => { next?: T; result: R }): Promise<R> {
    try {
      return await inTransaction(this.pool, async (c) => {
        await c.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`, [`doc:${name}`]);
        const current = await this.fetch<T>(c, name);
        const { next, result } = fn(current);
        if (next !== undefined) {
          const { rows } = await c.query<{ version: string }>(
            `INSERT INTO documents (name, version, value) VALUES ($1, 1, $2)
             ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, version = documents.version + 1, updated_at = now()
             RETURNING version`,
            [name, JSON.stringify(next)],
          );
          this.cache.set(name, { version: Number(rows[0]!.version), value: next });
        }
        return result;
      });
    } catch (err) {
      // fn may have changed the cached object before the write failed: read it afresh next time.
      this.cache.delete(name);
      throw err;
    }
  }

  private async fetch<T>(c: Pool | PoolClient, name: string): Promise<T | null> {
    const known = this.cache.get(name);
    const { rows } = await c.query<{ version: string; value: string | null }>(
      "SELECT version, CASE WHEN version IS DISTINCT FROM $2 THEN value END AS value FROM documents WHERE name = $1",
      [name, known?.version ?? null],
    );
    const r = rows[0];
    if (!r) return null;
    if (known && Number(r.version) === known.version) return known.value as T;
    const value = JSON.parse(r.value!) as T;
    this.cache.set(name, { version: Number(r.version), value });
    return value;
  }
}
