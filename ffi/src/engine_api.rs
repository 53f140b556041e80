//! The engine exports: one `kashflow_sync::engine::Engine` per opaque `KfsEngine*` handle.
//!
//! A handle's pointer value is an id in a registry of `Arc<EngineEntry>` (see `registry`), so a
//! freed or forged handle is `KFS_INVALID_HANDLE`, never a dangling dereference; each call clones
//! the `Arc`, so concurrent calls run in parallel and a call in flight keeps its engine alive.
//! Freeing cancels the engine's asynchronous operations (waiting for their callbacks), shuts the
//! engine down, then closes the log gate (waiting for in-flight log callbacks): after
//! `kfs_engine_free` returns, the host is never called back for that engine again.

use crate::buffer::KfsBuffer;
use crate::error::FfiError;
use crate::guard::{self, to_json, Out};
use crate::input;
use crate::log::{HostLog, HostSink, KfsLogCallback};
use crate::operation::{self, KfsCompletionCallback};
use crate::registry::Registry;
use crate::runtime;
use crate::status::*;
use kashflow_sync::engine::{Engine, EngineConfig, EngineError, LogSink, RecordQuery};
use once_cell::sync::Lazy;
use serde::Serialize;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[cfg(not(target_pointer_width = "64"))]
compile_error!("engine handles are 64-bit registry ids carried in a pointer: 64-bit targets only");

/// Opaque engine handle. Its value is an id, not an address: never dereference it.
pub struct KfsEngine {
    _private: [u8; 0],
}

/// How long `kfs_engine_free` lets in-flight work finish when the host did not call
/// `kfs_engine_shutdown` first.
pub const KFS_DEFAULT_SHUTDOWN_GRACE_MS: u32 = 5000;

struct EngineEntry {
    engine: Arc<Engine>,
    log: Option<Arc<HostLog>>,
    shut_down: AtomicBool,
}

static ENGINES: Lazy<Registry<EngineEntry>> = Lazy::new(|| Registry::new(0x4b46));

impl From<EngineError> for FfiError {
    fn from(e: EngineError) -> Self {
        let doc = e.to_doc();
        let status = match doc.code.as_str() {
            "InvalidDocument" | "UnsupportedSchemaVersion" => KFS_INVALID_DOCUMENT,
            "NotFound" => KFS_NOT_FOUND,
            "InvalidConfig" => KFS_INVALID_CONFIG,
            "ShuttingDown" => KFS_SHUTTING_DOWN,
            _ => KFS_ENGINE_ERROR,
        };
        FfiError {
            status,
            code: doc.code,
            message: doc.message,
            path: doc.path,
        }
    }
}

fn id_of(engine: *mut KfsEngine) -> u64 {
    engine as usize as u64
}

fn lookup(engine: *mut KfsEngine) -> Result<Arc<EngineEntry>, FfiError> {
    ENGINES
        .get(id_of(engine))
        .ok_or_else(|| FfiError::invalid_handle("engine"))
}

/// Runs `f` on a live engine, inside the shared runtime's context.
fn with_engine<T>(
    engine: *mut KfsEngine,
    f: impl FnOnce(&Engine) -> Result<T, EngineError>,
) -> Result<T, FfiError> {
    let entry = lookup(engine)?;
    let _context = runtime::handle().enter();
    f(&entry.engine).map_err(FfiError::from)
}

