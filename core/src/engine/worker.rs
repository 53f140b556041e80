//! Workers: claim a job under a lease, run it through the processor while a heartbeat keeps the
//! lease alive, turn the processor's result into the journal transition (backoff, dead letter,
//! wait), feed the circuit breaker, and sleep until the next job is due or an enqueue wakes them.
//! Workers run only while the engine holds the active-worker lease, which [`lease_keeper`] takes,
//! renews and polls for (`super::lease`).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::breaker::{CircuitState, Permit, Signal};
use super::config::EngineConfig;
use super::error::ErrorDoc;
use super::header::peek;
use super::journal::{Claim, ClaimOutcome, ClaimedJob, Finish, FinishInput, FinishReport};
use super::lease::{Taken, Timings};
use super::log::LogLevel;
use super::model::{JobKind, OutcomeSpec};
use super::processor::{AttemptScratch, JobContext, JobResult};
use super::shared::LoginHold;
use super::Inner;

const TARGET: &str = "kashflow_sync::engine";
/// A processor that says "wait" without saying how long is asked again after this.
const DEFAULT_RECHECK: Duration = Duration::from_secs(60);
/// Shortest idle sleep, so a due-but-blocked job does not make a worker spin.
const MIN_IDLE: Duration = Duration::from_millis(5);

fn timings(inner: &Inner) -> Timings {
    let l = &inner.config().worker_lease;
    Timings {
        expiry: Duration::from_millis(l.expiry_ms),
        renew: Duration::from_millis(l.renew_ms),
    }
}

