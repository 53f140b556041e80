//! How a failed step of a KashFlow job becomes the engine's verdict.
//!
//! One place decides: KashFlow's answer (classified by the client as retryable, permanent,
//! outcome-unknown or auth) and the mapping's validation errors are turned into
//! [`JobResult::Retry`], [`JobResult::DeadLetter`] or [`JobResult::Waiting`], each with an
//! [`ErrorDoc`] a shop admin can act on. Outcome-unknown writes are retried; the next attempt
//! looks before it writes (see `sync::invoice` and `sync::payment`), so a retry never doubles.

use std::time::Duration;

use crate::engine::{ErrorDoc, JobResult};
use crate::kashflow::error::{FailureClass, KfError};
use crate::order::ValidationErrors;

/// How often jobs held back by a refused login look again. Looking is local (no login is tried
/// while the connection is blocked); it is what lets them resume soon after the settings are fixed.
pub const AUTH_POLL: Duration = Duration::from_secs(30);

/// After KashFlow reports the account locked, one login is tried again after this long (the
/// sandbox locks for 30 minutes; KashFlow's own period is undocumented).
pub const LOCKOUT_WAIT: Duration = Duration::from_secs(35 * 60);

/// Why a job step stopped.
#[derive(Debug)]
pub enum Failure {
    /// A KashFlow call failed; `doing` says what we were doing ("creating invoice 101001").
    KashFlow { doing: String, error: KfError },
    /// The snapshot or the mapping rules are not acceptable (permanent until fixed).
    Invalid(ValidationErrors),
    /// A permanent problem found by the processor itself.
    Dead(ErrorDoc),
    /// Not an error: the job must wait (for an invoice, for a login to be fixed).
    Wait {
        reason: String,
        recheck_after: Option<Duration>,
    },
    /// A write whose answer was lost, and a look afterwards showed it did not happen: safe to
    /// try again (no longer outcome-unknown).
    NotApplied { doing: String, error: KfError },
}

impl Failure {
    pub fn kf(doing: impl Into<String>, error: KfError) -> Self {
        Failure::KashFlow {
            doing: doing.into(),
            error,
        }
    }

    pub fn dead(code: &str, message: impl Into<String>) -> Self {
        Failure::Dead(ErrorDoc::new(code, message))
    }

    /// The client's class, when the failure came from KashFlow.
    pub fn class(&self) -> Option<FailureClass> {
        match self {
            Failure::KashFlow { error, .. } => Some(error.class()),
            _ => None,
        }
    }

    /// KashFlow refused the login itself (credentials, lockout): the whole connection waits.
    /// A session token refused even after a fresh login is not that (see [`is_session_refusal`]).
    pub fn is_auth(&self) -> bool {
        match self {
            Failure::KashFlow { error, .. } => {
                error.class() == FailureClass::Auth && !is_session_refusal(error)
            }
            _ => false,
        }
    }
}

impl From<ValidationErrors> for Failure {
    fn from(e: ValidationErrors) -> Self {
        Failure::Invalid(e)
    }
}

