import "server-only";
import type { AuditStore } from "@/lib/audit/types";

// Everything Capstan keeps, behind one seam in Capstan's words. Two implementations: SQLite in
// the data directory (the embedded default, one process) and PostgreSQL (several replicas).
// Cross-replica guarantees (one change per pool at a time, one refresher per cache key, one
// runner per background job) are the store's job, enforced by the database where it is shared.

export type StoreKind = "sqlite" | "postgres";

export interface Store {
  readonly kind: StoreKind;
  /** Where it lives, safe to print: a file, or user@host:port/database (never a password). */
  readonly location: string;
  readonly audit: AuditStore;
  /** Resolves once the store is open and migrated; rejects (without secrets) when it cannot be. */
  readonly ready: Promise<void>;
  /**
   * Run `fn` holding `key`'s lock: one holder at a time across every replica sharing the store.
   * Throws StoreUnavailableError when the lock cannot be taken (nothing has run then).
   */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Like withLock, but gives up at once when someone holds the lock: `{ ran: false }`. */
  tryWithLock<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  /** The shared layer behind the read cache; null when the cache is this process's own. */
  readonly cacheLayer: CacheLayer | null;
  /** Small shared documents (the simulated fleet's state, the dev session key); null for SQLite. */
  readonly documents: DocumentStore | null;
  /** A cheap round trip: throws when the store cannot be reached. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export { StoreUnavailableError } from "@/lib/errors";

/** One shared cache entry. `value`/`error` are JSON text, present only when asked for (see read). */
export interface LayerEntry {
  version: number;
  invalid: boolean;
  /** epoch ms */
  fetchedAt: number | null;
  errorAt: number | null;
  /** undefined: unchanged since the version the caller holds. */
  value?: string | null;
  error?: string | null;
}

export interface CacheLayer {
  /** The entry, with its texts only when its version differs from `knownVersion`. */
  read(key: string, knownVersion?: number): Promise<LayerEntry | null>;
  /**
   * Under the key's cross-replica lock: when `stale` says the latest entry needs a refresh,
   * `load` runs (the only upstream call, whichever replica and viewer asked) and its result is
   * stored unless an invalidation happened meanwhile. Returns the latest entry.
   */
  refresh(
    key: string,
    knownVersion: number | undefined,
    stale: (e: LayerEntry | null) => boolean,
    load: () => Promise<{ value?: string; error?: string; at: number }>,
  ): Promise<LayerEntry>;
  /** A write makes every replica's next read of these keys go upstream. */
  invalidate(prefix: string): Promise<void>;
}

export interface DocumentStore {
  /** The latest saved document, or null when there is none. */
  read<T>(name: string): Promise<T | null>;
  /**
   * Read-modify-write under the document's cross-replica lock. `fn` sees the latest document and
   * returns the next one (`next`, undefined: unchanged) and a result.
   */
  update<T, R>(name: string, fn: (current: T | null) => { next?: T; result: R }): Promise<R>;
}