/// Takes, renews and polls for the active-worker lease for as long as the engine runs: the holder
/// renews every `RenewMs`; a non-holder looks every `RenewMs` or idle poll, whichever is shorter
/// (a read, and a write only when the lease looks free). A new term loads the state the previous
/// holder left in the journal and wakes the workers.
pub(crate) async fn lease_keeper(inner: Arc<Inner>) {
    let mut holding = false;
    loop {
        if inner.stopping.load(Ordering::SeqCst) {
            return;
        }
        let nudged = inner.lease_nudge.notified();
        tokio::pin!(nudged);
        nudged.as_mut().enable();
        let t = timings(&inner);
        let started = Instant::now();
        let now = inner.clock.now_ms();
        let journal = inner.journal.clone();
        let me = inner.holder.clone();
        let expiry_ms = t.expiry.as_millis() as i64;
        let try_take = holding || {
            let journal = journal.clone();
            let id = me.id.clone();
            tokio::task::spawn_blocking(move || journal.lease_looks_free(&id, now))
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or(false)
        };
        if try_take {
            let taken =
                tokio::task::spawn_blocking(move || journal.take_lease(me, now, expiry_ms)).await;
            match taken {
                Ok(Ok(Taken::Renewed)) => {
                    inner.lease.set(Some(started + t.local_validity()));
                }
                Ok(Ok(Taken::Acquired { previous })) => {
                    inner.lease.set(Some(started + t.local_validity()));
                    // From another holder (or the first term): start from what it left. Our own
                    // lapsed lease taken back: this process's breaker and hold are the latest.
                    if previous.as_deref() != Some(inner.owner.as_str()) {
                        inner.load_shared_state();
                    }
                    holding = true;
                    let from = previous
                        .filter(|p| *p != inner.owner)
                        .map(|p| format!(" (taking over from {p})"))
                        .unwrap_or_default();
                    inner.log.info(
                        TARGET,
                        &format!(
                            "this process ({}) is now the active sync worker for the journal{from}",
                            inner.owner
                        ),
                    );
                    inner.wake.notify_waiters();
                }
                Ok(Ok(Taken::HeldBy { holder, .. })) => {
                    inner.lease.set(None);
                    if holding {
                        inner.log.warn(
                            TARGET,
                            &format!("this process lost the active-worker lease to {holder}; it stops sending to KashFlow and only journals from now on"),
                        );
                    }
                    holding = false;
                }
                Ok(Err(e)) => {
                    // The local deadline still runs out on its own if this keeps failing.
                    inner.log.warn(
                        TARGET,
                        &format!("could not renew the active-worker lease: {e}"),
                    );
                }
                Err(_) => {}
            }
        } else if holding {
            holding = false;
            inner.lease.set(None);
        }
        let wait = if holding {
            t.renew
        } else {
            t.renew.min(inner.options.idle_poll.max(MIN_IDLE))
        };
        tokio::select! {
            _ = nudged => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

pub(crate) async fn worker_loop(inner: Arc<Inner>, index: usize) {
    loop {
        if inner.stopping.load(Ordering::SeqCst)
            || index >= inner.target_workers.load(Ordering::SeqCst)
        {
            return;
        }
        let notified = inner.wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if !inner.lease.holds() {
            // Not the active worker: enqueues still land in the journal; the holder runs them.
            idle_wait(&inner, notified, None).await;
            continue;
        }

        let now = inner.clock.now_ms();
        let permit = inner.breaker().permit(now);
        let probe = match permit {
            Permit::Proceed => false,
            Permit::Probe => true,
            Permit::Wait { until_ms } => {
                idle_wait(&inner, notified, Some(until_ms)).await;
                continue;
            }
        };

        inner.in_flight.fetch_add(1, Ordering::SeqCst);
        let config = inner.config();
        let claim = Claim {
            owner: inner.owner.clone(),
            now,
            lease_ms: inner.options.lease.as_millis() as i64,
            max_attempts: config.retry.max_attempts,
        };
        let journal = inner.journal.clone();
        let claimed = tokio::task::spawn_blocking(move || journal.claim(claim)).await;
        let next_wait = match claimed {
            Ok(Ok(ClaimOutcome::Job(job))) => {
                run_job(&inner, *job, probe, config).await;
                None
            }
            Ok(Ok(ClaimOutcome::NotHolder)) => {
                if probe {
                    inner.breaker().cancel_probe();
                }
                // The journal says the lease is not ours (lapsed or taken over): look again now.
                inner.lease.set(None);
                inner.lease_nudge.notify_one();
                Some(None)
            }
            Ok(Ok(ClaimOutcome::Nothing)) => {
                if probe {
                    inner.breaker().cancel_probe();
                }
                let journal = inner.journal.clone();
                let next = tokio::task::spawn_blocking(move || journal.next_due())
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .flatten();
                Some(next)
            }
            Ok(Err(e)) => {
                if probe {
                    inner.breaker().cancel_probe();
                }
                inner.log.error(
                    TARGET,
                    &format!("could not claim a job from the journal: {e}"),
                );
                Some(None)
            }
            Err(_) => {
                if probe {
                    inner.breaker().cancel_probe();
                }
                Some(None)
            }
        };
        inner.job_left();
        if let Some(next) = next_wait {
            idle_wait(&inner, notified, next).await;
        }
    }
}

async fn idle_wait(
    inner: &Inner,
    notified: Pin<&mut tokio::sync::futures::Notified<'_>>,
    next_due: Option<i64>,
) {
    let idle = inner.options.idle_poll;
    let wait = match next_due {
        Some(t) => {
            let ms = (t - inner.clock.now_ms()).max(0) as u64;
            Duration::from_millis(ms).clamp(MIN_IDLE, idle.max(MIN_IDLE))
        }
        None => idle,
    };
    tokio::select! {
        _ = notified => {}
        _ = tokio::time::sleep(wait) => {}
    }
}

/// Polls a future, turning a panic into an error instead of killing the worker.
struct CatchUnwind<F>(F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Pin::new(&mut *inner).poll(cx)
        })) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(p) => {
                let msg = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                Poll::Ready(Err(msg))
            }
        }
    }
}

fn order_label(job: &ClaimedJob) -> String {
    match &job.order {
        Some(o) => match o.custom_order_number.as_deref() {
            Some(c) if !c.is_empty() => format!("order {c} (id {})", o.order_id),
            _ => format!("order id {}", o.order_id),
        },
        None => format!("{} job {}", job.job.kind.as_str(), job.job.id),
    }
}