/// The error document for a set of validation errors: the first error's code and path, and every
/// problem in the message (the admin fixes them all at once).
pub fn validation_doc(e: &ValidationErrors) -> ErrorDoc {
    let first = e.errors.first();
    let message = match e.errors.as_slice() {
        [] => e.to_string(),
        [one] => one.message.clone(),
        many => many
            .iter()
            .map(|v| match &v.path {
                Some(p) => format!("{p}: {}", v.message),
                None => v.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; "),
    };
    let doc = ErrorDoc::new(e.code().as_str(), message);
    match first.and_then(|f| f.path.clone()) {
        Some(p) => doc.at(p),
        None => doc,
    }
}

/// The engine's verdict for a failure.
pub fn verdict(f: Failure) -> JobResult {
    match f {
        Failure::Invalid(e) => JobResult::DeadLetter {
            error: validation_doc(&e),
        },
        Failure::Dead(error) => JobResult::DeadLetter { error },
        Failure::NotApplied { doing, error } => JobResult::Retry {
            error: ErrorDoc::new(
                "KashFlowUnavailable",
                format!("while {doing}: {error} (checked: KashFlow did not apply it; it will be sent again)"),
            ),
            retry_after: None,
            maybe_applied: false,
        },
        Failure::Wait {
            reason,
            recheck_after,
        } => JobResult::Waiting {
            reason,
            recheck_after,
        },
        Failure::KashFlow { doing, error } => {
            let message = format!("while {doing}: {error}");
            match error.class() {
                FailureClass::Retryable => JobResult::Retry {
                    error: ErrorDoc::new(retry_code(&error), message),
                    retry_after: error.retry_after(),
                    maybe_applied: false,
                },
                FailureClass::OutcomeUnknown => JobResult::Retry {
                    error: ErrorDoc::new(
                        OUTCOME_UNKNOWN_CODE,
                        format!(
                            "{message} (KashFlow may have applied it; the next attempt checks before writing again)"
                        ),
                    ),
                    retry_after: None,
                    maybe_applied: true,
                },
                FailureClass::Permanent => JobResult::DeadLetter {
                    error: ErrorDoc::new(refusal_code(&error), message),
                },
                // The login worked but KashFlow refused the fresh session token for this request
                // (nothing was processed): a transient session problem, retried like a 5xx.
                FailureClass::Auth if is_session_refusal(&error) => JobResult::Retry {
                    error: ErrorDoc::new("KashFlowSession", message),
                    retry_after: None,
                    maybe_applied: false,
                },
                FailureClass::Auth => JobResult::Waiting {
                    reason: format!(
                        "KashFlow refused the login ({message}); fix the user name, password or memorable word in the settings. Syncing resumes once it works."
                    ),
                    recheck_after: Some(AUTH_POLL),
                },
            }
        }
    }
}

/// The code a failed connection test reports (`ConnectionReport.ErrorCode`): KashFlow's own code
/// for a refused login (`InvalidCredentials`, `IpNotAllowed`, `AccountLocked`, ...), else the
/// code the same failure has on a job (`KashFlowUnreachable`, `InvalidConfig`, ...).
pub fn report_code(f: &Failure) -> String {
    match f {
        Failure::KashFlow { error, .. } | Failure::NotApplied { error, .. } => match error {
            KfError::Auth { code, .. } if !code.is_empty() => code.clone(),
            KfError::Config(_) => "InvalidConfig".into(),
            e => match e.class() {
                FailureClass::Retryable | FailureClass::OutcomeUnknown => retry_code(e).into(),
                FailureClass::Auth => "KashFlowLoginRefused".into(),
                FailureClass::Permanent => "KashFlowRejected".into(),
            },
        },
        Failure::Invalid(e) => e.code().as_str().into(),
        Failure::Dead(d) => d.code.clone(),
        Failure::Wait { .. } => "KashFlowLoginRefused".into(),
    }
}

/// A 401 on a request made with a freshly issued session token (the client already logged in
/// again once). Not a credentials problem: nothing to fix in the settings.
pub fn is_session_refusal(e: &KfError) -> bool {
    matches!(e, KfError::Auth { code, .. } if code.eq_ignore_ascii_case("InvalidSessionToken"))
}

fn retry_code(e: &KfError) -> &'static str {
    match e {
        KfError::RateLimited { .. } => "KashFlowRateLimited",
        KfError::SqlTimeout { .. } => "KashFlowTimeout",
        KfError::Timeout { .. } => "KashFlowTimeout",
        KfError::Connect { .. } | KfError::ConnectionLost { .. } => "KashFlowUnreachable",
        _ => "KashFlowUnavailable",
    }
}

/// The error code of a retry whose write may have been applied. The engine keeps the job flagged
/// outcome-unknown (a cancellation then asks the admin to check KashFlow for a credit note).
pub const OUTCOME_UNKNOWN_CODE: &str = "KashFlowOutcomeUnknown";

/// KashFlow refused a create because the number/code is taken. KashFlow's exact answer is not
/// documented; the sandbox says `DuplicateInvoiceNumber` / `DuplicateCustomerCode`, and we also
/// accept any refusal whose code or message says "duplicate" or "already exists".
pub fn is_duplicate(e: &KfError) -> bool {
    match e {
        KfError::Rejected { code, message, .. } => {
            let c = code.to_ascii_lowercase();
            let m = message.to_ascii_lowercase();
            c.contains("duplicate") || m.contains("duplicate") || m.contains("already exists")
        }
        _ => false,
    }
}

/// The dead letter's code for a permanent refusal. The refusals a merchant fixes in KashFlow
/// itself get the codes the preview's account check uses (`UnknownProduct`, `UnknownNominal`), so
/// the admin reads one explanation for both, and orders waiting for a product go again once it
/// exists (`Engine::retry_now_stocked`). KashFlow's own codes are the sandbox's names (in the
/// fidelity list); the SOAP client reports the same names.
pub fn refusal_code(e: &KfError) -> &'static str {
    match e {
        KfError::Config(_) => "InvalidConfig",
        KfError::Rejected { code, .. } if code.eq_ignore_ascii_case("InvalidProductCode") => {
            "UnknownProduct"
        }
        KfError::Rejected { code, .. } if code.eq_ignore_ascii_case("InvalidNominalCode") => {
            "UnknownNominal"
        }
        _ => "KashFlowRejected",
    }
}

