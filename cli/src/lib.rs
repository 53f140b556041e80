//! The `kfsync` harness as a library: the order generator and the shared set-up used by the
//! `kfsync` commands, the end-to-end tests and the benches.
pub mod gen;
pub mod harness;
