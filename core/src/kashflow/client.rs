//! Typed KashFlow REST v2 client (reqwest, rustls).
//!
//! Owns the login flow (user name + password → memorable-word characters → session token), token
//! reuse with KashFlow's sliding idle expiry (refreshed proactively shortly before it would lapse),
//! one re-login and retry on 401, client-side rate limiting, bounded retries of *reads* on
//! retryable failures, and the classification of every failure (see [`KfError`]). Writes are never
//! retried here: the engine decides, after looking whether the write happened.
//!
//! Reading is tolerant (keys in any case, bare arrays or `{Data}` envelopes, numbers as integers or
//! 4-dp decimals, booleans as 0/1) via [`caseless`]. Secrets live in [`Secret`] and never reach
//! `Debug`, logs or errors.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex as StdMutex;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::caseless;
use super::error::{KfError, RequestKind, SQL_TIMEOUT_CODE};
use super::model::{
    BankAccount, BulkPayment, Currency, Customer, ErrorBody, Invoice, ListMetaData,
    MemorableWordChar, Nominal, PaymentLine, PaymentMethod, Product, SessionTokenRequest,
    SessionTokenResponse, TemporaryTokenRequest, TemporaryTokenResponse, VatRate,
};
use super::ratelimit::RateLimiter;
use super::secret::{redact, Secret};
use crate::backoff::Backoff;
use crate::mapping::text::quote;

/// Path segments (customer and product codes are free text) are percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

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
    total: AtomicU64,
    per_op: StdMutex<BTreeMap<String, u64>>,
    /// `CompanyName` from the last successful login (shown by a connection test).
    company: StdMutex<Option<String>>,
}

