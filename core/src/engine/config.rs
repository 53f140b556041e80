//! The engine's configuration document (`EngineConfig`, PascalCase JSON): where the journal lives,
//! how to reach KashFlow, the mapping rules, which flow steps run, retry and circuit-breaker policy.
//!
//! Parsing is by hand, field by field, so that every error names the exact setting
//! (`"KashFlow.TimeoutSeconds"`) instead of serde's line/column; unknown keys are refused because a
//! misspelt setting silently falling back to a default is worse than an error. Secrets (`Password`,
//! `MemorableWord`) live in [`Secret`], whose `Debug` is redacted.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::error::EngineError;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KashFlowMode {
    Live,
    Sandbox,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KashFlowSettings {
    pub mode: KashFlowMode,
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
}

/// Which parts of the flow run. All on by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
}

impl EngineConfig {
    /// A configuration with every default and the given journal path.
    pub fn new(journal_path: impl Into<PathBuf>) -> Self {
        EngineConfig {
            journal_path: journal_path.into(),
            kashflow: KashFlowSettings::default(),
            rules: default_rules(),
            steps: FlowSteps::default(),
            retry: RetryPolicy::default(),
            workers: 2,
            circuit_breaker: BreakerPolicy::default(),
            journal_durability: JournalDurability::Full,
            worker_lease: WorkerLeasePolicy::default(),
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
        let obj = object(value, "")?;
        check_keys(
            obj,
            "",
            &[
                "JournalPath",
                "KashFlow",
                "Rules",
                "Steps",
                "Retry",
                "Workers",
                "CircuitBreaker",
                "JournalDurability",
                "WorkerLease",
            ],
        )?;
        let journal_path: String = field(obj, "", "JournalPath")?.ok_or_else(|| {
            EngineError::invalid_config("JournalPath is required", Some("JournalPath"))
        })?;
        let mut config = EngineConfig::new(journal_path);
        if let Some(v) = obj.get("KashFlow") {
            config.kashflow = parse_kashflow(v)?;
        }
        if let Some(v) = obj.get("Rules") {
            if !v.is_null() {
                object(v, "Rules")?;
                config.rules = parse_rules(v)?;
            }
        }
        if let Some(v) = obj.get("Steps") {
            let o = object(v, "Steps")?;
            check_keys(
                o,
                "Steps",
                &[
                    "SyncCustomers",
                    "CreateInvoices",
                    "RecordPayments",
                    "PullStock",
                    "HoldPartialRefunds",
                ],
            )?;
            let s = &mut config.steps;
            set(&mut s.sync_customers, field(o, "Steps", "SyncCustomers")?);
            set(&mut s.create_invoices, field(o, "Steps", "CreateInvoices")?);
            set(&mut s.record_payments, field(o, "Steps", "RecordPayments")?);
            set(&mut s.pull_stock, field(o, "Steps", "PullStock")?);
            set(
                &mut s.hold_partial_refunds,
                field(o, "Steps", "HoldPartialRefunds")?,
            );
        }
        if let Some(v) = obj.get("Retry") {
            let o = object(v, "Retry")?;
            check_keys(o, "Retry", &["MaxAttempts", "BaseDelayMs", "MaxDelayMs"])?;
            let r = &mut config.retry;
            set(&mut r.max_attempts, field(o, "Retry", "MaxAttempts")?);
            set(&mut r.base_delay_ms, field(o, "Retry", "BaseDelayMs")?);
            set(&mut r.max_delay_ms, field(o, "Retry", "MaxDelayMs")?);
        }
        set(&mut config.workers, field(obj, "", "Workers")?);
        if let Some(v) = obj.get("CircuitBreaker") {
            let o = object(v, "CircuitBreaker")?;
            check_keys(o, "CircuitBreaker", &["FailureThreshold", "CoolDownMs"])?;
            let b = &mut config.circuit_breaker;
            set(
                &mut b.failure_threshold,
                field(o, "CircuitBreaker", "FailureThreshold")?,
            );
            set(
                &mut b.cool_down_ms,
                field(o, "CircuitBreaker", "CoolDownMs")?,
            );
        }
        set(
            &mut config.journal_durability,
            field(obj, "", "JournalDurability")?,
        );
        if let Some(v) = obj.get("WorkerLease") {
            let o = object(v, "WorkerLease")?;
            check_keys(o, "WorkerLease", &["ExpiryMs", "RenewMs"])?;
            let l = &mut config.worker_lease;
            set(&mut l.expiry_ms, field(o, "WorkerLease", "ExpiryMs")?);
            set(&mut l.renew_ms, field(o, "WorkerLease", "RenewMs")?);
        }
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

fn parse_kashflow(v: &Value) -> Result<KashFlowSettings, EngineError> {
    const P: &str = "KashFlow";
    let o = object(v, P)?;
    check_keys(
        o,
        P,
        &[
            "Mode",
            "BaseUrl",
            "UserName",
            "Password",
            "MemorableWord",
            "RequestsPerSecond",
            "TimeoutSeconds",
        ],
    )?;
    let mut k = KashFlowSettings::default();
    set(&mut k.mode, field(o, P, "Mode")?);
    k.base_url = field::<String>(o, P, "BaseUrl")?.filter(|s| !s.trim().is_empty());
    set(&mut k.user_name, field(o, P, "UserName")?);
    if let Some(p) = field::<String>(o, P, "Password")? {
        k.password = Secret::new(p);
    }
    if let Some(p) = field::<String>(o, P, "MemorableWord")? {
        k.memorable_word = Secret::new(p);
    }
    set(
        &mut k.requests_per_second,
        field(o, P, "RequestsPerSecond")?,
    );
    set(&mut k.timeout_seconds, field(o, P, "TimeoutSeconds")?);
    Ok(k)
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, EngineError> {
    v.as_object().ok_or_else(|| {
        let what = if path.is_empty() {
            "the configuration"
        } else {
            path
        };
        EngineError::invalid_config(
            format!("{what} must be a JSON object"),
            (!path.is_empty()).then_some(path),
        )
    })
}

fn check_keys(obj: &Map<String, Value>, prefix: &str, allowed: &[&str]) -> Result<(), EngineError> {
    for key in obj.keys() {
        if !allowed.contains(&key.as_str()) {
            let path = join(prefix, key);
            return Err(EngineError::invalid_config(
                format!(
                    "unknown setting '{path}' (expected one of: {})",
                    allowed.join(", ")
                ),
                Some(&path),
            ));
        }
    }
    Ok(())
}

/// One optional setting; `null` counts as absent. The error never echoes the value (it could
/// be a secret).
fn field<T: DeserializeOwned>(
    obj: &Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<Option<T>, EngineError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|_| {
            let path = join(prefix, key);
            EngineError::invalid_config(
                format!(
                    "{path} has the wrong type or value (expected {})",
                    expected_name::<T>()
                ),
                Some(&path),
            )
        }),
    }
}

fn expected_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    if name.ends_with("bool") {
        "true or false"
    } else if name.ends_with("u32") || name.ends_with("u64") {
        "a whole number of 0 or more"
    } else if name.ends_with("String") {
        "a string"
    } else if name.ends_with("KashFlowMode") {
        "\"Live\" or \"Sandbox\""
    } else if name.ends_with("JournalDurability") {
        "\"Full\" or \"Normal\""
    } else {
        "a valid value"
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
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
}