/// Checks the engine makes before handing a job to the processor.
fn precheck(job: &ClaimedJob) -> Option<JobResult> {
    if job.job.kind != JobKind::SyncOrder {
        return None;
    }
    let Some(order) = &job.order else {
        return Some(JobResult::DeadLetter {
            error: ErrorDoc::new("NotFound", "the order record of this job is missing"),
        });
    };
    match &order.snapshot_json {
        None => Some(JobResult::Waiting {
            reason: "waiting for the order snapshot".into(),
            recheck_after: None,
        }),
        Some(bytes) => match peek(bytes).header {
            Err(e) => Some(JobResult::DeadLetter { error: e.to_doc() }),
            Ok(_) => None,
        },
    }
}

async fn run_job(inner: &Arc<Inner>, claimed: ClaimedJob, probe: bool, config: Arc<EngineConfig>) {
    let label = order_label(&claimed);
    if claimed.reclaimed {
        inner.log.warn(
            TARGET,
            &format!(
                "{label}: resuming {} after an interrupted attempt; KashFlow is checked before writing",
                claimed.job.kind.as_str()
            ),
        );
    }
    let started_at = inner.clock.now_ms();
    let t0 = Instant::now();
    let scratch = AttemptScratch::default();
    let held = {
        let hold = inner.login_hold();
        hold.as_ref()
            .filter(|h| h.applies(&config.kashflow, started_at))
            .map(|h| JobResult::Waiting {
                reason: h.reason.clone(),
                recheck_after: Some(Duration::from_millis(h.recheck_ms.max(1))),
            })
    };
    let result = match precheck(&claimed).or(held) {
        Some(r) => r,
        None => {
            let ctx = JobContext {
                job: &claimed.job,
                order: claimed.order.as_ref(),
                config: &config,
                journal: &inner.journal,
                locks: &inner.locks,
                log: &inner.log,
                scratch: &scratch,
                lease: &inner.lease,
            };
            let fut = CatchUnwind(inner.processor.process(ctx));
            tokio::pin!(fut);
            let outcome = loop {
                tokio::select! {
                    r = &mut fut => break r,
                    _ = tokio::time::sleep(inner.options.heartbeat) => renew(inner, claimed.job.id, &label).await,
                }
            };
            match outcome {
                Ok(r) => r,
                Err(panic) => JobResult::Retry {
                    error: ErrorDoc::new(
                        "Internal",
                        format!("internal error while processing the job: {panic}"),
                    ),
                    retry_after: None,
                    maybe_applied: false,
                },
            }
        }
    };
    let duration_ms = t0.elapsed().as_millis() as u64;
    let calls = std::mem::take(&mut *scratch.calls.lock().unwrap_or_else(|p| p.into_inner()));
    let mapped_invoice = scratch
        .mapped_invoice
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let now = inner.clock.now_ms();
    let attempt = claimed.job.attempt;
    let order_id = claimed.order.as_ref().map(|o| o.order_id);
    let spoke_to_kashflow = !calls.is_empty();
    let refused = scratch
        .login_refused
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let stood_down = scratch.stood_down.load(Ordering::SeqCst);
    let cancelled = scratch.cancelled.load(Ordering::SeqCst);
    let result = if cancelled && !stood_down {
        // The order was cancelled after the claim, before the first KashFlow request: nothing was
        // sent. The finish sees the pending cancellation and cancels the order.
        JobResult::Waiting {
            reason: "stopped: the order was cancelled before anything was sent to KashFlow".into(),
            recheck_after: Some(Duration::ZERO),
        }
    } else if stood_down {
        // It stopped before a KashFlow request because the lease is no longer ours: back in the
        // queue for the holder, without counting against the breaker. When this attempt had
        // already written to KashFlow, the next one is told to look before writing.
        let wrote = calls
            .iter()
            .any(|c| c.method != "GET" && c.status.is_some());
        let reason = "put back: this process is no longer the active sync worker";
        if wrote {
            JobResult::Retry {
                error: ErrorDoc::new("NotActiveWorker", reason),
                retry_after: Some(Duration::ZERO),
                maybe_applied: true,
            }
        } else {
            JobResult::Waiting {
                reason: reason.into(),
                recheck_after: Some(Duration::ZERO),
            }
        }
    } else {
        result
    };

    let (finish, signal, line) = match result {
        JobResult::Done(done) => {
            let line = done
                .message
                .clone()
                .unwrap_or_else(|| match done.invoice_number {
                    Some(n) => format!(
                        "{label}: {} done (KashFlow invoice {n})",
                        claimed.job.kind.as_str()
                    ),
                    None => format!("{label}: {} done", claimed.job.kind.as_str()),
                });
            (
                Finish::Done {
                    invoice_number: done.invoice_number,
                    customer_code: done.customer_code,
                    outcomes: done.outcomes,
                    ledger: done.ledger,
                },
                if spoke_to_kashflow {
                    Signal::Success
                } else {
                    Signal::Neutral
                },
                (LogLevel::Info, line),
            )
        }
        JobResult::Retry {
            error,
            retry_after,
            maybe_applied,
        } => {
            if attempt >= config.retry.max_attempts {
                let error = ErrorDoc {
                    message: format!("gave up after {attempt} attempts: {}", error.message),
                    ..error
                };
                let line = format!("{label}: failed: {error}");
                (
                    Finish::Dead {
                        outcomes: failure_note(order_id, claimed.job.kind, &error),
                        error,
                    },
                    Signal::Failure,
                    (LogLevel::Error, line),
                )
            } else {
                let delay = {
                    let mut rng = inner.rng.lock().unwrap_or_else(|p| p.into_inner());
                    // `attempt` (1-based) failed: this is retry `attempt - 1`.
                    let wait = config.retry.backoff().delay(
                        attempt.saturating_sub(1),
                        retry_after,
                        &mut *rng,
                    );
                    wait.as_millis().min(u64::MAX as u128) as u64
                };
                let line = format!(
                    "{label}: attempt {attempt} failed, retrying in {:.1}s: {error}",
                    delay as f64 / 1000.0
                );
                (
                    Finish::Retry {
                        error,
                        run_at: now.saturating_add(delay as i64),
                        maybe_applied,
                    },
                    Signal::Failure,
                    (LogLevel::Warn, line),
                )
            }
        }
        JobResult::DeadLetter { error } => {
            let line = format!("{label}: failed: {error}");
            (
                Finish::Dead {
                    outcomes: failure_note(order_id, claimed.job.kind, &error),
                    error,
                },
                if spoke_to_kashflow {
                    Signal::Success
                } else {
                    Signal::Neutral
                },
                (LogLevel::Error, line),
            )
        }
        JobResult::Waiting {
            reason,
            recheck_after,
        } => {
            let has_invoice =
                matches!(claimed.order.as_ref(), Some(o) if o.invoice_number.is_some());
            let blocked_on_invoice = claimed.job.kind == JobKind::RecordPayment && !has_invoice;
            // An invoice waiting for a flow's trigger (paid, shipped, …) sleeps until the event
            // or a newer snapshot queues it again (`journal::enqueue`), in the same transaction
            // that records them: no timer needed.
            let awaiting_trigger = claimed.job.kind == JobKind::SyncOrder
                && reason.starts_with(crate::flows::WAIT_PREFIX);
            let run_at = match recheck_after {
                Some(d) => Some(now.saturating_add(d.as_millis() as i64)),
                None if blocked_on_invoice || awaiting_trigger => None,
                None => Some(now.saturating_add(DEFAULT_RECHECK.as_millis() as i64)),
            };
            let line = format!("{label}: waiting: {reason}");
            (
                Finish::Wait { reason, run_at },
                Signal::Neutral,
                (LogLevel::Debug, line),
            )
        }
    };

    let signal = if stood_down { Signal::Neutral } else { signal };
    let input = FinishInput {
        job_id: claimed.job.id,
        owner: inner.owner.clone(),
        started_at,
        duration_ms,
        calls,
        mapped_invoice,
        claimed_hash: claimed.order.as_ref().and_then(|o| o.snapshot_hash.clone()),
        finish,
        now,
    };
    let journal = inner.journal.clone();
    let report = tokio::task::spawn_blocking(move || journal.finish(input)).await;
    let (before, after) = {
        let mut b = inner.breaker();
        let before = b.state();
        b.record(signal, probe, inner.clock.now_ms());
        (before, b.state())
    };
    share_breaker(inner, before, after).await;
    match refused {
        Some((reason, retry_after, recheck)) => inner.set_login_hold(Some(LoginHold {
            reason,
            until_ms: retry_after.map(|d| now.saturating_add(d.as_millis() as i64)),
            account: LoginHold::account_of(&config.kashflow),
            recheck_ms: recheck.as_millis() as u64,
        })),
        None if signal == Signal::Success && inner.login_hold().is_some() => {
            // A job got through to KashFlow: the login works again.
            inner.set_login_hold(None);
        }
        None => {}
    }
    match report {
        Ok(Ok(report)) => log_report(inner, &label, report, line),
        Ok(Err(e)) => inner.log.error(
            TARGET,
            &format!("{label}: could not record the result in the journal ({e}); the job runs again after its lease expires"),
        ),
        Err(_) => {}
    }
    // Finishing may unblock others (same order, payments waiting for this invoice).
    inner.wake.notify_waiters();
}

