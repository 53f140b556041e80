//! C ABI for the KashFlow Sync engine: the cdylib `kashflow_sync_native` that the nopCommerce plugin
//! loads through generated P/Invoke declarations (`bindings/`).
//!
//! Conventions every export follows (the header `bindings/kashflow_sync_native.h` is generated from
//! these modules by cbindgen, and the C# declarations from that header):
//! - every function returns an `int32_t` status (`KFS_OK` = 0), except `kfs_abi_version`;
//! - documents go in as UTF-8 JSON `(const uint8_t *ptr, size_t len)` and come out in a
//!   library-owned [`KfsBuffer`] that the host releases with the one `kfs_buffer_free`;
//! - a failing call writes an error document `{"Code","Message","Path"}` into its `out` buffer;
//! - no panic ever unwinds into the host: each body runs under `catch_unwind` (status `KFS_PANIC`);
//! - engines and asynchronous operations are ids into registries, never raw pointers, so a stale
//!   or forged handle is answered with `KFS_INVALID_HANDLE` instead of undefined behaviour.
#![allow(clippy::missing_safety_doc)] // the safety contract of every export is in its doc comment

pub mod buffer;
pub mod diagnostics;
pub mod engine_api;
pub mod error;
pub mod guard;
pub mod input;
pub mod log;
pub mod operation;
pub mod registry;
pub mod runtime;
pub mod status;
