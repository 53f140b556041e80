//! The durable sync journal: one SQLite file (WAL) holding records, jobs, the ledger, outcomes,
//! attempt history and events. Everything the engine knows survives a process kill.
//!
//! Writes go through one writer thread that owns the only writing connection and commits in
//! groups: callers hand it a closure, it runs a batch of waiting closures in one transaction (each
//! inside its own savepoint, so one failing closure does not undo the others) and replies once the
//! commit is on disk. With `synchronous=FULL` one fsync then covers every enqueue in the batch,
//! so many checkout threads do not queue up behind each other's fsyncs. Reads use a small pool of
//! reader connections (WAL readers never block the writer). Checkpoints run on their own thread
//! so a commit never pays for one.

mod enqueue;
mod jobs;
mod queries;
pub mod schema;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub(crate) use jobs::{Claim, ClaimedJob, Finish, FinishInput, FinishReport};

use super::config::JournalDurability;
use super::error::EngineError;

/// Batches larger than this are split; keeps one transaction's latency bounded.
const MAX_BATCH: usize = 128;
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);
const MAX_IDLE_READERS: usize = 4;

trait PendingWrite: Send {
    /// Run inside the batch transaction; true when it succeeded (its savepoint is kept).
    fn run(&mut self, conn: &Connection) -> bool;
    /// Deliver the result once the batch commit is known.
    fn finish(self: Box<Self>, commit: Result<(), EngineError>);
}

struct Op<T, F> {
    f: Option<F>,
    result: Option<Result<T, EngineError>>,
    reply: SyncSender<Result<T, EngineError>>,
}

impl<T, F> PendingWrite for Op<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> Result<T, EngineError> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(f) = self.f.take() else {
            return false;
        };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn))).unwrap_or_else(
            |_| {
                Err(EngineError::Journal {
                    message: "internal error while writing to the journal".into(),
                })
            },
        );
        let ok = r.is_ok();
        self.result = Some(r);
        ok
    }

    fn finish(self: Box<Self>, commit: Result<(), EngineError>) {
        let out = match (commit, self.result) {
            (Err(e), _) => Err(e),
            (Ok(()), Some(r)) => r,
            (Ok(()), None) => Err(EngineError::Journal {
                message: "the journal write did not run".into(),
            }),
        };
        let _ = self.reply.send(out);
    }
}

/// Handle to an open journal. Cheap to share behind an `Arc`; dropping it stops its threads.
pub struct Journal {
    path: PathBuf,
    writes: Mutex<Sender<Box<dyn PendingWrite>>>,
    readers: Mutex<Vec<Connection>>,
    _stop_checkpointer: Mutex<Sender<()>>,
}

impl Journal {
    /// Open (creating if needed) and migrate the journal at `path`.
    pub fn open(path: &Path, durability: JournalDurability) -> Result<Journal, EngineError> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() && !dir.exists() {
                std::fs::create_dir_all(dir).map_err(|e| EngineError::Journal {
                    message: format!(
                        "cannot create the folder for the sync journal ({}): {e}",
                        dir.display()
                    ),
                })?;
            }
        }
        let mut writer = open_connection(path, durability)?;
        schema::migrate(&mut writer)?;
        // Checkpoints happen on the checkpointer thread, never inside a commit.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;

        let (tx, rx) = mpsc::channel::<Box<dyn PendingWrite>>();
        std::thread::Builder::new()
            .name("kfs-journal-writer".into())
            .spawn(move || writer_loop(writer, rx))
            .map_err(|e| EngineError::Journal {
                message: format!("cannot start the journal writer: {e}"),
            })?;

        let checkpointer = open_connection(path, durability)?;
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("kfs-journal-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpointer, stop_rx))
            .map_err(|e| EngineError::Journal {
                message: format!("cannot start the journal checkpointer: {e}"),
            })?;

        Ok(Journal {
            path: path.to_path_buf(),
            writes: Mutex::new(tx),
            readers: Mutex::new(Vec::new()),
            _stop_checkpointer: Mutex::new(stop_tx),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` in a write transaction (grouped with others); returns after the commit.
    pub(crate) fn write<T, F>(&self, f: F) -> Result<T, EngineError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, EngineError> + Send + 'static,
    {
        let (reply, rx) = mpsc::sync_channel(1);
        let op: Box<dyn PendingWrite> = Box::new(Op {
            f: Some(f),
            result: None,
            reply,
        });
        {
            let sender = self.writes.lock().map_err(|_| closed())?;
            sender.send(op).map_err(|_| closed())?;
        }
        rx.recv().map_err(|_| closed())?
    }

    /// Run `f` on a reader connection.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        let conn = match self.readers.lock().ok().and_then(|mut r| r.pop()) {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(BUSY_TIMEOUT)?;
                c.pragma_update(None, "query_only", true)?;
                c
            }
        };
        let r = f(&conn);
        if let Ok(mut pool) = self.readers.lock() {
            if pool.len() < MAX_IDLE_READERS {
                pool.push(conn);
            }
        }
        r
    }
}

fn closed() -> EngineError {
    EngineError::Journal {
        message: "the journal writer has stopped".into(),
    }
}

fn open_connection(path: &Path, durability: JournalDurability) -> Result<Connection, EngineError> {
    let conn = Connection::open(path).map_err(|e| EngineError::Journal {
        message: format!("cannot open the sync journal at {}: {e}", path.display()),
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(EngineError::Journal {
            message: format!(
                "the sync journal at {} cannot use write-ahead logging (got '{mode}'); put it on a local disk",
                path.display()
            ),
        });
    }
    let sync = match durability {
        JournalDurability::Full => "FULL",
        JournalDurability::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn writer_loop(conn: Connection, rx: Receiver<Box<dyn PendingWrite>>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let commit = run_batch(&conn, &mut batch);
        for op in batch {
            op.finish(commit.clone());
        }
    }
}

fn run_batch(conn: &Connection, batch: &mut [Box<dyn PendingWrite>]) -> Result<(), EngineError> {
    conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
    for op in batch.iter_mut() {
        let step = (|| -> Result<(), EngineError> {
            conn.prepare_cached("SAVEPOINT op")?.execute([])?;
            if !op.run(conn) {
                conn.prepare_cached("ROLLBACK TO op")?.execute([])?;
            }
            conn.prepare_cached("RELEASE op")?.execute([])?;
            Ok(())
        })();
        if let Err(e) = step {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    match conn
        .prepare_cached("COMMIT")
        .and_then(|mut s| s.execute([]))
    {
        Ok(_) => Ok(()),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e.into())
        }
    }
}

fn checkpoint_loop(conn: Connection, stop: Receiver<()>) {
    loop {
        match stop.recv_timeout(CHECKPOINT_EVERY) {
            Err(RecvTimeoutError::Timeout) => {
                // PASSIVE never blocks the writer or readers; it copies what it can.
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
            _ => {
                let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                return;
            }
        }
    }
}
