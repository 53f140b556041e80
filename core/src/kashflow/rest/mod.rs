//! The `Rest` transport: the typed KashFlow REST v2 client (reqwest, rustls).
//!
//! Owns the client's configuration, its state (HTTP client, rate limiter, session, request
//! counts) and its construction. The work is split by job:
//! - `http`: sending one request, the authenticated call with bounded read retries, list walks,
//!   and the classification of every non-2xx answer (see [`KfError`]);
//! - `session`: the login flow (user name + password → memorable-word characters → session token),
//!   token reuse with KashFlow's sliding idle expiry, logout;
//! - `ops`: the business operations (customers, invoices, payments, credits, products, lookups).
//!
//! Writes are never retried here: the engine decides, after looking whether the write happened.
//! Reading is tolerant (keys in any case, bare arrays or `{Data}` envelopes, numbers as integers
//! or 4-dp decimals, booleans as 0/1) via [`caseless`](super::caseless). Secrets live in
//! [`Secret`] and never reach `Debug`, logs or errors.

mod http;
mod ops;
mod session;
mod transport;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex as StdMutex;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::error::KfError;
use super::ratelimit::RateLimiter;
use super::secret::{redact, Secret};
use crate::backoff::Backoff;
use crate::mapping::text::quote;

use crate::kashflow::http_client::{build_client, RequestCounter};

/// Page size used when the client walks a whole list.
const WALK_PER_PAGE: u32 = 100;
/// Safety stop for list walks (100 × 1000 rows).
const WALK_MAX_PAGES: u32 = 1000;

/// Client settings. `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// e.g. `https://api.kashflow.com/v2` or a sandbox's `http://127.0.0.1:PORT/v2`.
    pub base_url: String,
    pub username: String,
    pub password: Secret,
    pub memorable_word: Secret,
    /// Average requests per second (0 = unlimited).
    pub requests_per_second: u32,
    /// Requests allowed back to back after idling.
    pub burst: u32,
    /// Whole-request timeout.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Extra attempts for a read that failed in a retryable way (writes never auto-retry).
    pub read_retries: u32,
    /// Wait between read retries; a `Retry-After` longer than `backoff.max` is not waited for
    /// here — the error is returned so the caller can schedule it.
    pub backoff: Backoff,
    /// KashFlow's sliding idle expiry of a session token.
    pub session_idle_timeout: Duration,
    /// Log in anew when the token has been idle for `idle - margin`.
    pub session_refresh_margin: Duration,
}

impl ClientConfig {
    /// Defaults (5 req/s, 30 s timeout, 3 read retries, 60 min idle expiry) for this base URL;
    /// credentials empty.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            username: String::new(),
            password: Secret::default(),
            memorable_word: Secret::default(),
            requests_per_second: 5,
            burst: 1,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            read_retries: 3,
            backoff: Backoff::new(Duration::from_millis(250), Duration::from_secs(10)),
            session_idle_timeout: Duration::from_secs(60 * 60),
            session_refresh_margin: Duration::from_secs(5 * 60),
        }
    }
}

/// One page of a paginated list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// From `MetaData.TotalRecords` (None when KashFlow sent a bare array).
    pub total_records: Option<u64>,
    pub next_page_url: Option<String>,
}

struct Session {
    token: Secret,
    last_used: Instant,
}

/// A raw answer.
struct Raw {
    status: u16,
    body: Vec<u8>,
    retry_after: Option<Duration>,
}

/// The KashFlow client. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct KashFlowClient {
    cfg: ClientConfig,
    base: String,
    http: reqwest::Client,
    limiter: RateLimiter,
    session: Mutex<Option<Session>>,
    requests: RequestCounter,
    /// `CompanyName` from the last successful login (shown by a connection test).
    company: StdMutex<Option<String>>,
}

impl fmt::Debug for KashFlowClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KashFlowClient")
            .field("config", &self.cfg)
            .field("requests", &self.requests.total())
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// The base URL as it may be shown in a message: redacted and quoted at bounded length.
    fn shown_base_url(&self) -> String {
        quote(&redact::url(
            &self.base_url,
            &[&self.password, &self.memorable_word],
        ))
    }
}

impl KashFlowClient {
    /// The login's secrets, for redacting what KashFlow echoes back.
    fn secrets(&self) -> [&Secret; 2] {
        [&self.cfg.password, &self.cfg.memorable_word]
    }

    /// Build a client. Fails only on a bad base URL or TLS set-up.
    pub fn new(cfg: ClientConfig) -> Result<Self, KfError> {
        let http = build_client(
            "BaseUrl",
            &cfg.base_url,
            &cfg.shown_base_url(),
            cfg.timeout,
            cfg.connect_timeout,
        )?;
        Ok(KashFlowClient {
            base: cfg.base_url.trim().trim_end_matches('/').to_owned(),
            limiter: RateLimiter::new(cfg.requests_per_second, cfg.burst),
            http,
            session: Mutex::new(None),
            requests: RequestCounter::default(),
            company: StdMutex::new(None),
            cfg,
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    // ----- request accounting ------------------------------------------------------------

    /// HTTP requests sent so far (logins, retries and re-logins included).
    pub fn request_count(&self) -> u64 {
        self.requests.total()
    }

    /// Requests per operation name (`login`, `create_invoice`, ...).
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.requests.per_op()
    }

    pub fn reset_request_counts(&self) {
        self.requests.reset();
    }

    fn count(&self, op: &str) {
        self.requests.count(op);
    }
}

#[cfg(test)]
mod tests {
    use super::http::{parse_retry_after, seg};
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn codes_in_paths_are_encoded() {
        assert_eq!(seg("AB C/1?"), "AB%20C%2F1%3F");
        assert_eq!(seg("NOP-000_1.x~"), "NOP-000_1.x~");
    }

    #[test]
    fn bad_base_urls_are_config_errors() {
        assert!(matches!(
            KashFlowClient::new(ClientConfig::new("not a url")),
            Err(KfError::Config(_))
        ));
        assert!(matches!(
            KashFlowClient::new(ClientConfig::new("ftp://x/v2")),
            Err(KfError::Config(_))
        ));
    }
}
