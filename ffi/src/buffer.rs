//! `KfsBuffer`: the one way documents leave the library, and `kfs_buffer_free`, the one way they
//! are released.
//!
//! Every buffer handed out is recorded in a process-wide table (address → length). Freeing checks
//! the table first, so a forged pointer, or a second free of a buffer whose memory has not been
//! handed out again, is answered with `KFS_INVALID_ARGUMENT` instead of corrupting the heap.
//! `kfs_buffer_free` also resets the caller's variable, so freeing the same variable twice is
//! always harmless. What no `{ptr, len}` check can catch is a stale *copy* freed after the
//! allocator reused its address for a new buffer of the same length: hosts free each buffer
//! through the variable they received it in (the C# layer does). The cost of the table is one
//! uncontended mutex per buffer, far below the cost of the JSON it carries.

use crate::status::{KFS_INVALID_ARGUMENT, KFS_OK};
use once_cell::sync::Lazy;
use std::collections::HashMap;
use std::sync::Mutex;

/// A library-owned byte buffer (UTF-8 JSON unless the function says otherwise).
/// `ptr` is null and `len` 0 for an empty buffer. Release with `kfs_buffer_free`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct KfsBuffer {
    pub ptr: *mut u8,
    pub len: usize,
}

impl KfsBuffer {
    /// The empty buffer (null, 0). A function, not an associated const, so cbindgen has nothing
    /// to (fail to) translate.
    pub const fn empty() -> KfsBuffer {
        KfsBuffer {
            ptr: std::ptr::null_mut(),
            len: 0,
        }
    }

    /// Hands `bytes` to the host, recording the allocation so it can be checked when freed.
    pub fn from_vec(bytes: Vec<u8>) -> KfsBuffer {
        if bytes.is_empty() {
            return KfsBuffer::empty();
        }
        let boxed: Box<[u8]> = bytes.into_boxed_slice();
        let len = boxed.len();
        let ptr = Box::into_raw(boxed) as *mut u8;
        live().insert(ptr as usize, len);
        KfsBuffer { ptr, len }
    }
}

fn live() -> std::sync::MutexGuard<'static, HashMap<usize, usize>> {
    static LIVE: Lazy<Mutex<HashMap<usize, usize>>> = Lazy::new(|| Mutex::new(HashMap::new()));
    // A panic while holding this lock cannot leave the map inconsistent (single insert/remove).
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Number of buffers handed out and not yet freed (diagnostics and leak tests).
pub fn live_buffer_count() -> usize {
    live().len()
}

/// Releases a buffer returned by any `kfs_` function and resets `*buffer` to empty, so freeing
/// the same variable twice is harmless. Returns `KFS_OK` (also for a null `buffer` or an empty
/// buffer) or `KFS_INVALID_ARGUMENT` when the buffer was not issued by this library or was already
/// freed through a copy; nothing is released then.
///
/// # Safety
/// `buffer` is null or points to a readable and writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_buffer_free(buffer: *mut KfsBuffer) -> i32 {
    let result = std::panic::catch_unwind(|| {
        if buffer.is_null() {
            return KFS_OK;
        }
        // SAFETY: the caller guarantees `buffer` points to a KfsBuffer.
        let b = unsafe { *buffer };
        if b.ptr.is_null() {
            return if b.len == 0 {
                KFS_OK
            } else {
                KFS_INVALID_ARGUMENT
            };
        }
        let known_len = live().remove(&(b.ptr as usize));
        match known_len {
            Some(len) if len == b.len => {
                // SAFETY: (ptr, len) came from Box<[u8]>::into_raw in from_vec and was still live.
                drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(b.ptr, len)) });
                unsafe { *buffer = KfsBuffer::empty() };
                KFS_OK
            }
            Some(len) => {
                // Wrong length: put the record back and refuse, rather than free the wrong layout.
                live().insert(b.ptr as usize, len);
                KFS_INVALID_ARGUMENT
            }
            None => KFS_INVALID_ARGUMENT,
        }
    });
    result.unwrap_or(crate::status::KFS_PANIC)
}
