import "server-only";
import type { AuditStore } from "@/lib/audit";

// Refused attempts (denied, rejected) are audited, so a flood of them would grow the audit log
// without bound. Each identity (each client address when signed out) may be refused
// REFUSALS_PER_MINUTE times a minute; the next refusal writes one summary row and every later
// one that minute is answered 429 without a row. Only refusals are counted: an allowed change
// is never limited, least of all by someone else's flood.

export const REFUSALS_PER_MINUTE = 30;
const WINDOW_MS = 60_000;

export type RefusalVerdict =
  /** Under the limit: audit the refusal as usual. */
  | { kind: "record" }
  /** The first one past the limit: write one summary row, answer 429. */
  | { kind: "summarise"; retryAfterSeconds: number }
  /** Further past the limit: answer 429, write nothing. */
  | { kind: "drop"; retryAfterSeconds: number };

const local = new Map<string, { windowStart: number; count: number }>();

/** Count a refusal for `key` ("actor:<name>", "addr:<ip>") and say what to do with it. */
export async function countRefusal(
  store: AuditStore | null,
  key: string,
  nowMs: number,
  limit = REFUSALS_PER_MINUTE,
): Promise<RefusalVerdict> {
  const windowStart = nowMs - (nowMs % WINDOW_MS);
  let count: number;
  try {
    count = store ? await store.countRefusal(key.slice(0, 300), windowStart) : countLocally(key, windowStart);
  } catch (err) {
    // The counter lives in the store; when it cannot be reached the audit write fails too.
    console.error("capstan: could not count a refused attempt", err);
    count = countLocally(key, windowStart);
  }
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + WINDOW_MS - nowMs) / 1000));
  if (count <= limit) return { kind: "record" };
  return count === limit + 1 ? { kind: "summarise", retryAfterSeconds } : { kind: "drop", retryAfterSeconds };
}

function countLocally(key: string, windowStart: number): number {
  const e = local.get(key);
  if (e && e.windowStart === windowStart) return ++e.count;
  if (local.size > 10_000) local.clear(); // bounded: a flood of addresses cannot exhaust memory
  local.set(key, { windowStart, count: 1 });
  return 1;
}
