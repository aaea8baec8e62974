import type Database from "better-sqlite3";

// Versioned schema changes for the SQLite audit store, applied in order on open. A migration is
// never edited once shipped: add a new version instead. `schema_migrations` records what ran.

export interface Migration {
  version: number;
  name: string;
  up: string;
}

const IMMUTABLE_COLUMNS = [
  "seq", "id", "time", "actor", "role", "action", "region", "pool", "group_name", "from_desired",
  "expected_desired", "to_desired", "min_from", "min_to", "max_from", "max_to", "reason",
  "idempotency_key", "request_hash", "is_intent", "override",
];

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "create audit_log",
    up: `
      CREATE TABLE audit_log (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        id               TEXT NOT NULL UNIQUE,
        time             TEXT NOT NULL,
        actor            TEXT NOT NULL,
        role             TEXT CHECK (role IS NULL OR role IN ('viewer', 'operator', 'admin')),
        action           TEXT NOT NULL CHECK (action IN ('capacity', 'bounds', 'faults')),
        region           TEXT NOT NULL,
        pool             TEXT NOT NULL,
        group_name       TEXT,
        from_desired     INTEGER,
        expected_desired INTEGER,
        to_desired       INTEGER,
        min_from         INTEGER,
        min_to           INTEGER,
        max_from         INTEGER,
        max_to           INTEGER,
        reason           TEXT,
        idempotency_key  TEXT,
        request_hash     TEXT,
        is_intent        INTEGER NOT NULL CHECK (is_intent IN (0, 1)),
        override         INTEGER NOT NULL DEFAULT 0 CHECK (override IN (0, 1)),
        outcome          TEXT NOT NULL
                         CHECK (outcome IN ('pending', 'succeeded', 'failed', 'rejected', 'denied', 'unknown')),
        error_code       TEXT,
        error_message    TEXT,
        request_id       TEXT,
        completed_at     TEXT,
        reconciled       INTEGER NOT NULL DEFAULT 0 CHECK (reconciled IN (0, 1)),
        note             TEXT
      );
      -- One intent per actor and idempotency key: the second of two concurrent submits finds the first.
      CREATE UNIQUE INDEX audit_log_intent_key ON audit_log (actor, idempotency_key)
        WHERE is_intent = 1 AND idempotency_key IS NOT NULL;
      CREATE INDEX audit_log_region_pool ON audit_log (region, pool, seq);
      CREATE INDEX audit_log_actor ON audit_log (actor, seq);
      CREATE INDEX audit_log_outcome ON audit_log (outcome, seq);
      CREATE INDEX audit_log_group ON audit_log (region, group_name, seq);

      -- The application never deletes or rewrites history; the database refuses it too.
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit rows are never deleted'); END;
      CREATE TRIGGER audit_log_outcome_only BEFORE UPDATE ON audit_log
      WHEN OLD.outcome <> 'pending' OR NEW.outcome = 'pending'
        OR ${IMMUTABLE_COLUMNS.map((c) => `NEW.${c} IS NOT OLD.${c}`).join("\n        OR ")}
      BEGIN SELECT RAISE(ABORT, 'audit rows are only updated to record the outcome of a pending intent'); END;
    `,
  },
  {
    version: 2,
    name: "refusal counters",
    // Refused attempts per identity (or address) per minute: the rate limit that keeps a flood
    // of denied requests from growing the audit log without bound. One row per key, reset by
    // the conditional upsert when a new minute starts.
    up: `
      CREATE TABLE refusal_counters (
        key          TEXT PRIMARY KEY,
        window_start INTEGER NOT NULL,
        count        INTEGER NOT NULL
      );
    `,
  },
];

/** Apply every migration not yet recorded, in one immediate transaction (safe across processes). */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, now: () => Date = () => new Date()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied: number[] = [];
  const run = db.transaction(() => {
    const done = new Set(db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]);
    const newest = Math.max(0, ...migrations.map((m) => m.version));
    const ahead = [...done].filter((v) => v > newest);
    if (ahead.length > 0) {
      throw new Error(`audit database schema version ${Math.max(...ahead)} is newer than this Capstan knows (${newest}); refusing to open it`);
    }
    const insert = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      db.exec(m.up);
      insert.run(m.version, m.name, now().toISOString());
      applied.push(m.version);
    }
  });
  run.immediate();
  return applied;
}
