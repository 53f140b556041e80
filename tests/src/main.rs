//! `kfsync`: the harness command line. A thin dispatcher: each subcommand lives in its own module
//! (`sandbox_cmd` serves a sandbox KashFlow; others add `preview`, `demo`, `sync`, `status`).

mod sandbox_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kfsync",
    version,
    about = "KashFlow Sync for nopCommerce: sandbox, demo and tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a sandbox KashFlow (REST v2) on 127.0.0.1, with optional fault injection.
    Sandbox(sandbox_cmd::SandboxArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Sandbox(args) => sandbox_cmd::run(args),
    }
}
