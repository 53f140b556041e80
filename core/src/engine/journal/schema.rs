//! The journal's SQLite schema as an ordered list of migrations, tracked in `PRAGMA user_version`.
//!
//! Rules: a migration is never edited once released; changes go in a new one appended at the end.
//! Each migration runs in its own transaction together with the `user_version` bump, so a crash
//! mid-upgrade leaves the file at the previous version. A file from a newer library is refused
//! rather than guessed at.
//!
//! Times are integer milliseconds since the Unix epoch (UTC).

use rusqlite::Connection;

use crate::engine::error::EngineError;

pub struct Migration {
    pub version: u32,
    pub description: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "records, jobs, ledger, outcomes, attempts and events",
        sql: r#"
CREATE TABLE records (
    id                  INTEGER PRIMARY KEY,
    order_id            INTEGER NOT NULL UNIQUE,
    custom_order_number TEXT,
    order_created_at    INTEGER,
    state               TEXT NOT NULL,
    cancelled           INTEGER NOT NULL DEFAULT 0,
    snapshot            BLOB,
    snapshot_hash       TEXT,
    mapped_invoice      TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    next_attempt_at     INTEGER,
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_error_code     TEXT,
    last_error_message  TEXT,
    last_error_path     TEXT,
    invoice_number      INTEGER,
    customer_code       TEXT
);
CREATE INDEX records_state ON records(state);
CREATE INDEX records_order_created ON records(order_created_at);

CREATE TABLE jobs (
    id                  INTEGER PRIMARY KEY,
    record_id           INTEGER,
    kind                TEXT NOT NULL,
    serial_key          TEXT NOT NULL,
    payload             TEXT,
    dedupe_key          TEXT UNIQUE,
    state               TEXT NOT NULL,
    run_at              INTEGER NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    lease_owner         TEXT,
    lease_expires_at    INTEGER,
    last_error_code     TEXT,
    last_error_message  TEXT,
    last_error_path     TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs(state, run_at);
CREATE INDEX jobs_record ON jobs(record_id);
CREATE INDEX jobs_serial ON jobs(serial_key, state);

CREATE TABLE ledger (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    record_id  INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;

CREATE TABLE outcomes (
    id             INTEGER PRIMARY KEY,
    record_id      INTEGER,
    kind           TEXT NOT NULL,
    order_id       INTEGER,
    order_status   TEXT,
    note           TEXT,
    invoice_number INTEGER,
    sku            TEXT,
    quantity       INTEGER,
    created_at     INTEGER NOT NULL,
    acked          INTEGER NOT NULL DEFAULT 0,
    acked_at       INTEGER
);
CREATE INDEX outcomes_unacked ON outcomes(acked, id);
CREATE INDEX outcomes_record ON outcomes(record_id);

CREATE TABLE attempts (
    id            INTEGER PRIMARY KEY,
    record_id     INTEGER,
    job_id        INTEGER NOT NULL,
    job_kind      TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    duration_ms   INTEGER NOT NULL,
    result        TEXT NOT NULL,
    error_code    TEXT,
    error_message TEXT,
    error_path    TEXT
);
CREATE INDEX attempts_record ON attempts(record_id, id);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL,
    order_id    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    document    TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX events_record ON events(record_id);
"#,
    },
    Migration {
        version: 2,
        description: "credit-note flags, in-flight cancellation, crash marker, call log",
        sql: r#"
ALTER TABLE records ADD COLUMN needs_credit_note INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN credit_note_reason TEXT;
ALTER TABLE records ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN synced_hash TEXT;
ALTER TABLE jobs ADD COLUMN outcome_unknown INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN calls TEXT;
-- A v1 job that was mid-attempt when the old library stopped may have reached KashFlow.
UPDATE jobs SET outcome_unknown = 1 WHERE state = 'Leased';
-- What was synced under v1 is the stored snapshot.
UPDATE records SET synced_hash = snapshot_hash WHERE state = 'Synced';
CREATE INDEX records_credit_note ON records(needs_credit_note) WHERE needs_credit_note = 1;
"#,
    },
    Migration {
        version: 3,
        description: "active-worker lease and state shared by the processes of one journal",
        sql: r#"
CREATE TABLE worker_lease (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    holder             TEXT NOT NULL,
    host               TEXT NOT NULL,
    process_id         INTEGER NOT NULL,
    process_started_at INTEGER NOT NULL,
    since              INTEGER NOT NULL,
    renewed_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    term               INTEGER NOT NULL
);
CREATE TABLE engine_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
"#,
    },
    Migration {
        version: 4,
        description: "the error code behind a failure's order note",
        sql: r#"
ALTER TABLE outcomes ADD COLUMN error_code TEXT;
"#,
    },
];

/// The schema version this library writes.
pub fn current_version() -> u32 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

pub fn user_version(conn: &Connection) -> Result<u32, EngineError> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(v.max(0) as u32)
}

/// Bring the file up to the current version.
pub fn migrate(conn: &mut Connection) -> Result<u32, EngineError> {
    migrate_to(conn, current_version())
}

/// Apply migrations up to `target` (tests use this to build an old file).
pub fn migrate_to(conn: &mut Connection, target: u32) -> Result<u32, EngineError> {
    let found = user_version(conn)?;
    let newest = current_version();
    if found > newest {
        return Err(EngineError::Journal {
            message: format!(
                "the sync journal was written by a newer version of KashFlow Sync (schema {found}); this version reads up to schema {newest}"
            ),
        });
    }
    for m in MIGRATIONS
        .iter()
        .filter(|m| m.version > found && m.version <= target)
    {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated between our read and the lock.
        if user_version(&tx)? >= m.version {
            tx.commit()?;
            continue;
        }
        tx.execute_batch(m.sql).map_err(|e| EngineError::Journal {
            message: format!(
                "upgrading the sync journal to schema {} ({}) failed: {e}",
                m.version, m.description
            ),
        })?;
        tx.pragma_update(None, "user_version", m.version)?;
        tx.commit()?;
    }
    user_version(conn)
}
