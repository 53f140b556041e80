//! The active-worker lease: exactly one engine per journal runs jobs, however many processes have
//! the journal open (IIS's overlapped recycling runs an old and a new worker process on one
//! App_Data for seconds to minutes; a web garden runs several for good). Every engine accepts
//! enqueues (a local SQLite commit, safe from any process); only the lease holder claims jobs and
//! talks to KashFlow. The others poll for the lease and take it over when it lapses.
//!
//! # The lease
//!
//! One row in the journal's `worker_lease` table: `holder` (the engine's id: host name, process id,
//! process start time and a random suffix), `since` (when this holder's term began), `renewed_at`,
//! `expires_at` and `term` (incremented at every change of holder). Taking and renewing it is one
//! write transaction (`BEGIN IMMEDIATE`, the journal's writer lock, so two processes cannot both
//! decide): the row is read and compared — ours and unexpired: renew; free, expired or released:
//! take it (new term); someone else's and unexpired: leave it. All times are the engine's clock
//! (milliseconds since the epoch, the clock every other journal time uses). The processes sharing a
//! journal share a machine (WAL needs a local disk), so they share that clock.
//!
//! Timings (`WorkerLease` in the configuration): the lease lasts `ExpiryMs` (10 s) and is renewed
//! every `RenewMs` (3 s, at most a third of the expiry so two renewals can fail before it matters).
//! A non-holder looks every `RenewMs` or the engine's idle poll, whichever is shorter, with a read
//! first (no write lock unless the lease looks free). A holder that stops cleanly releases the lease
//! (expires it now), so a waiting process takes over within one poll; a holder that dies (kill -9,
//! crash, recycle without a clean stop) is taken over once its lease expires: within `ExpiryMs`.
//! Jobs it had in flight keep their own (job) leases and resume, flagged "check KashFlow before
//! writing", when those expire (`EngineOptions::lease`); the rest of the queue moves at once.
//!
//! # Why a lapsed holder cannot write
//!
//! Others take the lease over at `expires_at`, so the holder must stop before then by its own
//! reckoning, whatever happened to it (paused by a debugger or SIGSTOP, starved of CPU, its renewal
//! stuck behind a busy journal). It keeps a local deadline on the monotonic clock: the instant
//! *before* the renewing transaction began, plus `ExpiryMs - RenewMs`. The row's `expires_at` was
//! computed from a clock reading taken after that instant, so the local deadline falls at least
//! `RenewMs` before anyone else may take over. The deadline is checked
//! - before a worker claims a job (and the claim itself re-checks the row, in the same transaction,
//!   so a holder whose row was taken over claims nothing, whatever its local view);
//! - before every KashFlow request a job makes ([`super::JobContext::may_call_kashflow`]): a
//!   process paused mid-job wakes up, sees its deadline passed and sends nothing more; the job is
//!   put back without counting an attempt;
//! - when renewing a job's own lease (the renewal is refused unless the row is still ours), so
//!   jobs of a lapsed holder expire and are taken over.
//!
//! What remains is a request that had already left when the deadline passed (or a pause between
//! the check and the send, far shorter than `RenewMs`). That is the case a crash mid-request
//! already creates, and the same protections cover it: the job is taken over flagged
//! outcome-unknown and looks before writing (invoice numbers are unique in KashFlow; payments and
//! credit notes are looked for first), and a customer is searched for by e-mail before creating.
//! A wall clock stepped forward by more than the expiry lets another process take over early; the
//! lapsed holder's claims and renewals then fail in the journal and the same look-before-write
//! covers its requests in flight.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::error::EngineError;
use super::journal::Journal;
use super::model::ms_to_utc;

/// Who runs the jobs of a journal, as the status document shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ActiveWorker {
    /// The holder's id: `host:pid:process-start-ms:suffix`.
    pub holder: String,
    pub host: String,
    pub process_id: u32,
    /// When the holding process started.
    pub process_started_utc: DateTime<Utc>,
    /// When this holder's term began (took the lease).
    pub since_utc: DateTime<Utc>,
    /// Its last renewal.
    pub renewed_utc: DateTime<Utc>,
    /// When the lease lapses unless renewed (a released lease expires when released).
    pub expires_utc: DateTime<Utc>,
    /// Held now (not expired or released). `false`: the last holder, for the record.
    pub active: bool,
    /// Changes of holder since the journal was created.
    pub term: i64,
    /// The engine asked is the holder (`None` when read from the file without an engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub this_process: Option<bool>,
}

/// This engine's identity in the lease.
#[derive(Debug, Clone)]
pub(crate) struct HolderId {
    pub id: String,
    pub host: String,
    pub pid: u32,
    pub started_ms: i64,
}

impl HolderId {
    pub fn new(now_ms: i64) -> Self {
        let host = host_name();
        let pid = std::process::id();
        let started_ms = process_start_ms().unwrap_or(now_ms);
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        HolderId {
            id: format!("{host}:{pid}:{started_ms}:{}", &suffix[..8]),
            host,
            pid,
            started_ms,
        }
    }
}

