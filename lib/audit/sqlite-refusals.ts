import "server-only";
import type Database from "better-sqlite3";

// Refusal counters in SQLite: how many refusals a key has had in the current window.

export function countRefusal(db: Database.Database, key: string, windowStart: number): number {
  // One conditional upsert: atomic across processes sharing the file.
  const row = db
    .prepare(
      `INSERT INTO refusal_counters (key, window_start, count) VALUES (?, ?, 1)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN refusal_counters.window_start = excluded.window_start THEN refusal_counters.count + 1 ELSE 1 END,
         window_start = excluded.window_start
       RETURNING count`,
    )
    .get(key, windowStart) as { count: number };
  return row.count;
}
