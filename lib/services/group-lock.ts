// One capacity change at a time per pool and region in this process. Auto Scaling has no
// compare-and-set, so "read desired, compare with what the operator saw, write" is only safe if
// no other change to the same group runs between the read and the write. Two operators reacting
// to the same alert then get one change and one 409, never a silently lost change.
// (Several dashboard replicas need the same guarantee from the shared audit store.)

const tails = new Map<string, Promise<void>>();

export async function withGroupLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
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
