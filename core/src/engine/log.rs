//! Logging for the engine: the host-facing `LogSink` trait (the plugin routes it to nopCommerce's
//! log) and `Logger`, the small facade the engine and processors write through.
//!
//! The engine writes through `Logger`; code below it (the KashFlow client, the sandbox) writes
//! `tracing` events. [`TracingToSink`] routes those events to a `LogSink` as well, so there is one
//! logging path: the native library installs it towards the host's log callback, `kfsync` towards
//! stderr (`-v` / `RUST_LOG`). It is a small hand-written subscriber because
//! `tracing-subscriber` is not among the crates this project builds from.
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

impl LogLevel {
    fn of(level: &tracing::Level) -> LogLevel {
        match *level {
            tracing::Level::ERROR => LogLevel::Error,
            tracing::Level::WARN => LogLevel::Warn,
            tracing::Level::INFO => LogLevel::Info,
            tracing::Level::DEBUG => LogLevel::Debug,
            tracing::Level::TRACE => LogLevel::Trace,
        }
    }

    /// A level by name (`RUST_LOG=debug`, case-insensitive); `None` for anything else.
    pub fn parse(name: &str) -> Option<LogLevel> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "error" => LogLevel::Error,
            "warn" | "warning" => LogLevel::Warn,
            "info" => LogLevel::Info,
            "debug" => LogLevel::Debug,
            "trace" => LogLevel::Trace,
            _ => return None,
        })
    }
}

/// A `tracing` subscriber that hands every event at `min` or above to a [`LogSink`] as one line:
/// the message, then the other fields as `name=value`. Spans are not tracked (nothing here opens
/// one); events are what the client and the sandbox write.
pub struct TracingToSink {
    min: LogLevel,
    sink: Arc<dyn LogSink>,
}

impl TracingToSink {
    pub fn new(min: LogLevel, sink: Arc<dyn LogSink>) -> Self {
        TracingToSink { min, sink }
    }

    /// Installs it as the process-wide default. `false` when one was already installed (by this
    /// process's host, or an earlier call): that one stays.
    pub fn install(self) -> bool {
        tracing::subscriber::set_global_default(self).is_ok()
    }
}

/// Collects an event's fields into one line.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl tracing::field::Visit for Line {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.record_debug(field, &value)
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

impl tracing::Subscriber for TracingToSink {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        LogLevel::of(metadata.level()) >= self.min
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(match self.min {
            LogLevel::Trace => tracing::level_filters::LevelFilter::TRACE,
            LogLevel::Debug => tracing::level_filters::LevelFilter::DEBUG,
            LogLevel::Info => tracing::level_filters::LevelFilter::INFO,
            LogLevel::Warn => tracing::level_filters::LevelFilter::WARN,
            LogLevel::Error => tracing::level_filters::LevelFilter::ERROR,
        })
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let meta = event.metadata();
        let mut line = Line::default();
        event.record(&mut line);
        line.message.push_str(&line.fields);
        let sink = &self.sink;
        // A panicking sink must not take the calling thread down with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            sink.log(LogLevel::of(meta.level()), meta.target(), &line.message)
        }));
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
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

    #[test]
    fn tracing_events_reach_the_sink_with_their_fields_at_the_level_asked() {
        let mem = Arc::new(MemorySink::default());
        let sub = TracingToSink::new(LogLevel::Info, mem.clone());
        tracing::subscriber::with_default(sub, || {
            tracing::info!(target: "kashflow::client", op = "login", "logged in to KashFlow");
            tracing::debug!(target: "kashflow::client", "below the level: dropped");
        });
        let lines = mem.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0].0, LogLevel::Info);
        assert_eq!(lines[0].1, "kashflow::client");
        assert_eq!(lines[0].2, "logged in to KashFlow op=\"login\"");
        assert_eq!(LogLevel::parse("DEBUG"), Some(LogLevel::Debug));
        assert_eq!(LogLevel::parse("loud"), None);
    }
}
