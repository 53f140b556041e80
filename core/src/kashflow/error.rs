//! Errors of the KashFlow client, classified for the engine's retry decisions.
//!
//! Every failure falls in exactly one [`FailureClass`]:
//! - `Retryable`: nothing happened on KashFlow's side, or it was a read — safe to try again later
//!   (5xx or timeout on a read, connection refused, the SQL-timeout 400 on a read, 429).
//! - `Permanent`: KashFlow refused the request (validation 400, 404); retrying the same request
//!   will fail the same way. KashFlow's `Message` is kept for the shop admin.
//! - `OutcomeUnknown`: a write (POST/PUT/DELETE) was sent and its answer was lost or was a 5xx or
//!   a SQL timeout — it may or may not have been applied. Look before writing again.
//! - `Auth`: bad credentials, locked account, expired password, or a session KashFlow keeps
//!   refusing. Never retried automatically (repeated logins lock the account).
//!
//! Messages never contain secrets: the client never puts the password, memorable word or tokens in
//! an error, and transport errors are reduced to their kind without the URL's query.

use std::time::Duration;

use thiserror::Error;

/// How the engine should treat a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureClass {
    Retryable,
    Permanent,
    OutcomeUnknown,
    Auth,
}

/// KashFlow's numeric `Error` for a server-side SQL timeout reported as HTTP 400.
pub const SQL_TIMEOUT_CODE: &str = "-2146232060";

/// Whether a request may have changed data on KashFlow (decides 5xx/lost-response handling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Read,
    Write,
}

impl RequestKind {
    pub fn of(method: &reqwest::Method) -> Self {
        match *method {
            reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::OPTIONS => {
                RequestKind::Read
            }
            _ => RequestKind::Write,
        }
    }
}

/// A failed KashFlow call. `request` is "METHOD /path" (no host, no query, no secrets).
#[derive(Debug, Error)]
pub enum KfError {
    /// 400 (other than the SQL timeout) or another 4xx: KashFlow refused the request.
    #[error("KashFlow refused {request} (HTTP {status}, {code}): {message}")]
    Rejected {
        request: String,
        status: u16,
        code: String,
        message: String,
    },
    /// 404: the object does not exist.
    #[error("KashFlow has no such object for {request}: {message}")]
    NotFound { request: String, message: String },
    /// 5xx from KashFlow.
    #[error("KashFlow server error on {request} (HTTP {status}): {message}")]
    Server {
        request: String,
        status: u16,
        message: String,
        kind: RequestKind,
    },
    /// KashFlow's database timed out (reported as 400 with Error -2146232060).
    #[error("KashFlow timed out in its database on {request}: {message}")]
    SqlTimeout {
        request: String,
        message: String,
        kind: RequestKind,
    },
    /// 429 Too Many Requests.
    #[error("KashFlow asked us to slow down on {request} (HTTP 429){}", retry_after_text(.retry_after))]
    RateLimited {
        request: String,
        retry_after: Option<Duration>,
    },
    /// No answer within the configured time.
    #[error("KashFlow did not answer {request} within {timeout:?}")]
    Timeout {
        request: String,
        timeout: Duration,
        kind: RequestKind,
    },
    /// Could not connect; the request was not sent.
    #[error("could not connect to KashFlow for {request}: {detail}")]
    Connect { request: String, detail: String },
    /// The connection broke after the request was sent; no (complete) answer arrived.
    #[error("the connection to KashFlow broke during {request}: {detail}")]
    ConnectionLost {
        request: String,
        detail: String,
        kind: RequestKind,
    },
    /// Login refused or a session KashFlow keeps refusing. `code` is KashFlow's `Error`
    /// (`InvalidCredentials`, `AccountLocked`, `PasswordExpired`, `InvalidSessionToken`, ...).
    #[error("KashFlow login failed ({code}): {message}")]
    Auth { code: String, message: String },
    /// A response we could not read.
    #[error("could not read KashFlow's answer to {request}: {detail}")]
    Decode {
        request: String,
        detail: String,
        kind: RequestKind,
    },
    /// Client configuration problem (bad base URL, missing credentials, ...).
    #[error("KashFlow client configuration: {0}")]
    Config(String),
}

fn retry_after_text(d: &Option<Duration>) -> String {
    match d {
        Some(d) => format!("; retry after {}s", d.as_secs()),
        None => String::new(),
    }
}

impl KfError {
    pub fn class(&self) -> FailureClass {
        use FailureClass::*;
        let by_kind = |k: &RequestKind| match k {
            RequestKind::Read => Retryable,
            RequestKind::Write => OutcomeUnknown,
        };
        match self {
            KfError::Rejected { .. } | KfError::NotFound { .. } | KfError::Config(_) => Permanent,
            KfError::Server { kind, .. }
            | KfError::SqlTimeout { kind, .. }
            | KfError::Timeout { kind, .. }
            | KfError::ConnectionLost { kind, .. } => by_kind(kind),
            KfError::RateLimited { .. } | KfError::Connect { .. } => Retryable,
            KfError::Auth { .. } => Auth,
            // A read we cannot parse will not parse next time either; a write we cannot parse
            // was accepted (2xx) but we cannot tell what was created.
            KfError::Decode { kind, .. } => match kind {
                RequestKind::Read => Permanent,
                RequestKind::Write => OutcomeUnknown,
            },
        }
    }

    /// The wait KashFlow asked for (`Retry-After` on a 429), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            KfError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// KashFlow's `Error` code when the failure came with one.
    pub fn kashflow_code(&self) -> Option<&str> {
        match self {
            KfError::Rejected { code, .. } | KfError::Auth { code, .. } => Some(code),
            KfError::SqlTimeout { .. } => Some(SQL_TIMEOUT_CODE),
            _ => None,
        }
    }

    /// The HTTP status when KashFlow answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            KfError::Rejected { status, .. } | KfError::Server { status, .. } => Some(*status),
            KfError::NotFound { .. } => Some(404),
            KfError::SqlTimeout { .. } => Some(400),
            KfError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_that_may_have_happened_are_outcome_unknown() {
        let w = KfError::Server {
            request: "POST /invoices".into(),
            status: 500,
            message: "x".into(),
            kind: RequestKind::Write,
        };
        assert_eq!(w.class(), FailureClass::OutcomeUnknown);
        let r = KfError::Server {
            request: "GET /invoices/1".into(),
            status: 503,
            message: "x".into(),
            kind: RequestKind::Read,
        };
        assert_eq!(r.class(), FailureClass::Retryable);
        let c = KfError::Connect {
            request: "POST /invoices".into(),
            detail: "refused".into(),
        };
        assert_eq!(c.class(), FailureClass::Retryable);
        let l = KfError::RateLimited {
            request: "POST /invoices".into(),
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(l.class(), FailureClass::Retryable);
        assert_eq!(l.retry_after(), Some(Duration::from_secs(3)));
        assert!(l.to_string().contains("retry after 3s"));
    }
}