fn parse_config(ptr: *const u8, len: usize) -> Result<EngineConfig, FfiError> {
    let bytes = unsafe { input::document("config", ptr, len)? };
    EngineConfig::from_json(bytes).map_err(FfiError::from)
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CountDoc {
    count: u64,
}

/// Creates and starts an engine from a configuration document (`EngineConfig`, PascalCase JSON).
/// On success writes the handle to `*out_engine`. `log` (nullable) receives the engine's log lines
/// with `log_user_data` until `kfs_engine_free` returns. Errors: `KFS_INVALID_CONFIG` (with the
/// setting's `Path`), `KFS_ENGINE_ERROR` (e.g. the journal cannot be opened).
///
/// # Safety
/// `config` points to `config_len` readable bytes; `out_engine` to a writable `KfsEngine *`;
/// `out` is null or points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_create(
    config: *const u8,
    config_len: usize,
    log: KfsLogCallback,
    log_user_data: *mut c_void,
    out_engine: *mut *mut KfsEngine,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::StatusOnly, || {
            if out_engine.is_null() {
                return Err(FfiError::null_argument("out_engine"));
            }
            *out_engine = std::ptr::null_mut();
            let config = parse_config(config, config_len)?;
            let log = HostLog::new(log, log_user_data).map(Arc::new);
            if let Some(log) = &log {
                crate::log::register(log);
            }
            let sink: Option<Arc<dyn LogSink>> = log
                .clone()
                .map(|l| Arc::new(HostSink(l)) as Arc<dyn LogSink>);
            let rt = runtime::handle();
            // If starting fails (or panics), close the log gate before returning, so the host
            // may release its callback state as soon as this call reports the failure.
            let mut gate = CloseOnDrop(log.clone());
            let engine = {
                let _context = rt.enter();
                Engine::start(config, rt.clone(), sink)?
            };
            gate.0 = None; // started: the gate now closes in kfs_engine_free
            let id = ENGINES.insert(Arc::new(EngineEntry {
                engine: Arc::new(engine),
                log,
                shut_down: AtomicBool::new(false),
            }));
            *out_engine = id as usize as *mut KfsEngine;
            Ok(Vec::new())
        })
    }
}

/// Closes a log gate when dropped (unless emptied): the failure path of `kfs_engine_create`.
struct CloseOnDrop(Option<Arc<HostLog>>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        if let Some(log) = &self.0 {
            log.close();
        }
    }
}

fn shutdown(entry: &EngineEntry, grace: Duration) {
    if !entry.shut_down.swap(true, Ordering::SeqCst) {
        let engine = entry.engine.clone();
        runtime::block_on(async move { engine.shutdown(grace).await });
    }
}

/// Stops the engine: no new work is accepted (`KFS_SHUTTING_DOWN`), in-flight work gets up to
/// `grace_ms` to finish. The handle stays valid until `kfs_engine_free`. Idempotent.
///
/// # Safety
/// `out` is null or points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_shutdown(
    engine: *mut KfsEngine,
    grace_ms: u32,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::StatusOnly, || {
            let entry = lookup(engine)?;
            shutdown(&entry, Duration::from_millis(grace_ms as u64));
            Ok(Vec::new())
        })
    }
}

/// Frees an engine: cancels its running operations (they complete with `KFS_CANCELLED`, Code
/// "EngineDisposed", and their callbacks have returned before this does), shuts it down (grace
/// `KFS_DEFAULT_SHUTDOWN_GRACE_MS` unless `kfs_engine_shutdown` ran) and waits for in-flight log
/// callbacks. Afterwards the handle is invalid (`KFS_INVALID_HANDLE`, also for a second free).
/// Must not be called from inside one of this engine's callbacks.
///
/// # Safety
/// `out` is null or points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_free(engine: *mut KfsEngine, out: *mut KfsBuffer) -> i32 {
    unsafe {
        guard::run(out, Out::StatusOnly, || {
            let id = id_of(engine);
            let entry = ENGINES
                .remove(id)
                .ok_or_else(|| FfiError::invalid_handle("engine"))?;
            operation::cancel_owned_by(id, || {
                FfiError::new(
                    KFS_CANCELLED,
                    "EngineDisposed",
                    "the engine was disposed while the operation was running",
                )
            });
            shutdown(
                &entry,
                Duration::from_millis(KFS_DEFAULT_SHUTDOWN_GRACE_MS as u64),
            );
            if let Some(log) = &entry.log {
                log.close();
            }
            Ok(Vec::new())
        })
    }
}

