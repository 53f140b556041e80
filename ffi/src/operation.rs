//! Asynchronous operations (test connection, ...): started by an export that returns at once with
//! an operation id, completed on the shared runtime, never blocking a host thread.
//!
//! The host learns of completion through an optional completion callback (called exactly once,
//! from a library thread, after the result is ready) or by polling `kfs_operation_take`, which
//! returns `KFS_PENDING` until then and hands over the result once. `kfs_operation_cancel` ends a
//! running operation with `KFS_CANCELLED`. Freeing an engine cancels its running operations and
//! waits until their completion callbacks have returned.

use crate::buffer::KfsBuffer;
use crate::error::FfiError;
use crate::guard::{self, panic_message, Out};
use crate::registry::Registry;
use crate::runtime;
use crate::status::{KFS_CANCELLED, KFS_OK, KFS_PENDING};
use once_cell::sync::Lazy;
use std::ffi::c_void;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex};
use tokio::sync::oneshot;

/// Called once when operation `operation` completes with `status`; then `kfs_operation_take`
/// returns the result. Called from a library thread; must not unwind.
pub type KfsCompletionCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, operation: u64, status: i32)>;

enum State {
    Running,
    /// Result ready; `notified` once the completion callback has returned.
    Done {
        result: Result<Vec<u8>, FfiError>,
        notified: bool,
    },
}

pub struct Operation {
    /// Id of the engine that started it (0: none), so freeing that engine can cancel it.
    pub owner: u64,
    state: Mutex<State>,
    changed: Condvar,
    cancel: Mutex<Option<oneshot::Sender<FfiError>>>,
}

static OPERATIONS: Lazy<Registry<Operation>> = Lazy::new(|| Registry::new(0x4f50));

impl Operation {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks a running operation to stop with `reason`; no effect once it has completed.
    pub fn cancel(&self, reason: FfiError) {
        if let Some(tx) = self.cancel.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = tx.send(reason);
        }
    }

    /// Blocks until the result is ready and the completion callback has returned.
    pub fn wait_notified(&self) {
        let mut state = self.lock();
        while !matches!(*state, State::Done { notified: true, .. }) {
            state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// The error an operation ends with when cancelled by the host.
pub fn cancelled_by_host() -> FfiError {
    FfiError::new(KFS_CANCELLED, "Cancelled", "the operation was cancelled")
}

/// Starts `work` on the shared runtime and returns the operation id.
pub fn start<F>(owner: u64, callback: KfsCompletionCallback, user_data: *mut c_void, work: F) -> u64
where
    F: Future<Output = Result<Vec<u8>, FfiError>> + Send + 'static,
{
    let (cancel_tx, cancel_rx) = oneshot::channel::<FfiError>();
    let op = Arc::new(Operation {
        owner,
        state: Mutex::new(State::Running),
        changed: Condvar::new(),
        cancel: Mutex::new(Some(cancel_tx)),
    });
    let id = OPERATIONS.insert(op.clone());
    let user_data = user_data as usize;
    let rt = runtime::handle();
    rt.spawn(async move {
        // The work runs in its own task so a panic in it surfaces as a JoinError here.
        let mut task = tokio::spawn(work);
        let result = tokio::select! {
            joined = &mut task => match joined {
                Ok(result) => result,
                Err(e) if e.is_panic() => Err(FfiError::panic(&panic_message(e.into_panic().as_ref()))),
                Err(_) => Err(cancelled_by_host()),
            },
            reason = cancel_rx => {
                task.abort();
                Err(reason.unwrap_or_else(|_| cancelled_by_host()))
            }
        };
        let status = match &result {
            Ok(_) => KFS_OK,
            Err(e) => e.status,
        };
        *op.lock() = State::Done {
            result,
            notified: false,
        };
        op.cancel.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(cb) = callback {
            let _ = catch_unwind(AssertUnwindSafe(|| unsafe {
                cb(user_data as *mut c_void, id, status)
            }));
        }
        if let State::Done { notified, .. } = &mut *op.lock() {
            *notified = true;
        }
        op.changed.notify_all();
    });
    id
}

/// Cancels every running operation started by engine `owner` with `reason` and waits until each
/// has completed and its callback has returned.
pub fn cancel_owned_by(owner: u64, reason: impl Fn() -> FfiError) {
    for (_, op) in OPERATIONS.filter(|op| op.owner == owner) {
        op.cancel(reason());
        op.wait_notified();
    }
}

/// Number of operations not yet taken (diagnostics and leak tests).
pub fn operation_count() -> usize {
    OPERATIONS.len()
}

/// Takes the result of a completed operation: its status, with the result document (or error
/// document) in `out`, after which the operation id is invalid. A running operation answers
/// `KFS_PENDING` and stays valid. An unknown id answers `KFS_INVALID_HANDLE`.
///
/// # Safety
/// `out` points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_operation_take(operation: u64, out: *mut KfsBuffer) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let op = OPERATIONS
                .get(operation)
                .ok_or_else(|| FfiError::invalid_handle("operation"))?;
            if matches!(*op.lock(), State::Running) {
                return Err(FfiError::new(
                    KFS_PENDING,
                    "Pending",
                    "the operation has not completed yet",
                ));
            }
            // Only one taker wins the removal; a concurrent second take sees an invalid handle.
            let op = OPERATIONS
                .remove(operation)
                .ok_or_else(|| FfiError::invalid_handle("operation"))?;
            let mut state = op.lock();
            match std::mem::replace(&mut *state, State::Running) {
                State::Done { result, notified } => {
                    // Keep waiters of wait_notified satisfied: the result leaves, the flag stays.
                    *state = State::Done {
                        result: Ok(Vec::new()),
                        notified,
                    };
                    result
                }
                State::Running => unreachable!("checked above that the operation is done"),
            }
        })
    }
}

