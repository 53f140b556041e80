//! The sandbox's HTTP server: its configuration, the state every request shares (account,
//! logins, faults, request log, clock) and starting hyper 0.14 on 127.0.0.1. What a request goes
//! through is in `serve`; the REST routes' answers in `rest_api`; the handle in `handle`.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use hyper::service::{make_service_fn, service_fn};
use tokio::sync::oneshot;

use super::auth::{Auth, AuthSettings, Clock};
use super::faults::{Faults, RandomFaults};
use super::handle::RequestLog;
use super::serve::serve;
use super::state::Account;
use crate::kashflow::soap::SoapAssumptions;

pub use super::handle::{RequestRecord, SandboxHandle};

/// Page size when the caller gives none, and the largest accepted.
pub const DEFAULT_PER_PAGE: usize = 20;
pub const MAX_PER_PAGE: usize = 250;

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
    /// The SOAP API's guessed behaviours (shared with the SOAP client).
    pub soap: SoapAssumptions,
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
            soap: SoapAssumptions::default(),
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

pub(super) struct Shared {
    pub(super) account: Mutex<Account>,
    pub(super) auth: Mutex<Auth>,
    pub(super) faults: Mutex<Faults>,
    pub(super) log: Mutex<RequestLog>,
    pub(super) clock: Clock,
    pub(super) base_url: String,
    pub(super) soap: Mutex<SoapAssumptions>,
    /// SOAP's IP allow-list (None: no restriction). Callers are always 127.0.0.1.
    pub(super) soap_allowed_ips: Mutex<Option<Vec<String>>>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
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
            soap: Mutex::new(config.soap),
            soap_allowed_ips: Mutex::new(None),
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
        Ok(SandboxHandle::new(shared, addr, tx, task))
    }
}
