//! Reporting each KashFlow operation a job makes (method, path, status, duration) into the attempt
//! history, so the record detail shows exactly what was sent and how it went.
//!
//! One entry per client operation; the status of a successful one is KashFlow's convention for it
//! (201 for a create, 200 otherwise). Operations that are two requests inside the client (none we
//! use) would show as one entry.

use std::future::Future;
use std::time::Instant;

use crate::engine::{CallRecord, JobContext};
use crate::kashflow::error::KfError;

/// Run one client operation and report it. `Ok(None)` from a lookup is a 404. Nothing is sent
/// unless the engine allows it (`JobContext::may_call_kashflow`: it still holds the active-worker
/// lease, and the order was not cancelled before the attempt's first request).
pub async fn traced<T, F>(
    ctx: &JobContext<'_>,
    method: &str,
    path: String,
    fut: F,
) -> Result<T, KfError>
where
    F: Future<Output = Result<T, KfError>>,
{
    traced_status(ctx, method, path, None, fut).await
}

/// `traced`, with the status a success is reported with (`None`: REST's convention).
async fn traced_status<T, F>(
    ctx: &JobContext<'_>,
    method: &str,
    path: String,
    ok_status: Option<u16>,
    fut: F,
) -> Result<T, KfError>
where
    F: Future<Output = Result<T, KfError>>,
{
    if !ctx.may_call_kashflow() {
        // This process lost the active-worker lease, or the order was cancelled before this
        // attempt sent anything: start nothing (the future is never polled, so nothing is sent);
        // the engine puts the job back for the holder, or cancels the order.
        return Err(KfError::Connect {
            request: format!("{method} {path}"),
            detail: "not sent: the engine stood this attempt down (this process is no longer the active sync worker, or the order was cancelled)".into(),
        });
    }
    let start = Instant::now();
    let result = fut.await;
    let duration_ms = start.elapsed().as_millis() as u64;
    let (status, error) = match &result {
        Ok(_) => (
            Some(ok_status.unwrap_or(if method == "POST" { 201 } else { 200 })),
            None,
        ),
        Err(e) => (e.status(), Some(e.to_string())),
    };
    ctx.record_call(CallRecord {
        method: method.to_string(),
        path,
        status,
        duration_ms,
        error,
    });
    result
}

/// Run one transport operation and report it under the transport's own label for it.
pub async fn traced_op<T, F>(
    ctx: &JobContext<'_>,
    conn: &super::connection::Connection,
    op: crate::kashflow::transport::Op<'_>,
    fut: F,
) -> Result<T, KfError>
where
    F: Future<Output = Result<T, KfError>>,
{
    let (method, path) = conn.transport.label(&op);
    // SOAP answers every call with 200 (its outcome is in the body).
    let ok_status = match conn.transport.kind() {
        crate::kashflow::transport::TransportKind::Soap => Some(200),
        crate::kashflow::transport::TransportKind::Rest => None,
    };
    traced_status(ctx, method, path, ok_status, fut).await
}
