//! The engine's configuration document (`EngineConfig`, PascalCase JSON): where the journal lives,
//! how to reach KashFlow, the mapping rules, which flow steps run, retry and circuit-breaker policy.
//!
//! Read with serde through [`super::document`], so every error names the exact setting
//! (`"KashFlow.TimeoutSeconds"`); unknown keys are refused (`deny_unknown_fields`) because a
//! misspelt setting silently falling back to a default is worse than an error; `null` means the
//! default. Secrets (`Password`, `MemorableWord`) live in [`Secret`], whose `Debug` is redacted,
//! and an error never repeats their value.

use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::document;
use super::error::EngineError;
use crate::flows::FlowDocument;

/// Mapping rules as carried by the engine: the mapping stage's typed, validated rules.
pub use crate::mapping::rules::MappingRules;

fn default_rules() -> MappingRules {
    MappingRules::default()
}

/// Read and validate the `Rules` document with the mapping stage's own checks.
fn parse_rules(v: &Value) -> Result<MappingRules, EngineError> {
    let bytes = serde_json::to_vec(v)
        .map_err(|e| EngineError::invalid_config(format!("Rules: {e}"), Some("Rules")))?;
    MappingRules::from_json(&bytes).map_err(|errs| {
        let path = errs
            .errors
            .first()
            .and_then(|e| e.path.clone())
            .map(|p| p.trim_end_matches('.').to_string());
        EngineError::invalid_config(errs.to_string(), path.as_deref().or(Some("Rules")))
    })
}

pub use crate::kashflow::secret::Secret;

/// KashFlow's production API.
pub const LIVE_BASE_URL: &str = "https://api.kashflow.com/v2";

/// KashFlow's SOAP service.
pub const LIVE_SOAP_URL: &str = "https://securedwebapp.com/api/service.asmx";

pub use crate::kashflow::transport::TransportKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KashFlowMode {
    Live,
    Sandbox,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[serde(rename_all = "PascalCase")]
pub struct KashFlowSettings {
    pub mode: KashFlowMode,
    /// `Rest` (user name, password and memorable word) or `Soap` (user name and the API
    /// password from KashFlow → Settings → API; no memorable word).
    pub transport: TransportKind,
    /// The SOAP service address. `None`: KashFlow's ([`LIVE_SOAP_URL`]) in Live mode; in Sandbox
    /// mode the sandbox's, on the same server as `BaseUrl`.
    pub soap_url: Option<String>,
    /// `None` means the mode's default (Live: [`LIVE_BASE_URL`]; Sandbox: chosen by the host).
    pub base_url: Option<String>,
    pub user_name: String,
    pub password: Secret,
    pub memorable_word: Secret,
    pub requests_per_second: u32,
    pub timeout_seconds: u32,
}

impl Default for KashFlowSettings {
    fn default() -> Self {
        KashFlowSettings {
            mode: KashFlowMode::Live,
            transport: TransportKind::Rest,
            soap_url: None,
            base_url: None,
            user_name: String::new(),
            password: Secret::default(),
            memorable_word: Secret::default(),
            requests_per_second: 5,
            timeout_seconds: 30,
        }
    }
}

impl KashFlowSettings {
    /// The base URL requests go to: the configured one, or KashFlow's live API in Live mode.
    pub fn effective_base_url(&self) -> Option<&str> {
        match (&self.base_url, self.mode) {
            (Some(u), _) => Some(u.as_str()),
            (None, KashFlowMode::Live) => Some(LIVE_BASE_URL),
            (None, KashFlowMode::Sandbox) => None,
        }
    }

    /// The SOAP address: the configured one, KashFlow's in Live mode, or in Sandbox mode
    /// `/api/service.asmx` on the `BaseUrl`'s server (the sandbox serves both APIs).
    pub fn effective_soap_url(&self) -> Option<String> {
        if let Some(u) = &self.soap_url {
            return Some(u.clone());
        }
        match (self.mode, &self.base_url) {
            (KashFlowMode::Live, _) => Some(LIVE_SOAP_URL.to_string()),
            (KashFlowMode::Sandbox, Some(base)) => {
                let u = url::Url::parse(base).ok()?;
                let origin = u.origin().ascii_serialization();
                Some(format!(
                    "{origin}{}",
                    crate::kashflow::soap::envelope::SERVICE_PATH
                ))
            }
            (KashFlowMode::Sandbox, None) => None,
        }
    }
}

/// Which parts of the flow run. All on by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[serde(rename_all = "PascalCase")]
pub struct FlowSteps {
    pub sync_customers: bool,
    pub create_invoices: bool,
    pub record_payments: bool,
    pub pull_stock: bool,
    /// Partial refunds wait (job state `Held`) for the admin to itemise them (choose lines and
    /// quantities) or post them spread over the VAT rates (`CreditNoteRelease`). Off by default:
    /// they are spread and posted at once.
    pub hold_partial_refunds: bool,
}

impl Default for FlowSteps {
    fn default() -> Self {
        FlowSteps {
            sync_customers: true,
            create_invoices: true,
            record_payments: true,
            pull_stock: true,
            hold_partial_refunds: false,
        }
    }
}

/// Retries of retryable failures: exponential backoff with full jitter, capped, then dead letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[serde(rename_all = "PascalCase")]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay_ms: u64,
    pub max_delay_ms: u64,
}

