//! Logging for the engine: the host-facing `LogSink` trait (the plugin routes it to nopCommerce's
//! log) and `Logger`, the small facade the engine and processors write through.
//!
//! Deliberately not `tracing`: the host decides where lines go, and one sink keeps the C ABI simple.
//! Callers never format configuration or secrets into messages.

use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Trace => "Trace",
            LogLevel::Debug => "Debug",
            LogLevel::Info => "Info",
            LogLevel::Warn => "Warn",
            LogLevel::Error => "Error",
        }
    }
}

/// Where the engine's log lines go. Called from worker threads; must not block for long.
pub trait LogSink: Send + Sync {
    fn log(&self, level: LogLevel, target: &str, message: &str);
}

/// Cheap-to-clone logger; without a sink, lines are dropped.
#[derive(Clone, Default)]
pub struct Logger {
    sink: Arc<RwLock<Option<Arc<dyn LogSink>>>>,
}

impl Logger {
    pub fn new(sink: Option<Arc<dyn LogSink>>) -> Self {
        Logger {
            sink: Arc::new(RwLock::new(sink)),
        }
    }

    pub fn set_sink(&self, sink: Option<Arc<dyn LogSink>>) {
        if let Ok(mut s) = self.sink.write() {
            *s = sink;
        }
    }

    pub fn log(&self, level: LogLevel, target: &str, message: &str) {
        let sink = match self.sink.read() {
            Ok(s) => s.clone(),
            Err(_) => None,
        };
        if let Some(sink) = sink {
            // A panicking host sink must not take a worker down with it.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                sink.log(level, target, message)
            }));
        }
    }

    pub fn debug(&self, target: &str, message: &str) {
        self.log(LogLevel::Debug, target, message)
    }
    pub fn info(&self, target: &str, message: &str) {
        self.log(LogLevel::Info, target, message)
    }
    pub fn warn(&self, target: &str, message: &str) {
        self.log(LogLevel::Warn, target, message)
    }
    pub fn error(&self, target: &str, message: &str) {
        self.log(LogLevel::Error, target, message)
    }
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Logger")
    }
}

/// A sink that keeps lines in memory: for tests and for the harness to show what happened.
#[derive(Default)]
pub struct MemorySink {
    lines: std::sync::Mutex<Vec<(LogLevel, String, String)>>,
}

impl MemorySink {
    pub fn lines(&self) -> Vec<(LogLevel, String, String)> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn contains(&self, needle: &str) -> bool {
        self.lines().iter().any(|(_, _, m)| m.contains(needle))
    }
}

impl LogSink for MemorySink {
    fn log(&self, level: LogLevel, target: &str, message: &str) {
        if let Ok(mut l) = self.lines.lock() {
            l.push((level, target.to_string(), message.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Panicky;
    impl LogSink for Panicky {
        fn log(&self, _: LogLevel, _: &str, _: &str) {
            panic!("host sink failed")
        }
    }

    #[test]
    fn lines_reach_the_sink_and_a_panicking_sink_is_contained() {
        let mem = Arc::new(MemorySink::default());
        let log = Logger::new(Some(mem.clone()));
        log.info("engine", "started");
        assert_eq!(mem.lines()[0].0, LogLevel::Info);
        assert!(mem.contains("started"));
        log.set_sink(Some(Arc::new(Panicky)));
        log.warn("engine", "still alive");
        Logger::default().error("engine", "no sink: dropped");
    }
}
