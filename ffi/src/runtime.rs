//! The one tokio runtime shared by every engine in the process, created on first use and never
//! torn down (a host such as nopCommerce may create and dispose engines many times; threads are
//! reused rather than re-spawned per engine).

use once_cell::sync::Lazy;
use tokio::runtime::{Builder, Handle, Runtime};

static RUNTIME: Lazy<Runtime> = Lazy::new(|| {
    // Two threads at least (one may be blocked in a host callback), at most four: the work is
    // mostly waiting on KashFlow and on SQLite commits, and the host owns the machine.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 4);
    Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("kashflow-sync")
        .enable_all()
        .build()
        // Without threads the library cannot do anything; the guard turns this into KFS_PANIC.
        .expect("kashflow_sync_native: could not start the tokio runtime")
});

/// A handle to the shared runtime.
pub fn handle() -> Handle {
    RUNTIME.handle().clone()
}

/// Runs `future` to completion on the shared runtime from a host thread, without requiring that
/// thread to be outside a runtime (it may be one of our own workers, e.g. inside a log callback).
pub fn block_on<F>(future: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    handle().spawn(async move {
        let _ = tx.send(future.await);
    });
    rx.recv()
        .expect("kashflow_sync_native: a runtime task ended without a result")
}
