//! The flows exports (issue 20): validating a flow document for the designer and the dry run of
//! flows over a list of orders. Both are pure and synchronous — no engine handle, no journal, no
//! network — so the admin page can call them on any request thread.

use crate::buffer::KfsBuffer;
use crate::error::FfiError;
use crate::guard::{self, to_json, Out};
use crate::input;
use kashflow_sync::engine::EngineError;
use kashflow_sync::flows;
use kashflow_sync::mapping::MappingRules;

/// Validates a flow document (`{"Version":1,"Flows":[...]}`); writes
/// `{"Valid":bool,"Errors":[{"FlowId","Box","Path","Message"}]}` to `out`, every problem at once,
/// each on its designer box (`Flow`, `Trigger`, `When` or `When.All[1]`, `Steps[2]`). An invalid
/// document is still `KFS_OK` (the report says why); only a null or empty argument is an error.
///
/// # Safety
/// `flows` points to `flows_len` readable bytes; `out` to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_flows_validate(
    flows: *const u8,
    flows_len: usize,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let bytes = input::document("flows", flows, flows_len)?;
            to_json(&flows::validate(bytes))
        })
    }
}

/// What the flows would do with `orders` (a JSON array of order snapshots, or of
/// `{"Snapshot":{...},"Events":["OrderPaid",...]}`), posting nothing; writes
/// `{"Rows":[{"OrderId","CustomOrderNumber","Trigger","Flow","Explanation","Steps",
/// "InvoiceTotal","Currency","Error"}],"Orders":n,"ElapsedMs":ms}` to `out` (one row per order
/// and trigger). Invoice totals use the default mapping rules. A flow document that is not
/// valid is `KFS_INVALID_DOCUMENT` with its first problem (path under `flows`); so is an orders
/// argument that is not an array.
///
/// # Safety
/// `flows` points to `flows_len` readable bytes, `orders` to `orders_len`; `out` to a writable
/// `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_flows_dry_run(
    flows: *const u8,
    flows_len: usize,
    orders: *const u8,
    orders_len: usize,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let flows_bytes = input::document("flows", flows, flows_len)?;
            let orders_bytes = input::document("orders", orders, orders_len)?;
            let doc = flows::parse(flows_bytes).map_err(|errs| {
                let first = errs.first();
                FfiError::from(EngineError::invalid_document(
                    format!(
                        "the flows are not valid ({} problem(s)): {}",
                        errs.len(),
                        first.map(|e| e.message.as_str()).unwrap_or("")
                    ),
                    first.map(|e| e.path.as_str()).filter(|p| !p.is_empty()),
                ))
            })?;
            let run = flows::dry_run(&doc, orders_bytes, &MappingRules::default())
                .map_err(FfiError::from)?;
            to_json(&run)
        })
    }
}
