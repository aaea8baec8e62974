import type { Pool } from "pg";
import { IMMUTABLE_COLUMNS, type Migration } from "@/lib/audit/migrations";
import { inTransaction, LOCK_KEY } from "./connection";

// Versioned schema for the PostgreSQL store, applied at start-up in one transaction under an
// advisory lock: replicas that start together migrate once, the others wait and find it done.
// A shipped migration is never edited: add a version. Migrations stay additive, so the old and
// the new Capstan run side by side during a rolling deploy.

/** The same shape as the SQLite store's migrations, in PostgreSQL's dialect. */
export type PgMigration = Migration;

/** Version 2 adds these, as immutable as the rest. */
const IMMUTABLE_COLUMNS_V2 = [...IMMUTABLE_COLUMNS, "revert_of", "revert_at", "batch_id"];

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: "audit log, shared read cache, documents",
    up: `
      CREATE TABLE audit_log (
        seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id               TEXT NOT NULL UNIQUE,
        time             TIMESTAMPTZ NOT NULL,
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
        is_intent        BOOLEAN NOT NULL,
        override         BOOLEAN NOT NULL DEFAULT FALSE,
        outcome          TEXT NOT NULL
                         CHECK (outcome IN ('pending', 'succeeded', 'failed', 'rejected', 'denied', 'unknown')),
        error_code       TEXT,
        error_message    TEXT,
        request_id       TEXT,
        completed_at     TIMESTAMPTZ,
        reconciled       BOOLEAN NOT NULL DEFAULT FALSE,
        note             TEXT
      );
      -- One intent per actor and idempotency key, whichever replica the retries land on.
      CREATE UNIQUE INDEX audit_log_intent_key ON audit_log (actor, idempotency_key)
        WHERE is_intent AND idempotency_key IS NOT NULL;
      CREATE INDEX audit_log_region_pool ON audit_log (region, pool, seq);
      CREATE INDEX audit_log_actor ON audit_log (actor, seq);
      CREATE INDEX audit_log_outcome ON audit_log (outcome, seq);
      CREATE INDEX audit_log_group ON audit_log (region, group_name, seq);

      -- Append-only in the database: no delete, no truncate, and the only update is a pending
      -- intent getting its outcome.
      CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
          RAISE EXCEPTION 'audit rows are never deleted';
        END IF;
        IF OLD.outcome <> 'pending' OR NEW.outcome = 'pending'
          OR ROW(${IMMUTABLE_COLUMNS.map((c) => `NEW.${c}`).join(", ")})
             IS DISTINCT FROM ROW(${IMMUTABLE_COLUMNS.map((c) => `OLD.${c}`).join(", ")}) THEN
          RAISE EXCEPTION 'audit rows are only updated to record the outcome of a pending intent';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();
      CREATE TRIGGER audit_log_outcome_only BEFORE UPDATE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_guard();

      -- The read cache shared by replicas: one row per key, refreshed by whoever holds its lock.
      CREATE TABLE read_cache (
        key        TEXT PRIMARY KEY,
        version    BIGINT NOT NULL DEFAULT 0,
        gen        BIGINT NOT NULL DEFAULT 0,
        invalid    BOOLEAN NOT NULL DEFAULT FALSE,
        value      TEXT,
        fetched_at BIGINT,
        error      TEXT,
        error_at   BIGINT
      );

      -- Small documents read and written whole (the simulated fleet, the dev session key).
      CREATE TABLE documents (
        name       TEXT PRIMARY KEY,
        version    BIGINT NOT NULL,
        value      TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 2,
    name: "time-boxed changes: revert_of, revert_at, batch_id, the 'revert' action, scheduled_changes",
    up: `
      ALTER TABLE audit_log ADD COLUMN revert_of TEXT, ADD COLUMN revert_at TIMESTAMPTZ, ADD COLUMN batch_id TEXT;
      ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
      ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN ('capacity', 'bounds', 'faults', 'revert'));
      CREATE INDEX audit_log_revert_of ON audit_log (revert_of) WHERE revert_of IS NOT NULL;
      CREATE INDEX audit_log_batch ON audit_log (batch_id) WHERE batch_id IS NOT NULL;
      CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
          RAISE EXCEPTION 'audit rows are never deleted';
        END IF;
        IF OLD.outcome <> 'pending' OR NEW.outcome = 'pending'
          OR ROW(${IMMUTABLE_COLUMNS_V2.map((c) => `NEW.${c}`).join(", ")})
             IS DISTINCT FROM ROW(${IMMUTABLE_COLUMNS_V2.map((c) => `OLD.${c}`).join(", ")}) THEN
          RAISE EXCEPTION 'audit rows are only updated to record the outcome of a pending intent';
        END IF;
        RETURN NEW;
      END $$;

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
        due_at       TIMESTAMPTZ NOT NULL,
        state        TEXT NOT NULL DEFAULT 'scheduled'
                     CHECK (state IN ('scheduled', 'done', 'skipped', 'cancelled', 'void', 'failed')),
        result_id    TEXT,
        created_at   TIMESTAMPTZ NOT NULL,
        updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
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
      -- Holds the names of the environment variables, never a URL or a secret. Replicas claim
      -- due rows with FOR UPDATE SKIP LOCKED and a lease.
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
        next_at      TIMESTAMPTZ NOT NULL,
        lease_until  TIMESTAMPTZ,
        claim        TEXT,
        last_status  INTEGER,
        last_error   TEXT,
        created_at   TIMESTAMPTZ NOT NULL,
        delivered_at TIMESTAMPTZ,
        UNIQUE (event_id, target_kind, url_env)
      );
      CREATE INDEX outbox_due ON outbox (state, next_at);
      CREATE INDEX outbox_created ON outbox (created_at);

      -- The last seen value of something whose changes are notified (a pool's status, the
      -- standby verdict): compared and replaced under a row lock, so one change is one event.
      CREATE TABLE observed_states (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        since TIMESTAMPTZ NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: "change effects",
    up: `
      -- Did a change help? One row per change, written once after the change has settled (by
      -- whichever replica evaluates it first); the audit row itself is never touched.
      CREATE TABLE change_effects (
        seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        change_id    TEXT NOT NULL UNIQUE,                      -- audit_log.id; no foreign key, so TRUNCATE audit_log still meets its own guard
        evaluated_at TIMESTAMPTZ NOT NULL,
        verdict      TEXT NOT NULL CHECK (verdict IN ('helped', 'no change', 'worse', 'unknown')),
        before_json  TEXT,
        after_json   TEXT,
        summary      TEXT NOT NULL
      );
      CREATE FUNCTION change_effects_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'change effects are never deleted or rewritten';
      END $$;
      CREATE TRIGGER change_effects_no_delete BEFORE DELETE ON change_effects
        FOR EACH ROW EXECUTE FUNCTION change_effects_guard();
      CREATE TRIGGER change_effects_no_truncate BEFORE TRUNCATE ON change_effects
        FOR EACH STATEMENT EXECUTE FUNCTION change_effects_guard();
      CREATE TRIGGER change_effects_no_update BEFORE UPDATE ON change_effects
        FOR EACH ROW EXECUTE FUNCTION change_effects_guard();
    `,
  },
  {
    version: 5,
    name: "refusal counters",
    // Refused attempts per identity (or address) per minute, shared by every replica.
    up: `
      CREATE TABLE refusal_counters (
        key          TEXT PRIMARY KEY,
        window_start BIGINT NOT NULL,
        count        INTEGER NOT NULL
      );
    `,
  },
];

export async function migratePg(
  pool: Pool,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<number[]> {
  return inTransaction(pool, async (c) => {
    await c.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`, ["migrate"]);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await c.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map(
        (r) => r.version,
      ),
    );
    const newest = Math.max(0, ...migrations.map((m) => m.version));
    const ahead = [...done].filter((v) => v > newest);
    if (ahead.length > 0) {
      throw new Error(
        `database schema version ${Math.max(...ahead)} is newer than this Capstan knows (${newest}); refusing to use it`,
      );
    }
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await c.query(m.up);
      await c.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
