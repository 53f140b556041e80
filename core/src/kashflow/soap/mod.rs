//! The `Soap` transport: KashFlow's SOAP 1.1 API (`/api/service.asmx`) on reqwest + quick-xml.
//!
//! This module owns the client's configuration and state and one call: envelope out (user name
//! and API password in every request, `SOAPAction: "KashFlow/<Op>"`), answer in, `soap:Fault`
//! read, `Status`/`StatusDetail` checked on every answer and a `NO` classified into the one
//! [`KfError`] (bad login and "IP not in the access list" are login failures that say what to
//! change in KashFlow → Settings → API; everything else by meaning, permanent where unknown).
//! Reads are retried like REST's (same [`Backoff`]); writes never.
//!
//! - `envelope`: writing and reading envelopes (quick-xml; every value escaped by the writer);
//! - `wire`: the SOAP types ↔ the crate's KashFlow model (customers, invoices, lines, payments,
//!   lookups), amounts at the precision KashFlow keeps;
//! - `ops`: the operations, and the [`Transport`](super::transport::Transport) impl;
//! - `assumptions`: every guessed behaviour, shared with the sandbox.

pub mod assumptions;
pub mod envelope;
mod ops;
pub mod wire;

use std::collections::{BTreeMap, HashMap};

use std::fmt;
use std::sync::Mutex as StdMutex;
use std::time::Duration;
use wire::Lookups;

use super::error::{KfError, RequestKind};
use super::http_client::{build_client, retry_reads, transport_error, RequestCounter};
use super::ratelimit::RateLimiter;
use super::secret::{redact, Secret};
use crate::backoff::Backoff;
use crate::mapping::text::quote;

pub use assumptions::{SoapAssumptions, SuppliedInvoiceNumber};
use envelope::Node;

/// SOAP client settings. `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct SoapConfig {
    /// The service address, e.g. `https://securedwebapp.com/api/service.asmx` or a sandbox's
    /// `http://127.0.0.1:PORT/api/service.asmx`.
    pub url: String,
    pub username: String,
    /// The API password (KashFlow → Settings → API), or the login password when no separate one
    /// is set there.
    pub password: Secret,
    pub requests_per_second: u32,
    pub burst: u32,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub read_retries: u32,
    pub backoff: Backoff,
    pub assumptions: SoapAssumptions,
}

impl SoapConfig {
    /// The same defaults as the REST client's for this service address; credentials empty.
    pub fn new(url: impl Into<String>) -> Self {
        SoapConfig {
            url: url.into(),
            username: String::new(),
            password: Secret::default(),
            requests_per_second: 5,
            burst: 1,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            read_retries: 3,
            backoff: Backoff::new(Duration::from_millis(250), Duration::from_secs(10)),
            assumptions: SoapAssumptions::default(),
        }
    }

    fn shown_url(&self) -> String {
        quote(&redact::url(&self.url, &[&self.password]))
    }
}

/// The SOAP client. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct SoapClient {
    cfg: SoapConfig,
    http: reqwest::Client,
    limiter: RateLimiter,
    requests: RequestCounter,
    company: StdMutex<Option<String>>,
    lookups: tokio::sync::Mutex<Option<Lookups>>,
    /// customer code (upper case) → CustomerID
    customer_ids: StdMutex<HashMap<String, i64>>,
}

impl fmt::Debug for SoapClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoapClient")
            .field("config", &self.cfg)
            .field("requests", &self.requests.total())
            .finish_non_exhaustive()
    }
}

impl SoapClient {
    /// Build a client. Fails only on a bad address or TLS set-up.
    pub fn new(cfg: SoapConfig) -> Result<Self, KfError> {
        let http = build_client(
            "SoapUrl",
            &cfg.url,
            &cfg.shown_url(),
            cfg.timeout,
            cfg.connect_timeout,
        )?;
        Ok(SoapClient {
            limiter: RateLimiter::new(cfg.requests_per_second, cfg.burst),
            http,
            requests: RequestCounter::default(),
            company: StdMutex::new(None),
            lookups: tokio::sync::Mutex::new(None),
            customer_ids: StdMutex::new(HashMap::new()),
            cfg,
        })
    }

