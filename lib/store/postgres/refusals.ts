import "server-only";
import type { Pool } from "pg";

// Refusal counters in PostgreSQL: how many refusals a key has had in the current window, counted
// by one conditional upsert so every replica adds to the same count.

export async function countRefusal(pool: Pool, key: string, windowStart: number): Promise<number> {
  const { rows } = await pool.query<{ count: number }>(
    `INSERT INTO refusal_counters (key, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN refusal_counters.window_start = excluded.window_start THEN refusal_counters.count + 1 ELSE 1 END,
       window_start = excluded.window_start
     RETURNING count`,
    [key, windowStart],
  );
  return Number(rows[0]!.count);
}
