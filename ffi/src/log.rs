//! The host's log callback, and the gate that guarantees it is never called after its engine is
//! freed; and the one logging path into it: the engine's own lines (through its `LogSink`), the
//! `tracing` events of the KashFlow client and sandbox, and contained panics all reach the host
//! callbacks of the live engines ([`install_once`]).
//!
//! Engine log lines (level, target, message) arrive from any engine thread. Each call passes a
//! gate that counts in-flight callbacks; closing the gate (when the engine is freed) refuses new
//! calls and waits until the in-flight ones have returned. A thread that closes the gate from
//! inside its own callback does not wait for itself.

use std::cell::RefCell;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, Once, Weak};

use kashflow_sync::engine::{LogLevel, LogSink, TracingToSink};

use crate::status::{KFS_LOG_DEBUG, KFS_LOG_ERROR, KFS_LOG_INFO, KFS_LOG_TRACE, KFS_LOG_WARN};

/// Receives one engine log line. `level` is one of `KFS_LOG_*`; `target` and `message` are UTF-8,
/// not NUL-terminated, valid only during the call. Called from library threads; must not unwind.
pub type KfsLogCallback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        level: i32,
        target: *const u8,
        target_len: usize,
        message: *const u8,
        message_len: usize,
    ),
>;

struct Gate {
    open: bool,
    in_flight: usize,
}

/// A host log callback behind its gate.
pub struct HostLog {
    callback: unsafe extern "C" fn(*mut c_void, i32, *const u8, usize, *const u8, usize),
    user_data: usize,
    gate: Mutex<Gate>,
    idle: Condvar,
}

