//! Reading a journal without running an engine: the counts and the failed records with their
//! reasons, for `kfsync status` and for checks after a crash. The file is opened read-only (a
//! journal the operator may only read, or one on a read-only copy, can still be looked at);
//! nothing is migrated, no workers start and no jobs are claimed, so looking never changes what
//! the engine will do next.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::queries::{detail_tx, list_tx, status_counts_tx};
use super::schema;
use crate::engine::{EngineError, RecordDetail, RecordPage, RecordQuery, StatusCounts};

/// A journal opened for reading.
pub struct JournalReader {
    conn: Connection,
}

impl JournalReader {
    /// Open an existing journal read-only (a missing file is `NotFound`, not a new empty journal;
    /// a journal written by a newer version is refused rather than misread).
    pub fn open(path: &Path) -> Result<JournalReader, EngineError> {
        if !path.exists() {
            return Err(EngineError::not_found(format!(
                "no journal at {}",
                path.display()
            )));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| EngineError::Journal {
            message: format!("cannot open the sync journal at {}: {e}", path.display()),
        })?;
        conn.busy_timeout(super::BUSY_TIMEOUT)?;
        let found = schema::user_version(&conn)?;
        if found > schema::current_version() {
            return Err(EngineError::Journal {
                message: format!(
                    "the sync journal at {} has schema version {found}, newer than this version reads ({})",
                    path.display(),
                    schema::current_version()
                ),
            });
        }
        Ok(JournalReader { conn })
    }

    /// The counts, and which process holds the active-worker lease (as of the system clock).
    pub fn status_counts(&self) -> Result<StatusCounts, EngineError> {
        let mut c = status_counts_tx(&self.conn)?;
        let now = crate::engine::clock::Clock::now_ms(&crate::engine::SystemClock);
        c.active_worker = crate::engine::lease::active_worker_tx(&self.conn, now)?;
        Ok(c)
    }

    pub fn list_records(&self, query: &RecordQuery) -> Result<RecordPage, EngineError> {
        list_tx(&self.conn, query)
    }

    pub fn record_detail(&self, record_id: i64) -> Result<RecordDetail, EngineError> {
        detail_tx(&self.conn, record_id)
    }
}
