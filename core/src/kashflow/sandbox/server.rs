//! The sandbox's HTTP side: a hyper 0.14 server on 127.0.0.1 that routes `/v2/...` requests to
//! the account model, applies injected faults, logs every call, and the [`SandboxHandle`] through
//! which tests and the engine inspect and steer it.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Request, Response, StatusCode};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::auth::{Auth, AuthSettings, Clock};
use super::faults::{FaultKind, FaultRule, Faults, RandomFaults};
use super::reply::{ApiError, Outcome, Reply};
use super::routes::Route;
use super::state::Account;
use crate::kashflow::model::{
    Customer, Invoice, ListMetaData, PagedList, Product, SessionTokenRequest, TemporaryTokenRequest,
};
use crate::kashflow::rest::ClientConfig;
use crate::kashflow::{caseless, error::SQL_TIMEOUT_CODE};

/// Page size when the caller gives none, and the largest accepted.
pub const DEFAULT_PER_PAGE: usize = 20;
pub const MAX_PER_PAGE: usize = 250;
/// Request log entries kept (oldest dropped first); counts are kept forever.
const LOG_CAPACITY: usize = 20_000;

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Login, session expiry and lockout settings.
    pub auth: AuthSettings,
    /// Start with the contract's seeded UK account (true) or an empty one.
    pub seed_data: bool,
    /// Let invoices take stock-managed products below zero (KashFlow's behaviour is unknown;
    /// the strict default refuses).
    pub allow_negative_stock: bool,
    /// Added to every request.
    pub latency: Duration,
    pub random_faults: Option<RandomFaults>,
    /// Seed for memorable-word positions and tokens (None: from entropy).
    pub rng_seed: Option<u64>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            auth: AuthSettings::default(),
            seed_data: true,
            allow_negative_stock: false,
            latency: Duration::ZERO,
            random_faults: None,
            rng_seed: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox KashFlow could not listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("sandbox configuration: {0}")]
    InvalidConfig(String),
}

/// One request as the sandbox saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    /// Route template (`/invoices/{number}`), or the raw path when no route matched.
    pub route: String,
    pub path: String,
    /// Status answered; `None` when the connection was dropped.
    pub status: Option<u16>,
    pub fault: Option<FaultKind>,
    pub at: Instant,
}

impl RequestRecord {
    /// "METHOD /template", the key of call counts.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.route)
    }
}

#[derive(Default)]
struct RequestLog {
    records: VecDeque<RequestRecord>,
    counts: BTreeMap<String, u64>,
    total: u64,
}

struct Shared {
    account: Mutex<Account>,
    auth: Mutex<Auth>,
    faults: Mutex<Faults>,
    log: Mutex<RequestLog>,
    clock: Clock,
    base_url: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock must not take the whole sandbox down with it.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Starts sandboxes.
pub struct SandboxServer;

impl SandboxServer {
    /// Bind 127.0.0.1:`config.port` and serve in the background on the current tokio runtime.
    pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
        let word_len = config.auth.memorable_word.expose().chars().count();
        if word_len < 3 {
            return Err(SandboxError::InvalidConfig(format!(
                "the memorable word needs at least 3 characters (it has {word_len})"
            )));
        }
        if config.auth.password.is_empty() || config.auth.username.trim().is_empty() {
            return Err(SandboxError::InvalidConfig(
                "user name and password must not be empty".into(),
            ));
        }
        let bind = |e| SandboxError::Bind {
            port: config.port,
            source: e,
        };
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port)).map_err(bind)?;
        listener.set_nonblocking(true).map_err(bind)?;
        let addr = listener.local_addr().map_err(bind)?;
        let mut account = if config.seed_data {
            Account::seeded()
        } else {
            Account::empty()
        };
        account.allow_negative_stock = config.allow_negative_stock;
        let mut faults = Faults::default();
        faults.latency = config.latency;
        faults.set_random(config.random_faults.clone());
        let shared = Arc::new(Shared {
            account: Mutex::new(account),
            auth: Mutex::new(Auth::new(config.auth.clone(), config.rng_seed)),
            faults: Mutex::new(faults),
            log: Mutex::new(RequestLog::default()),
            clock: Clock::default(),
            base_url: format!("http://{addr}/v2"),
        });
        let svc_shared = shared.clone();
        let make = make_service_fn(move |_conn| {
            let shared = svc_shared.clone();
            async move { Ok::<_, Infallible>(service_fn(move |req| serve(shared.clone(), req))) }
        });
        let (tx, rx) = oneshot::channel::<()>();
        let server = hyper::Server::from_tcp(listener)
            .map_err(|e| bind(std::io::Error::other(e.to_string())))?
            .http1_keepalive(true)
            .serve(make)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            });
        let task = tokio::spawn(async move {
            if let Err(e) = server.await {
                tracing::warn!(target: "kashflow::sandbox", "sandbox server stopped: {e}");
            }
        });
        tracing::info!(target: "kashflow::sandbox", "sandbox KashFlow listening on {}", shared.base_url);
        Ok(SandboxHandle {
            shared,
            addr,
            shutdown: Mutex::new(Some(tx)),
            task: Mutex::new(Some(task)),
        })
    }
}