/// Requests cancellation of a running operation; it then completes with `KFS_CANCELLED` (its
/// callback is called as for any completion). Cancelling a completed operation does nothing.
/// Returns `KFS_OK`, or `KFS_INVALID_HANDLE` for an unknown (or already taken) id.
///
/// # Safety
/// `out` is null or points to a writable `KfsBuffer` (it receives an error document only).
#[no_mangle]
pub unsafe extern "C" fn kfs_operation_cancel(operation: u64, out: *mut KfsBuffer) -> i32 {
    unsafe {
        guard::run(out, Out::StatusOnly, || {
            let op = OPERATIONS
                .get(operation)
                .ok_or_else(|| FfiError::invalid_handle("operation"))?;
            op.cancel(cancelled_by_host());
            Ok(Vec::new())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buffer::kfs_buffer_free;
    use std::sync::mpsc;
    use std::time::Duration;

    unsafe extern "C" fn on_complete(user_data: *mut c_void, operation: u64, status: i32) {
        let tx = unsafe { &*(user_data as *const mpsc::Sender<(u64, i32)>) };
        // Give a freeing thread every chance to return before the callback does.
        std::thread::sleep(Duration::from_millis(50));
        let _ = tx.send((operation, status));
    }

    #[test]
    fn cancelling_an_owners_operations_waits_for_their_callbacks() {
        let (tx, rx) = mpsc::channel::<(u64, i32)>();
        let user_data = &tx as *const _ as *mut c_void;
        let owner = 0x77;
        let ops: Vec<u64> = (0..3)
            .map(|_| {
                start(owner, Some(on_complete), user_data, async {
                    tokio::time::sleep(Duration::from_secs(600)).await;
                    Ok(b"{}".to_vec())
                })
            })
            .collect();
        let other = start(owner + 1, None, std::ptr::null_mut(), async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            Ok(b"{}".to_vec())
        });
        cancel_owned_by(owner, || {
            FfiError::new(KFS_CANCELLED, "EngineDisposed", "the engine was disposed")
        });
        // Every callback has returned, so every message is already in the channel.
        let mut done: Vec<(u64, i32)> = rx.try_iter().collect();
        done.sort();
        let mut expected: Vec<(u64, i32)> = ops.iter().map(|&id| (id, KFS_CANCELLED)).collect();
        expected.sort();
        assert_eq!(done, expected);
        for id in ops {
            let mut out = KfsBuffer::empty();
            let status = unsafe { kfs_operation_take(id, &mut out) };
            assert_eq!(status, KFS_CANCELLED);
            let text = unsafe { std::slice::from_raw_parts(out.ptr, out.len) };
            assert!(std::str::from_utf8(text)
                .unwrap()
                .contains("EngineDisposed"));
            unsafe { kfs_buffer_free(&mut out) };
        }
        // Another owner's operation was left alone.
        let op = OPERATIONS.get(other).expect("still registered");
        op.wait_notified();
        let mut out = KfsBuffer::empty();
        assert_eq!(unsafe { kfs_operation_take(other, &mut out) }, KFS_OK);
        unsafe { kfs_buffer_free(&mut out) };
    }
}
