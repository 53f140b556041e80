//! The sandbox's login and sessions, as KashFlow does them: user name + password → temporary token
//! and three 1-based memorable-word positions; the three characters (any case) → session token;
//! `Authorization: KfToken <token>` with a sliding idle expiry; lockout after repeated failures.
//!
//! Time comes from a [`Clock`] that tests can move forward, so expiry is tested without sleeping.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::{RngCore, SeedableRng};

use super::reply::ApiError;
use super::seed;
use crate::kashflow::model::{
    MemorableWordChar, SessionTokenRequest, SessionTokenResponse, TemporaryTokenRequest,
    TemporaryTokenResponse,
};
use crate::kashflow::secret::Secret;

/// Monotonic time plus an offset that tests advance (`SandboxHandle::advance_clock`).
#[derive(Debug, Default)]
pub struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    pub fn now(&self) -> Instant {
        Instant::now() + *self.offset.lock().expect("clock lock")
    }
    pub fn advance(&self, by: Duration) {
        *self.offset.lock().expect("clock lock") += by;
    }
}

/// Login settings of the sandbox account.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub username: String,
    pub password: Secret,
    pub memorable_word: Secret,
    /// Sliding idle expiry of a session token (KashFlow: 60 minutes).
    pub session_idle_timeout: Duration,
    /// How long a temporary token from step 1 may be exchanged (KashFlow: "x minutes").
    pub temporary_token_ttl: Duration,
    /// Failed logins (bad password or bad characters) in a row that lock the account.
    pub lockout_threshold: u32,
    /// How long a locked account stays locked.
    pub lockout_duration: Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            username: seed::USERNAME.into(),
            password: Secret::new(seed::PASSWORD),
            memorable_word: Secret::new(seed::MEMORABLE_WORD),
            session_idle_timeout: Duration::from_secs(60 * 60),
            temporary_token_ttl: Duration::from_secs(5 * 60),
            lockout_threshold: 5,
            lockout_duration: Duration::from_secs(30 * 60),
        }
    }
}

struct PendingLogin {
    positions: BTreeSet<u32>,
    issued: Instant,
}

/// Logins in progress, live sessions and the lockout counter.
pub struct Auth {
    settings: AuthSettings,
    pending: HashMap<String, PendingLogin>,
    sessions: HashMap<String, Instant>,
    failures: u32,
    locked_until: Option<Instant>,
    rng: StdRng,
}