impl RetryPolicy {
    /// The waits between attempts: the crate's one backoff, from `BaseDelayMs` and `MaxDelayMs`.
    pub fn backoff(&self) -> crate::backoff::Backoff {
        crate::backoff::Backoff::new(
            std::time::Duration::from_millis(self.base_delay_ms),
            std::time::Duration::from_millis(self.max_delay_ms),
        )
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base_delay_ms: 500,
            max_delay_ms: 300_000,
        }
    }
}

/// Engine-wide circuit breaker: after `FailureThreshold` consecutive retryable failures stop
/// claiming jobs for `CoolDownMs`, then let one probe job through. (Added to the contract.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[serde(rename_all = "PascalCase")]
pub struct BreakerPolicy {
    pub failure_threshold: u32,
    pub cool_down_ms: u64,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        BreakerPolicy {
            failure_threshold: 5,
            cool_down_ms: 30_000,
        }
    }
}

/// The active-worker lease (`engine::lease`): of the processes sharing one journal, the holder runs
/// the jobs; the others only enqueue. A dead holder is taken over after `ExpiryMs`; the holder
/// renews every `RenewMs` (at most a third of `ExpiryMs`). (Added to the contract.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[serde(rename_all = "PascalCase")]
pub struct WorkerLeasePolicy {
    pub expiry_ms: u64,
    pub renew_ms: u64,
}

impl Default for WorkerLeasePolicy {
    fn default() -> Self {
        WorkerLeasePolicy {
            expiry_ms: 10_000,
            renew_ms: 3_000,
        }
    }
}

/// How hard the journal pushes each commit to disk. (Added to the contract.)
/// `Full`: fsync on every commit: an enqueued order survives power loss. `Normal`: WAL is
/// written on commit and fsynced at checkpoints: survives the process being killed, but the
/// last commits may be lost if the machine itself loses power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum JournalDurability {
    #[default]
    Full,
    Normal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EngineConfig {
    pub journal_path: PathBuf,
    #[serde(rename = "KashFlow")]
    pub kashflow: KashFlowSettings,
    pub rules: MappingRules,
    pub steps: FlowSteps,
    pub retry: RetryPolicy,
    pub workers: u32,
    pub circuit_breaker: BreakerPolicy,
    pub journal_durability: JournalDurability,
    pub worker_lease: WorkerLeasePolicy,
    /// The merchant's flows (`crate::flows`); `None`: the default flows, derived from `Steps`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flows: Option<FlowDocument>,
}

/// Read the `Flows` document with the flows' own reader; its first error, at its path under
/// `Flows`, is the configuration's error (the designer shows them all through
/// `kfs_flows_validate`).
fn parse_flows(v: &Value) -> Result<FlowDocument, EngineError> {
    crate::flows::read(v).map_err(|errs| {
        let first = errs.first();
        let path = first
            .map(|e| {
                if e.path.is_empty() {
                    "Flows".to_string()
                } else {
                    format!("Flows.{}", e.path)
                }
            })
            .unwrap_or_else(|| "Flows".into());
        let more = match errs.len() {
            0 | 1 => String::new(),
            n => format!(" (and {} more problem(s) in the flows)", n - 1),
        };
        EngineError::invalid_config(
            format!(
                "Flows: {}{more}",
                first.map(|e| e.message.as_str()).unwrap_or("not valid")
            ),
            Some(&path),
        )
    })
}

