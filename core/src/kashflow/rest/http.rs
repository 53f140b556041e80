//! Sending requests: one HTTP exchange (rate limited, counted), the authenticated call with one
//! re-login on 401 and bounded retries of reads, JSON decoding, list walks, and the
//! classification of every non-2xx answer into a [`KfError`].

use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{KashFlowClient, Page, Raw, WALK_MAX_PAGES, WALK_PER_PAGE};
use crate::kashflow::caseless;
use crate::kashflow::error::{KfError, RequestKind, SQL_TIMEOUT_CODE};
use crate::kashflow::http_client::{retry_reads, transport_error};
use crate::kashflow::model::{ErrorBody, ListMetaData};
use crate::kashflow::secret::{redact, Secret};
use crate::mapping::text::quote;

/// Path segments (customer and product codes are free text) are percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub(super) fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(Duration::from_secs(secs.max(0) as u64))
}

/// An error answer's code and message. KashFlow may echo what it was sent, so the message is
/// redacted as a body (secret fields and the login's secrets) and quoted at bounded length.
pub(super) fn error_body(body: &[u8], secrets: &[&Secret]) -> ErrorBody {
    let mut b = caseless::from_slice::<ErrorBody>(body).unwrap_or_else(|_| ErrorBody {
        message: redact::body(body, secrets),
        error: String::new(),
    });
    b.message = quote(&redact::body(b.message.as_bytes(), secrets));
    b.error = quote(&b.error);
    b
}

const AUTH_CODES: [&str; 4] = [
    "InvalidCredentials",
    "AccountLocked",
    "PasswordExpired",
    "InvalidTemporaryToken",
];

/// Map a non-2xx answer to an error. (401 on business calls is handled before this.)
pub(super) fn classify(
    request: &str,
    kind: RequestKind,
    raw: &Raw,
    secrets: &[&Secret],
) -> KfError {
    let body = error_body(&raw.body, secrets);
    let message = if body.message.is_empty() {
        format!("HTTP {}", raw.status)
    } else {
        body.message.clone()
    };
    let request = request.to_owned();
    match raw.status {
        400 if body.error == SQL_TIMEOUT_CODE => KfError::SqlTimeout {
            request,
            message,
            kind,
        },
        400 if AUTH_CODES
            .iter()
            .any(|c| c.eq_ignore_ascii_case(&body.error)) =>
        {
            KfError::Auth {
                code: body.error,
                message,
            }
        }
        401 => KfError::Auth {
            code: if body.error.is_empty() {
                "InvalidSessionToken".into()
            } else {
                body.error
            },
            message,
        },
        403 => KfError::Auth {
            code: if body.error.is_empty() {
                "Forbidden".into()
            } else {
                body.error
            },
            message,
        },
        404 => KfError::NotFound { request, message },
        429 => KfError::RateLimited {
            request,
            retry_after: raw.retry_after,
        },
        408 | 500..=599 => KfError::Server {
            request,
            status: raw.status,
            message,
            kind,
        },
        status => KfError::Rejected {
            request,
            status,
            code: body.error,
            message,
        },
    }
}

impl KashFlowClient {
    // ----- transport ---------------------------------------------------------------------

    /// Send one request (rate limited, counted). Transport failures become errors; any HTTP
    /// status comes back as `Raw`.
    pub(super) async fn send_once(
        &self,
        op: &str,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        token: Option<&Secret>,
    ) -> Result<Raw, KfError> {
        let request = format!("{method} {path}");
        let kind = RequestKind::of(method);
        self.limiter.acquire().await;
        self.count(op);
        let mut rb = self
            .http
            .request(method.clone(), format!("{}{}", self.base, path))
            .header("Accept", "application/json");
        if !query.is_empty() {
            rb = rb.query(query);
        }
        if let Some(t) = token {
            rb = rb.header("Authorization", format!("KfToken {}", t.expose()));
        }
        if let Some(b) = body {
            rb = rb.header("Content-Type", "application/json").body(
                serde_json::to_vec(b).map_err(|e| KfError::Config(format!("encoding: {e}")))?,
            );
        }
        let transport = |e: reqwest::Error| transport_error(&request, kind, self.cfg.timeout, &e);
        let resp = rb.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = resp.bytes().await.map_err(transport)?.to_vec();
        tracing::debug!(target: "kashflow::client", op, %method, path, status, "KashFlow answered");
        Ok(Raw {
            status,
            body,
            retry_after,
        })
    }

