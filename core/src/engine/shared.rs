//! Engine state kept in the journal (`engine_state`), so that it outlives the process and is the
//! same for every process on the journal: the circuit breaker's open state and the refused-login
//! hold. A recycled process (or the process that takes the lease over) starts from them instead of
//! from scratch, so it does not hammer a KashFlow that is down or an account that locked itself.
//!
//! The holder loads both when its term begins and writes them when they change (rarely: a breaker
//! opening or closing, a login refused or working again).

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::config::KashFlowSettings;
use super::error::EngineError;
use super::journal::Journal;

const BREAKER: &str = "CircuitBreaker";
const LOGIN_HOLD: &str = "LoginHold";
const CATALOGUE: &str = "AccountCatalogue";

/// The account's lookups as last read, for the account they were read from: previews stay
/// checked against them after a restart, until they are read again.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredCatalogue {
    account: String,
    catalogue: crate::mapping::suggest::KashFlowCatalogue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredBreaker {
    open_until_ms: i64,
}

/// KashFlow refused the login: no job tries it again until `until_ms` (`None`: until the
/// KashFlow settings change or a connection test succeeds). Only for the account it was refused
/// for (mode, base URL and user name; no secret is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoginHold {
    pub reason: String,
    pub until_ms: Option<i64>,
    pub account: String,
    /// How often held jobs look again (milliseconds).
    pub recheck_ms: u64,
}

impl LoginHold {
    /// The account a hold is for.
    pub fn account_of(settings: &KashFlowSettings) -> String {
        format!(
            "{:?} {} {}",
            settings.mode,
            settings
                .effective_base_url()
                .unwrap_or("(in-process sandbox)"),
            settings.user_name
        )
    }

    /// Holds jobs for `settings` at `now`.
    pub fn applies(&self, settings: &KashFlowSettings, now_ms: i64) -> bool {
        self.account == Self::account_of(settings) && self.until_ms.is_none_or(|t| now_ms < t)
    }
}

impl Journal {
    fn state_get(&self, key: &'static str) -> Result<Option<String>, EngineError> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT value FROM engine_state WHERE key = ?1")?
                    .query_row([key], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    fn state_put(
        &self,
        key: &'static str,
        value: Option<String>,
        now: i64,
    ) -> Result<(), EngineError> {
        self.write(move |c| {
            match value {
                Some(v) => c
                    .prepare_cached(
                        "INSERT INTO engine_state (key, value, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value,
                         updated_at = excluded.updated_at",
                    )?
                    .execute(params![key, v, now])?,
                None => c
                    .prepare_cached("DELETE FROM engine_state WHERE key = ?1")?
                    .execute([key])?,
            };
            Ok(())
        })
    }

    /// Until when the circuit breaker was left open (`None`: closed).
    pub(crate) fn breaker_open_until(&self) -> Result<Option<i64>, EngineError> {
        Ok(self
            .state_get(BREAKER)?
            .and_then(|v| serde_json::from_str::<StoredBreaker>(&v).ok())
            .map(|b| b.open_until_ms))
    }

    pub(crate) fn set_breaker_open_until(
        &self,
        until: Option<i64>,
        now: i64,
    ) -> Result<(), EngineError> {
        let value = until.map(|open_until_ms| {
            serde_json::to_string(&StoredBreaker { open_until_ms }).unwrap_or_default()
        });
        self.state_put(BREAKER, value, now)
    }

    /// The lookups last read for `settings`' account, if any.
    pub(crate) fn account_catalogue(
        &self,
        settings: &KashFlowSettings,
    ) -> Result<Option<crate::mapping::suggest::KashFlowCatalogue>, EngineError> {
        let account = LoginHold::account_of(settings);
        Ok(self
            .state_get(CATALOGUE)?
            .and_then(|v| serde_json::from_str::<StoredCatalogue>(&v).ok())
            .filter(|c| c.account == account)
            .map(|c| c.catalogue))
    }

    pub(crate) fn set_account_catalogue(
        &self,
        settings: &KashFlowSettings,
        catalogue: &crate::mapping::suggest::KashFlowCatalogue,
        now: i64,
    ) -> Result<(), EngineError> {
        let stored = StoredCatalogue {
            account: LoginHold::account_of(settings),
            catalogue: catalogue.clone(),
        };
        let value = serde_json::to_string(&stored).map_err(|e| {
            EngineError::invalid_request(format!("the lookups could not be stored: {e}"))
        })?;
        self.state_put(CATALOGUE, Some(value), now)
    }

    pub(crate) fn login_hold(&self) -> Result<Option<LoginHold>, EngineError> {
        Ok(self
            .state_get(LOGIN_HOLD)?
            .and_then(|v| serde_json::from_str(&v).ok()))
    }

    pub(crate) fn set_login_hold(
        &self,
        hold: Option<&LoginHold>,
        now: i64,
    ) -> Result<(), EngineError> {
        let value = hold.map(|h| serde_json::to_string(h).unwrap_or_default());
        self.state_put(LOGIN_HOLD, value, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::config::{JournalDurability, KashFlowMode};

    #[test]
    fn breaker_and_login_hold_survive_reopening_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.db");
        let mut settings = KashFlowSettings {
            user_name: "shop".into(),
            ..Default::default()
        };
        let hold = LoginHold {
            reason: "KashFlow refused the login".into(),
            until_ms: Some(5_000),
            account: LoginHold::account_of(&settings),
            recheck_ms: 30_000,
        };
        {
            let j = Journal::open(&path, JournalDurability::Normal).unwrap();
            assert_eq!(j.breaker_open_until().unwrap(), None);
            j.set_breaker_open_until(Some(9_000), 1).unwrap();
            j.set_login_hold(Some(&hold), 1).unwrap();
        }
        let j = Journal::open(&path, JournalDurability::Normal).unwrap();
        assert_eq!(j.breaker_open_until().unwrap(), Some(9_000));
        let back = j.login_hold().unwrap().unwrap();
        assert_eq!(back, hold);
        assert!(back.applies(&settings, 4_999));
        assert!(!back.applies(&settings, 5_000), "the wait is over");
        settings.mode = KashFlowMode::Sandbox;
        settings.base_url = Some("http://127.0.0.1:1/v2".into());
        assert!(!back.applies(&settings, 0), "another account");
        j.set_breaker_open_until(None, 2).unwrap();
        j.set_login_hold(None, 2).unwrap();
        assert_eq!(j.breaker_open_until().unwrap(), None);
        assert_eq!(j.login_hold().unwrap(), None);
    }
}
