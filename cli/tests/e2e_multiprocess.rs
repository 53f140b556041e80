//! Several `kfsync sync` processes on one journal, as IIS runs a site (overlapped recycling: an
//! old and a new worker process on one App_Data). Real processes, a sandbox KashFlow on 127.0.0.1.
//!
//! - A registered and a guest order for each of 150 new e-mails, synced by 1, 2 and 4 processes
//!   at once, the active worker killed with SIGKILL mid-run (2 and 4): one KashFlow customer per
//!   e-mail, one invoice per order, every process finishes; the takeover time is measured.
//! - IIS-style overlap: the old host syncing, the new host starting on the same journal (it only
//!   journals), then the old host stopping (SIGTERM): the new one takes over at once (the lease is
//!   released, not left to expire) and finishes the work.
//! - Four processes opening a new journal at the same moment all start (switching a new file to
//!   WAL can answer SQLITE_BUSY to one of them without waiting).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::*;
use kashflow_sync::engine::journal::JournalReader;
use kashflow_sync::engine::ActiveWorker;
use kashflow_sync::kashflow::sandbox::server::SandboxHandle;
use kashflow_sync_harness::harness::{start_sandbox, stop_sandbox, SandboxOptions};

const EMAILS: i64 = 150;

/// Kills the child when dropped (a failing test leaves no process behind); its stderr is kept in
/// `.1` so a process that stopped early can say why.
struct Kill(Child, PathBuf);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// No child has failed; one that has fails the test with its stderr (a process that died at
/// start-up would otherwise show up later as "nobody took over"). A successful exit is fine: the
/// journal settled.
fn assert_running(children: &mut [Kill]) {
    for c in children.iter_mut() {
        if let Some(status) = c.0.try_wait().unwrap().filter(|s| !s.success()) {
            let err = std::fs::read_to_string(&c.1).unwrap_or_default();
            panic!(
                "kfsync sync (pid {}) stopped early with {status}; its stderr:\n{err}",
                c.0.id()
            );
        }
    }
}

struct Bed {
    sandbox: SandboxHandle,
    _dir: tempfile::TempDir,
    orders: PathBuf,
    journal: PathBuf,
}

