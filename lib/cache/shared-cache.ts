import "server-only";
import { BackendError } from "@/lib/fleet/types";
import { getStore, type CacheLayer, type LayerEntry } from "@/lib/store";

// A server-side cache in front of every upstream read: single-flight (N concurrent callers share
// one upstream call), a freshness window per key, and the last good value kept when a refresh
// fails so a failing region stays on screen marked stale instead of going blank.
// With a shared layer (PostgreSQL), the entries live in the database: whichever replica finds a
// key stale refreshes it under the key's lock while the others wait and read its result, so N
// replicas and M viewers cause the upstream calls of one. If the database cannot be reached, each
// replica falls back to its own memory: reads keep working, at one replica's cost each.

export interface CacheResult<T> {
  value: T | undefined;
  /** epoch ms when `value` was fetched */
  fetchedAt: number | undefined;
  /** Set when the latest refresh failed; `value` is then the last good one (or undefined). */
  error?: unknown;
  stale: boolean;
}

interface Entry<T> {
  value?: T;
  fetchedAt?: number;
  error?: unknown;
  errorAt?: number;
  /** Set by a write; the next read goes upstream even inside the freshness window. */
  invalid?: boolean;
  /** Bumped by every invalidation: a refresh started before it may not store its (older) result. */
  gen: number;
  inflight?: Promise<void>;
  /** Shared layer: the version of the entry this process holds parsed. */
  version?: number;
}

export class SharedCache {
  private entries = new Map<string, Entry<unknown>>();
  /** Upstream calls started, by key prefix (before the first ':'); read by tests and the benchmark. */
  readonly calls = new Map<string, number>();

  private layerDownSince: number | undefined;

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly layer: CacheLayer | null = null,
  ) {}

  async get<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<CacheResult<T>> {
    let e = this.entries.get(key) as Entry<T> | undefined;
    if (!e) {
      e = { gen: 0 };
      this.entries.set(key, e as Entry<unknown>);
    }
    if (this.layer && !this.layerResting()) {
      // Viewers of this replica share one round trip to the shared layer.
      e.inflight ??= this.viaLayer(key, e, ttlMs, load).finally(() => (e.inflight = undefined));
      await e.inflight;
      return result(e);
    }
    return this.getLocal(key, e, ttlMs, load);
  }

  private async getLocal<T>(
    key: string,
    e: Entry<T>,
    ttlMs: number,
    load: () => Promise<T>,
  ): Promise<CacheResult<T>> {
    const t = this.now();
    const freshValue = !e.invalid && e.fetchedAt !== undefined && t - e.fetchedAt < ttlMs;
    // A failure is also remembered, so a down region is not hammered by every viewer, but for at
    // most ERROR_TTL_MS: a five-minute metric window must not hide a recovery for five minutes.
    const freshError =
      !e.invalid &&
      e.errorAt !== undefined &&
      (e.fetchedAt === undefined || e.errorAt > e.fetchedAt) &&
      t - e.errorAt < Math.min(ttlMs, ERROR_TTL_MS);
    if (!freshValue && !freshError) {
      e.inflight ??= this.refresh(key, e, load);
      await e.inflight;
    } else if (e.inflight) {
      await e.inflight;
    }
    return result(e);
  }

  private async viaLayer<T>(key: string, e: Entry<T>, ttlMs: number, load: () => Promise<T>): Promise<void> {
    const layer = this.layer!;
    const fresh = (s: LayerEntry | null) => s !== null && isFresh(s, this.now(), ttlMs);
    try {
      const seen = await layer.read(key, e.version);
      if (seen) adopt(e, seen);
      if (fresh(seen)) return;
      const latest = await layer.refresh(
        key,
        e.version,
        (s) => !fresh(s),
        async () => {
          this.count(key);
          try {
            return { value: JSON.stringify(await load()), at: this.now() };
          } catch (err) {
            return { error: encodeError(err), at: this.now() };
          }
        },
      );
      adopt(e, latest);
      this.layerDownSince = undefined;
    } catch (err) {
      // The shared layer failed (not the upstream: its failures are stored as entries).
      this.layerDownSince = this.now();
      console.error(
        `capstan: shared read cache unavailable, serving from this replica's memory (${err instanceof Error ? err.message : String(err)})`,
      );
      e.inflight = undefined;
      e.version = undefined;
      await this.getLocal(key, e, ttlMs, load);
    }
  }

  /** After a layer failure, use local memory for a while rather than wait on a dead database per read. */
  private layerResting(): boolean {
    return this.layerDownSince !== undefined && this.now() - this.layerDownSince < LAYER_RETRY_MS;
  }

  private count(key: string): void {
    const kind = key.split(":")[0] ?? key;
    this.calls.set(kind, (this.calls.get(kind) ?? 0) + 1);
  }

  private async refresh<T>(key: string, e: Entry<T>, load: () => Promise<T>): Promise<void> {
    this.count(key);
    const gen = e.gen;
    try {
      const value = await load();
      if (gen !== e.gen) return; // a write happened meanwhile: this answer predates it
      e.value = value;
      e.fetchedAt = this.now();
      e.invalid = false;
    } catch (err) {
      if (gen !== e.gen) return;
      e.error = err;
      e.errorAt = this.now();
      e.invalid = false;
    } finally {
      if (gen === e.gen) e.inflight = undefined;
    }
  }

  /** The last good value, without ever going upstream. */
  peek<T>(key: string): T | undefined {
    return this.entries.get(key)?.value as T | undefined;
  }

  /** A write invalidates what it changed: the next read goes upstream, on every replica. */
  async invalidate(prefix: string): Promise<void> {
    for (const [key, e] of this.entries) {
      if (key.startsWith(prefix)) {
        e.invalid = true;
        e.gen++;
        e.version = undefined;
        // Readers after the write must not join a refresh that started before it.
        e.inflight = undefined;
      }
    }
    if (this.layer) {
      await this.layer.invalidate(prefix).catch((err: unknown) => {
        console.error(
          `capstan: could not invalidate the shared read cache (${err instanceof Error ? err.message : String(err)})`,
        );
      });
    }
  }

  clear(): void {
    this.entries.clear();
    this.calls.clear();
  }
}

