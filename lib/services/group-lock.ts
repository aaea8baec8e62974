import "server-only";
import { poolLockKey, StoreUnavailableError, type Store } from "@/lib/store";
import { AuditUnavailableError } from "@/lib/errors";

// One capacity change at a time per pool and region, across every replica sharing the store.
// Auto Scaling has no compare-and-set, so "read desired, compare with what the operator saw,
// write" is only safe if no other change to the same group runs between the read and the write.
// Two operators reacting to the same alert then get one change and one 409, never a lost change.

export type Locks = Pick<Store, "withLock">;

export async function withGroupLock<T>(
  locks: Locks,
  region: string,
  pool: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await locks.withLock(poolLockKey(region, pool), fn);
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err;
    console.error(`capstan: change lock unavailable: ${err.message}`);
    throw new AuditUnavailableError(
      "The audit log cannot be written, so nothing was changed. Try again shortly.",
    );
  }
}