impl EngineConfig {
    /// The flows that decide what the worker does: the configured ones, else the default flows
    /// (the product's behaviour before flows, from the `Steps` switches).
    pub fn effective_flows(&self) -> std::borrow::Cow<'_, FlowDocument> {
        match &self.flows {
            Some(f) => std::borrow::Cow::Borrowed(f),
            None => std::borrow::Cow::Owned(crate::flows::default_flows(&self.steps)),
        }
    }

    /// A configuration with every default and the given journal path.
    pub fn new(journal_path: impl Into<PathBuf>) -> Self {
        EngineConfig {
            journal_path: journal_path.into(),
            kashflow: KashFlowSettings::default(),
            rules: default_rules(),
            steps: FlowSteps::default(),
            retry: RetryPolicy::default(),
            workers: default_workers(),
            circuit_breaker: BreakerPolicy::default(),
            journal_durability: JournalDurability::Full,
            worker_lease: WorkerLeasePolicy::default(),
            flows: None,
        }
    }

    /// Parse and validate the configuration document. Every error is `InvalidConfig` with the
    /// path of the setting at fault.
    pub fn from_json(json: &[u8]) -> Result<Self, EngineError> {
        let value: Value = serde_json::from_slice(json).map_err(|e| {
            EngineError::invalid_config(
                format!(
                    "the configuration is not valid JSON: {}",
                    crate::mapping::text::quote(&e.to_string())
                ),
                None,
            )
        })?;
        Self::from_value(&value)
    }

    pub fn from_value(value: &Value) -> Result<Self, EngineError> {
        if !value.is_object() {
            return Err(EngineError::invalid_config(
                "the configuration must be a JSON object",
                None,
            ));
        }
        let mut value = value.clone();
        // Rules are read by the mapping stage's own parser (its own paths and checks), so they
        // are taken out before the nulls go.
        let rules = value
            .as_object_mut()
            .and_then(|o| o.remove("Rules"))
            .filter(|r| !r.is_null());
        // Flows likewise: the flows' reader gives its own paths and words.
        let flows = value
            .as_object_mut()
            .and_then(|o| o.remove("Flows"))
            .filter(|r| !r.is_null());
        document::strip_nulls(&mut value);
        let doc: ConfigDocument = document::read(&value, SECRET_FIELDS)
            .map_err(|f| EngineError::invalid_config(f.message, f.path.as_deref()))?;
        let journal_path = doc.journal_path.ok_or_else(|| {
            EngineError::invalid_config("JournalPath is required", Some("JournalPath"))
        })?;
        let mut kashflow = doc.kashflow;
        kashflow.base_url = kashflow.base_url.filter(|u| !u.trim().is_empty());
        let config = EngineConfig {
            journal_path: journal_path.into(),
            kashflow,
            rules: match rules {
                Some(r) => parse_rules(&r)?,
                None => default_rules(),
            },
            steps: doc.steps,
            retry: doc.retry,
            workers: doc.workers,
            circuit_breaker: doc.circuit_breaker,
            journal_durability: doc.journal_durability,
            worker_lease: doc.worker_lease,
            flows: flows.as_ref().map(parse_flows).transpose()?,
        };
        config.validate()?;
        Ok(config)
    }

    /// Range and consistency checks (also run by `from_json`).
    pub fn validate(&self) -> Result<(), EngineError> {
        let bad = |msg: &str, path: &str| Err(EngineError::invalid_config(msg, Some(path)));
        if self.journal_path.as_os_str().is_empty() {
            return bad("JournalPath must not be empty", "JournalPath");
        }
        if !(1..=32).contains(&self.workers) {
            return bad("Workers must be between 1 and 32", "Workers");
        }
        let r = &self.retry;
        if !(1..=100).contains(&r.max_attempts) {
            return bad(
                "Retry.MaxAttempts must be between 1 and 100",
                "Retry.MaxAttempts",
            );
        }
        if r.base_delay_ms == 0 {
            return bad("Retry.BaseDelayMs must be at least 1", "Retry.BaseDelayMs");
        }
        if r.max_delay_ms < r.base_delay_ms {
            return bad(
                "Retry.MaxDelayMs must not be smaller than Retry.BaseDelayMs",
                "Retry.MaxDelayMs",
            );
        }
        let b = &self.circuit_breaker;
        if b.failure_threshold == 0 {
            return bad(
                "CircuitBreaker.FailureThreshold must be at least 1",
                "CircuitBreaker.FailureThreshold",
            );
        }
        if b.cool_down_ms == 0 {
            return bad(
                "CircuitBreaker.CoolDownMs must be at least 1",
                "CircuitBreaker.CoolDownMs",
            );
        }
        let l = &self.worker_lease;
        if !(1_000..=120_000).contains(&l.expiry_ms) {
            return bad(
                "WorkerLease.ExpiryMs must be between 1000 and 120000",
                "WorkerLease.ExpiryMs",
            );
        }
        if l.renew_ms < 100 || l.renew_ms.saturating_mul(3) > l.expiry_ms {
            return bad(
                "WorkerLease.RenewMs must be at least 100 and at most a third of WorkerLease.ExpiryMs",
                "WorkerLease.RenewMs",
            );
        }
        let k = &self.kashflow;
        if !(1..=100).contains(&k.requests_per_second) {
            return bad(
                "KashFlow.RequestsPerSecond must be between 1 and 100",
                "KashFlow.RequestsPerSecond",
            );
        }
        if !(1..=600).contains(&k.timeout_seconds) {
            return bad(
                "KashFlow.TimeoutSeconds must be between 1 and 600",
                "KashFlow.TimeoutSeconds",
            );
        }
        if let Some(soap) = &k.soap_url {
            match url::Url::parse(soap) {
                Ok(u) if u.scheme() == "https" => {}
                Ok(u) if u.scheme() == "http" && k.mode == KashFlowMode::Sandbox => {}
                Ok(_) => {
                    return bad(
                        "KashFlow.SoapUrl must use https (http only for a sandbox)",
                        "KashFlow.SoapUrl",
                    )
                }
                Err(e) => {
                    return bad(
                        &format!("KashFlow.SoapUrl is not a valid URL: {e}"),
                        "KashFlow.SoapUrl",
                    )
                }
            }
        }
        if let Some(base) = &k.base_url {
            let url = match url::Url::parse(base) {
                Ok(u) => u,
                Err(e) => {
                    return bad(
                        &format!("KashFlow.BaseUrl is not a valid URL: {e}"),
                        "KashFlow.BaseUrl",
                    )
                }
            };
            match (url.scheme(), k.mode) {
                ("https", _) | ("http", KashFlowMode::Sandbox) => {}
                ("http", KashFlowMode::Live) => {
                    return bad(
                        "KashFlow.BaseUrl must use https in Live mode",
                        "KashFlow.BaseUrl",
                    )
                }
                _ => {
                    return bad(
                        "KashFlow.BaseUrl must be an http(s) URL",
                        "KashFlow.BaseUrl",
                    )
                }
            }
        }
        Ok(())
    }

    /// The configuration as JSON with secrets replaced by `"<redacted>"` (for pages and logs).
    pub fn redacted_json(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(k) = v.get_mut("KashFlow").and_then(Value::as_object_mut) {
            for key in ["Password", "MemorableWord"] {
                if let Some(s) = k.get_mut(key) {
                    if s.as_str().is_some_and(|t| !t.is_empty()) {
                        *s = Value::String(Secret::REDACTED.into());
                    }
                }
            }
        }
        v
    }
}

