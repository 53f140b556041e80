//! Reading a journal without running an engine: the counts and the failed records with their
//! reasons, for `kfsync status` and for checks after a crash. Opening starts no workers and
//! claims no jobs, so looking never changes what the engine will do next.

use std::path::Path;

use crate::engine::journal::Journal;
use crate::engine::{
    EngineError, JournalDurability, RecordDetail, RecordPage, RecordQuery, StatusCounts,
};

/// A journal opened for reading.
pub struct JournalReader {
    journal: Journal,
}

impl JournalReader {
    /// Open an existing journal (a missing file is `NotFound`, not a new empty journal).
    pub fn open(path: &Path) -> Result<JournalReader, EngineError> {
        if !path.exists() {
            return Err(EngineError::not_found(format!(
                "no journal at {}",
                path.display()
            )));
        }
        Ok(JournalReader {
            journal: Journal::open(path, JournalDurability::Normal)?,
        })
    }

    pub fn status_counts(&self) -> Result<StatusCounts, EngineError> {
        self.journal.status_counts()
    }

    pub fn list_records(&self, query: &RecordQuery) -> Result<RecordPage, EngineError> {
        self.journal.list_records(query)
    }

    pub fn record_detail(&self, record_id: i64) -> Result<RecordDetail, EngineError> {
        self.journal.record_detail(record_id)
    }
}