/// Enqueues an order snapshot (UTF-8 JSON, `SchemaVersion` 1); durable before it returns.
/// Writes the `EnqueueReceipt` (`{"RecordId","OrderId","State","Message"}`) to `out`. A malformed
/// snapshot is recorded as Failed and still answers `KFS_OK` with State "Failed" and the reason.
///
/// # Safety
/// `snapshot` points to `snapshot_len` readable bytes; `out` to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_enqueue_order(
    engine: *mut KfsEngine,
    snapshot: *const u8,
    snapshot_len: usize,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let bytes = input::document("snapshot", snapshot, snapshot_len)?;
            to_json(&with_engine(engine, |e| e.enqueue_order(bytes))?)
        })
    }
}

/// Enqueues an order event (`{"Kind":"OrderPaid"|"OrderCancelled"|"OrderRefunded",...}`); writes
/// the `EnqueueReceipt` to `out`.
///
/// # Safety
/// `event` points to `event_len` readable bytes; `out` to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_enqueue_event(
    engine: *mut KfsEngine,
    event: *const u8,
    event_len: usize,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let bytes = input::document("event", event, event_len)?;
            to_json(&with_engine(engine, |e| e.enqueue_event(bytes))?)
        })
    }
}

/// Writes up to `max` unacknowledged outcomes (a JSON array, oldest first) to `out`. They are
/// returned again by later polls until acknowledged with `kfs_engine_ack_outcomes`.
///
/// # Safety
/// `out` points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_poll_outcomes(
    engine: *mut KfsEngine,
    max: u32,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            to_json(&with_engine(engine, |e| e.poll_outcomes(max as usize))?)
        })
    }
}

/// Acknowledges outcomes by id (applied by the host); writes `{"Count":n}` (newly acknowledged).
/// `ids` may be null when `ids_len` is 0.
///
/// # Safety
/// `ids` points to `ids_len` readable `int64_t`; `out` to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_ack_outcomes(
    engine: *mut KfsEngine,
    ids: *const i64,
    ids_len: usize,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let ids = input::slice("ids", ids, ids_len)?;
            let count = with_engine(engine, |e| e.ack_outcomes(ids))?;
            to_json(&CountDoc {
                count: count as u64,
            })
        })
    }
}

/// Writes the record counts per state (`StatusCounts`) to `out`.
///
/// # Safety
/// `out` points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_status_counts(
    engine: *mut KfsEngine,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            to_json(&with_engine(engine, |e| e.status_counts())?)
        })
    }
}

/// Writes one page of the sync log (`RecordPage`) for a `RecordQuery` document (`{}` = first
/// page, all states) to `out`.
///
/// # Safety
/// `query` points to `query_len` readable bytes; `out` to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_list_records(
    engine: *mut KfsEngine,
    query: *const u8,
    query_len: usize,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let bytes = input::document("query", query, query_len)?;
            let query = RecordQuery::from_json(bytes)?;
            to_json(&with_engine(engine, |e| e.list_records(&query))?)
        })
    }
}

/// Writes one record's detail (`RecordDetail`: attempts, events, outcomes, snapshot) to `out`.
/// `KFS_NOT_FOUND` for an unknown id.
///
/// # Safety
/// `out` points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_record_detail(
    engine: *mut KfsEngine,
    record_id: i64,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            to_json(&with_engine(engine, |e| e.record_detail(record_id))?)
        })
    }
}

/// Schedules a failed (or retrying) record for another attempt now.
///
/// # Safety
/// `out` is null or points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_retry_record(
    engine: *mut KfsEngine,
    record_id: i64,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::StatusOnly, || {
            with_engine(engine, |e| e.retry_record(record_id))?;
            Ok(Vec::new())
        })
    }
}

/// Schedules every failed record for another attempt; writes `{"Count":n}` to `out`.
///
/// # Safety
/// `out` points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_retry_all_failed(
    engine: *mut KfsEngine,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let count = with_engine(engine, |e| e.retry_all_failed())?;
            to_json(&CountDoc {
                count: count as u64,
            })
        })
    }
}

