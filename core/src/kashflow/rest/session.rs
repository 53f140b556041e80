//! Sessions: the two-step login (user name + password → memorable-word characters → session
//! token), token reuse with KashFlow's sliding idle expiry (refreshed shortly before it would
//! lapse), forgetting a refused token, and logout. A refused login is never retried here: it
//! counts towards KashFlow's lockout.

use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::http::{classify, decode};
use super::{KashFlowClient, Raw, Session};
use crate::kashflow::error::{KfError, RequestKind};
use crate::kashflow::model::{
    MemorableWordChar, SessionTokenRequest, SessionTokenResponse, TemporaryTokenRequest,
    TemporaryTokenResponse,
};
use crate::kashflow::secret::Secret;

impl KashFlowClient {
    // ----- sessions ----------------------------------------------------------------------

    /// The current session token, logging in first when there is none or it is about to expire.
    pub(super) async fn session_token(&self) -> Result<Secret, KfError> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref() {
            let fresh_for = self
                .cfg
                .session_idle_timeout
                .saturating_sub(self.cfg.session_refresh_margin);
            if s.last_used.elapsed() < fresh_for {
                return Ok(s.token.clone());
            }
            tracing::info!(target: "kashflow::client", "session token near idle expiry; logging in again");
        }
        let token = self.do_login().await?;
        *guard = Some(Session {
            token: token.clone(),
            last_used: Instant::now(),
        });
        Ok(token)
    }

    pub(super) async fn touch(&self, token: &Secret) {
        if let Some(s) = self.session.lock().await.as_mut() {
            if &s.token == token {
                s.last_used = Instant::now();
            }
        }
    }

    pub(super) async fn forget_session(&self, token: &Secret) {
        let mut guard = self.session.lock().await;
        if guard.as_ref().is_some_and(|s| &s.token == token) {
            *guard = None;
        }
    }

    /// The two-step login. Never loops: a refusal is an `Auth` error.
    pub(super) async fn do_login(&self) -> Result<Secret, KfError> {
        if self.cfg.username.trim().is_empty()
            || self.cfg.password.is_empty()
            || self.cfg.memorable_word.is_empty()
        {
            return Err(KfError::Config(
                "UserName, Password and MemorableWord are all needed to log in to KashFlow".into(),
            ));
        }
        let kind = RequestKind::Read; // logging in changes nothing worth looking up
        let req1 = "POST /sessiontoken";
        let temp: TemporaryTokenResponse = self
            .login_step(
                Method::POST,
                req1,
                &TemporaryTokenRequest {
                    user_name: self.cfg.username.clone(),
                    password: self.cfg.password.clone(),
                },
            )
            .await?;
        let word: Vec<char> = self.cfg.memorable_word.expose().chars().collect();
        let mut answers = Vec::with_capacity(temp.memorable_word_list.len());
        for c in &temp.memorable_word_list {
            let ch = (c.position as usize)
                .checked_sub(1)
                .and_then(|i| word.get(i))
                .ok_or_else(|| KfError::Auth {
                    code: "MemorableWordTooShort".into(),
                    message: format!(
                        "KashFlow asked for character {} of the memorable word, which has {} characters; check the memorable word setting",
                        c.position,
                        word.len()
                    ),
                })?;
            answers.push(MemorableWordChar {
                position: c.position,
                value: Secret::new(ch.to_string()),
            });
        }
        if answers.is_empty() || temp.temporary_token.is_empty() {
            return Err(KfError::Decode {
                request: req1.into(),
                detail: "the login answer had no temporary token or memorable-word positions"
                    .into(),
                kind,
            });
        }
        let req2 = "PUT /sessiontoken";
        let session: SessionTokenResponse = self
            .login_step(
                Method::PUT,
                req2,
                &SessionTokenRequest {
                    temporary_token: temp.temporary_token,
                    memorable_word_list: answers,
                },
            )
            .await?;
        if session.session_token.is_empty() {
            return Err(KfError::Decode {
                request: req2.into(),
                detail: "the login answer had no SessionToken".into(),
                kind,
            });
        }
        tracing::info!(target: "kashflow::client", "logged in to KashFlow");
        if let Ok(mut c) = self.company.lock() {
            *c = session.company_name.clone();
        }
        Ok(session.session_token)
    }

    /// One request of the login: send `body` to `/sessiontoken` once (never retried: a refused
    /// login counts towards KashFlow's lockout), and read the answer.
    async fn login_step<Req: serde::Serialize, Resp: DeserializeOwned>(
        &self,
        method: Method,
        request: &'static str,
        body: &Req,
    ) -> Result<Resp, KfError> {
        let kind = RequestKind::Read;
        let body =
            serde_json::to_value(body).map_err(|e| KfError::Config(format!("encoding: {e}")))?;
        let raw = self
            .send_once("login", &method, "/sessiontoken", &[], Some(&body), None)
            .await?;
        if !(200..300).contains(&raw.status) {
            return Err(login_error(request, kind, &raw, &self.secrets()));
        }
        decode(request, kind, &raw.body)
    }

    /// Log in now (replacing any current session). Useful to test credentials.
    pub async fn login(&self) -> Result<(), KfError> {
        let mut guard = self.session.lock().await;
        let token = self.do_login().await?;
        *guard = Some(Session {
            token,
            last_used: Instant::now(),
        });
        Ok(())
    }

    /// The account's `CompanyName` as the last successful login reported it.
    pub fn company_name(&self) -> Option<String> {
        self.company.lock().ok().and_then(|c| c.clone())
    }

    /// Whether a session token is held (it may still have expired on KashFlow's side).
    pub async fn has_session(&self) -> bool {
        self.session.lock().await.is_some()
    }

    /// End the session on KashFlow (`DELETE /sessiontoken`). No session: nothing to do.
    pub async fn logout(&self) -> Result<(), KfError> {
        let token = match self.session.lock().await.take() {
            Some(s) => s.token,
            None => return Ok(()),
        };
        let raw = self
            .send_once(
                "logout",
                &Method::DELETE,
                "/sessiontoken",
                &[],
                None,
                Some(&token),
            )
            .await?;
        match raw.status {
            200..=299 | 401 => Ok(()), // 401: already expired — logged out either way
            _ => Err(classify(
                "DELETE /sessiontoken",
                RequestKind::Write,
                &raw,
                &self.secrets(),
            )),
        }
    }
}

/// A refused login step: credentials problems are `Auth`; server trouble stays retryable.
fn login_error(request: &str, kind: RequestKind, raw: &Raw, secrets: &[&Secret]) -> KfError {
    match classify(request, kind, raw, secrets) {
        KfError::Rejected { code, message, .. } => KfError::Auth {
            code: if code.is_empty() {
                "LoginRefused".into()
            } else {
                code
            },
            message,
        },
        KfError::NotFound { message, .. } => KfError::Config(format!(
            "the login address {request} does not exist at the configured BaseUrl ({message})"
        )),
        other => other,
    }
}
