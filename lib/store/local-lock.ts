import "server-only";
// One holder at a time per key in this process (a queue per key). The stores build on it: SQLite
// needs nothing more (one process); PostgreSQL also takes an advisory lock, so replicas queue too,
// and a process never ties up several database connections waiting for the same key.

const tails = new Map<string, Promise<void>>();

export async function withLocalLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}

/** True while someone in this process holds or waits for `key`. */
export function isLocallyLocked(key: string): boolean {
  return tails.has(key);
}
