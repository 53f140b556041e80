//! Status codes every export returns, and the ABI version the C# layer checks before first use.
//!
//! The codes are coarse on purpose: the error document's `Code` says exactly what went wrong,
//! the status only tells the host which family of failure it is handling.

/// Bumped whenever an export's signature or meaning changes; the C# layer refuses a library whose
/// `kfs_abi_version()` differs from the value it was generated against.
pub const KFS_ABI_VERSION: u32 = 1;

/// The call succeeded; `out` (when the call produces a document) holds the result.
pub const KFS_OK: i32 = 0;
/// A required pointer argument was null, or a buffer was empty where a document was expected.
pub const KFS_NULL_ARGUMENT: i32 = 1;
/// An input document was not valid UTF-8 JSON of the expected shape (or schema version).
pub const KFS_INVALID_DOCUMENT: i32 = 2;
/// The engine or operation handle is null, already freed, or was never issued by this library.
pub const KFS_INVALID_HANDLE: i32 = 3;
/// The configuration document was rejected.
pub const KFS_INVALID_CONFIG: i32 = 4;
/// The record (or other addressed item) does not exist.
pub const KFS_NOT_FOUND: i32 = 5;
/// The engine failed (journal, KashFlow, ...); the error document's `Code` says which.
pub const KFS_ENGINE_ERROR: i32 = 6;
/// The engine is shutting down or was shut down; no new work is accepted.
pub const KFS_SHUTTING_DOWN: i32 = 7;
/// An asynchronous operation has not completed yet (`kfs_operation_take`).
pub const KFS_PENDING: i32 = 8;
/// An asynchronous operation was cancelled (by the host, or because its engine was freed).
pub const KFS_CANCELLED: i32 = 9;
/// An argument other than a document was out of range (e.g. a buffer this library never issued).
pub const KFS_INVALID_ARGUMENT: i32 = 10;
/// A panic inside the library was caught at the boundary; the library stays usable.
pub const KFS_PANIC: i32 = 99;

/// Log levels passed to the host's log callback.
pub const KFS_LOG_ERROR: i32 = 1;
pub const KFS_LOG_WARN: i32 = 2;
pub const KFS_LOG_INFO: i32 = 3;
pub const KFS_LOG_DEBUG: i32 = 4;
pub const KFS_LOG_TRACE: i32 = 5;