/// KashFlow refused an invoice because its customer code is unknown: the customer the ledger
/// remembers was deleted or merged in KashFlow. KashFlow's exact answer is not documented; the
/// sandbox (REST and SOAP) says `InvalidCustomerCode` (its own name, in the fidelity list).
pub fn is_unknown_customer(f: &Failure) -> bool {
    matches!(
        f,
        Failure::KashFlow {
            error: KfError::Rejected { code, .. },
            ..
        } if code.eq_ignore_ascii_case("InvalidCustomerCode")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kashflow::error::RequestKind;
    use crate::order::{ErrorCode, ValidationError};

    #[test]
    fn a_failed_connection_test_reports_a_code_to_phrase() {
        let ip = Failure::kf(
            "testing the connection",
            KfError::Auth {
                code: "IpNotAllowed".into(),
                message: "The IP address of 10.1.2.3 is not in the access list".into(),
            },
        );
        assert_eq!(report_code(&ip), "IpNotAllowed");
        let down = Failure::kf(
            "testing the connection",
            KfError::Connect {
                request: "GET /v2/sessiontoken".into(),
                detail: "refused".into(),
            },
        );
        assert_eq!(report_code(&down), "KashFlowUnreachable");
        let config = Failure::kf(
            "testing the connection",
            KfError::Config("no user name".into()),
        );
        assert_eq!(report_code(&config), "InvalidConfig");
    }

    #[test]
    fn classes_become_verdicts() {
        let lost = Failure::kf(
            "creating invoice 101001",
            KfError::ConnectionLost {
                request: "POST /invoices".into(),
                detail: "closed".into(),
                kind: RequestKind::Write,
            },
        );
        match verdict(lost) {
            JobResult::Retry { error, .. } => assert_eq!(error.code, "KashFlowOutcomeUnknown"),
            other => panic!("{other:?}"),
        }
        let refused = Failure::kf(
            "creating invoice 101001",
            KfError::Rejected {
                request: "POST /invoices".into(),
                status: 400,
                code: "InvalidProductCode".into(),
                message: "no such product".into(),
            },
        );
        match verdict(refused) {
            JobResult::DeadLetter { error } => {
                assert_eq!(error.code, "UnknownProduct");
                assert!(error.message.contains("no such product"));
                assert!(error.message.contains("creating invoice 101001"));
            }
            other => panic!("{other:?}"),
        }
        let slow = Failure::kf(
            "reading invoice 1",
            KfError::RateLimited {
                request: "GET /invoices/1".into(),
                retry_after: Some(Duration::from_secs(2)),
            },
        );
        assert!(matches!(
            verdict(slow),
            JobResult::Retry { retry_after: Some(d), .. } if d == Duration::from_secs(2)
        ));
        let auth = Failure::kf(
            "logging in",
            KfError::Auth {
                code: "InvalidCredentials".into(),
                message: "no".into(),
            },
        );
        assert!(auth.is_auth());
        assert!(matches!(verdict(auth), JobResult::Waiting { .. }));
        let session = Failure::kf(
            "reading invoice 1",
            KfError::Auth {
                code: "InvalidSessionToken".into(),
                message: "KashFlow refused a freshly issued session token".into(),
            },
        );
        assert!(!session.is_auth());
        assert!(matches!(verdict(session), JobResult::Retry { .. }));
    }

    #[test]
    fn validation_errors_keep_code_and_path() {
        let e = ValidationErrors::one(ValidationError::new(
            ErrorCode::UnmappedPaymentMethod,
            "PaymentMethodSystemName",
            "Payments.CashOnDelivery has no KashFlow mapping",
        ));
        match verdict(Failure::from(e)) {
            JobResult::DeadLetter { error } => {
                assert_eq!(error.code, "UnmappedPaymentMethod");
                assert_eq!(error.path.as_deref(), Some("PaymentMethodSystemName"));
                assert!(error.message.contains("CashOnDelivery"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn duplicates_are_recognised() {
        let dup = KfError::Rejected {
            request: "POST /invoices".into(),
            status: 400,
            code: "DuplicateInvoiceNumber".into(),
            message: "Number: invoice number 5 already exists.".into(),
        };
        assert!(is_duplicate(&dup));
        let other = KfError::Rejected {
            request: "POST /invoices".into(),
            status: 400,
            code: "InvalidLineItems".into(),
            message: "needs a line".into(),
        };
        assert!(!is_duplicate(&other));
    }
}
