//! Workers: claim a job under a lease, run it through the processor while a heartbeat keeps the
//! lease alive, turn the processor's result into the journal transition (backoff, dead letter,
//! wait), feed the circuit breaker, and sleep until the next job is due or an enqueue wakes them.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::breaker::{Permit, Signal};
use super::config::EngineConfig;
use super::error::ErrorDoc;
use super::header::peek;
use super::journal::{Claim, ClaimedJob, Finish, FinishInput, FinishReport};
use super::log::LogLevel;
use super::model::{JobKind, OutcomeSpec};
use super::processor::{AttemptScratch, JobContext, JobResult};
use super::Inner;

const TARGET: &str = "kashflow_sync::engine";
/// A processor that says "wait" without saying how long is asked again after this.
const DEFAULT_RECHECK: Duration = Duration::from_secs(60);
/// Shortest idle sleep, so a due-but-blocked job does not make a worker spin.
const MIN_IDLE: Duration = Duration::from_millis(5);

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
            Ok(Ok(Some(job))) => {
                run_job(&inner, job, probe, config).await;
                None
            }
            Ok(Ok(None)) => {
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
    let result = match precheck(&claimed) {
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
            let run_at = match recheck_after {
                Some(d) => Some(now.saturating_add(d.as_millis() as i64)),
                None if blocked_on_invoice => None,
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
    inner.breaker().record(signal, probe, inner.clock.now_ms());
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
    let until = inner.clock.now_ms() + inner.options.lease.as_millis() as i64;
    match tokio::task::spawn_blocking(move || journal.renew_lease(job_id, owner, until)).await {
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