impl fmt::Debug for KashFlowClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KashFlowClient")
            .field("config", &self.cfg)
            .field("requests", &self.total.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

fn transport_detail(e: &reqwest::Error) -> String {
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

fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(Duration::from_secs(secs.max(0) as u64))
}

/// An error answer's code and message. KashFlow may echo what it was sent, so the message is
/// redacted as a body (secret fields and the login's secrets) and quoted at bounded length.
fn error_body(body: &[u8], secrets: &[&Secret]) -> ErrorBody {
    let mut b = caseless::from_slice::<ErrorBody>(body).unwrap_or_else(|_| ErrorBody {
        message: redact::body(body, secrets),
        error: String::new(),
    });
    b.message = quote(&redact::body(b.message.as_bytes(), secrets));
    b.error = quote(&b.error);
    b
}

const AUTH_CODES: [&str; 4] = [
    "InvalidCredentials",
    "AccountLocked",
    "PasswordExpired",
    "InvalidTemporaryToken",
];

/// Map a non-2xx answer to an error. (401 on business calls is handled before this.)
fn classify(request: &str, kind: RequestKind, raw: &Raw, secrets: &[&Secret]) -> KfError {
    let body = error_body(&raw.body, secrets);
    let message = if body.message.is_empty() {
        format!("HTTP {}", raw.status)
    } else {
        body.message.clone()
    };
    let request = request.to_owned();
    match raw.status {
        400 if body.error == SQL_TIMEOUT_CODE => KfError::SqlTimeout {
            request,
            message,
            kind,
        },
        400 if AUTH_CODES
            .iter()
            .any(|c| c.eq_ignore_ascii_case(&body.error)) =>
        {
            KfError::Auth {
                code: body.error,
                message,
            }
        }
        401 => KfError::Auth {
            code: if body.error.is_empty() {
                "InvalidSessionToken".into()
            } else {
                body.error
            },
            message,
        },
        403 => KfError::Auth {
            code: if body.error.is_empty() {
                "Forbidden".into()
            } else {
                body.error
            },
            message,
        },
        404 => KfError::NotFound { request, message },
        429 => KfError::RateLimited {
            request,
            retry_after: raw.retry_after,
        },
        408 | 500..=599 => KfError::Server {
            request,
            status: raw.status,
            message,
            kind,
        },
        status => KfError::Rejected {
            request,
            status,
            code: body.error,
            message,
        },
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
        let url = url::Url::parse(cfg.base_url.trim()).map_err(|e| {
            KfError::Config(format!(
                "BaseUrl '{}' is not a URL: {e}",
                cfg.shown_base_url()
            ))
        })?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(KfError::Config(format!(
                "BaseUrl '{}' must start with https:// (or http:// for a local sandbox)",
                cfg.shown_base_url()
            )));
        }
        let loopback = matches!(
            url.host_str(),
            Some("127.0.0.1") | Some("localhost") | Some("[::1]")
        );
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.connect_timeout)
            .user_agent(concat!("kashflow-sync/", env!("CARGO_PKG_VERSION")));
        if loopback {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| KfError::Config(format!("HTTP client: {}", transport_detail(&e))))?;
        Ok(KashFlowClient {
            base: cfg.base_url.trim().trim_end_matches('/').to_owned(),
            limiter: RateLimiter::new(cfg.requests_per_second, cfg.burst),
            http,
            session: Mutex::new(None),
            total: AtomicU64::new(0),
            per_op: StdMutex::new(BTreeMap::new()),
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
        self.total.load(Ordering::Relaxed)
    }

    /// Requests per operation name (`login`, `create_invoice`, ...).
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.per_op.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub fn reset_request_counts(&self) {
        self.total.store(0, Ordering::Relaxed);
        if let Ok(mut m) = self.per_op.lock() {
            m.clear();
        }
    }

    fn count(&self, op: &str) {
        self.total.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut m) = self.per_op.lock() {
            *m.entry(op.to_owned()).or_default() += 1;
        }
    }

    // ----- transport ---------------------------------------------------------------------

    /// Send one request (rate limited, counted). Transport failures become errors; any HTTP
    /// status comes back as `Raw`.
    async fn send_once(
        &self,
        op: &str,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        token: Option<&Secret>,
    ) -> Result<Raw, KfError> {
        let request = format!("{method} {path}");
        let kind = RequestKind::of(method);
        self.limiter.acquire().await;
        self.count(op);
        let mut rb = self
            .http
            .request(method.clone(), format!("{}{}", self.base, path))
            .header("Accept", "application/json");
        if !query.is_empty() {
            rb = rb.query(query);
        }
        if let Some(t) = token {
            rb = rb.header("Authorization", format!("KfToken {}", t.expose()));
        }
        if let Some(b) = body {
            rb = rb.header("Content-Type", "application/json").body(
                serde_json::to_vec(b).map_err(|e| KfError::Config(format!("encoding: {e}")))?,
            );
        }
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                KfError::Timeout {
                    request: request.clone(),
                    timeout: self.cfg.timeout,
                    kind,
                }
            } else if e.is_connect() {
                KfError::Connect {
                    request: request.clone(),
                    detail: transport_detail(&e),
                }
            } else {
                KfError::ConnectionLost {
                    request: request.clone(),
                    detail: transport_detail(&e),
                    kind,
                }
            }
        };
        let resp = rb.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = resp.bytes().await.map_err(transport)?.to_vec();
        tracing::debug!(target: "kashflow::client", op, %method, path, status, "KashFlow answered");
        Ok(Raw {
            status,
            body,
            retry_after,
        })
    }

    /// One authenticated attempt: current (or fresh) session, and on 401 exactly one re-login
    /// and resend.
    async fn send_authed(
        &self,
        op: &str,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Raw, KfError> {
        let token = self.session_token().await?;
        let raw = self
            .send_once(op, method, path, query, body, Some(&token))
            .await?;
        if raw.status != 401 {
            self.touch(&token).await;
            return Ok(raw);
        }
        tracing::info!(target: "kashflow::client", op, "session token refused (401); logging in again");
        self.forget_session(&token).await;
        let token = self.session_token().await?;
        let raw = self
            .send_once(op, method, path, query, body, Some(&token))
            .await?;
        if raw.status == 401 {
            self.forget_session(&token).await;
            let b = error_body(&raw.body, &self.secrets());
            return Err(KfError::Auth {
                code: if b.error.is_empty() {
                    "InvalidSessionToken".into()
                } else {
                    b.error
                },
                message: "KashFlow refused a freshly issued session token".into(),
            });
        }
        self.touch(&token).await;
        Ok(raw)
    }

    /// A business call: authenticated, success status checked, reads retried (bounded).
    async fn call(
        &self,
        op: &str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Raw, KfError> {
        let kind = RequestKind::of(&method);
        let request = format!("{method} {path}");
        let mut attempt = 0;
        loop {
            let result = self
                .send_authed(op, &method, path, query, body)
                .await
                .and_then(|raw| {
                    if (200..300).contains(&raw.status) {
                        Ok(raw)
                    } else {
                        Err(classify(&request, kind, &raw, &self.secrets()))
                    }
                });
            match result {
                Err(e)
                    if kind == RequestKind::Read
                        && e.class() == super::error::FailureClass::Retryable
                        && attempt < self.cfg.read_retries
                        && e.retry_after().is_none_or(|ra| ra <= self.cfg.backoff.max) =>
                {
                    let wait =
                        self.cfg
                            .backoff
                            .delay(attempt, e.retry_after(), &mut rand::thread_rng());
                    tracing::info!(target: "kashflow::client", op, attempt, ?wait, "retrying read: {e}");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn call_json<T: DeserializeOwned>(
        &self,
        op: &str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<T, KfError> {
        let kind = RequestKind::of(&method);
        let request = format!("{method} {path}");
        let raw = self.call(op, method, path, query, body).await?;
        decode(&request, kind, &raw.body)
    }

    /// A GET whose 404 means "no such object".
    async fn get_optional<T: DeserializeOwned>(
        &self,
        op: &str,
        path: &str,
    ) -> Result<Option<T>, KfError> {
        match self.call_json(op, Method::GET, path, &[], None).await {
            Ok(v) => Ok(Some(v)),
            Err(KfError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn get_list<T: DeserializeOwned>(
        &self,
        op: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(Vec<T>, Option<ListMetaData>), KfError> {
        let request = format!("GET {path}");
        let raw = self.call(op, Method::GET, path, query, None).await?;
        let value: Value = serde_json::from_slice(&raw.body).map_err(|e| KfError::Decode {
            request: request.clone(),
            detail: e.to_string(),
            kind: RequestKind::Read,
        })?;
        let meta = caseless::get(&value, "MetaData")
            .filter(|m| m.is_object())
            .map(|m| caseless::from_value::<ListMetaData>(m.clone()))
            .transpose()
            .map_err(|e| KfError::Decode {
                request: request.clone(),
                detail: format!("MetaData: {e}"),
                kind: RequestKind::Read,
            })?;
        let items = caseless::list_items(value).map_err(|detail| KfError::Decode {
            request: request.clone(),
            detail,
            kind: RequestKind::Read,
        })?;
        let items = items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                caseless::from_value(v).map_err(|e| KfError::Decode {
                    request: request.clone(),
                    detail: format!("item {i}: {e}"),
                    kind: RequestKind::Read,
                })
            })
            .collect::<Result<Vec<T>, _>>()?;
        Ok((items, meta))
    }

    async fn get_page<T: DeserializeOwned>(
        &self,
        op: &str,
        path: &str,
        page: u32,
        per_page: u32,
    ) -> Result<Page<T>, KfError> {
        let q = [
            ("page", page.to_string()),
            ("perpage", per_page.to_string()),
        ];
        let (items, meta) = self.get_list(op, path, &q).await?;
        Ok(Page {
            items,
            total_records: meta.as_ref().map(|m| m.total_records),
            next_page_url: meta.and_then(|m| m.next_page_url),
        })
    }

    /// Every row of a paginated (or bare) list.
    async fn get_all<T: DeserializeOwned>(&self, op: &str, path: &str) -> Result<Vec<T>, KfError> {
        let mut all = Vec::new();
        for page in 1..=WALK_MAX_PAGES {
            let p: Page<T> = self.get_page(op, path, page, WALK_PER_PAGE).await?;
            let n = p.items.len();
            let paged = p.total_records.is_some();
            all.extend(p.items);
            let more = if paged {
                p.next_page_url.is_some() && n > 0
            } else {
                false
            };
            if !more {
                break;
            }
        }
        Ok(all)
    }

    // ----- sessions ----------------------------------------------------------------------

    /// The current session token, logging in first when there is none or it is about to expire.
    async fn session_token(&self) -> Result<Secret, KfError> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref() {
            let fresh_for = self
                .cfg
                .session_idle_timeout
                .saturating_sub(self.cfg.session_refresh_margin);
            if s.last_used.elapsed() < fresh_for {
                return Ok(s.token.clone());
            }
            tracing::info!(target: "kashflow::client", "session token near idle expiry; logging in again");
        }
        let token = self.do_login().await?;
        *guard = Some(Session {
            token: token.clone(),
            last_used: Instant::now(),
        });
        Ok(token)
    }

    async fn touch(&self, token: &Secret) {
        if let Some(s) = self.session.lock().await.as_mut() {
            if &s.token == token {
                s.last_used = Instant::now();
            }
        }
    }

    async fn forget_session(&self, token: &Secret) {
        let mut guard = self.session.lock().await;
        if guard.as_ref().is_some_and(|s| &s.token == token) {
            *guard = None;
        }
    }

    /// The two-step login. Never loops: a refusal is an `Auth` error.
    async fn do_login(&self) -> Result<Secret, KfError> {
        if self.cfg.username.trim().is_empty()
            || self.cfg.password.is_empty()
            || self.cfg.memorable_word.is_empty()
        {
            return Err(KfError::Config(
                "UserName, Password and MemorableWord are all needed to log in to KashFlow".into(),
            ));
        }
        let kind = RequestKind::Read; // logging in changes nothing worth looking up
        let req1 = "POST /sessiontoken";
        let temp: TemporaryTokenResponse = self
            .login_step(
                Method::POST,
                req1,
                &TemporaryTokenRequest {
                    user_name: self.cfg.username.clone(),
                    password: self.cfg.password.clone(),
                },
            )
            .await?;
        let word: Vec<char> = self.cfg.memorable_word.expose().chars().collect();
        let mut answers = Vec::with_capacity(temp.memorable_word_list.len());
        for c in &temp.memorable_word_list {
            let ch = (c.position as usize)
                .checked_sub(1)
                .and_then(|i| word.get(i))
                .ok_or_else(|| KfError::Auth {
                    code: "MemorableWordTooShort".into(),
                    message: format!(
                        "KashFlow asked for character {} of the memorable word, which has {} characters; check the memorable word setting",
                        c.position,
                        word.len()
                    ),
                })?;
            answers.push(MemorableWordChar {
                position: c.position,
                value: Secret::new(ch.to_string()),
            });
        }
        if answers.is_empty() || temp.temporary_token.is_empty() {
            return Err(KfError::Decode {
                request: req1.into(),
                detail: "the login answer had no temporary token or memorable-word positions"
                    .into(),
                kind,
            });
        }
        let req2 = "PUT /sessiontoken";
        let session: SessionTokenResponse = self
            .login_step(
                Method::PUT,
                req2,
                &SessionTokenRequest {
                    temporary_token: temp.temporary_token,
                    memorable_word_list: answers,
                },
            )
            .await?;
        if session.session_token.is_empty() {
            return Err(KfError::Decode {
                request: req2.into(),
                detail: "the login answer had no SessionToken".into(),
                kind,
            });
        }
        tracing::info!(target: "kashflow::client", "logged in to KashFlow");
        if let Ok(mut c) = self.company.lock() {
            *c = session.company_name.clone();
        }
        Ok(session.session_token)
    }

    /// One request of the login: send `body` to `/sessiontoken` once (never retried: a refused
    /// login counts towards KashFlow's lockout), and read the answer.
    async fn login_step<Req: serde::Serialize, Resp: DeserializeOwned>(
        &self,
        method: Method,
        request: &'static str,
        body: &Req,
    ) -> Result<Resp, KfError> {
        let kind = RequestKind::Read;
        let body =
            serde_json::to_value(body).map_err(|e| KfError::Config(format!("encoding: {e}")))?;
        let raw = self
            .send_once("login", &method, "/sessiontoken", &[], Some(&body), None)
            .await?;
        if !(200..300).contains(&raw.status) {
            return Err(login_error(request, kind, &raw, &self.secrets()));
        }
        decode(request, kind, &raw.body)
    }

    /// Log in now (replacing any current session). Useful to test credentials.
    pub async fn login(&self) -> Result<(), KfError> {
        let mut guard = self.session.lock().await;
        let token = self.do_login().await?;
        *guard = Some(Session {
            token,
            last_used: Instant::now(),
        });
        Ok(())
    }

    /// The account's `CompanyName` as the last successful login reported it.
    pub fn company_name(&self) -> Option<String> {
        self.company.lock().ok().and_then(|c| c.clone())
    }

    /// Whether a session token is held (it may still have expired on KashFlow's side).
    pub async fn has_session(&self) -> bool {
        self.session.lock().await.is_some()
    }

    /// End the session on KashFlow (`DELETE /sessiontoken`). No session: nothing to do.
    pub async fn logout(&self) -> Result<(), KfError> {
        let token = match self.session.lock().await.take() {
            Some(s) => s.token,
            None => return Ok(()),
        };
        let raw = self
            .send_once(
                "logout",
                &Method::DELETE,
                "/sessiontoken",
                &[],
                None,
                Some(&token),
            )
            .await?;
        match raw.status {
            200..=299 | 401 => Ok(()), // 401: already expired — logged out either way
            _ => Err(classify(
                "DELETE /sessiontoken",
                RequestKind::Write,
                &raw,
                &self.secrets(),
            )),
        }
    }

    // ----- customers ---------------------------------------------------------------------

    pub async fn get_customer(&self, code: &str) -> Result<Option<Customer>, KfError> {
        self.get_optional("get_customer", &format!("/customers/{}", seg(code)))
            .await
    }

    /// Customers whose email (top level or a contact's) is `email`
    /// (`GET /customers/search?email=`).
    pub async fn find_customers_by_email(&self, email: &str) -> Result<Vec<Customer>, KfError> {
        let q = [("email", email.to_owned())];
        match self
            .get_list("find_customers_by_email", "/customers/search", &q)
            .await
        {
            Ok((items, _)) => Ok(items),
            Err(KfError::NotFound { .. }) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    pub async fn create_customer(&self, customer: &Customer) -> Result<Customer, KfError> {
        let body = to_body(customer)?;
        self.call_json(
            "create_customer",
            Method::POST,
            "/customers",
            &[],
            Some(&body),
        )
        .await
    }

    /// Full replacement of customer `code` (send the whole customer).
    pub async fn update_customer(
        &self,
        code: &str,
        customer: &Customer,
    ) -> Result<Customer, KfError> {
        let body = to_body(customer)?;
        let path = format!("/customers/{}", seg(code));
        self.call_json("update_customer", Method::PUT, &path, &[], Some(&body))
            .await
    }

    pub async fn list_customers(
        &self,
        page: u32,
        per_page: u32,
    ) -> Result<Page<Customer>, KfError> {
        self.get_page("list_customers", "/customers", page, per_page)
            .await
    }

    // ----- invoices ----------------------------------------------------------------------

    pub async fn get_invoice(&self, number: i64) -> Result<Option<Invoice>, KfError> {
        self.get_optional("get_invoice", &format!("/invoices/{number}"))
            .await
    }

    pub async fn create_invoice(&self, invoice: &Invoice) -> Result<Invoice, KfError> {
        let body = to_body(invoice)?;
        self.call_json(
            "create_invoice",
            Method::POST,
            "/invoices",
            &[],
            Some(&body),
        )
        .await
    }

    /// Full replacement of invoice `number` (lines and payment lines included).
    pub async fn update_invoice(&self, number: i64, invoice: &Invoice) -> Result<Invoice, KfError> {
        let body = to_body(invoice)?;
        let path = format!("/invoices/{number}");
        self.call_json("update_invoice", Method::PUT, &path, &[], Some(&body))
            .await
    }

    pub async fn delete_invoice(&self, number: i64) -> Result<(), KfError> {
        let path = format!("/invoices/{number}");
        self.call("delete_invoice", Method::DELETE, &path, &[], None)
            .await
            .map(|_| ())
    }

    /// Record a payment on an invoice: GET it, append `payment` to its `PaymentLines`, PUT it
    /// back. An unknown invoice is `NotFound`.
    pub async fn add_invoice_payment(
        &self,
        number: i64,
        payment: PaymentLine,
    ) -> Result<Invoice, KfError> {
        let mut invoice = self
            .get_invoice(number)
            .await?
            .ok_or_else(|| KfError::NotFound {
                request: format!("GET /invoices/{number}"),
                message: format!("invoice {number} does not exist"),
            })?;
        let mut payment = payment;
        payment.id = None;
        invoice
            .payment_lines
            .get_or_insert_with(Vec::new)
            .push(payment);
        self.update_invoice(number, &invoice).await
    }

    /// `GET /internal/invoices/{invoiceid}/credits`: credits usable against the invoice whose
    /// internal `Id` is `invoice_id` (see `kashflow::credit_note`).
    pub async fn list_credits(
        &self,
        invoice_id: i64,
    ) -> Result<Vec<crate::kashflow::credit_note::CreditApplication>, KfError> {
        let path = crate::kashflow::credit_note::credits_path(invoice_id);
        self.call_json("list_credits", Method::GET, &path, &[], None)
            .await
    }

    /// `POST /internal/invoices/{invoiceid}/credits`: apply a credit (a credit note) to the
    /// invoice whose internal `Id` is `invoice_id`.
    pub async fn apply_credit(
        &self,
        invoice_id: i64,
        credit: &crate::kashflow::credit_note::CreditApplication,
    ) -> Result<crate::kashflow::credit_note::CreditApplication, KfError> {
        let body = to_body(credit)?;
        let path = crate::kashflow::credit_note::credits_path(invoice_id);
        self.call_json("apply_credit", Method::POST, &path, &[], Some(&body))
            .await
    }

    pub async fn list_invoices(&self, page: u32, per_page: u32) -> Result<Page<Invoice>, KfError> {
        self.get_page("list_invoices", "/invoices", page, per_page)
            .await
    }

    /// `GET /nextavailableinvoicenumber`.
    pub async fn next_invoice_number(&self) -> Result<i64, KfError> {
        self.call_json(
            "next_invoice_number",
            Method::GET,
            "/nextavailableinvoicenumber",
            &[],
            None,
        )
        .await
    }

    /// `POST /invoices/bulk/payments`: pay several invoices in one go; answers with its `Number`.
    pub async fn bulk_invoice_payments(&self, bulk: &BulkPayment) -> Result<BulkPayment, KfError> {
        let body = to_body(bulk)?;
        self.call_json(
            "bulk_invoice_payments",
            Method::POST,
            "/invoices/bulk/payments",
            &[],
            Some(&body),
        )
        .await
    }

    // ----- products and lookups ----------------------------------------------------------

    /// Every product (walks all pages).
    pub async fn list_products(&self) -> Result<Vec<Product>, KfError> {
        self.get_all("list_products", "/products").await
    }

    pub async fn get_product(&self, nominal: i64, code: &str) -> Result<Option<Product>, KfError> {
        self.get_optional("get_product", &format!("/products/{nominal}/{}", seg(code)))
            .await
    }

    /// Full replacement of a product (how stock levels are set by hand).
    pub async fn update_product(
        &self,
        nominal: i64,
        code: &str,
        product: &Product,
    ) -> Result<Product, KfError> {
        let body = to_body(product)?;
        let path = format!("/products/{nominal}/{}", seg(code));
        self.call_json("update_product", Method::PUT, &path, &[], Some(&body))
            .await
    }

    /// Every nominal code (walks all pages).
    pub async fn list_nominals(&self) -> Result<Vec<Nominal>, KfError> {
        self.get_all("list_nominals", "/nominals").await
    }

    pub async fn list_vat_rates(&self) -> Result<Vec<VatRate>, KfError> {
        self.get_all("list_vat_rates", "/vat/settings/vatrates")
            .await
    }

    pub async fn list_currencies(&self) -> Result<Vec<Currency>, KfError> {
        self.get_all("list_currencies", "/currencies").await
    }

    pub async fn list_bank_accounts(&self) -> Result<Vec<BankAccount>, KfError> {
        self.get_all("list_bank_accounts", "/bankaccounts").await
    }

    /// Invoice payment methods (`GET /paymentmethods/invoice`).
    pub async fn list_payment_methods(&self) -> Result<Vec<PaymentMethod>, KfError> {
        self.get_all("list_payment_methods", "/paymentmethods/invoice")
            .await
    }
}

fn seg(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

fn to_body<T: Serialize>(v: &T) -> Result<Value, KfError> {
    serde_json::to_value(v).map_err(|e| KfError::Config(format!("encoding the request: {e}")))
}

fn decode<T: DeserializeOwned>(
    request: &str,
    kind: RequestKind,
    body: &[u8],
) -> Result<T, KfError> {
    caseless::from_slice(body).map_err(|e| KfError::Decode {
        request: request.to_owned(),
        detail: e.to_string(),
        kind,
    })
}

/// A refused login step: credentials problems are `Auth`; server trouble stays retryable.
fn login_error(request: &str, kind: RequestKind, raw: &Raw, secrets: &[&Secret]) -> KfError {
    match classify(request, kind, raw, secrets) {
        KfError::Rejected { code, message, .. } => KfError::Auth {
            code: if code.is_empty() {
                "LoginRefused".into()
            } else {
                code
            },
            message,
        },
        KfError::NotFound { message, .. } => KfError::Config(format!(
            "the login address {request} does not exist at the configured BaseUrl ({message})"
        )),
        other => other,
    }
}

#[cfg(test)]
mod tests {
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
