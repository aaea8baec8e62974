// A server-side cache in front of every upstream read: single-flight (N concurrent callers share
// one upstream call), a freshness window per key, and the last good value kept when a refresh
// fails so a failing region stays on screen marked stale instead of going blank.

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
}

export class SharedCache {
  private entries = new Map<string, Entry<unknown>>();
  /** Upstream calls started, by key prefix (before the first ':'); read by tests and the benchmark. */
  readonly calls = new Map<string, number>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  async get<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<CacheResult<T>> {
    let e = this.entries.get(key) as Entry<T> | undefined;
    if (!e) {
      e = { gen: 0 };
      this.entries.set(key, e as Entry<unknown>);
    }
    const t = this.now();
    const freshValue = !e.invalid && e.fetchedAt !== undefined && t - e.fetchedAt < ttlMs;
    // A failure is also remembered, so a down region is not hammered by every viewer, but for at
    // most ERROR_TTL_MS: a five-minute metric window must not hide a recovery for five minutes.
    const freshError =
      !e.invalid && e.errorAt !== undefined && (e.fetchedAt === undefined || e.errorAt > e.fetchedAt) && t - e.errorAt < Math.min(ttlMs, ERROR_TTL_MS);
    if (!freshValue && !freshError) {
      e.inflight ??= this.refresh(key, e, load);
      await e.inflight;
    } else if (e.inflight) {
      await e.inflight;
    }
    const failed = e.errorAt !== undefined && (e.fetchedAt === undefined || e.errorAt > e.fetchedAt);
    return {
      value: e.value,
      fetchedAt: e.fetchedAt,
      error: failed ? e.error : undefined,
      stale: failed,
    };
  }

  private async refresh<T>(key: string, e: Entry<T>, load: () => Promise<T>): Promise<void> {
    const kind = key.split(":")[0] ?? key;
    this.calls.set(kind, (this.calls.get(kind) ?? 0) + 1);
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

  /** A write invalidates what it changed: the next read goes upstream. */
  invalidate(prefix: string): void {
    for (const [key, e] of this.entries) {
      if (key.startsWith(prefix)) {
        e.invalid = true;
        e.gen++;
        // Readers after the write must not join a refresh that started before it.
        e.inflight = undefined;
      }
    }
  }

  clear(): void {
    this.entries.clear();
    this.calls.clear();
  }
}

/** How long a failed refresh is remembered before the next reader tries again. */
const ERROR_TTL_MS = 15_000;

const holder = globalThis as unknown as { __capstanCache?: SharedCache };

export function sharedCache(): SharedCache {
  holder.__capstanCache ??= new SharedCache();
  return holder.__capstanCache;
}
