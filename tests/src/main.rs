//! kfsync: the KashFlow Sync harness — sandbox KashFlow, demo, bulk sync, preview and status.
mod preview_cmd;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kfsync",
    version,
    about = "KashFlow Sync for nopCommerce: harness and tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show what an order snapshot would post to KashFlow (canonical invoice, KashFlow invoice
    /// and customer requests, warnings) without posting anything. Exit 0 with the preview as JSON,
    /// or 2 with the validation errors as JSON.
    Preview(preview_cmd::PreviewArgs),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Preview(args) => preview_cmd::run(&args),
    };
    std::process::exit(code);
}
