//! What every sandbox request goes through: latency, injected faults before processing (500,
//! dropped connection, SQL timeout, 429, expired session) and after it (commit-then-drop,
//! commit-then-500), routing to the API's answer, and the request log. Each request runs in its
//! own task so a client giving up does not cancel a write, as on a real server.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use hyper::{Body, Request, Response, StatusCode};

use super::auth::Auth;
use super::faults::FaultKind;
use super::handle::{RequestRecord, LOG_CAPACITY};
use super::reply::ApiError;
use super::rest_api::dispatch;
use super::routes::Route;
use super::server::{lock, Shared};
use super::soap_api::{self, SoapReply};
use crate::kashflow::error::SQL_TIMEOUT_CODE;
use crate::kashflow::soap::{assumptions, envelope};

/// Returned to hyper to make it close the connection without answering.
#[derive(Debug)]
pub(super) struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sandbox fault: connection dropped")
    }
}

impl std::error::Error for DropConnection {}

fn respond(status: u16, body: Option<Vec<u8>>) -> Response<Body> {
    let mut r = Response::new(body.map(Body::from).unwrap_or_else(Body::empty));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn error_response(e: &ApiError) -> Response<Body> {
    respond(e.status, serde_json::to_vec(&e.body()).ok())
}

fn server_error() -> ApiError {
    ApiError::new(500, "InternalServerError", "An error has occurred.")
}

fn sql_timeout() -> ApiError {
    ApiError::bad_request(
        SQL_TIMEOUT_CODE,
        "Execution Timeout Expired.  The timeout period elapsed prior to completion of the \
         operation or the server is not responding.",
    )
}

/// Handle a request in its own task, so that a client giving up (timeout, closed connection) does
/// not cancel the processing — as on a real server, a write still happens.
pub(super) async fn serve(
    shared: Arc<Shared>,
    req: Request<Body>,
) -> Result<Response<Body>, DropConnection> {
    tokio::spawn(process(shared, req))
        .await
        .unwrap_or(Err(DropConnection))
}

async fn process(
    shared: Arc<Shared>,
    req: Request<Body>,
) -> Result<Response<Body>, DropConnection> {
    let at = Instant::now();
    let method = req.method().as_str().to_ascii_uppercase();
    let path = req.uri().path().to_owned();
    let query = parse_query(req.uri().query());
    let auth_header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let action = req
        .headers()
        .get("SOAPAction")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = hyper::body::to_bytes(req.into_body())
        .await
        .map_err(|_| DropConnection)?;
    // SOAP: one address, the operation in the SOAPAction header (or the body's first element).
    let soap_op = (method == "POST" && path.eq_ignore_ascii_case(envelope::SERVICE_PATH))
        .then(|| soap_api::operation(action.as_deref(), &body).unwrap_or_default());
    let route = match soap_op {
        Some(_) => None,
        None => Route::parse(&method, &path),
    };
    let template = match (&soap_op, &route) {
        (Some(op), _) => soap_template(op),
        (None, Some(r)) => r.template().to_owned(),
        (None, None) => path.clone(),
    };
    let (fault, latency) = {
        let mut f = lock(&shared.faults);
        let is_login = route.as_ref().is_some_and(Route::is_login);
        (f.pick(&method, &template, is_login), f.latency)
    };
    let delay = latency
        + match &fault {
            Some(FaultKind::Delay(d)) => *d,
            _ => Duration::ZERO,
        };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let record = |status: Option<u16>| {
        let mut log = lock(&shared.log);
        let rec = RequestRecord {
            method: method.clone(),
            route: template.clone(),
            path: path.clone(),
            status,
            fault: fault.clone(),
            at,
        };
        *log.counts.entry(rec.key()).or_default() += 1;
        log.total += 1;
        if log.records.len() >= LOG_CAPACITY {
            log.records.pop_front();
        }
        log.records.push_back(rec);
    };

    if let Some(op) = &soap_op {
        return soap(&shared, op, &body, fault.as_ref(), &record);
    }

    // Faults that stop the request before it is processed.
    match &fault {
        Some(FaultKind::ServerError) => {
            record(Some(500));
            return Ok(error_response(&server_error()));
        }
        Some(FaultKind::DropConnection) => {
            record(None);
            return Err(DropConnection);
        }
        Some(FaultKind::SqlTimeout) => {
            record(Some(400));
            return Ok(error_response(&sql_timeout()));
        }
        Some(FaultKind::RateLimited { retry_after_secs }) => {
            record(Some(429));
            let e = ApiError::new(429, "TooManyRequests", "Too many requests. Slow down.");
            let mut r = error_response(&e);
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                r.headers_mut().insert(RETRY_AFTER, v);
            }
            return Ok(r);
        }
        Some(FaultKind::ExpireSession) => {
            if let Some(token) = Auth::token_of(auth_header.as_deref()) {
                lock(&shared.auth).revoke(token);
            }
        }
        _ => {}
    }

    let outcome = match &route {
        None => Err(ApiError::not_found(format!(
            "No KashFlow resource answers {method} {path}."
        ))),
        Some(route) => dispatch(&shared, route, &query, &body, auth_header.as_deref()),
    };

    // Faults that show after the request was processed (and committed).
    match &fault {
        Some(FaultKind::CommitThenDrop) => {
            record(None);
            return Err(DropConnection);
        }
        Some(FaultKind::CommitThenServerError) => {
            record(Some(500));
            return Ok(error_response(&server_error()));
        }
        _ => {}
    }
    let response = match outcome {
        Ok(reply) => {
            let mut r = respond(reply.status, reply.body);
            if let Some(loc) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                r.headers_mut().insert(LOCATION, loc);
            }
            r
        }
        Err(e) => error_response(&e),
    };
    record(Some(response.status().as_u16()));
    Ok(response)
}