fn host_name() -> String {
    let from_env = ["COMPUTERNAME", "HOSTNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()));
    let name = from_env
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "unknown-host".into());
    // Keep the id parseable (':' separates its parts).
    name.replace(':', "-")
}

/// The process's start time, once per process (two engines of one process report the same).
fn process_start_ms() -> Option<i64> {
    static START: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    Some(*START.get_or_init(|| chrono::Utc::now().timestamp_millis()))
}

/// Lease timings in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timings {
    pub expiry: Duration,
    pub renew: Duration,
}

impl Timings {
    /// How long after the start of a successful renewal this process may keep working.
    pub fn local_validity(&self) -> Duration {
        self.expiry.saturating_sub(self.renew)
    }
}

/// What a take/renew found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Taken {
    /// Ours: renewed within our term.
    Renewed,
    /// Ours from now: a new term. `previous`: the holder before us, if any.
    Acquired { previous: Option<String> },
    /// Someone else's, until `expires_at`.
    HeldBy { holder: String, expires_at: i64 },
}

/// This engine's own view of the lease, on the monotonic clock.
#[derive(Default)]
pub(crate) struct LocalLease {
    /// Until when this engine may start KashFlow calls (`None`: not the holder).
    valid_until: Mutex<Option<Instant>>,
}

impl LocalLease {
    pub fn holds(&self) -> bool {
        self.valid_until
            .lock()
            .map(|v| v.is_some_and(|t| Instant::now() < t))
            .unwrap_or(false)
    }

    pub fn set(&self, until: Option<Instant>) {
        if let Ok(mut v) = self.valid_until.lock() {
            *v = until;
        }
    }
}

fn row(conn: &Connection) -> Result<Option<(String, i64, i64)>, EngineError> {
    Ok(conn
        .prepare_cached("SELECT holder, expires_at, term FROM worker_lease WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// SQL condition (parameters `holder`, `now`): the lease is `holder`'s and unexpired.
pub(crate) const HOLDS_LEASE: &str =
    "EXISTS (SELECT 1 FROM worker_lease WHERE id = 1 AND holder = ?1 AND expires_at > ?2)";

pub(crate) fn holds_tx(conn: &Connection, holder: &str, now: i64) -> Result<bool, EngineError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {HOLDS_LEASE}"))?
        .query_row(params![holder, now], |r| r.get(0))?)
}

fn take_tx(
    conn: &Connection,
    me: &HolderId,
    now: i64,
    expiry_ms: i64,
) -> Result<Taken, EngineError> {
    let expires = now.saturating_add(expiry_ms);
    match row(conn)? {
        Some((holder, expires_at, _)) if holder == me.id && expires_at > now => {
            conn.prepare_cached(
                "UPDATE worker_lease SET renewed_at = ?1, expires_at = ?2 WHERE id = 1",
            )?
            .execute(params![now, expires])?;
            Ok(Taken::Renewed)
        }
        Some((holder, expires_at, _)) if expires_at > now => {
            Ok(Taken::HeldBy { holder, expires_at })
        }
        found => {
            conn.prepare_cached(
                "INSERT INTO worker_lease (id, holder, host, process_id, process_started_at,
                                           since, renewed_at, expires_at, term)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?5, ?6, 1)
                 ON CONFLICT(id) DO UPDATE SET holder = excluded.holder, host = excluded.host,
                     process_id = excluded.process_id,
                     process_started_at = excluded.process_started_at, since = excluded.since,
                     renewed_at = excluded.renewed_at, expires_at = excluded.expires_at,
                     term = worker_lease.term + 1",
            )?
            .execute(params![me.id, me.host, me.pid, me.started_ms, now, expires])?;
            Ok(Taken::Acquired {
                previous: found.map(|(h, _, _)| h),
            })
        }
    }
}