/** How long a failed refresh is remembered before the next reader tries again. */
const ERROR_TTL_MS = 15_000;
/** How long a replica serves from its own memory after the shared layer failed. */
const LAYER_RETRY_MS = 10_000;

function result<T>(e: Entry<T>): CacheResult<T> {
  const failed = e.errorAt !== undefined && (e.fetchedAt === undefined || e.errorAt > e.fetchedAt);
  return { value: e.value, fetchedAt: e.fetchedAt, error: failed ? e.error : undefined, stale: failed };
}

function isFresh(s: LayerEntry, t: number, ttlMs: number): boolean {
  if (s.invalid) return false;
  if (s.fetchedAt !== null && t - s.fetchedAt < ttlMs) return true;
  return (
    s.errorAt !== null &&
    (s.fetchedAt === null || s.errorAt > s.fetchedAt) &&
    t - s.errorAt < Math.min(ttlMs, ERROR_TTL_MS)
  );
}

/** Take the shared entry into this process (parsing its texts only when they changed). */
function adopt<T>(e: Entry<T>, s: LayerEntry): void {
  if (s.value !== undefined || s.error !== undefined) {
    e.value = s.value ? (JSON.parse(s.value) as T) : undefined;
    e.error = s.error ? decodeError(s.error) : undefined;
    e.version = s.version;
  }
  e.fetchedAt = s.fetchedAt ?? undefined;
  e.errorAt = s.errorAt ?? undefined;
  e.invalid = s.invalid;
}

/** Upstream errors cross replicas as JSON; BackendError keeps its code, status and request id. */
function encodeError(err: unknown): string {
  if (err instanceof BackendError) {
    return JSON.stringify({
      backend: true,
      code: err.code,
      message: err.message,
      requestId: err.requestId,
      httpStatus: err.httpStatus,
      regional: err.regional,
      answered: err.answered,
    });
  }
  return JSON.stringify({ backend: false, message: err instanceof Error ? err.message : String(err) });
}

function decodeError(text: string): Error {
  const o = JSON.parse(text) as {
    backend: boolean;
    code?: string;
    message: string;
    requestId?: string;
    httpStatus?: number;
    regional?: boolean;
    answered?: boolean;
  };
  return o.backend
    ? new BackendError(o.code ?? "InternalError", o.message, {
        requestId: o.requestId,
        httpStatus: o.httpStatus,
        regional: o.regional,
        answered: o.answered,
      })
    : new Error(o.message);
}

const holder = globalThis as unknown as { __capstanCache?: SharedCache };

export function sharedCache(): SharedCache {
  holder.__capstanCache ??= new SharedCache(undefined, getStore().cacheLayer);
  return holder.__capstanCache;
}