/// The route template of a SOAP operation in the request log and fault rules.
pub fn soap_template(op: &str) -> String {
    format!("{}:{op}", envelope::SERVICE_PATH)
}

fn soap_response(reply: SoapReply) -> Response<Body> {
    let mut r = Response::new(Body::from(reply.body));
    *r.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    r
}

/// A SOAP request through the same faults as REST: 500 is a `soap:Fault`, the SQL timeout a
/// Status `NO` with its text, 429 plain HTTP; sessions do not exist, so `expire-session` does
/// nothing.
fn soap(
    shared: &Shared,
    op: &str,
    body: &[u8],
    fault: Option<&FaultKind>,
    record: &dyn Fn(Option<u16>),
) -> Result<Response<Body>, DropConnection> {
    match fault {
        Some(FaultKind::ServerError) => {
            record(Some(500));
            return Ok(soap_response(soap_api::server_fault()));
        }
        Some(FaultKind::DropConnection) => {
            record(None);
            return Err(DropConnection);
        }
        Some(FaultKind::SqlTimeout) => {
            record(Some(200));
            return Ok(soap_response(soap_api::no(
                op,
                assumptions::SQL_TIMEOUT_TEXT,
            )));
        }
        Some(FaultKind::RateLimited { retry_after_secs }) => {
            record(Some(429));
            let mut r = soap_response(SoapReply {
                status: 429,
                body: Vec::new(),
            });
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                r.headers_mut().insert(RETRY_AFTER, v);
            }
            return Ok(r);
        }
        _ => {}
    }
    let reply = soap_api::dispatch(shared, op, body);
    match fault {
        Some(FaultKind::CommitThenDrop) => {
            record(None);
            Err(DropConnection)
        }
        Some(FaultKind::CommitThenServerError) => {
            record(Some(500));
            Ok(soap_response(soap_api::server_fault()))
        }
        _ => {
            record(Some(reply.status));
            Ok(soap_response(reply))
        }
    }
}

pub(super) type Query = HashMap<String, String>;

fn parse_query(q: Option<&str>) -> Query {
    url::form_urlencoded::parse(q.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
        .collect()
}
