//! The processor's way to KashFlow: one client per configuration, built on first use.
//!
//! `Transport` picks the client: `Rest` ([`KashFlowClient`]) or `Soap` ([`SoapClient`], at
//! `SoapUrl`, KashFlow's service by default, or the sandbox's on the `BaseUrl`'s server).
//! `Mode: "Live"` points the client at `BaseUrl` (KashFlow's API by default). `Mode: "Sandbox"`
//! starts the in-process sandbox KashFlow on 127.0.0.1 (a free port) with its seeded account and
//! points the client there; the sandbox lives as long as the connection. A reconfigure that
//! changes the KashFlow settings makes the next job build a new connection (jobs hold an `Arc`,
//! so one still running on the old connection finishes on it).
//!
//! A refused login blocks the connection: KashFlow locks an account after repeated failed logins,
//! so no job tries the bad password again. Wrong credentials stay blocked until the settings
//! change (a new connection) or a connection test succeeds; a locked account is tried once more
//! after [`LOCKOUT_WAIT`]. Jobs meanwhile wait, looking again every [`super::failure::AUTH_POLL`].

use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::engine::{KashFlowMode, KashFlowSettings};
use crate::kashflow::error::KfError;
use crate::kashflow::rest::{ClientConfig, KashFlowClient};
use crate::kashflow::sandbox::server::{SandboxConfig, SandboxHandle, SandboxServer};
use crate::kashflow::soap::{SoapClient, SoapConfig};
use crate::kashflow::transport::{Transport, TransportKind};

use super::failure::{Failure, AUTH_POLL, LOCKOUT_WAIT};
use crate::kashflow::error::KfError as Kf;

/// A transport, and the sandbox it talks to in Sandbox mode.
pub struct Connection {
    pub transport: Box<dyn Transport>,
    pub sandbox: Option<SandboxHandle>,
    pub base_url: String,
    /// Why logins are refused, and when one may be tried again (`None`: not until the settings
    /// change).
    auth_block: StdMutex<Option<(Option<Instant>, String)>>,
}

impl Connection {
    /// `Err(Wait)` while a refused login is being respected.
    pub fn check_blocked(&self) -> Result<(), Failure> {
        let mut b = self.auth_block.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((until, reason)) = b.as_ref() {
            match until {
                Some(t) if Instant::now() >= *t => *b = None, // one job may try again
                _ => {
                    return Err(Failure::Wait {
                        reason: reason.clone(),
                        recheck_after: Some(AUTH_POLL),
                    })
                }
            }
        }
        Ok(())
    }

    /// Remember a refused login (`error` decides for how long).
    pub fn block(&self, error: &Kf, reason: String) {
        let locked =
            matches!(error, Kf::Auth { code, .. } if code.eq_ignore_ascii_case("AccountLocked"));
        let until = locked.then(|| Instant::now() + LOCKOUT_WAIT);
        let mut b = self.auth_block.lock().unwrap_or_else(|p| p.into_inner());
        *b = Some((until, reason));
    }

    pub fn is_blocked(&self) -> bool {
        self.auth_block.lock().map(|b| b.is_some()).unwrap_or(false)
    }
}

/// The client settings for a configuration (Live mode, or the sandbox's address and login).
pub fn client_config(settings: &KashFlowSettings, base_url: &str) -> ClientConfig {
    let mut c = ClientConfig::new(base_url);
    c.username = settings.user_name.clone();
    c.password = settings.password.clone();
    c.memorable_word = settings.memorable_word.clone();
    c.requests_per_second = settings.requests_per_second;
    // Allow a short burst so two workers starting together are not serialised needlessly.
    c.burst = settings.requests_per_second.clamp(1, 10);
    c.timeout = Duration::from_secs(u64::from(settings.timeout_seconds.max(1)));
    c
}

/// The SOAP client settings for a configuration and service address.
pub fn soap_config(settings: &KashFlowSettings, url: &str) -> SoapConfig {
    let mut c = SoapConfig::new(url);
    c.username = settings.user_name.clone();
    c.password = settings.password.clone();
    c.requests_per_second = settings.requests_per_second;
    c.burst = settings.requests_per_second.clamp(1, 10);
    c.timeout = Duration::from_secs(u64::from(settings.timeout_seconds.max(1)));
    c
}