/// Keep the breaker's open state in the journal when it opens or closes, so a restarted or
/// taking-over process starts from it.
async fn share_breaker(inner: &Arc<Inner>, before: CircuitState, after: CircuitState) {
    let store = match after {
        CircuitState::Open { until_ms } if before != after => Some(Some(until_ms)),
        CircuitState::Closed if before != CircuitState::Closed => Some(None),
        _ => None,
    };
    let Some(until) = store else {
        return;
    };
    let journal = inner.journal.clone();
    let now = inner.clock.now_ms();
    let stored = tokio::task::spawn_blocking(move || journal.set_breaker_open_until(until, now));
    if let Ok(Err(e)) = stored.await {
        inner.log.warn(
            TARGET,
            &format!("could not record the circuit breaker's state in the journal: {e}"),
        );
    }
}

fn log_report(inner: &Inner, label: &str, report: FinishReport, line: (LogLevel, String)) {
    if report.lease_lost {
        inner.log.warn(
            TARGET,
            &format!("{label}: result not recorded because the job's lease was taken over; it will be checked again"),
        );
        return;
    }
    inner.log.log(line.0, TARGET, &line.1);
    if report.changed_while_in_flight {
        inner.log.warn(
            TARGET,
            &format!("{label}: the order changed while its invoice was being posted; the posted invoice reflects the earlier snapshot"),
        );
    }
    if let Some(c) = report.cancellation {
        inner.log.warn(TARGET, &format!("{label}: {c}"));
    }
}