impl Bed {
    /// A registered and a guest order (different nopCommerce customers, so different customer
    /// codes) for each new e-mail.
    async fn start() -> Bed {
        let sandbox = start_sandbox(&SandboxOptions {
            latency: Duration::from_millis(10),
            allow_negative_stock: true,
            ..SandboxOptions::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let orders = dir.path().join("orders.json");
        let mut docs = Vec::new();
        for k in 0..EMAILS {
            let email = format!("first.timer{k}@example.co.uk");
            let registered = order_with(
                30_000 + 2 * k,
                5_000 + k,
                &email,
                vec![line(BOOK, 1)],
                |_| {},
            );
            let as_guest = order_with(
                30_001 + 2 * k,
                90_000 + k,
                &email,
                vec![line(BOOK, 1)],
                guest,
            );
            docs.push(serde_json::to_value(&registered).unwrap());
            docs.push(serde_json::to_value(&as_guest).unwrap());
        }
        std::fs::write(&orders, serde_json::to_vec(&docs).unwrap()).unwrap();
        let journal = dir.path().join("App_Data").join("journal.sqlite");
        std::fs::create_dir_all(journal.parent().unwrap()).unwrap();
        Bed {
            sandbox,
            _dir: dir,
            orders,
            journal,
        }
    }

    fn sync(&self, n: usize, lease_ms: [u64; 2]) -> Kill {
        let log = self._dir.path().join(format!("sync-{n}.stderr"));
        Kill(
            Command::new(env!("CARGO_BIN_EXE_kfsync"))
                .args(["sync", "--quiet", "--lease-secs", "2", "--workers", "4"])
                .args(["--retry-ms", "1", "20", "--timeout-secs", "60"])
                .arg("--worker-lease-ms")
                .args(lease_ms.map(|n| n.to_string()))
                .arg("--orders")
                .arg(&self.orders)
                .args(["--kashflow-url", self.sandbox.base_url()])
                .arg("--journal")
                .arg(&self.journal)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .expect("kfsync sync starts"),
            log,
        )
    }

    fn holder(&self) -> Option<ActiveWorker> {
        JournalReader::open(&self.journal)
            .ok()?
            .status_counts()
            .ok()?
            .active_worker
            .filter(|w| w.active)
    }

    /// E-mails with more than one KashFlow customer.
    fn duplicated_emails(&self) -> usize {
        let mut per_email: BTreeMap<String, usize> = BTreeMap::new();
        for c in self.sandbox.customers() {
            *per_email
                .entry(c.email.unwrap_or_default().to_lowercase())
                .or_default() += 1;
        }
        assert_eq!(
            per_email.len() as i64,
            EMAILS,
            "every e-mail has a customer"
        );
        per_email.values().filter(|n| **n > 1).count()
    }

    /// One invoice per order, every record synced.
    fn check_books(&self) {
        let invoices = self.sandbox.invoices();
        let mut refs: BTreeMap<String, usize> = BTreeMap::new();
        for i in &invoices {
            *refs
                .entry(i.customer_reference.clone().unwrap_or_default())
                .or_default() += 1;
        }
        assert_eq!(refs.len() as i64, 2 * EMAILS, "one invoice per order");
        assert!(
            refs.values().all(|n| *n == 1),
            "an order was invoiced twice"
        );
        let c = JournalReader::open(&self.journal)
            .unwrap()
            .status_counts()
            .unwrap();
        assert_eq!((c.total, c.synced), (300, 300), "{c:?}");
    }
}

/// Wait (bounded) until `cond` gives a value.
async fn wait_for<T>(what: &str, limit: Duration, mut cond: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = cond() {
            return v;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_exit(child: &mut Kill, limit: Duration) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            return s;
        }
        assert!(start.elapsed() < limit, "a kfsync sync run hangs");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `processes` runs at once; with `kill`, the active worker is killed mid-run. Returns the
/// e-mails with duplicated customers and the takeover time.
async fn run(processes: usize, kill: bool) -> (usize, Option<Duration>) {
    let bed = Bed::start().await;
    let start = Instant::now();
    let mut children: Vec<Kill> = (0..processes).map(|n| bed.sync(n, [2_000, 500])).collect();
    let mut takeover = None;
    if kill {
        let holder = wait_for("some orders synced", Duration::from_secs(30), || {
            (bed.sandbox.invoices().len() >= 60)
                .then(|| bed.holder())
                .flatten()
        })
        .await;
        assert_running(&mut children);
        let victim = children
            .iter()
            .position(|c| c.0.id() == holder.process_id)
            .expect("the holder is one of our processes");
        let mut dead = children.remove(victim);
        dead.0.kill().unwrap(); // SIGKILL: no release, job leases left behind
        dead.0.wait().unwrap();
        let killed = Instant::now();
        let before = bed.sandbox.invoices().len();
        let next = wait_for(
            "another process takes over",
            Duration::from_secs(15),
            || {
                assert_running(&mut children);
                bed.holder().filter(|w| w.process_id != holder.process_id)
            },
        )
        .await;
        let took = killed.elapsed();
        let done = bed.sandbox.invoices().len() as i64 == 2 * EMAILS;
        if !done {
            wait_for("syncing resumes", Duration::from_secs(15), || {
                (bed.sandbox.invoices().len() > before).then_some(())
            })
            .await;
        }
        eprintln!(
            "{processes} processes: killed the active worker (pid {}) after {before} invoices; pid {} took over in {:.2} s (term {} → {}), syncing resumed {:.2} s after the kill",
            holder.process_id,
            next.process_id,
            took.as_secs_f64(),
            holder.term,
            next.term,
            killed.elapsed().as_secs_f64()
        );
        assert!(next.term > holder.term);
        takeover = Some(took);
    }
    for c in &mut children {
        let s = wait_exit(c, Duration::from_secs(60)).await;
        assert!(s.success(), "{s:?}");
    }
    bed.check_books();
    let dups = bed.duplicated_emails();
    eprintln!(
        "{processes} process(es){}: {} customers for {EMAILS} e-mails, {dups} e-mails duplicated, {} invoices, {:.1} s",
        if kill { ", active worker killed" } else { "" },
        bed.sandbox.customers().len(),
        bed.sandbox.invoices().len(),
        start.elapsed().as_secs_f64()
    );
    stop_sandbox(bed.sandbox).await;
    (dups, takeover)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_two_and_four_processes_on_one_journal_create_each_customer_once() {
    let mut figures = Vec::new();
    for (n, kill) in [(1, false), (2, true), (4, true)] {
        let (dups, takeover) = run(n, kill).await;
        figures.push((n, dups, takeover));
    }
    eprintln!("duplicated e-mails (processes, duplicates, takeover): {figures:?}");
    for (n, dups, takeover) in figures {
        assert_eq!(dups, 0, "{n} processes duplicated customers");
        if let Some(t) = takeover {
            // Lease expiry 2 s, polled every 0.2 s; generous for two busy cores.
            assert!(
                t < Duration::from_secs(6),
                "{n} processes: takeover took {t:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iis_overlap_old_host_stops_while_the_new_one_starts() {
    let bed = Bed::start().await;
    // A long lease: a takeover within seconds proves the old host released it on stopping.
    let lease = [30_000, 3_000];
    let mut old = bed.sync(0, lease);
    let first = wait_for("the old host syncing", Duration::from_secs(30), || {
        bed.holder()
            .filter(|w| w.process_id == old.0.id() && bed.sandbox.invoices().len() >= 40)
    })
    .await;
    let mut new = bed.sync(1, lease);
    // The new host journals its catch-up but does not sync while the old one holds the lease.
    wait_for("the new host journaled", Duration::from_secs(30), || {
        let c = JournalReader::open(&bed.journal)
            .ok()?
            .status_counts()
            .ok()?;
        (c.total == 300).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bed.holder().map(|w| w.process_id), Some(old.0.id()));
    let term = Command::new("kill")
        .args(["-TERM", &old.0.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let stopped = Instant::now();
    let status = wait_exit(&mut old, Duration::from_secs(20)).await;
    assert_eq!(status.code(), Some(130), "the old host stops cleanly");
    let next = wait_for("the new host takes over", Duration::from_secs(10), || {
        bed.holder().filter(|w| w.process_id == new.0.id())
    })
    .await;
    let took = stopped.elapsed();
    eprintln!(
        "IIS overlap: old host (pid {}) stopped; new host (pid {}) active {:.2} s after the stop signal (lease expiry 30 s)",
        first.process_id,
        next.process_id,
        took.as_secs_f64()
    );
    assert!(
        took < Duration::from_secs(10),
        "handed over, not expired: {took:?}"
    );
    assert!(wait_exit(&mut new, Duration::from_secs(60)).await.success());
    bed.check_books();
    assert_eq!(bed.duplicated_emails(), 0);
    stop_sandbox(bed.sandbox).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_opening_a_new_journal_at_once_all_start() {
    let sandbox = start_sandbox(&SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("orders.json");
    let order = order_with(
        40_001,
        6_001,
        "first@example.test",
        vec![line(BOOK, 1)],
        |_| {},
    );
    std::fs::write(&orders, serde_json::to_vec(&order).unwrap()).unwrap();
    // Before the fix about one round in 25 lost a process to "database is locked".
    for round in 0..40 {
        let journal = dir
            .path()
            .join(format!("round-{round}"))
            .join("journal.sqlite");
        let children: Vec<Kill> = (0..4)
            .map(|n| {
                let log = dir.path().join(format!("round-{round}-{n}.stderr"));
                Kill(
                    Command::new(env!("CARGO_BIN_EXE_kfsync"))
                        .args(["sync", "--quiet", "--timeout-secs", "30"])
                        .arg("--orders")
                        .arg(&orders)
                        .args(["--kashflow-url", sandbox.base_url()])
                        .arg("--journal")
                        .arg(&journal)
                        .stdout(Stdio::null())
                        .stderr(std::fs::File::create(&log).unwrap())
                        .spawn()
                        .expect("kfsync sync starts"),
                    log,
                )
            })
            .collect();
        for mut c in children {
            let status = wait_exit(&mut c, Duration::from_secs(60)).await;
            assert!(
                status.success(),
                "round {round}: a process opening the new journal failed ({status}): {}",
                std::fs::read_to_string(&c.1).unwrap_or_default()
            );
        }
    }
    assert_eq!(
        sandbox.invoices().len(),
        1,
        "one invoice whatever the round"
    );
    stop_sandbox(sandbox).await;
}