    pub fn config(&self) -> &SoapConfig {
        &self.cfg
    }

    /// HTTP requests sent so far.
    pub fn request_count(&self) -> u64 {
        self.requests.total()
    }

    /// Requests per SOAP operation.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.requests.per_op()
    }

    fn count(&self, op: &str) {
        self.requests.count(op);
    }

    /// One SOAP call: the operation's response element, its `Status` checked. Reads that fail in
    /// a retryable way are tried again (bounded); writes never.
    pub(crate) async fn call(
        &self,
        op: &'static str,
        kind: RequestKind,
        args: &(dyn Fn(&mut envelope::XmlOut) + Sync),
    ) -> Result<Node, KfError> {
        if self.cfg.username.trim().is_empty() || self.cfg.password.is_empty() {
            return Err(KfError::Config(
                "UserName and Password (the API password) are both needed for KashFlow's SOAP API"
                    .into(),
            ));
        }
        retry_reads(op, kind, self.cfg.read_retries, &self.cfg.backoff, || {
            self.call_once(op, kind, args)
        })
        .await
    }

    async fn call_once(
        &self,
        op: &'static str,
        kind: RequestKind,
        args: &(dyn Fn(&mut envelope::XmlOut) + Sync),
    ) -> Result<Node, KfError> {
        let request = format!("SOAP {op}");
        let body = envelope::request(
            op,
            self.cfg.username.trim(),
            self.cfg.password.expose(),
            args,
        );
        self.limiter.acquire().await;
        self.count(op);
        let transport = |e: reqwest::Error| transport_error(&request, kind, self.cfg.timeout, &e);
        let resp = self
            .http
            .post(self.cfg.url.trim())
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", envelope::soap_action(op))
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = resp.bytes().await.map_err(transport)?.to_vec();
        tracing::debug!(target: "kashflow::soap", op, status, "KashFlow answered");
        let secrets = [&self.cfg.password];
        let decode = |detail: String| KfError::Decode {
            request: request.clone(),
            detail,
            kind,
        };
        let parsed =
            envelope::parse(&bytes).and_then(|root| envelope::body_element(&root).cloned());
        match status {
            200 => {
                let el = parsed.map_err(decode)?;
                if el.name == "Fault" {
                    return Err(fault_error(&request, kind, 200, &el, &secrets));
                }
                if el.name != format!("{op}Response") {
                    return Err(decode(format!("expected {op}Response, got <{}>", el.name)));
                }
                match el.text_of("Status") {
                    Some(s) if s.eq_ignore_ascii_case("OK") => Ok(el),
                    Some(_) => {
                        let detail = el.text_of("StatusDetail").unwrap_or_default();
                        Err(classify_no(&request, kind, detail, &secrets))
                    }
                    None => Err(decode("the answer has no Status".into())),
                }
            }
            429 => Err(KfError::RateLimited {
                request,
                retry_after,
            }),
            401 | 403 => Err(KfError::Auth {
                code: "Forbidden".into(),
                message: format!(
                    "KashFlow's SOAP service refused the call (HTTP {status}); check that the SOAP API is enabled in KashFlow → Settings → API"
                ),
            }),
            404 => Err(KfError::Config(format!(
                "the SOAP service address '{}' does not exist (HTTP 404)",
                self.cfg.shown_url()
            ))),
            _ => match parsed {
                Ok(el) if el.name == "Fault" => Err(fault_error(&request, kind, status, &el, &secrets)),
                _ if status >= 500 || status == 408 => Err(KfError::Server {
                    request,
                    status,
                    message: quote(&redact::body(&bytes, &secrets)),
                    kind,
                }),
                _ => Err(KfError::Rejected {
                    request,
                    status,
                    code: String::new(),
                    message: quote(&redact::body(&bytes, &secrets)),
                }),
            },
        }
    }
}