/// How long `shutdown` lets open connections finish before dropping them.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// A running sandbox: its address, its state, its faults and its request log.
pub struct SandboxHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Mutex<Option<oneshot::Sender<()>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("base_url", &self.shared.base_url)
            .finish()
    }
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT/v2`
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The login settings (user name, password, memorable word, expiry).
    pub fn auth_settings(&self) -> AuthSettings {
        lock(&self.shared.auth).settings().clone()
    }

    /// A client configuration that logs in to this sandbox.
    pub fn client_config(&self) -> ClientConfig {
        let s = self.auth_settings();
        ClientConfig {
            username: s.username,
            password: s.password,
            memorable_word: s.memorable_word,
            ..ClientConfig::new(self.base_url())
        }
    }

    // ----- state -------------------------------------------------------------------------

    /// Read the account.
    pub fn with_account<R>(&self, f: impl FnOnce(&Account) -> R) -> R {
        f(&lock(&self.shared.account))
    }

    /// Change the account directly (set stock, add data) — not through the API.
    pub fn with_account_mut<R>(&self, f: impl FnOnce(&mut Account) -> R) -> R {
        f(&mut lock(&self.shared.account))
    }

    pub fn invoice(&self, number: i64) -> Option<Invoice> {
        self.with_account(|a| a.invoice(number).cloned())
    }

    pub fn invoices(&self) -> Vec<Invoice> {
        self.with_account(|a| a.invoices().cloned().collect())
    }

    pub fn customer(&self, code: &str) -> Option<Customer> {
        self.with_account(|a| a.customer(code).cloned())
    }

    pub fn customers(&self) -> Vec<Customer> {
        self.with_account(|a| a.customers().cloned().collect())
    }

    pub fn product(&self, code: &str) -> Option<Product> {
        self.with_account(|a| a.product(code).cloned())
    }

    pub fn products(&self) -> Vec<Product> {
        self.with_account(|a| a.products().cloned().collect())
    }

    /// Stock of a product (None if no such product).
    pub fn stock(&self, code: &str) -> Option<Decimal> {
        self.product(code).map(|p| p.quantity_in_stock)
    }

    // ----- faults ------------------------------------------------------------------------

    pub fn inject(&self, rule: FaultRule) {
        lock(&self.shared.faults).push(rule);
    }

    /// The next `n` requests (any route) fail with `kind`.
    pub fn fail_next(&self, n: u32, kind: FaultKind) {
        self.inject(FaultRule::new(kind).times(n));
    }

    pub fn set_random_faults(&self, random: Option<RandomFaults>) {
        lock(&self.shared.faults).set_random(random);
    }

    pub fn set_latency(&self, latency: Duration) {
        lock(&self.shared.faults).latency = latency;
    }

    /// Remove scheduled and random faults (latency stays).
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    // ----- sessions ----------------------------------------------------------------------

    /// Every live session token stops working now.
    pub fn expire_sessions(&self) {
        lock(&self.shared.auth).expire_all();
    }

    /// Move the sandbox's clock forward (session idle expiry, temporary tokens, lockout).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    pub fn live_sessions(&self) -> usize {
        lock(&self.shared.auth).live_sessions(self.shared.clock.now())
    }

    /// Session tokens currently issued (as secrets).
    pub fn session_tokens(&self) -> Vec<crate::kashflow::secret::Secret> {
        lock(&self.shared.auth).session_tokens()
    }

    pub fn is_locked(&self) -> bool {
        lock(&self.shared.auth).is_locked(self.shared.clock.now())
    }

    pub fn unlock_account(&self) {
        lock(&self.shared.auth).unlock();
    }

    // ----- request log -------------------------------------------------------------------

    /// The most recent requests (up to 20 000), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).records.iter().cloned().collect()
    }

    /// Requests seen for "METHOD /template", e.g. `calls("POST /invoices")`.
    pub fn calls(&self, key: &str) -> u64 {
        let log = lock(&self.shared.log);
        log.counts
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| *v)
            .sum()
    }

    /// Requests per "METHOD /template".
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.shared.log).counts.clone()
    }

    pub fn total_calls(&self) -> u64 {
        lock(&self.shared.log).total
    }

    /// Requests answered with this status.
    pub fn responses_with_status(&self, status: u16) -> usize {
        lock(&self.shared.log)
            .records
            .iter()
            .filter(|r| r.status == Some(status))
            .count()
    }

    pub fn clear_requests(&self) {
        let mut log = lock(&self.shared.log);
        *log = RequestLog::default();
    }

    /// Stop serving and wait for the server task to finish. Graceful shutdown waits for open
    /// connections (a client holding a keep-alive connection, a request held by a `slow` fault);
    /// after `SHUTDOWN_GRACE` the server task is aborted, dropping whatever is still open.
    pub async fn shutdown(self) {
        if let Some(tx) = lock(&self.shutdown).take() {
            let _ = tx.send(());
        }
        let task = lock(&self.task).take();
        if let Some(mut t) = task {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut t).await.is_err() {
                t.abort();
                let _ = t.await;
            }
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(tx) = lock(&self.shutdown).take() {
            let _ = tx.send(());
        }
    }
}

// ----- request handling -------------------------------------------------------------------

/// Returned to hyper to make it close the connection without answering.
#[derive(Debug)]
struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sandbox fault: connection dropped")
    }
}

impl std::error::Error for DropConnection {}

fn respond(status: u16, body: Option<Vec<u8>>) -> Response<Body> {
    let mut r = Response::new(body.map(Body::from).unwrap_or_else(Body::empty));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn error_response(e: &ApiError) -> Response<Body> {
    respond(e.status, serde_json::to_vec(&e.body()).ok())
}

fn server_error() -> ApiError {
    ApiError::new(500, "InternalServerError", "An error has occurred.")
}

fn sql_timeout() -> ApiError {
    ApiError::bad_request(
        SQL_TIMEOUT_CODE,
        "Execution Timeout Expired.  The timeout period elapsed prior to completion of the \
         operation or the server is not responding.",
    )
}

/// Handle a request in its own task, so that a client giving up (timeout, closed connection) does
/// not cancel the processing — as on a real server, a write still happens.
async fn serve(shared: Arc<Shared>, req: Request<Body>) -> Result<Response<Body>, DropConnection> {
    tokio::spawn(process(shared, req))
        .await
        .unwrap_or(Err(DropConnection))
}

async fn process(
    shared: Arc<Shared>,
    req: Request<Body>,
) -> Result<Response<Body>, DropConnection> {
    let at = Instant::now();
    let method = req.method().as_str().to_ascii_uppercase();
    let path = req.uri().path().to_owned();
    let query = parse_query(req.uri().query());
    let auth_header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = hyper::body::to_bytes(req.into_body())
        .await
        .map_err(|_| DropConnection)?;
    let route = Route::parse(&method, &path);
    let template = route
        .as_ref()
        .map(|r| r.template().to_owned())
        .unwrap_or_else(|| path.clone());
    let (fault, latency) = {
        let mut f = lock(&shared.faults);
        let is_login = route.as_ref().is_some_and(Route::is_login);
        (f.pick(&method, &template, is_login), f.latency)
    };
    let delay = latency
        + match &fault {
            Some(FaultKind::Delay(d)) => *d,
            _ => Duration::ZERO,
        };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let record = |status: Option<u16>| {
        let mut log = lock(&shared.log);
        let rec = RequestRecord {
            method: method.clone(),
            route: template.clone(),
            path: path.clone(),
            status,
            fault: fault.clone(),
            at,
        };
        *log.counts.entry(rec.key()).or_default() += 1;
        log.total += 1;
        if log.records.len() >= LOG_CAPACITY {
            log.records.pop_front();
        }
        log.records.push_back(rec);
    };

    // Faults that stop the request before it is processed.
    match &fault {
        Some(FaultKind::ServerError) => {
            record(Some(500));
            return Ok(error_response(&server_error()));
        }
        Some(FaultKind::DropConnection) => {
            record(None);
            return Err(DropConnection);
        }
        Some(FaultKind::SqlTimeout) => {
            record(Some(400));
            return Ok(error_response(&sql_timeout()));
        }
        Some(FaultKind::RateLimited { retry_after_secs }) => {
            record(Some(429));
            let e = ApiError::new(429, "TooManyRequests", "Too many requests. Slow down.");
            let mut r = error_response(&e);
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                r.headers_mut().insert(RETRY_AFTER, v);
            }
            return Ok(r);
        }
        Some(FaultKind::ExpireSession) => {
            if let Some(token) = Auth::token_of(auth_header.as_deref()) {
                lock(&shared.auth).revoke(token);
            }
        }
        _ => {}
    }

    let outcome = match &route {
        None => Err(ApiError::not_found(format!(
            "No KashFlow resource answers {method} {path}."
        ))),
        Some(route) => dispatch(&shared, route, &query, &body, auth_header.as_deref()),
    };

    // Faults that show after the request was processed (and committed).
    match &fault {
        Some(FaultKind::CommitThenDrop) => {
            record(None);
            return Err(DropConnection);
        }
        Some(FaultKind::CommitThenServerError) => {
            record(Some(500));
            return Ok(error_response(&server_error()));
        }
        _ => {}
    }
    let response = match outcome {
        Ok(reply) => {
            let mut r = respond(reply.status, reply.body);
            if let Some(loc) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                r.headers_mut().insert(LOCATION, loc);
            }
            r
        }
        Err(e) => error_response(&e),
    };
    record(Some(response.status().as_u16()));
    Ok(response)
}

type Query = HashMap<String, String>;

fn parse_query(q: Option<&str>) -> Query {
    url::form_urlencoded::parse(q.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
        .collect()
}

fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::bad_request(
            "InvalidRequest",
            "The request needs a JSON body.",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(
            "InvalidRequest",
            format!("The request body is not valid JSON: {e}"),
        )
    })
}

fn number_param(what: &str, s: &str) -> Result<i64, ApiError> {
    s.trim().parse().map_err(|_| {
        ApiError::bad_request(
            "InvalidParameters",
            format!("{what} '{s}' is not a whole number."),
        )
    })
}

fn dispatch(shared: &Shared, route: &Route, q: &Query, body: &[u8], auth: Option<&str>) -> Outcome {
    use Route::*;
    let now = shared.clock.now();
    match route {
        TokenCreate => {
            let req: TemporaryTokenRequest = decode_login(body)?;
            return Reply::ok(&lock(&shared.auth).step1(&req, now)?);
        }
        TokenExchange => {
            let req: SessionTokenRequest = decode_login(body)?;
            return Reply::ok(&lock(&shared.auth).step2(&req, now)?);
        }
        _ => {}
    }
    let token = lock(&shared.auth).authorize(auth, now)?;
    let acct = || lock(&shared.account);
    match route {
        TokenCreate | TokenExchange => unreachable!("handled above"),
        TokenDelete => {
            lock(&shared.auth).revoke(&token);
            Ok(Reply::no_content())
        }
        TokenDeleteOne(t) => {
            if lock(&shared.auth).revoke(t) {
                Ok(Reply::no_content())
            } else {
                Err(ApiError::not_found("No such session token."))
            }
        }
        CustomersList => {
            let mut items: Vec<Customer> = acct().customers().cloned().collect();
            sort_customers(&mut items, q)?;
            paged(items, q, &shared.base_url, "/customers")
        }
        CustomersSearch => {
            let (email, code, name) = (q.get("email"), q.get("code"), q.get("name"));
            if email.is_none() && code.is_none() && name.is_none() {
                return Err(ApiError::bad_request(
                    "InvalidParameters",
                    "Search needs at least one of email, code or name.",
                ));
            }
            let found = acct().search_customers(
                email.map(String::as_str),
                code.map(String::as_str),
                name.map(String::as_str),
            );
            Reply::ok(&found)
        }
        CustomerGet(code) => match acct().customer(code) {
            Some(c) => Reply::ok(c),
            None => Err(ApiError::not_found(format!(
                "Customer '{code}' was not found."
            ))),
        },
        CustomerCreate => {
            let c = acct().create_customer(&json_body(body)?)?;
            let loc = format!("/v2/customers/{}", path_segment(&c.code));
            Reply::created(&c, loc)
        }
        CustomerUpdate(code) => Reply::ok(&acct().update_customer(code, &json_body(body)?)?),
        InvoicesList => {
            let mut items: Vec<Invoice> = acct().invoices().map(summary).collect();
            sort_invoices(&mut items, q)?;
            paged(items, q, &shared.base_url, "/invoices")
        }
        InvoiceGet(n) => {
            let n = number_param("Invoice number", n)?;
            match acct().invoice(n) {
                Some(i) => Reply::ok(i),
                None => Err(ApiError::not_found(format!("Invoice {n} was not found."))),
            }
        }
        InvoiceCreate => {
            let inv = acct().create_invoice(&json_body(body)?)?;
            let loc = format!("/v2/invoices/{}", inv.number.unwrap_or_default());
            Reply::created(&inv, loc)
        }
        InvoiceUpdate(n) => {
            let n = number_param("Invoice number", n)?;
            Reply::ok(&acct().update_invoice(n, &json_body(body)?)?)
        }
        InvoiceDelete(n) => {
            let n = number_param("Invoice number", n)?;
            acct().delete_invoice(n)?;
            Ok(Reply::no_content())
        }
        NextInvoiceNumber => Reply::ok(&acct().next_invoice_number()),
        InvoiceCredits(id) => {
            let id = number_param("Invoice id", id)?;
            Reply::ok(&acct().credits_for(id)?)
        }
        InvoiceCreditApply(id) => {
            let id = number_param("Invoice id", id)?;
            let applied = acct().apply_credit(id, &json_body(body)?)?;
            let loc = format!("/v2/internal/invoices/{id}/credits");
            Reply::created(&applied, loc)
        }
        BulkPaymentCreate => {
            let b = acct().create_bulk_payment(&json_body(body)?)?;
            let loc = format!(
                "/v2/invoices/bulk/payments/{}",
                b.number.unwrap_or_default()
            );
            Reply::created(&b, loc)
        }
        BulkPaymentGet(n) => {
            let n = number_param("Bulk payment number", n)?;
            match acct().bulk_payment(n) {
                Some(b) => Reply::ok(b),
                None => Err(ApiError::not_found(format!(
                    "Bulk payment {n} was not found."
                ))),
            }
        }
        ProductsList => {
            let filter = match q.get("nominalcode") {
                Some(n) => Some(number_param("nominalcode", n)?),
                None => None,
            };
            let items: Vec<Product> = acct()
                .products()
                .filter(|p| filter.is_none_or(|n| p.nominal_code == n))
                .cloned()
                .collect();
            paged(items, q, &shared.base_url, "/products")
        }
        ProductCreate => {
            let p = acct().create_product(&json_body(body)?)?;
            let loc = format!("/v2/products/{}/{}", p.nominal_code, path_segment(&p.code));
            Reply::created(&p, loc)
        }
        ProductGet(nominal, code) => {
            let nominal = number_param("Nominal code", nominal)?;
            match acct().product_at(nominal, code) {
                Some(p) => Reply::ok(p),
                None => Err(ApiError::not_found(format!(
                    "Product '{code}' under nominal {nominal} was not found."
                ))),
            }
        }
        ProductUpdate(nominal, code) => {
            let nominal = number_param("Nominal code", nominal)?;
            Reply::ok(&acct().update_product(nominal, code, &json_body(body)?)?)
        }
        NominalProducts(nominal) => {
            let nominal = number_param("Nominal code", nominal)?;
            let a = acct();
            if !a.nominals.contains_key(&nominal) {
                return Err(ApiError::not_found(format!(
                    "Nominal {nominal} was not found."
                )));
            }
            let items: Vec<Product> = a
                .products()
                .filter(|p| p.nominal_code == nominal)
                .cloned()
                .collect();
            Reply::ok(&items)
        }
        NominalsList => {
            let items: Vec<_> = acct().nominals.values().cloned().collect();
            paged(items, q, &shared.base_url, "/nominals")
        }
        NominalGet(code) => {
            let code = number_param("Nominal code", code)?;
            match acct().nominals.get(&code) {
                Some(n) => Reply::ok(n),
                None => Err(ApiError::not_found(format!(
                    "Nominal {code} was not found."
                ))),
            }
        }
        VatRates => Reply::ok(&acct().vat_rates),
        Currencies => Reply::ok(&acct().currencies),
        BankAccounts => Reply::ok(&acct().bank_accounts),
        BankAccountGet(id) => {
            let id = number_param("Bank account id", id)?;
            match acct().bank_accounts.iter().find(|b| b.id == id) {
                Some(b) => Reply::ok(b),
                None => Err(ApiError::not_found(format!(
                    "Bank account {id} was not found."
                ))),
            }
        }
        PaymentMethods(kind) => {
            if kind.eq_ignore_ascii_case("invoice") {
                Reply::ok(&acct().payment_methods)
            } else if kind.eq_ignore_ascii_case("purchase") {
                // The sandbox keeps no purchase ledger; the same methods apply.
                Reply::ok(&acct().payment_methods)
            } else {
                Err(ApiError::bad_request(
                    "InvalidParameters",
                    format!("Payment method type '{kind}' is not 'invoice' or 'purchase'."),
                ))
            }
        }
    }
}

fn decode_login<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let v = json_body(body)?;
    caseless::from_value(v).map_err(|e| {
        ApiError::bad_request(
            "InvalidRequest",
            format!("The login request could not be read: {e}"),
        )
    })
}

fn path_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A list row: the invoice header without lines and payments (as KashFlow's list returns).
fn summary(i: &Invoice) -> Invoice {
    Invoice {
        line_items: None,
        payment_lines: None,
        ..i.clone()
    }
}

fn order_desc(q: &Query) -> Result<bool, ApiError> {
    match q.get("order").map(|o| o.to_ascii_lowercase()) {
        None => Ok(false),
        Some(o) if o == "asc" => Ok(false),
        Some(o) if o == "desc" => Ok(true),
        Some(o) => Err(ApiError::bad_request(
            "InvalidParameters",
            format!("order '{o}' must be Asc or Desc."),
        )),
    }
}

fn sort_invoices(items: &mut [Invoice], q: &Query) -> Result<(), ApiError> {
    let desc = order_desc(q)?;
    let by = q.get("sortby").map(|s| s.to_ascii_lowercase());
    match by.as_deref() {
        None | Some("number") => items.sort_by_key(|i| i.number),
        Some("invoicedate") => items.sort_by_key(|i| (i.issued_date, i.number)),
        Some("paymentduedate") => items.sort_by_key(|i| (i.due_date, i.number)),
        Some("grossamount") => items.sort_by_key(|i| (i.gross_amount, i.number)),
        Some("netamount") => items.sort_by_key(|i| (i.net_amount, i.number)),
        Some("customerref") => {
            items.sort_by(|a, b| a.customer_reference.cmp(&b.customer_reference))
        }
        Some("customername") => items.sort_by(|a, b| a.customer_name.cmp(&b.customer_name)),
        Some("status") => items.sort_by(|a, b| a.status.cmp(&b.status)),
        Some(other) => {
            return Err(ApiError::bad_request(
                "InvalidParameters",
                format!(
                "sortby '{other}' is not one of Number, CustomerRef, CustomerName, InvoiceDate, \
                     PaymentDueDate, GrossAmount, NetAmount, Status."
            ),
            ))
        }
    }
    if desc {
        items.reverse();
    }
    Ok(())
}

fn sort_customers(items: &mut [Customer], q: &Query) -> Result<(), ApiError> {
    let desc = order_desc(q)?;
    let by = q.get("sortby").map(|s| s.to_ascii_lowercase());
    match by.as_deref() {
        None | Some("code") => items.sort_by(|a, b| a.code.cmp(&b.code)),
        Some("name") => items.sort_by(|a, b| a.name.cmp(&b.name)),
        Some("totalpaidamount") => items.sort_by_key(|c| c.total_paid_amount),
        Some("outstandingbalance") => items.sort_by_key(|c| c.outstanding_balance),
        Some(other) => {
            return Err(ApiError::bad_request(
                "InvalidParameters",
                format!(
                "sortby '{other}' is not one of Code, Name, TotalPaidAmount, OutstandingBalance."
            ),
            ))
        }
    }
    if desc {
        items.reverse();
    }
    Ok(())
}

/// One page of `items` as `{Data, MetaData}`; `page` is 1-based.
fn paged<T: Serialize + Clone>(items: Vec<T>, q: &Query, base: &str, path: &str) -> Outcome {
    let page = match q.get("page") {
        None => 1,
        Some(p) => match p.trim().parse::<usize>() {
            Ok(p) if p >= 1 => p,
            _ => {
                return Err(ApiError::bad_request(
                    "InvalidParameters",
                    format!("page '{p}' must be a whole number from 1."),
                ))
            }
        },
    };
    let per_page = match q.get("perpage") {
        None => DEFAULT_PER_PAGE,
        Some(p) => match p.trim().parse::<usize>() {
            Ok(p) if (1..=MAX_PER_PAGE).contains(&p) => p,
            _ => {
                return Err(ApiError::bad_request(
                    "InvalidParameters",
                    format!("perpage '{p}' must be a whole number from 1 to {MAX_PER_PAGE}."),
                ))
            }
        },
    };
    let total = items.len();
    let last_page = total.div_ceil(per_page).max(1);
    let mut extra = String::new();
    for k in ["sortby", "order"] {
        if let Some(v) = q.get(k) {
            extra.push_str(&format!("&{k}={}", path_segment(v)));
        }
    }
    let url = |p: usize| format!("{base}{path}?page={p}&perpage={per_page}{extra}");
    let data: Vec<T> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    Reply::ok(&PagedList {
        data,
        meta_data: ListMetaData {
            first_page_url: Some(url(1)),
            last_page_url: Some(url(last_page)),
            next_page_url: (page < last_page).then(|| url(page + 1)),
            previous_page_url: (page > 1).then(|| url((page - 1).min(last_page))),
            total_records: total as u64,
        },
    })
}