/// Maps a snapshot without enqueueing it; writes the `Preview` (canonical invoice, KashFlow
/// requests, problems) to `out`.
///
/// # Safety
/// `snapshot` points to `snapshot_len` readable bytes; `out` to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_preview(
    engine: *mut KfsEngine,
    snapshot: *const u8,
    snapshot_len: usize,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let bytes = input::document("snapshot", snapshot, snapshot_len)?;
            to_json(&with_engine(engine, |e| e.preview(bytes))?)
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ValidationDoc {
    valid: bool,
    errors: Vec<ErrorDocOut>,
    /// The parsed configuration with defaults filled in and secrets redacted (when valid).
    config: Option<serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorDocOut {
    code: String,
    message: String,
    path: Option<String>,
}

/// Validates a configuration document without starting anything; writes
/// `{"Valid":bool,"Errors":[{"Code","Message","Path"}],"Config":<redacted, defaults filled>|null}`
/// to `out`. An invalid configuration is still `KFS_OK` (the report says why); only a null or
/// empty document is an error.
///
/// # Safety
/// `config` points to `config_len` readable bytes; `out` to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_validate_config(
    config: *const u8,
    config_len: usize,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let bytes = input::document("config", config, config_len)?;
            let doc = match EngineConfig::from_json(bytes) {
                Ok(config) => ValidationDoc {
                    valid: true,
                    errors: Vec::new(),
                    config: Some(config.redacted_json()),
                },
                Err(e) => {
                    let d = e.to_doc();
                    ValidationDoc {
                        valid: false,
                        errors: vec![ErrorDocOut {
                            code: d.code,
                            message: d.message,
                            path: d.path,
                        }],
                        config: None,
                    }
                }
            };
            to_json(&doc)
        })
    }
}

/// Starts reading the KashFlow account's lookups (asynchronous; never blocks the calling
/// thread): payment methods, bank accounts, nominal codes, VAT rates, currencies and products,
/// with their names. `kfs_operation_take` then yields the catalogue document (the `KashFlow` half
/// of `kfs_suggest_mappings`' input) or the error. Previews made afterwards are checked against
/// it. Cancel with `kfs_operation_cancel`.
///
/// # Safety
/// As `kfs_engine_test_connection`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_lookups(
    engine: *mut KfsEngine,
    callback: KfsCompletionCallback,
    user_data: *mut c_void,
    out_operation: *mut u64,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        start_engine_operation(engine, callback, user_data, out_operation, out, |e| {
            Ok(async move { to_json(&e.account_catalogue().await?) })
        })
    }
}

/// Starts creating products in KashFlow (asynchronous): reads `{"Products":[{"Code","Name",
/// "NominalCode","Price","VatRate"}]}`, creates each one whose code the account does not have,
/// one after another under the client's rate limit, then queues again the orders that were
/// waiting only for them. `kfs_operation_take` yields `[{"Code","Result":"Created"|
/// "AlreadyThere"|"Failed","Error"}]`. A document that does not read is refused at once
/// (`KFS_INVALID_DOCUMENT`, naming the field), before anything starts.
///
/// # Safety
/// `input` points to `input_len` readable bytes; otherwise as `kfs_engine_test_connection`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_create_products(
    engine: *mut KfsEngine,
    input: *const u8,
    input_len: usize,
    callback: KfsCompletionCallback,
    user_data: *mut c_void,
    out_operation: *mut u64,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        start_engine_operation(engine, callback, user_data, out_operation, out, |e| {
            let bytes = input::document("input", input, input_len)?;
            let request: ProductsToCreate = read_document(bytes, "the products")?;
            Ok(async move { to_json(&e.create_products(&request.products).await?) })
        })
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProductsToCreate {
    products: Vec<kashflow_sync::mapping::suggest::NewProduct>,
}

/// Suggests how to map the store to the KashFlow account (payment methods, bank accounts,
/// nominal codes, tax categories, currencies, products), each with a confidence and a reason.
/// Reads `{"Store":{…},"KashFlow":{…}}` (the two catalogues, `kashflow_sync::mapping::suggest`)
/// and writes the `Suggestions` document to `out`. Pure: no engine, no network, nothing stored.
/// A catalogue that does not read is `KFS_INVALID_DOCUMENT` naming the field.
///
/// # Safety
/// `input` points to `input_len` readable bytes; `out` to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_suggest_mappings(
    input: *const u8,
    input_len: usize,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let bytes = input::document("input", input, input_len)?;
            let catalogues: Catalogues = read_document(bytes, "the catalogues")?;
            to_json(&kashflow_sync::mapping::suggest::suggest(
                &catalogues.store,
                &catalogues.kashflow,
            ))
        })
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Catalogues {
    #[serde(default)]
    store: kashflow_sync::mapping::suggest::StoreCatalogue,
    #[serde(default, rename = "KashFlow")]
    kashflow: kashflow_sync::mapping::suggest::KashFlowCatalogue,
}

