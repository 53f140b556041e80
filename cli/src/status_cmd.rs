//! `kfsync status --journal <path>`: what a journal holds — counts per state and every failed
//! record with its reason — read without starting an engine (nothing is claimed or retried).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kashflow_sync::engine::journal::JournalReader;
use kashflow_sync::engine::{RecordQuery, RecordState};

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Journal file.
    #[arg(long)]
    pub journal: PathBuf,
    /// Print the counts as JSON (PascalCase) instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: StatusArgs) -> ExitCode {
    match status(&args).and_then(|text| print(&text)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kfsync status: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the report to stdout. A reader that stops early (`kfsync status --json | head -c 1`)
/// closes the pipe: that is not an error, so the command ends quietly instead of panicking.
fn print(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}

/// The report as text (or JSON).
fn status(args: &StatusArgs) -> Result<String, String> {
    use std::fmt::Write;
    let reader = JournalReader::open(&args.journal).map_err(|e| e.to_string())?;
    let c = reader.status_counts().map_err(|e| e.to_string())?;
    let mut failed = Vec::new();
    let mut page = 1;
    loop {
        let p = reader
            .list_records(&RecordQuery {
                states: vec![RecordState::Failed],
                page,
                page_size: RecordQuery::MAX_PAGE_SIZE,
                ..RecordQuery::default()
            })
            .map_err(|e| e.to_string())?;
        let n = p.items.len();
        failed.extend(p.items);
        if n < RecordQuery::MAX_PAGE_SIZE as usize {
            break;
        }
        page += 1;
    }
    if args.json {
        let doc = serde_json::json!({"Counts": c, "Failed": failed});
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        return Ok(text + "\n");
    }
    let mut out = String::new();
    let _ = writeln!(out, "Journal {}", args.journal.display());
    let _ = writeln!(
        out,
        "Records: {} total — {} synced, {} pending, {} in flight, {} retrying, {} failed, {} cancelled; credit notes: {} posted, {} failed; {} need a credit note checked by hand; {} outcomes not yet acknowledged",
        c.total, c.synced, c.pending, c.in_flight, c.retrying, c.failed, c.cancelled, c.credit_notes_posted, c.credit_notes_failed, c.needs_credit_note, c.outcomes_pending
    );
    match &c.active_worker {
        Some(w) => {
            let utc =
                |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
            let _ = writeln!(
                out,
                "{}: {} process {} (started {}; lease holder {}), active since {}, last renewed {}, lease {} {}",
                if w.active { "Active worker" } else { "No active worker; last" },
                w.host,
                w.process_id,
                utc(&w.process_started_utc),
                w.holder,
                utc(&w.since_utc),
                utc(&w.renewed_utc),
                if w.active { "until" } else { "ended" },
                utc(&w.expires_utc),
            );
        }
        None => out.push_str("No engine has run on this journal yet.\n"),
    }
    if failed.is_empty() {
        out.push_str("No failed records.\n");
    }
    for r in failed {
        let (code, path, message) = match &r.last_error {
            Some(e) => (e.code.clone(), e.path.clone(), e.message.clone()),
            None => (String::new(), None, String::new()),
        };
        // The path once: not again when the message already names it.
        let path = path.filter(|p| !message.contains(p.as_str()));
        let _ = writeln!(
            out,
            "Failed: order {} (record {}, {} attempt(s)): {}{}: {}",
            r.custom_order_number
                .clone()
                .unwrap_or_else(|| r.order_id.to_string()),
            r.record_id,
            r.attempts,
            code,
            path.map(|p| format!(" at {p}")).unwrap_or_default(),
            message
        );
    }
    Ok(out)
}