/// A `soap:Fault`. "Server was unable to read request" means our request could not be read
/// (permanent: sending it again fails the same way); any other fault is a server error.
fn fault_error(
    request: &str,
    kind: RequestKind,
    status: u16,
    fault: &Node,
    secrets: &[&Secret],
) -> KfError {
    let text = fault.text_of("faultstring").unwrap_or_default();
    let message = quote(&redact::body(text.as_bytes(), secrets));
    let code = fault.text_of("faultcode").unwrap_or_default();
    if text.contains("unable to read request") || code.ends_with("Client") {
        KfError::Rejected {
            request: request.to_owned(),
            status,
            code: "SoapFault".into(),
            message,
        }
    } else {
        KfError::Server {
            request: request.to_owned(),
            status: status.max(500),
            message,
            kind,
        }
    }
}

/// A `Status` `NO` answer as an error, by meaning.
pub(crate) fn classify_no(
    request: &str,
    kind: RequestKind,
    detail: &str,
    secrets: &[&Secret],
) -> KfError {
    let message = quote(&redact::body(detail.trim().as_bytes(), secrets));
    let lower = detail.to_ascii_lowercase();
    if lower.contains("incorrect username or password") {
        return KfError::Auth {
            code: "InvalidCredentials".into(),
            message: format!(
                "{message}. Check the user name and the API password: in KashFlow → Settings → API, the SOAP API must be enabled, and if a separate API password is set there, that password (not the login password) is the one to enter"
            ),
        };
    }
    if lower.contains("not in the access list") {
        return KfError::Auth {
            code: "IpNotAllowed".into(),
            message: format!(
                "{message}. Add this server's IP address to the allowed IP addresses in KashFlow → Settings → API (or switch the IP restriction off)"
            ),
        };
    }
    if lower.contains("execution timeout expired") {
        return KfError::SqlTimeout {
            request: request.to_owned(),
            message,
            kind,
        };
    }
    if lower.contains("not found") || lower.contains("does not exist") || lower.contains("no such")
    {
        return KfError::NotFound {
            request: request.to_owned(),
            message,
        };
    }
    let code = if lower.contains("already") || lower.contains("duplicate") {
        "Duplicate"
    } else {
        "StatusNO"
    };
    KfError::Rejected {
        request: request.to_owned(),
        status: 200,
        code: code.into(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kashflow::error::FailureClass;

    #[test]
    fn no_answers_are_classified_by_meaning() {
        let s = Secret::new("hunter2".to_string());
        let e = classify_no(
            "SOAP GetCurrencies",
            RequestKind::Read,
            "Incorrect username or password",
            &[&s],
        );
        assert_eq!(e.class(), FailureClass::Auth);
        assert!(e.to_string().contains("Settings → API"), "{e}");
        let e = classify_no(
            "SOAP X",
            RequestKind::Read,
            "The IP address of 10.1.2.3 is not in the access list",
            &[&s],
        );
        assert!(matches!(&e, KfError::Auth { code, .. } if code == "IpNotAllowed"));
        assert!(
            e.to_string().contains("10.1.2.3") && e.to_string().contains("allowed IP"),
            "{e}"
        );
        let e = classify_no(
            "SOAP InsertInvoice",
            RequestKind::Write,
            assumptions::SQL_TIMEOUT_TEXT,
            &[&s],
        );
        assert_eq!(e.class(), FailureClass::OutcomeUnknown);
        let e = classify_no(
            "SOAP GetInvoice",
            RequestKind::Read,
            "Invoice 7 was not found",
            &[&s],
        );
        assert!(matches!(e, KfError::NotFound { .. }));
        let e = classify_no(
            "SOAP InsertInvoice",
            RequestKind::Write,
            "Something odd hunter2",
            &[&s],
        );
        assert_eq!(e.class(), FailureClass::Permanent);
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn bad_urls_are_config_errors() {
        assert!(matches!(
            SoapClient::new(SoapConfig::new("not a url")),
            Err(KfError::Config(_))
        ));
        assert!(matches!(
            SoapClient::new(SoapConfig::new("ftp://x/api")),
            Err(KfError::Config(_))
        ));
    }
}