async fn renew(inner: &Arc<Inner>, job_id: i64, label: &str) {
    let journal = inner.journal.clone();
    let owner = inner.owner.clone();
    let now = inner.clock.now_ms();
    let until = now + inner.options.lease.as_millis() as i64;
    match tokio::task::spawn_blocking(move || journal.renew_lease(job_id, owner, until, now)).await
    {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => inner.log.warn(
            TARGET,
            &format!("{label}: lost the job's lease while working on it; its result will not be recorded"),
        ),
        Ok(Err(e)) => inner
            .log
            .warn(TARGET, &format!("{label}: could not renew the job's lease: {e}")),
        Err(_) => {}
    }
}

/// The order note a dead letter leaves for the shop admin.
fn failure_note(order_id: Option<i64>, kind: JobKind, error: &ErrorDoc) -> Vec<OutcomeSpec> {
    match (order_id, kind) {
        (Some(id), JobKind::SyncOrder | JobKind::RecordPayment) if id > 0 => {
            let what = if kind == JobKind::SyncOrder {
                "sending this order to KashFlow"
            } else {
                "recording this order's payment in KashFlow"
            };
            vec![OutcomeSpec::AddOrderNote {
                order_id: id,
                note: format!(
                    "KashFlow Sync: {what} failed ({}): {}. Fix the cause, then retry it from the KashFlow sync log.",
                    error.code, error.message
                ),
                invoice_number: None,
            }]
        }
        _ => Vec::new(),
    }
}