/// Build a connection for these settings (starts the sandbox in Sandbox mode). `unthrottled`
/// lifts the client's rate limit (benchmarks and tests against a local sandbox only).
pub async fn connect(
    settings: &KashFlowSettings,
    unthrottled: bool,
) -> Result<Connection, Failure> {
    let (client_cfg, sandbox) = match settings.mode {
        KashFlowMode::Live => {
            let base = settings
                .effective_base_url()
                .unwrap_or_default()
                .to_string();
            (client_config(settings, &base), None)
        }
        KashFlowMode::Sandbox => match settings.base_url.as_deref() {
            // A sandbox served elsewhere (e.g. `kfsync sandbox`): use it like a live KashFlow.
            Some(url) => (client_config(settings, url), None),
            None => {
                let handle = SandboxServer::start(SandboxConfig::default())
                    .await
                    .map_err(|e| Failure::Wait {
                        reason: format!("the in-process sandbox KashFlow could not start: {e}"),
                        recheck_after: Some(AUTH_POLL),
                    })?;
                // The sandbox's own login; the configured requests-per-second and timeout apply.
                let mut c = handle.client_config();
                c.requests_per_second = settings.requests_per_second;
                c.burst = settings.requests_per_second.clamp(1, 10);
                c.timeout = Duration::from_secs(u64::from(settings.timeout_seconds.max(1)));
                (c, Some(handle))
            }
        },
    };
    let mut client_cfg = client_cfg;
    if unthrottled {
        client_cfg.requests_per_second = 0;
    }
    let setup = |e: KfError| match e {
        KfError::Config(m) => Failure::Wait {
            reason: format!("the KashFlow connection settings are not usable: {m}"),
            recheck_after: Some(AUTH_POLL),
        },
        other => Failure::kf("setting up the KashFlow client", other),
    };
    let (transport, base_url): (Box<dyn Transport>, String) = match settings.transport {
        TransportKind::Rest => {
            let base_url = client_cfg.base_url.clone();
            (
                Box::new(KashFlowClient::new(client_cfg).map_err(setup)?),
                base_url,
            )
        }
        TransportKind::Soap => {
            let url = match &sandbox {
                Some(h) => h.soap_url(),
                None => settings.effective_soap_url().unwrap_or_default(),
            };
            let mut c = soap_config(settings, &url);
            if let Some(h) = &sandbox {
                let own = h.soap_config();
                c.username = own.username;
                c.password = own.password;
                c.assumptions = own.assumptions;
            }
            if unthrottled {
                c.requests_per_second = 0;
            }
            (Box::new(SoapClient::new(c).map_err(setup)?), url)
        }
    };
    Ok(Connection {
        transport,
        sandbox,
        base_url,
        auth_block: StdMutex::new(None),
    })
}

/// The current connection, rebuilt when the KashFlow settings change.
#[derive(Default)]
pub struct Connections {
    slot: Mutex<Option<(KashFlowSettings, Arc<Connection>)>>,
    unthrottled: bool,
}

impl Connections {
    pub fn new() -> Self {
        Self::default()
    }

    /// Connections without the client-side rate limit (see [`connect`]).
    pub fn unthrottled() -> Self {
        Connections {
            unthrottled: true,
            ..Self::default()
        }
    }

    pub async fn get(&self, settings: &KashFlowSettings) -> Result<Arc<Connection>, Failure> {
        let mut slot = self.slot.lock().await;
        if let Some((s, c)) = slot.as_ref() {
            if s == settings {
                c.check_blocked()?;
                return Ok(c.clone());
            }
        }
        let conn = Arc::new(connect(settings, self.unthrottled).await?);
        *slot = Some((settings.clone(), conn.clone()));
        Ok(conn)
    }

    /// Use `conn` for `settings` from now on (a connection test logged in with it).
    pub async fn replace(&self, settings: &KashFlowSettings, conn: Arc<Connection>) {
        *self.slot.lock().await = Some((settings.clone(), conn));
    }

    /// The connection in use, if one was built (e.g. to reach the in-process sandbox).
    pub async fn current(&self) -> Option<Arc<Connection>> {
        self.slot.lock().await.as_ref().map(|(_, c)| c.clone())
    }
}