    /// One authenticated attempt: current (or fresh) session, and on 401 exactly one re-login
    /// and resend.
    pub(super) async fn send_authed(
        &self,
        op: &str,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Raw, KfError> {
        let token = self.session_token().await?;
        let raw = self
            .send_once(op, method, path, query, body, Some(&token))
            .await?;
        if raw.status != 401 {
            self.touch(&token).await;
            return Ok(raw);
        }
        tracing::info!(target: "kashflow::client", op, "session token refused (401); logging in again");
        self.forget_session(&token).await;
        let token = self.session_token().await?;
        let raw = self
            .send_once(op, method, path, query, body, Some(&token))
            .await?;
        if raw.status == 401 {
            self.forget_session(&token).await;
            let b = error_body(&raw.body, &self.secrets());
            return Err(KfError::Auth {
                code: if b.error.is_empty() {
                    "InvalidSessionToken".into()
                } else {
                    b.error
                },
                message: "KashFlow refused a freshly issued session token".into(),
            });
        }
        self.touch(&token).await;
        Ok(raw)
    }

    /// A business call: authenticated, success status checked, reads retried (bounded).
    pub(super) async fn call(
        &self,
        op: &str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Raw, KfError> {
        let kind = RequestKind::of(&method);
        let request = format!("{method} {path}");
        retry_reads(
            op,
            kind,
            self.cfg.read_retries,
            &self.cfg.backoff,
            || async {
                let raw = self.send_authed(op, &method, path, query, body).await?;
                if (200..300).contains(&raw.status) {
                    Ok(raw)
                } else {
                    Err(classify(&request, kind, &raw, &self.secrets()))
                }
            },
        )
        .await
    }

    pub(super) async fn call_json<T: DeserializeOwned>(
        &self,
        op: &str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<T, KfError> {
        let kind = RequestKind::of(&method);
        let request = format!("{method} {path}");
        let raw = self.call(op, method, path, query, body).await?;
        decode(&request, kind, &raw.body)
    }

    /// A GET whose 404 means "no such object".
    pub(super) async fn get_optional<T: DeserializeOwned>(
        &self,
        op: &str,
        path: &str,
    ) -> Result<Option<T>, KfError> {
        match self.call_json(op, Method::GET, path, &[], None).await {
            Ok(v) => Ok(Some(v)),
            Err(KfError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn get_list<T: DeserializeOwned>(
        &self,
        op: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(Vec<T>, Option<ListMetaData>), KfError> {
        let request = format!("GET {path}");
        let raw = self.call(op, Method::GET, path, query, None).await?;
        let value: Value = serde_json::from_slice(&raw.body).map_err(|e| KfError::Decode {
            request: request.clone(),
            detail: e.to_string(),
            kind: RequestKind::Read,
        })?;
        let meta = caseless::get(&value, "MetaData")
            .filter(|m| m.is_object())
            .map(|m| caseless::from_value::<ListMetaData>(m.clone()))
            .transpose()
            .map_err(|e| KfError::Decode {
                request: request.clone(),
                detail: format!("MetaData: {e}"),
                kind: RequestKind::Read,
            })?;
        let items = caseless::list_items(value).map_err(|detail| KfError::Decode {
            request: request.clone(),
            detail,
            kind: RequestKind::Read,
        })?;
        let items = items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                caseless::from_value(v).map_err(|e| KfError::Decode {
                    request: request.clone(),
                    detail: format!("item {i}: {e}"),
                    kind: RequestKind::Read,
                })
            })
            .collect::<Result<Vec<T>, _>>()?;
        Ok((items, meta))
    }

    pub(super) async fn get_page<T: DeserializeOwned>(
        &self,
        op: &str,
        path: &str,
        page: u32,
        per_page: u32,
    ) -> Result<Page<T>, KfError> {
        let q = [
            ("page", page.to_string()),
            ("perpage", per_page.to_string()),
        ];
        let (items, meta) = self.get_list(op, path, &q).await?;
        Ok(Page {
            items,
            total_records: meta.as_ref().map(|m| m.total_records),
            next_page_url: meta.and_then(|m| m.next_page_url),
        })
    }

    /// Every row of a paginated (or bare) list.
    pub(super) async fn get_all<T: DeserializeOwned>(
        &self,
        op: &str,
        path: &str,
    ) -> Result<Vec<T>, KfError> {
        let mut all = Vec::new();
        for page in 1..=WALK_MAX_PAGES {
            let p: Page<T> = self.get_page(op, path, page, WALK_PER_PAGE).await?;
            let n = p.items.len();
            let paged = p.total_records.is_some();
            all.extend(p.items);
            let more = if paged {
                p.next_page_url.is_some() && n > 0
            } else {
                false
            };
            if !more {
                break;
            }
        }
        Ok(all)
    }
}

pub(super) fn seg(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

pub(super) fn to_body<T: Serialize>(v: &T) -> Result<Value, KfError> {
    serde_json::to_value(v).map_err(|e| KfError::Config(format!("encoding the request: {e}")))
}

pub(super) fn decode<T: DeserializeOwned>(
    request: &str,
    kind: RequestKind,
    body: &[u8],
) -> Result<T, KfError> {
    caseless::from_slice(body).map_err(|e| KfError::Decode {
        request: request.to_owned(),
        detail: e.to_string(),
        kind,
    })
}