fn read_tx(conn: &Connection, now: i64) -> Result<Option<ActiveWorker>, EngineError> {
    let r = conn
        .prepare_cached(
            "SELECT holder, host, process_id, process_started_at, since, renewed_at, expires_at,
                    term
             FROM worker_lease WHERE id = 1",
        )
        .and_then(|mut s| {
            s.query_row([], |r| {
                let expires: i64 = r.get(6)?;
                Ok(ActiveWorker {
                    holder: r.get(0)?,
                    host: r.get(1)?,
                    process_id: r.get::<_, i64>(2)?.clamp(0, u32::MAX as i64) as u32,
                    process_started_utc: ms_to_utc(r.get(3)?),
                    since_utc: ms_to_utc(r.get(4)?),
                    renewed_utc: ms_to_utc(r.get(5)?),
                    expires_utc: ms_to_utc(expires),
                    active: expires > now,
                    term: r.get(7)?,
                    this_process: None,
                })
            })
            .optional()
        });
    match r {
        Ok(v) => Ok(v),
        // A journal from before the lease (read-only readers do not upgrade it).
        Err(rusqlite::Error::SqliteFailure(_, Some(m))) if m.contains("no such table") => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The lease row as of `now` (readers, status pages).
pub(crate) fn active_worker_tx(
    conn: &Connection,
    now: i64,
) -> Result<Option<ActiveWorker>, EngineError> {
    read_tx(conn, now)
}

impl Journal {
    /// Take or renew the active-worker lease for `me` (one write transaction).
    pub(crate) fn take_lease(
        &self,
        me: HolderId,
        now: i64,
        expiry_ms: i64,
    ) -> Result<Taken, EngineError> {
        self.write(move |c| take_tx(c, &me, now, expiry_ms))
    }

    /// The lease is free or lapsed as of `now` (a read; no write lock).
    pub(crate) fn lease_looks_free(&self, me: &str, now: i64) -> Result<bool, EngineError> {
        self.read(|c| {
            Ok(match row(c)? {
                None => true,
                Some((holder, expires_at, _)) => holder == me || expires_at <= now,
            })
        })
    }

    /// Give the lease up (a clean stop): it expires now, so a waiting process takes over at once.
    pub(crate) fn release_lease(&self, me: String, now: i64) -> Result<bool, EngineError> {
        self.write(move |c| {
            Ok(c.prepare_cached(
                "UPDATE worker_lease SET expires_at = ?2 WHERE id = 1 AND holder = ?1
                   AND expires_at > ?2",
            )?
            .execute(params![me, now])?
                > 0)
        })
    }

    pub(crate) fn active_worker(&self, now: i64) -> Result<Option<ActiveWorker>, EngineError> {
        self.read(|c| read_tx(c, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::config::JournalDurability;

    fn me(n: u32) -> HolderId {
        HolderId {
            id: format!("host:{n}:0:abcd"),
            host: "host".into(),
            pid: n,
            started_ms: 0,
        }
    }

    #[test]
    fn one_holder_at_a_time_taken_over_only_after_expiry_or_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.db");
        let a = Journal::open(&path, JournalDurability::Normal).unwrap();
        // A second process's handle on the same file.
        let b = Journal::open(&path, JournalDurability::Normal).unwrap();
        assert_eq!(
            a.take_lease(me(1), 1_000, 10_000).unwrap(),
            Taken::Acquired { previous: None }
        );
        assert_eq!(
            b.take_lease(me(2), 5_000, 10_000).unwrap(),
            Taken::HeldBy {
                holder: me(1).id,
                expires_at: 11_000
            }
        );
        assert!(!b.lease_looks_free(&me(2).id, 5_000).unwrap());
        assert_eq!(a.take_lease(me(1), 4_000, 10_000).unwrap(), Taken::Renewed);
        // Renewed to 14 000: still held at 12 000, lapsed at 14 000.
        assert!(matches!(
            b.take_lease(me(2), 12_000, 10_000).unwrap(),
            Taken::HeldBy { .. }
        ));
        assert!(b.lease_looks_free(&me(2).id, 14_000).unwrap());
        assert_eq!(
            b.take_lease(me(2), 14_000, 10_000).unwrap(),
            Taken::Acquired {
                previous: Some(me(1).id)
            }
        );
        // The lapsed holder wakes up: it does not get it back, and its claims are fenced.
        assert!(matches!(
            a.take_lease(me(1), 14_001, 10_000).unwrap(),
            Taken::HeldBy { .. }
        ));
        assert!(!a.read(|c| holds_tx(c, &me(1).id, 14_001)).unwrap());
        assert!(b.read(|c| holds_tx(c, &me(2).id, 14_001)).unwrap());
        let w = a.active_worker(14_001).unwrap().unwrap();
        assert_eq!(
            (w.holder.as_str(), w.process_id, w.term),
            (me(2).id.as_str(), 2, 2)
        );
        assert!(w.active);
        assert_eq!(w.since_utc.timestamp_millis(), 14_000);
        // A clean stop hands over at once.
        assert!(b.release_lease(me(2).id, 15_000).unwrap());
        assert!(!a.active_worker(15_000).unwrap().unwrap().active);
        assert_eq!(
            a.take_lease(me(1), 15_000, 10_000).unwrap(),
            Taken::Acquired {
                previous: Some(me(2).id)
            }
        );
        assert_eq!(a.active_worker(15_000).unwrap().unwrap().term, 3);
    }

    #[test]
    fn local_lease_lapses_on_the_monotonic_clock() {
        let l = LocalLease::default();
        assert!(!l.holds());
        l.set(Some(Instant::now() + Duration::from_secs(60)));
        assert!(l.holds());
        l.set(Some(Instant::now()));
        assert!(!l.holds());
        let t = Timings {
            expiry: Duration::from_secs(10),
            renew: Duration::from_secs(3),
        };
        assert_eq!(t.local_validity(), Duration::from_secs(7));
    }
}