thread_local! {
    /// The `HostLog`s whose callback this thread is currently inside (by address).
    static INSIDE: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

impl HostLog {
    /// `None` when the host passed no callback.
    pub fn new(callback: KfsLogCallback, user_data: *mut c_void) -> Option<HostLog> {
        callback.map(|callback| HostLog {
            callback,
            user_data: user_data as usize,
            gate: Mutex::new(Gate {
                open: true,
                in_flight: 0,
            }),
            idle: Condvar::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Gate> {
        self.gate.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Delivers one line unless the gate is closed.
    pub fn emit(&self, level: i32, target: &str, message: &str) {
        {
            let mut gate = self.lock();
            if !gate.open {
                return;
            }
            gate.in_flight += 1;
        }
        let me = self as *const HostLog as usize;
        INSIDE.with(|v| v.borrow_mut().push(me));
        // The callback is extern "C" and must not unwind; if it does anyway the unwind stops here.
        let _ = catch_unwind(AssertUnwindSafe(|| unsafe {
            (self.callback)(
                self.user_data as *mut c_void,
                level,
                target.as_ptr(),
                target.len(),
                message.as_ptr(),
                message.len(),
            )
        }));
        INSIDE.with(|v| {
            let mut v = v.borrow_mut();
            if let Some(i) = v.iter().rposition(|&p| p == me) {
                v.remove(i);
            }
        });
        let mut gate = self.lock();
        gate.in_flight -= 1;
        if gate.in_flight == 0 {
            self.idle.notify_all();
        }
    }

    /// Refuses further lines and waits until every in-flight callback (other than ones this very
    /// thread is inside) has returned. Idempotent.
    pub fn close(&self) {
        let me = self as *const HostLog as usize;
        let own = INSIDE.with(|v| v.borrow().iter().filter(|&&p| p == me).count());
        let mut gate = self.lock();
        gate.open = false;
        while gate.in_flight > own {
            gate = self.idle.wait(gate).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// The `KFS_LOG_*` code of a level.
pub fn level_code(level: LogLevel) -> i32 {
    match level {
        LogLevel::Error => KFS_LOG_ERROR,
        LogLevel::Warn => KFS_LOG_WARN,
        LogLevel::Info => KFS_LOG_INFO,
        LogLevel::Debug => KFS_LOG_DEBUG,
        LogLevel::Trace => KFS_LOG_TRACE,
    }
}

/// One engine's lines, forwarded to its host callback through the gate.
pub struct HostSink(pub Arc<HostLog>);

impl LogSink for HostSink {
    fn log(&self, level: LogLevel, target: &str, message: &str) {
        self.0.emit(level_code(level), target, message);
    }
}

/// The host logs of the engines created so far (dead ones are pruned as they are found):
/// where lines that belong to no one engine go — `tracing` events and contained panics.
static HOSTS: Mutex<Vec<Weak<HostLog>>> = Mutex::new(Vec::new());

/// Every live host log. A freed engine's log has a closed gate, so it receives nothing more.
struct AllHosts;

impl LogSink for AllHosts {
    fn log(&self, level: LogLevel, target: &str, message: &str) {
        let live: Vec<Arc<HostLog>> = {
            let mut hosts = HOSTS.lock().unwrap_or_else(|p| p.into_inner());
            hosts.retain(|h| h.strong_count() > 0);
            hosts.iter().filter_map(Weak::upgrade).collect()
        };
        for host in live {
            host.emit(level_code(level), target, message);
        }
    }
}

/// Adds an engine's host log to those that receive `tracing` events and contained panics.
pub fn register(log: &Arc<HostLog>) {
    install_once();
    HOSTS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Arc::downgrade(log));
}

thread_local! {
    /// Set while an export's body runs (see `guard::run`): a panic here is contained.
    static AT_BOUNDARY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the current thread as running an export's body until the returned value is dropped.
pub fn at_boundary() -> impl Drop {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            AT_BOUNDARY.with(|b| b.set(self.0));
        }
    }
    Reset(AT_BOUNDARY.with(|b| b.replace(true)))
}

/// Whether a panic on this thread is one the library contains: inside an export, or on one of
/// the library's own threads (the runtime's "kashflow-sync" workers, the journal's "kfs-" ones).
fn contained_here() -> bool {
    AT_BOUNDARY.with(|b| b.get())
        || std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with("kashflow-sync") || n.starts_with("kfs-"))
}

/// Once per process: `tracing` events (Info and above) go to the live engines' host logs, and a
/// panic the library contains is reported there (level Error) instead of printing "panicked at
/// … stack backtrace" on the host's stderr. Panics elsewhere in the process keep the hook that
/// was installed before.
pub fn install_once() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        TracingToSink::new(LogLevel::Info, Arc::new(AllHosts)).install();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !contained_here() {
                return previous(info);
            }
            let message = crate::guard::panic_message(info.payload());
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            AllHosts.log(
                LogLevel::Error,
                "kashflow_sync_native",
                &format!(
                    "internal error{at} (contained; the call reports KFS_PANIC): {}",
                    kashflow_sync::mapping::text::quote(&message)
                ),
            );
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    struct Probe {
        calls: AtomicUsize,
        inside: AtomicBool,
        closed: AtomicBool,
        called_after_close: AtomicBool,
        log: std::sync::OnceLock<Arc<HostLog>>,
        close_from_inside: bool,
    }

    unsafe extern "C" fn slow_callback(
        user_data: *mut c_void,
        level: i32,
        _target: *const u8,
        _target_len: usize,
        message: *const u8,
        message_len: usize,
    ) {
        let probe = unsafe { &*(user_data as *const Probe) };
        let text = unsafe { std::str::from_utf8(std::slice::from_raw_parts(message, message_len)) };
        assert_eq!(text, Ok("line"));
        assert_eq!(level, crate::status::KFS_LOG_INFO);
        if probe.closed.load(Ordering::SeqCst) {
            probe.called_after_close.store(true, Ordering::SeqCst);
        }
        probe.inside.store(true, Ordering::SeqCst);
        probe.calls.fetch_add(1, Ordering::SeqCst);
        if probe.close_from_inside {
            probe.log.get().unwrap().close();
        } else {
            std::thread::sleep(Duration::from_millis(100));
        }
        probe.inside.store(false, Ordering::SeqCst);
    }

    fn probe(close_from_inside: bool) -> (Arc<Probe>, Arc<HostLog>) {
        let probe = Arc::new(Probe {
            calls: AtomicUsize::new(0),
            inside: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            called_after_close: AtomicBool::new(false),
            log: std::sync::OnceLock::new(),
            close_from_inside,
        });
        let log = Arc::new(
            HostLog::new(Some(slow_callback), Arc::as_ptr(&probe) as *mut c_void).unwrap(),
        );
        let _ = probe.log.set(log.clone());
        (probe, log)
    }

    #[test]
    fn no_callback_means_no_sink() {
        assert!(HostLog::new(None, std::ptr::null_mut()).is_none());
    }

    #[test]
    fn close_waits_for_in_flight_callbacks_and_refuses_later_ones() {
        let (probe, log) = probe(false);
        let emitters: Vec<_> = (0..4)
            .map(|_| {
                let log = log.clone();
                std::thread::spawn(move || log.emit(crate::status::KFS_LOG_INFO, "t", "line"))
            })
            .collect();
        while !probe.inside.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        log.close();
        probe.closed.store(true, Ordering::SeqCst);
        assert!(
            !probe.inside.load(Ordering::SeqCst),
            "close returned while a callback ran"
        );
        let delivered = probe.calls.load(Ordering::SeqCst);
        log.emit(crate::status::KFS_LOG_INFO, "t", "line");
        for e in emitters {
            e.join().unwrap();
        }
        assert_eq!(
            probe.calls.load(Ordering::SeqCst),
            delivered,
            "no call after close"
        );
        assert!(!probe.called_after_close.load(Ordering::SeqCst));
        log.close(); // idempotent
    }

    #[test]
    fn closing_from_inside_the_callback_does_not_deadlock() {
        let (probe, log) = probe(true);
        log.emit(crate::status::KFS_LOG_INFO, "t", "line");
        assert_eq!(probe.calls.load(Ordering::SeqCst), 1);
        log.emit(crate::status::KFS_LOG_INFO, "t", "line");
        assert_eq!(probe.calls.load(Ordering::SeqCst), 1, "closed from inside");
    }
}
