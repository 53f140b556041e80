//! What both transports share on the wire: the HTTP client they are built on (address checked,
//! rustls, timeouts, no proxy for a loopback sandbox), what a request that got no answer becomes
//! ([`transport_error`]), the bounded retry of reads ([`retry_reads`]) and the count of requests
//! sent ([`RequestCounter`]). Writes are never
//! retried here: the KashFlow stage looks before it writes again.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::backoff::Backoff;
use crate::kashflow::error::{FailureClass, KfError, RequestKind};

/// HTTP requests sent, in total and per operation name (logins, retries and re-logins included):
/// what the calls-per-order figures and tests read.
#[derive(Default)]
pub(crate) struct RequestCounter {
    total: AtomicU64,
    per_op: Mutex<BTreeMap<String, u64>>,
}

impl RequestCounter {
    pub fn count(&self, op: &str) {
        self.total.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut m) = self.per_op.lock() {
            *m.entry(op.to_owned()).or_default() += 1;
        }
    }

    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub fn per_op(&self) -> BTreeMap<String, u64> {
        self.per_op.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub fn reset(&self) {
        self.total.store(0, Ordering::Relaxed);
        if let Ok(mut m) = self.per_op.lock() {
            m.clear();
        }
    }
}

/// The reqwest client for `url` (the setting `setting`, shown as `shown` in errors: never a
/// secret). Only http(s); a loopback address bypasses any proxy.
pub(crate) fn build_client(
    setting: &str,
    url: &str,
    shown: &str,
    timeout: Duration,
    connect_timeout: Duration,
) -> Result<reqwest::Client, KfError> {
    let parsed = url::Url::parse(url.trim())
        .map_err(|e| KfError::Config(format!("{setting} '{shown}' is not a URL: {e}")))?;
    if parsed.scheme() != "http" && parsed.scheme() != "https" {
        return Err(KfError::Config(format!(
            "{setting} '{shown}' must start with https:// (or http:// for a local sandbox)"
        )));
    }
    let loopback = matches!(
        parsed.host_str(),
        Some("127.0.0.1") | Some("localhost") | Some("[::1]")
    );
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(timeout)
        .connect_timeout(connect_timeout)
        .user_agent(concat!("kashflow-sync/", env!("CARGO_PKG_VERSION")));
    if loopback {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| KfError::Config(format!("HTTP client: {}", transport_detail(&e))))
}

/// Run `attempt` once, and again (up to `retries` more times, waiting by `backoff`) while it is
/// a read failing in a retryable way. A `Retry-After` longer than `backoff.max` is not waited
/// for: the failure goes back to the engine, whose retry policy schedules it.
pub(crate) async fn retry_reads<T, F, Fut>(
    op: &str,
    kind: RequestKind,
    retries: u32,
    backoff: &Backoff,
    mut attempt: F,
) -> Result<T, KfError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, KfError>>,
{
    let mut tried = 0;
    loop {
        match attempt().await {
            Err(e)
                if kind == RequestKind::Read
                    && e.class() == FailureClass::Retryable
                    && tried < retries
                    && e.retry_after().is_none_or(|ra| ra <= backoff.max) =>
            {
                let wait = backoff.delay(tried, e.retry_after(), &mut rand::thread_rng());
                tracing::info!(target: "kashflow::client", op, attempt = tried, ?wait, "retrying read: {e}");
                tokio::time::sleep(wait).await;
                tried += 1;
            }
            other => return other,
        }
    }
}

/// A request that got no (complete) answer: timeout, refused connection or a broken one. Shared
/// by both transports.
pub(crate) fn transport_error(
    request: &str,
    kind: RequestKind,
    timeout: Duration,
    e: &reqwest::Error,
) -> KfError {
    let request = request.to_owned();
    if e.is_timeout() {
        KfError::Timeout {
            request,
            timeout,
            kind,
        }
    } else if e.is_connect() {
        KfError::Connect {
            request,
            detail: transport_detail(e),
        }
    } else {
        KfError::ConnectionLost {
            request,
            detail: transport_detail(e),
            kind,
        }
    }
}

pub(crate) fn transport_detail(e: &reqwest::Error) -> String {
    // Walk the source chain for the useful part ("connection closed before message completed").
    let mut parts = Vec::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        parts.push(s.to_string());
        src = s.source();
    }
    if parts.is_empty() {
        parts.push(if e.is_body() {
            "error reading the body".to_owned()
        } else {
            "transport error".to_owned()
        });
    }
    parts.join(": ")
}
