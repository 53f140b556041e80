//! C ABI for the KashFlow Sync engine.
