//! The [`SandboxHandle`]: how tests, `kfsync` and the engine see and steer a running sandbox —
//! its address and login, direct access to the account, fault injection, the clock, the request
//! log and call counts, and shutdown.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::auth::AuthSettings;
use super::faults::{FaultKind, FaultRule, RandomFaults};
use super::server::{lock, Shared};
use super::state::Account;
use crate::kashflow::model::{Customer, Invoice, Product};
use crate::kashflow::rest::ClientConfig;

/// Request log entries kept (oldest dropped first); counts are kept forever.
pub(super) const LOG_CAPACITY: usize = 20_000;

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
pub(super) struct RequestLog {
    pub(super) records: VecDeque<RequestRecord>,
    pub(super) counts: BTreeMap<String, u64>,
    pub(super) total: u64,
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
    pub(super) fn new(
        shared: Arc<Shared>,
        addr: SocketAddr,
        shutdown: oneshot::Sender<()>,
        task: JoinHandle<()>,
    ) -> Self {
        SandboxHandle {
            shared,
            addr,
            shutdown: Mutex::new(Some(shutdown)),
            task: Mutex::new(Some(task)),
        }
    }

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

    /// `http://127.0.0.1:PORT/api/service.asmx`: the SOAP API over the same account.
    pub fn soap_url(&self) -> String {
        format!(
            "http://{}{}",
            self.addr,
            crate::kashflow::soap::envelope::SERVICE_PATH
        )
    }

    /// A SOAP client configuration for this sandbox (its login as user name and API password,
    /// its SOAP assumptions).
    pub fn soap_config(&self) -> crate::kashflow::soap::SoapConfig {
        let s = self.auth_settings();
        crate::kashflow::soap::SoapConfig {
            username: s.username,
            password: s.password,
            assumptions: *lock(&self.shared.soap),
            ..crate::kashflow::soap::SoapConfig::new(self.soap_url())
        }
    }

    /// Restrict SOAP callers to these IP addresses (`None`: anyone). Callers are 127.0.0.1.
    pub fn set_soap_allowed_ips(&self, ips: Option<Vec<String>>) {
        *lock(&self.shared.soap_allowed_ips) = ips;
    }

    /// Change the SOAP API's guessed behaviours.
    pub fn set_soap_assumptions(&self, a: crate::kashflow::soap::SoapAssumptions) {
        *lock(&self.shared.soap) = a;
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

    /// Remove a customer as a merge in KashFlow's UI would (see `Account::remove_customer`).
    pub fn remove_customer(&self, code: &str) -> bool {
        self.with_account_mut(|a| a.remove_customer(code))
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
