//! The durable sync journal: one SQLite file (WAL) holding records, jobs, the ledger, outcomes,
//! attempt history and events. Everything the engine knows survives a process kill.
//!
//! Writes use one writing connection and commit in groups ("leader" group commit): a caller queues
//! its closure; if no one is committing it becomes the leader and runs every queued closure in one
//! transaction (each inside its own savepoint, so one failing closure does not undo the others),
//! replying to each once the commit is on disk; otherwise it waits for its reply, or to lead the
//! next batch. A lone caller commits on its own thread (no hand-off); under load one fsync covers
//! the whole queue, so checkout threads do not wait behind each other's fsyncs, and a leader only
//! commits the batch that holds its own write.
//! Reads use a small pool of reader connections (WAL readers never block the writer). Checkpoints
//! run on their own thread so a commit never pays for one.

mod enqueue;
mod jobs;
mod queries;
mod reader;
pub mod schema;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender, TryRecvError};

/// Writes waiting to be committed, and whether a leader is committing now.
#[derive(Default)]
struct WriteQueue {
    pending: Vec<Box<dyn PendingWrite>>,
    leading: bool,
}
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

pub(crate) use jobs::{Claim, ClaimOutcome, ClaimedJob, Finish, FinishInput, FinishReport};
pub use reader::JournalReader;

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
    queue: Mutex<WriteQueue>,
    /// Signalled after every batch: replies are ready and the leader's place is free.
    batch_done: Condvar,
    /// The only writing connection; used by the leader.
    writer: Mutex<Connection>,
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
            queue: Mutex::new(WriteQueue::default()),
            batch_done: Condvar::new(),
            writer: Mutex::new(writer),
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
        let mut q = lock(&self.queue);
        q.pending.push(op);
        loop {
            match rx.try_recv() {
                Ok(result) => return result,
                Err(TryRecvError::Disconnected) => return Err(closed()),
                Err(TryRecvError::Empty) => {}
            }
            if q.leading {
                q = self.batch_done.wait(q).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            // Lead: commit what is queued (ours included), outside the queue lock.
            q.leading = true;
            let n = q.pending.len().min(MAX_BATCH);
            let mut batch: Vec<Box<dyn PendingWrite>> = q.pending.drain(..n).collect();
            drop(q);
            {
                let _leader = Leader(self);
                let conn = lock(&self.writer);
                let commit = run_batch(&conn, &mut batch);
                for op in batch {
                    op.finish(commit.clone());
                }
            }
            q = lock(&self.queue);
        }
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

/// Gives up the leader's place when dropped (also if a batch panics), waking the waiters.
struct Leader<'a>(&'a Journal);

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        lock(&self.0.queue).leading = false;
        self.0.batch_done.notify_all();
    }
}

fn closed() -> EngineError {
    EngineError::Journal {
        message: "the journal write was lost (internal error)".into(),
    }
}

/// Lock, ignoring poisoning: every critical section here leaves its data consistent (a failed
/// batch is rolled back before the lock is released).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn open_connection(path: &Path, durability: JournalDurability) -> Result<Connection, EngineError> {
    let conn = Connection::open(path).map_err(|e| EngineError::Journal {
        message: format!("cannot open the sync journal at {}: {e}", path.display()),
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode = switch_to_wal(&conn)?;
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

/// `PRAGMA journal_mode=WAL`, retried while another process holds the file.
///
/// Several processes may open a new journal at once (IIS overlapped recycling, `kfsync sync` x4).
/// On a file still in rollback mode the switch reads under a shared lock and then needs an
/// exclusive one; when two connections do that together SQLite answers SQLITE_BUSY at once,
/// without calling the busy handler (waiting would deadlock). The one that lost retries here
/// and then finds the file already in WAL mode. Bounded by the busy timeout.
fn switch_to_wal(conn: &Connection) -> Result<String, EngineError> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(5);
    loop {
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0)) {
            Ok(mode) => return Ok(mode),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && Instant::now() < deadline =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            Err(e) => return Err(e.into()),
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