/// A host document read by the engine's one document reader (field paths in errors).
fn read_document<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, FfiError> {
    use kashflow_sync::engine::document;
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        FfiError::from(EngineError::invalid_document(
            format!("{what}: not valid JSON: {e}"),
            None,
        ))
    })?;
    document::strip_nulls(&mut value);
    document::read(&value, &[])
        .map_err(|f| FfiError::from(EngineError::invalid_document(f.message, f.path.as_deref())))
}

/// Starts testing the KashFlow connection (asynchronous; never blocks the calling thread).
/// Writes the operation id to `*out_operation`; `callback` (nullable) is called once on
/// completion, after which `kfs_operation_take` yields the `ConnectionReport` document (or the
/// error). A working test carries the account's lookups as `Catalogue` (the document
/// `kfs_engine_lookups` gives) and keeps them as that call does. Cancel with
/// `kfs_operation_cancel`.
///
/// # Safety
/// `out_operation` points to a writable `uint64_t`; `out` is null or points to a writable
/// `KfsBuffer`; `user_data` is passed back to `callback` untouched.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_test_connection(
    engine: *mut KfsEngine,
    callback: KfsCompletionCallback,
    user_data: *mut c_void,
    out_operation: *mut u64,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        start_engine_operation(engine, callback, user_data, out_operation, out, |e| {
            Ok(async move { to_json(&e.test_connection().await?) })
        })
    }
}

/// The asynchronous engine calls' common part: check the arguments, let `work` read its input
/// (inside the panic guard; an error there is returned at once and starts nothing), start the
/// future it gives as an operation owned by the engine, write its id to `*out_operation`.
///
/// # Safety
/// As the calling entry points: `out_operation` writable or null (an error), `out` null or a
/// writable `KfsBuffer`.
unsafe fn start_engine_operation<W, F>(
    engine: *mut KfsEngine,
    callback: KfsCompletionCallback,
    user_data: *mut c_void,
    out_operation: *mut u64,
    out: *mut KfsBuffer,
    work: W,
) -> i32
where
    W: FnOnce(Arc<Engine>) -> Result<F, FfiError>,
    F: std::future::Future<Output = Result<Vec<u8>, FfiError>> + Send + 'static,
{
    unsafe {
        guard::run(out, Out::StatusOnly, || {
            if out_operation.is_null() {
                return Err(FfiError::null_argument("out_operation"));
            }
            let entry = lookup(engine)?;
            let future = work(entry.engine.clone())?;
            let id = operation::start(id_of(engine), callback, user_data, future);
            *out_operation = id;
            Ok(Vec::new())
        })
    }
}

/// Applies a new configuration document to the running engine (credentials, rules, steps...).
///
/// # Safety
/// `config` points to `config_len` readable bytes; `out` is null or points to a writable
/// `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_reconfigure(
    engine: *mut KfsEngine,
    config: *const u8,
    config_len: usize,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::StatusOnly, || {
            let config = parse_config(config, config_len)?;
            with_engine(engine, |e| e.reconfigure(config))?;
            Ok(Vec::new())
        })
    }
}

/// Asks the engine to pull stock levels from KashFlow now (results arrive as SetStock outcomes).
///
/// # Safety
/// `out` is null or points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_engine_request_stock_pull(
    engine: *mut KfsEngine,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::StatusOnly, || {
            with_engine(engine, |e| e.request_stock_pull())?;
            Ok(Vec::new())
        })
    }
}

/// Number of live engines (diagnostics and leak tests).
pub fn engine_count() -> usize {
    ENGINES.len()
}
