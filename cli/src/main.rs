//! `kfsync`: the harness command line. A thin dispatcher: each subcommand lives in its own module
//! (`sandbox_cmd` serves a sandbox KashFlow, `preview_cmd` maps a snapshot without posting,
//! `demo_cmd` runs the main job, `sync_cmd` syncs files, `status_cmd` reads a journal, `bench_cmd` measures).

mod bench_cmd;
mod demo_cmd;
mod preview_cmd;
mod sandbox_cmd;
mod status_cmd;
mod sync_cmd;

use std::process::ExitCode;
use std::sync::Arc;

use kashflow_sync::engine::{LogLevel, LogSink, TracingToSink};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kfsync",
    version,
    about = "KashFlow Sync for nopCommerce: sandbox, demo and tools"
)]
struct Cli {
    /// Log the KashFlow client's and the sandbox's lines to stderr: -v info, -vv debug, -vvv
    /// trace. `RUST_LOG=<level>` (error, warn, info, debug, trace) does the same.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

/// Log lines on stderr, one per event.
struct Stderr;

impl LogSink for Stderr {
    fn log(&self, level: LogLevel, target: &str, message: &str) {
        eprintln!("{:<5} {target}: {message}", level.as_str().to_uppercase());
    }
}

/// The level asked for by `-v` (counted) or else by `RUST_LOG`; nothing is logged without either.
fn log_level(verbose: u8) -> Option<LogLevel> {
    match verbose {
        0 => std::env::var("RUST_LOG")
            .ok()
            .and_then(|v| LogLevel::parse(&v)),
        1 => Some(LogLevel::Info),
        2 => Some(LogLevel::Debug),
        _ => Some(LogLevel::Trace),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve a sandbox KashFlow (REST v2) on 127.0.0.1, with optional fault injection.
    Sandbox(sandbox_cmd::SandboxArgs),
    /// Show what an order snapshot would post to KashFlow (canonical invoice, KashFlow invoice
    /// and customer requests, warnings) without posting anything. Exit 0 with the preview as JSON,
    /// or 2 with the validation errors as JSON.
    Preview(preview_cmd::PreviewArgs),
    /// The main job: a realistic day of nopCommerce orders synced by the real engine into a
    /// sandbox KashFlow over loopback HTTP, with a progress bar and a summary.
    Demo(demo_cmd::DemoArgs),
    /// Sync snapshots (and events) from a file or folder into a KashFlow and wait until every
    /// order is settled.
    Sync(sync_cmd::SyncArgs),
    /// Counts and failed records (with reasons) of a journal, read without starting an engine.
    Status(status_cmd::StatusArgs),
    /// Benchmarks for the closing note (enqueue latency, throughput, calls per order, memory).
    Bench(bench_cmd::BenchArgs),
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(level) = log_level(cli.verbose) {
        TracingToSink::new(level, Arc::new(Stderr)).install();
    }
    match cli.command {
        Command::Sandbox(args) => sandbox_cmd::run(args),
        Command::Preview(args) => exit(preview_cmd::run(&args)),
        Command::Demo(args) => demo_cmd::run(args),
        Command::Sync(args) => sync_cmd::run(args),
        Command::Status(args) => status_cmd::run(args),
        Command::Bench(args) => bench_cmd::run(args),
    }
}