impl<'de> Deserialize<'de> for EngineConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        EngineConfig::from_value(&v).map_err(serde::de::Error::custom)
    }
}

/// The configuration document as sent; [`EngineConfig::from_value`] turns it into the config.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ConfigDocument {
    journal_path: Option<String>,
    #[serde(rename = "KashFlow", default)]
    kashflow: KashFlowSettings,
    #[serde(default)]
    steps: FlowSteps,
    #[serde(default)]
    retry: RetryPolicy,
    #[serde(default = "default_workers")]
    workers: u32,
    #[serde(default)]
    circuit_breaker: BreakerPolicy,
    #[serde(default)]
    journal_durability: JournalDurability,
    #[serde(default)]
    worker_lease: WorkerLeasePolicy,
    /// Taken out and read by the mapping stage before this document is read; listed so that
    /// it is a known setting.
    #[serde(default, rename = "Rules")]
    _rules: Option<Value>,
    /// Taken out and read by the flows' reader likewise.
    #[serde(default, rename = "Flows")]
    _flows: Option<Value>,
}

/// Settings whose values an error message must never repeat.
const SECRET_FIELDS: &[&str] = &["KashFlow.Password", "KashFlow.MemorableWord"];

fn default_workers() -> u32 {
    2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<EngineConfig, EngineError> {
        EngineConfig::from_json(s.as_bytes())
    }

    #[test]
    fn minimal_document_takes_every_default() {
        let c = parse(r#"{"JournalPath":"/tmp/j.db"}"#).unwrap();
        assert_eq!(c.workers, 2);
        assert_eq!(c.retry, RetryPolicy::default());
        assert_eq!(c.kashflow.requests_per_second, 5);
        assert_eq!(c.kashflow.timeout_seconds, 30);
        assert_eq!(c.kashflow.effective_base_url(), Some(LIVE_BASE_URL));
        assert!(c.steps.pull_stock && c.steps.record_payments);
        assert_eq!(c.journal_durability, JournalDurability::Full);
        assert_eq!(c.worker_lease, WorkerLeasePolicy::default());
    }

    #[test]
    fn worker_lease_is_bounded_and_renews_well_inside_its_expiry() {
        let c =
            parse(r#"{"JournalPath":"j","WorkerLease":{"ExpiryMs":2000,"RenewMs":500}}"#).unwrap();
        assert_eq!(
            (c.worker_lease.expiry_ms, c.worker_lease.renew_ms),
            (2000, 500)
        );
        for (doc, path) in [
            (r#"{"ExpiryMs":500,"RenewMs":100}"#, "WorkerLease.ExpiryMs"),
            (r#"{"ExpiryMs":600000}"#, "WorkerLease.ExpiryMs"),
            (
                r#"{"ExpiryMs":10000,"RenewMs":5000}"#,
                "WorkerLease.RenewMs",
            ),
            (r#"{"RenewMs":50}"#, "WorkerLease.RenewMs"),
            (r#"{"Expiry":1}"#, "WorkerLease.Expiry"),
        ] {
            let e = parse(&format!(r#"{{"JournalPath":"j","WorkerLease":{doc}}}"#)).unwrap_err();
            assert_eq!(e.path(), Some(path), "{doc}");
        }
    }

    #[test]
    fn errors_name_the_setting() {
        let e = parse(r#"{"JournalPath":"j","KashFlow":{"TimeoutSeconds":"soon"}}"#).unwrap_err();
        assert_eq!(e.code(), "InvalidConfig");
        assert_eq!(e.path(), Some("KashFlow.TimeoutSeconds"));
        let e = parse(r#"{"JournalPath":"j","Retry":{"MaxAttempts":0}}"#).unwrap_err();
        assert_eq!(e.path(), Some("Retry.MaxAttempts"));
        let e = parse(r#"{"JournalPath":"j","Worker":3}"#).unwrap_err();
        assert_eq!(e.path(), Some("Worker"));
        let e = parse(r#"{"KashFlow":{}}"#).unwrap_err();
        assert_eq!(e.path(), Some("JournalPath"));
        let e = parse("{nope").unwrap_err();
        assert_eq!(e.code(), "InvalidConfig");
        let e = parse(r#"{"JournalPath":"j","KashFlow":{"Mode":"Live","BaseUrl":"http://x"}}"#)
            .unwrap_err();
        assert_eq!(e.path(), Some("KashFlow.BaseUrl"));
    }

    #[test]
    fn the_transport_is_a_setting_named_in_its_errors() {
        let c = parse(r#"{"JournalPath":"j"}"#).unwrap();
        assert_eq!(c.kashflow.transport, TransportKind::Rest);
        let c = parse(
            r#"{"JournalPath":"j","KashFlow":{"Transport":"Soap","UserName":"u","Password":"p"}}"#,
        )
        .unwrap();
        assert_eq!(c.kashflow.transport, TransportKind::Soap);
        assert_eq!(
            c.kashflow.effective_soap_url().as_deref(),
            Some(LIVE_SOAP_URL)
        );
        let e =
            parse(r#"{"JournalPath":"j","KashFlow":{"Transport":"Carrier pigeon"}}"#).unwrap_err();
        assert_eq!(e.path(), Some("KashFlow.Transport"));
        assert!(
            e.to_string().contains("Rest") && e.to_string().contains("Soap"),
            "{e}"
        );
        let e = parse(
            r#"{"JournalPath":"j","KashFlow":{"Transport":"Soap","SoapUrl":"http://x/api"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.path(), Some("KashFlow.SoapUrl"));
        let c = parse(r#"{"JournalPath":"j","KashFlow":{"Mode":"Sandbox","Transport":"Soap","BaseUrl":"http://127.0.0.1:8899/v2"}}"#)
            .unwrap();
        assert_eq!(
            c.kashflow.effective_soap_url().as_deref(),
            Some("http://127.0.0.1:8899/api/service.asmx")
        );
    }

    #[test]
    fn secrets_never_show_in_debug_errors_or_redacted_json() {
        let c = parse(
            r#"{"JournalPath":"j","KashFlow":{"Mode":"Sandbox","BaseUrl":"http://127.0.0.1:9","UserName":"shop","Password":"hunter2-pw","MemorableWord":"kashflow-mw"}}"#,
        )
        .unwrap();
        let dbg = format!("{c:?}");
        assert!(dbg.contains("shop"));
        assert!(!dbg.contains("hunter2-pw") && !dbg.contains("kashflow-mw"));
        let red = c.redacted_json().to_string();
        assert!(!red.contains("hunter2-pw") && !red.contains("kashflow-mw"));
        // a wrong-typed secret is reported without its value
        let e = parse(r#"{"JournalPath":"j","KashFlow":{"Password":12345678}}"#).unwrap_err();
        assert!(!e.to_string().contains("12345678"));
        assert_eq!(e.path(), Some("KashFlow.Password"));
    }

    #[test]
    fn document_round_trips_through_serde() {
        let c = parse(
            r#"{"JournalPath":"j","Workers":4,"Retry":{"MaxAttempts":3,"BaseDelayMs":10,"MaxDelayMs":100},"Steps":{"PullStock":false,"HoldPartialRefunds":true},"Rules":{"InvoiceNumber":{"Offset":200000}},"JournalDurability":"Normal"}"#,
        )
        .unwrap();
        let text = serde_json::to_string(&c).unwrap();
        let back: EngineConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(back, c);
        assert!(!back.steps.pull_stock);
        assert!(back.steps.hold_partial_refunds);
        assert_eq!(back.rules.invoice_number.offset, 200000);
        assert_eq!(back.workers, 4);
        assert_eq!(back.journal_durability, JournalDurability::Normal);
    }

    #[test]
    fn flows_are_read_by_the_flows_reader_and_named_under_flows() {
        let c = parse(r#"{"JournalPath":"j"}"#).unwrap();
        assert!(c.flows.is_none());
        assert_eq!(c.effective_flows().flows[0].id, "every-order");
        let doc = r#"{"Version":1,"Flows":[{"Id":"paid","Name":"Paid","Trigger":"OrderPaid","Steps":[{"Step":"Invoice"}]}]}"#;
        let c = parse(&format!(r#"{{"JournalPath":"j","Flows":{doc}}}"#)).unwrap();
        assert_eq!(c.effective_flows().flows[0].id, "paid");
        let back: EngineConfig = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        let bad = doc.replace("OrderPaid", "WhenItRains");
        let e = parse(&format!(r#"{{"JournalPath":"j","Flows":{bad}}}"#)).unwrap_err();
        assert_eq!(e.path(), Some("Flows.Flows[0].Trigger"));
        assert!(e.to_string().contains("WhenItRains"), "{e}");
    }
}