impl Auth {
    pub fn new(settings: AuthSettings, seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_entropy(),
        };
        Auth {
            settings,
            pending: HashMap::new(),
            sessions: HashMap::new(),
            failures: 0,
            locked_until: None,
            rng,
        }
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    fn token(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    fn locked(&mut self, now: Instant) -> Option<ApiError> {
        match self.locked_until {
            Some(until) if until > now => Some(ApiError::bad_request(
                "AccountLocked",
                format!(
                    "User account is locked after {} failed login attempts. Try again later.",
                    self.settings.lockout_threshold
                ),
            )),
            Some(_) => {
                self.locked_until = None;
                self.failures = 0;
                None
            }
            None => None,
        }
    }

    /// Count a failed attempt; the attempt that reaches the threshold locks the account.
    fn fail(&mut self, now: Instant, err: ApiError) -> ApiError {
        self.failures += 1;
        if self.failures >= self.settings.lockout_threshold {
            self.locked_until = Some(now + self.settings.lockout_duration);
            return self.locked(now).unwrap_or(err);
        }
        err
    }

    /// `POST /sessiontoken`.
    pub fn step1(
        &mut self,
        req: &TemporaryTokenRequest,
        now: Instant,
    ) -> Result<TemporaryTokenResponse, ApiError> {
        if req.user_name.trim().is_empty() || req.password.is_empty() {
            return Err(ApiError::bad_request(
                "InvalidCredentials",
                "UserName and Password are required.",
            ));
        }
        let bad = || {
            ApiError::bad_request(
                "InvalidCredentials",
                "The user name or password is incorrect.",
            )
        };
        // An unknown user cannot lock anyone's account.
        if !req
            .user_name
            .trim()
            .eq_ignore_ascii_case(&self.settings.username)
        {
            return Err(bad());
        }
        if let Some(e) = self.locked(now) {
            return Err(e);
        }
        if req.password.expose() != self.settings.password.expose() {
            return Err(self.fail(now, bad()));
        }
        let len = self.settings.memorable_word.expose().chars().count();
        let positions: BTreeSet<u32> = sample(&mut self.rng, len, 3.min(len))
            .into_iter()
            .map(|i| i as u32 + 1)
            .collect();
        let token = self.token();
        self.pending.insert(
            token.clone(),
            PendingLogin {
                positions: positions.clone(),
                issued: now,
            },
        );
        Ok(TemporaryTokenResponse {
            has_temporary_password: false,
            is_admin: true,
            package_name: Some("Business".into()),
            partner_branding_opt_out: true,
            memorable_word_list: positions
                .into_iter()
                .map(|p| MemorableWordChar {
                    position: p,
                    value: Secret::default(),
                })
                .collect(),
            partner_id: Some(3),
            subscription_expired: false,
            temporary_token: Secret::new(token),
        })
    }

    /// `PUT /sessiontoken`. A temporary token is good for one attempt.
    pub fn step2(
        &mut self,
        req: &SessionTokenRequest,
        now: Instant,
    ) -> Result<SessionTokenResponse, ApiError> {
        let pending = self.pending.remove(req.temporary_token.expose());
        let pending = match pending {
            Some(p) if now.duration_since(p.issued) <= self.settings.temporary_token_ttl => p,
            _ => {
                return Err(ApiError::bad_request(
                    "InvalidTemporaryToken",
                    "The temporary token is invalid or has expired. Start the login again.",
                ))
            }
        };
        if let Some(e) = self.locked(now) {
            return Err(e);
        }
        let word: Vec<char> = self.settings.memorable_word.expose().chars().collect();
        let sent: BTreeSet<u32> = req.memorable_word_list.iter().map(|c| c.position).collect();
        let all_right = sent == pending.positions
            && req.memorable_word_list.len() == pending.positions.len()
            && req.memorable_word_list.iter().all(|c| {
                let mut chars = c.value.expose().chars();
                match (chars.next(), chars.next()) {
                    (Some(ch), None) => word
                        .get(c.position as usize - 1)
                        .map(|w| w.to_lowercase().eq(ch.to_lowercase()))
                        .unwrap_or(false),
                    _ => false,
                }
            });
        if !all_right {
            let err = ApiError::bad_request(
                "InvalidCredentials",
                "The memorable word characters are incorrect.",
            );
            return Err(self.fail(now, err));
        }
        self.failures = 0;
        let token = self.token().to_uppercase();
        self.sessions.insert(token.clone(), now);
        Ok(SessionTokenResponse {
            company_name: Some(seed::COMPANY_NAME.into()),
            is_admin: true,
            subscription_expired: false,
            partner_id: Some(3),
            package_name: Some("Business".into()),
            partner_branding_opt_out: true,
            session_token: Secret::new(token),
            start_page_url: Some("/dashboard".into()),
            subscription_expiry_date: None,
            has_temporary_password: false,
        })
    }

    /// Check an `Authorization` header value and refresh the session's idle timer. Returns the
    /// token on success.
    pub fn authorize(&mut self, header: Option<&str>, now: Instant) -> Result<String, ApiError> {
        let token = header
            .and_then(|h| h.strip_prefix("KfToken "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::invalid_session)?;
        let key = self
            .sessions
            .keys()
            .find(|k| k.eq_ignore_ascii_case(token))
            .cloned()
            .ok_or_else(ApiError::invalid_session)?;
        let last = self.sessions[&key];
        if now.duration_since(last) > self.settings.session_idle_timeout {
            self.sessions.remove(&key);
            return Err(ApiError::invalid_session());
        }
        self.sessions.insert(key.clone(), now);
        Ok(key)
    }

    /// Revoke one session token; false if it was not live.
    pub fn revoke(&mut self, token: &str) -> bool {
        let key = self
            .sessions
            .keys()
            .find(|k| k.eq_ignore_ascii_case(token))
            .cloned();
        key.map(|k| self.sessions.remove(&k).is_some())
            .unwrap_or(false)
    }

    /// The token an `Authorization` header names, whether or not it is live.
    pub fn token_of(header: Option<&str>) -> Option<&str> {
        header
            .and_then(|h| h.strip_prefix("KfToken "))
            .map(str::trim)
    }

    /// The live session tokens (tests use them to prove tokens never leak into output).
    pub fn session_tokens(&self) -> Vec<Secret> {
        self.sessions
            .keys()
            .map(|k| Secret::new(k.clone()))
            .collect()
    }

    pub fn expire_all(&mut self) {
        self.sessions.clear();
    }

    pub fn live_sessions(&self, now: Instant) -> usize {
        self.sessions
            .values()
            .filter(|t| now.duration_since(**t) <= self.settings.session_idle_timeout)
            .count()
    }

    pub fn unlock(&mut self) {
        self.failures = 0;
        self.locked_until = None;
    }

    pub fn is_locked(&self, now: Instant) -> bool {
        matches!(self.locked_until, Some(u) if u > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(auth: &Auth, resp: &TemporaryTokenResponse) -> SessionTokenRequest {
        let word: Vec<char> = auth.settings.memorable_word.expose().chars().collect();
        SessionTokenRequest {
            temporary_token: resp.temporary_token.clone(),
            memorable_word_list: resp
                .memorable_word_list
                .iter()
                .map(|c| MemorableWordChar {
                    position: c.position,
                    value: Secret::new(
                        word[c.position as usize - 1]
                            .to_uppercase()
                            .collect::<String>(),
                    ),
                })
                .collect(),
        }
    }

    fn login_req(pw: &str) -> TemporaryTokenRequest {
        TemporaryTokenRequest {
            user_name: "SANDBOX".into(),
            password: Secret::new(pw),
        }
    }

    #[test]
    fn positions_are_three_distinct_one_based_and_chars_match_any_case() {
        let mut a = Auth::new(AuthSettings::default(), Some(1));
        let now = Instant::now();
        for _ in 0..50 {
            let r = a.step1(&login_req(seed::PASSWORD), now).unwrap();
            let ps: BTreeSet<u32> = r.memorable_word_list.iter().map(|c| c.position).collect();
            assert_eq!(ps.len(), 3);
            assert!(ps.iter().all(|p| (1..=8).contains(p)));
            let s = a.step2(&answer(&a, &r), now).unwrap();
            assert!(a
                .authorize(Some(&format!("KfToken {}", s.session_token.expose())), now)
                .is_ok());
        }
    }

    #[test]
    fn sliding_expiry_and_one_shot_temporary_tokens() {
        let mut a = Auth::new(AuthSettings::default(), Some(2));
        let t0 = Instant::now();
        let r = a.step1(&login_req(seed::PASSWORD), t0).unwrap();
        let req = answer(&a, &r);
        let s = a.step2(&req, t0).unwrap();
        // The same temporary token cannot be used twice.
        assert_eq!(a.step2(&req, t0).unwrap_err().code, "InvalidTemporaryToken");
        let h = format!("KfToken {}", s.session_token.expose());
        let min = Duration::from_secs(60);
        assert!(a.authorize(Some(&h), t0 + 59 * min).is_ok());
        assert!(a.authorize(Some(&h), t0 + 118 * min).is_ok());
        let e = a.authorize(Some(&h), t0 + 179 * min).unwrap_err();
        assert_eq!((e.status, e.code.as_str()), (401, "InvalidSessionToken"));
        assert_eq!(a.authorize(Some("Bearer x"), t0).unwrap_err().status, 401);
    }

    #[test]
    fn five_failures_lock_the_account() {
        let mut a = Auth::new(AuthSettings::default(), Some(3));
        let now = Instant::now();
        for _ in 0..4 {
            assert_eq!(
                a.step1(&login_req("nope"), now).unwrap_err().code,
                "InvalidCredentials"
            );
        }
        assert_eq!(
            a.step1(&login_req("nope"), now).unwrap_err().code,
            "AccountLocked"
        );
        assert_eq!(
            a.step1(&login_req(seed::PASSWORD), now).unwrap_err().code,
            "AccountLocked"
        );
        let later = now + Duration::from_secs(31 * 60);
        assert!(a.step1(&login_req(seed::PASSWORD), later).is_ok());
    }
}
