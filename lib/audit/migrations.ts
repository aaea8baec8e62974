import type Database from "better-sqlite3";

// Versioned schema changes for the SQLite audit store, applied in order on open. A migration is
// never edited once shipped: add a new version instead. `schema_migrations` records what ran.

export interface Migration {
  version: number;
  name: string;
  up: string;
}

/** The audit columns no update may touch (version 1 of both stores' schema; a later column that must not change gets its own migration). */
export const IMMUTABLE_COLUMNS = [
  "seq",
  "id",
  "time",
  "actor",
  "role",
  "action",
  "region",
  "pool",
  "group_name",
  "from_desired",
  "expected_desired",
  "to_desired",
  "min_from",
  "min_to",
  "max_from",
  "max_to",
  "reason",
  "idempotency_key",
  "request_hash",
  "is_intent",
  "override",
];
/** Version 2 adds these, as immutable as the rest. */
const IMMUTABLE_COLUMNS_V2 = [...IMMUTABLE_COLUMNS, "revert_of", "revert_at", "batch_id"];

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
    // SQLite cannot alter a CHECK in place: rebuild the table (DROP TABLE does not fire the delete
    // trigger), copying every row with its seq, then recreate the indexes and the triggers.
    version: 2,
    name: "time-boxed changes: revert_of, revert_at, batch_id, the 'revert' action, scheduled_changes",
    up: `
      CREATE TABLE audit_log_v2 (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        id               TEXT NOT NULL UNIQUE,
        time             TEXT NOT NULL,
        actor            TEXT NOT NULL,
        role             TEXT CHECK (role IS NULL OR role IN ('viewer', 'operator', 'admin')),
        action           TEXT NOT NULL CHECK (action IN ('capacity', 'bounds', 'faults', 'revert')),
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
        note             TEXT,
        revert_of        TEXT,
        revert_at        TEXT,
        batch_id         TEXT
      );
      INSERT INTO audit_log_v2 (${[...IMMUTABLE_COLUMNS, "outcome", "error_code", "error_message", "request_id", "completed_at", "reconciled", "note"].join(", ")})
        SELECT ${[...IMMUTABLE_COLUMNS, "outcome", "error_code", "error_message", "request_id", "completed_at", "reconciled", "note"].join(", ")} FROM audit_log;
      DROP TABLE audit_log;
      ALTER TABLE audit_log_v2 RENAME TO audit_log;
      CREATE UNIQUE INDEX audit_log_intent_key ON audit_log (actor, idempotency_key)
        WHERE is_intent = 1 AND idempotency_key IS NOT NULL;
      CREATE INDEX audit_log_region_pool ON audit_log (region, pool, seq);
      CREATE INDEX audit_log_actor ON audit_log (actor, seq);
      CREATE INDEX audit_log_outcome ON audit_log (outcome, seq);
      CREATE INDEX audit_log_group ON audit_log (region, group_name, seq);
      CREATE INDEX audit_log_revert_of ON audit_log (revert_of) WHERE revert_of IS NOT NULL;
      CREATE INDEX audit_log_batch ON audit_log (batch_id) WHERE batch_id IS NOT NULL;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit rows are never deleted'); END;
      CREATE TRIGGER audit_log_outcome_only BEFORE UPDATE ON audit_log
      WHEN OLD.outcome <> 'pending' OR NEW.outcome = 'pending'
        OR ${IMMUTABLE_COLUMNS_V2.map((c) => `NEW.${c} IS NOT OLD.${c}`).join("\n        OR ")}
      BEGIN SELECT RAISE(ABORT, 'audit rows are only updated to record the outcome of a pending intent'); END;

      -- A time-boxed change's way back, written in the same transaction as its intent.
      CREATE TABLE scheduled_changes (
        id           TEXT PRIMARY KEY,
        change_id    TEXT NOT NULL UNIQUE,
        region       TEXT NOT NULL,
        pool         TEXT NOT NULL,
        group_name   TEXT,
        from_desired INTEGER NOT NULL,
        to_desired   INTEGER NOT NULL,
        by_actor     TEXT NOT NULL,
        reason       TEXT,
        batch_id     TEXT,
        due_at       TEXT NOT NULL,
        state        TEXT NOT NULL DEFAULT 'scheduled'
                     CHECK (state IN ('scheduled', 'done', 'skipped', 'cancelled', 'void', 'failed')),
        result_id    TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      );
      CREATE INDEX scheduled_changes_due ON scheduled_changes (state, due_at);
      CREATE INDEX scheduled_changes_pool ON scheduled_changes (region, pool, state);
    `,
  },
  {
    version: 3,
    name: "notification outbox and observed states",
    up: `
      -- One row per event and target, written in the same transaction as the record causing it.
      -- Holds the names of the environment variables, never a URL or a secret.
      CREATE TABLE outbox (
        id           TEXT PRIMARY KEY,
        event_id     TEXT NOT NULL,
        type         TEXT NOT NULL,
        target_kind  TEXT NOT NULL CHECK (target_kind IN ('slack', 'webhook')),
        url_env      TEXT NOT NULL,
        secret_env   TEXT,
        payload      TEXT NOT NULL,
        state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts     INTEGER NOT NULL DEFAULT 0,
        next_at      TEXT NOT NULL,
        lease_until  TEXT,
        claim        TEXT,
        last_status  INTEGER,
        last_error   TEXT,
        created_at   TEXT NOT NULL,
        delivered_at TEXT,
        UNIQUE (event_id, target_kind, url_env)
      );
      CREATE INDEX outbox_due ON outbox (state, next_at);
      CREATE INDEX outbox_created ON outbox (created_at);

      -- The last seen value of something whose changes are notified (a pool's status, the
      -- standby verdict): compared and replaced in one transaction, so one change is one event.
      CREATE TABLE observed_states (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        since      TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: "create change_effects",
    up: `
      -- Did a change help? One row per change, written once after the change has settled; the
      -- audit row itself is never touched.
      CREATE TABLE change_effects (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        change_id    TEXT NOT NULL UNIQUE,  -- audit_log.id
        evaluated_at TEXT NOT NULL,
        verdict      TEXT NOT NULL CHECK (verdict IN ('helped', 'no change', 'worse', 'unknown')),
        before_json  TEXT,
        after_json   TEXT,
        summary      TEXT NOT NULL
      );
      CREATE TRIGGER change_effects_no_delete BEFORE DELETE ON change_effects
      BEGIN SELECT RAISE(ABORT, 'change effects are never deleted'); END;
      CREATE TRIGGER change_effects_no_update BEFORE UPDATE ON change_effects
      BEGIN SELECT RAISE(ABORT, 'change effects are never rewritten'); END;
    `,
  },
  {
    version: 5,
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
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => Date = () => new Date(),
): number[] {
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
      throw new Error(
        `audit database schema version ${Math.max(...ahead)} is newer than this Capstan knows (${newest}); refusing to open it`,
      );
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
