//! The `kfsync demo`, `sync` and `status` commands as a user runs them (child processes).

use std::process::Command;

use kashflow_sync_harness::gen::{generate, GenConfig};
use kashflow_sync_harness::harness::{start_sandbox, SandboxOptions};

fn kfsync(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kfsync"))
        .args(args)
        .output()
        .expect("kfsync runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn demo_syncs_a_day_and_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("demo.sqlite");
    let (ok, out, err) = kfsync(&[
        "demo",
        "--orders",
        "60",
        "--latency-ms",
        "0",
        "--fault-rate",
        "0.05",
        "--seed",
        "3",
        "--journal",
        journal.to_str().unwrap(),
    ]);
    assert!(ok, "{out}\n{err}");
    for expected in [
        "== Summary ==",
        "Orders: 60 →",
        "Invoices created in KashFlow:",
        "Customers:",
        "Payments recorded:",
        "KashFlow API calls:",
        "p50",
        "p99",
        "Stock levels",
        "MUG-CLASSIC",
        "Dead-lettered orders",
    ] {
        assert!(out.contains(expected), "missing '{expected}' in:\n{out}");
    }
    // The journal it names is a real one: status reads it back.
    let (ok, status, err) = kfsync(&["status", "--journal", journal.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(status.contains("Records: 60 total"), "{status}");

    // A journal the operator may only read (file and folder read-only) is read all the same.
    set_read_only(dir.path(), &journal, true);
    let (ok, again, err) = kfsync(&["status", "--journal", journal.to_str().unwrap()]);
    set_read_only(dir.path(), &journal, false);
    assert!(ok, "{err}");
    assert_eq!(again, status);

    // A reader that closes the pipe early (`| head -c 1`) ends the command quietly: here the
    // pipe is closed before kfsync has opened the journal, so its write meets a closed pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_kfsync"))
        .args(["status", "--json", "--journal", journal.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !err.contains("panicked"), "{err}");
}

fn set_read_only(dir: &std::path::Path, journal: &std::path::Path, read_only: bool) {
    use std::os::unix::fs::PermissionsExt;
    let (file, folder) = if read_only {
        (0o444, 0o555)
    } else {
        (0o644, 0o755)
    };
    std::fs::set_permissions(journal, std::fs::Permissions::from_mode(file)).unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(folder)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_files_into_a_sandbox_then_status_lists_the_failures() {
    let sandbox = start_sandbox(&SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let day = generate(&GenConfig {
        orders: 25,
        seed: 5,
        problem_rate: 0.2,
        ..GenConfig::default()
    });
    let problems = day
        .expectations
        .values()
        .filter(|e| e.problem.is_some())
        .count();
    assert!(problems > 0);
    let folder = dir.path().join("orders");
    std::fs::create_dir(&folder).unwrap();
    for (i, f) in day.feed.iter().enumerate() {
        std::fs::write(folder.join(format!("{i:04}.json")), f.to_json()).unwrap();
    }
    let journal = dir.path().join("j.sqlite");
    let url = sandbox.base_url().to_string();
    let args = [
        "sync",
        "--orders",
        folder.to_str().unwrap(),
        "--kashflow-url",
        &url,
        "--journal",
        journal.to_str().unwrap(),
        "--quiet",
    ];
    let run = tokio::task::spawn_blocking({
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        move || {
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            kfsync(&a)
        }
    });
    let (ok, out, err) = run.await.unwrap();
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("Settled in"), "{out}");
    let synced = sandbox.invoices().len();
    assert!(synced >= 25 - problems - 5, "{synced} invoices\n{out}");

    let (ok, status, err) = kfsync(&["status", "--journal", journal.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(
        status.matches("Failed: order").count(),
        problems,
        "{status}"
    );
    assert!(
        status.contains("UnmappedPaymentMethod") || status.contains("UnknownProduct"),
        "{status}"
    );
    let (ok, _, err) = kfsync(&["status", "--journal", "/nonexistent/j.sqlite"]);
    assert!(!ok && err.contains("no journal"), "{err}");
    kashflow_sync_harness::harness::stop_sandbox(sandbox).await;
}

#[test]
fn verbose_logs_the_clients_lines_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("v.sqlite");
    let journal = journal.to_str().unwrap();
    let demo = [
        "demo",
        "--orders",
        "2",
        "--latency-ms",
        "0",
        "--fault-rate",
        "0",
        "--journal",
    ];
    let (ok, out, err) = kfsync(&[&["-v"][..], &demo, &[journal]].concat());
    assert!(ok, "{out}\n{err}");
    assert!(
        err.contains("INFO  kashflow::client: logged in to KashFlow"),
        "{err}"
    );
    // Without -v (and without RUST_LOG) the client's lines stay out of the way.
    std::fs::remove_file(journal).unwrap();
    let (ok, _, err) = Command::new(env!("CARGO_BIN_EXE_kfsync"))
        .args([&demo[..], &[journal]].concat())
        .env_remove("RUST_LOG")
        .output()
        .map(|o| {
            (
                o.status.success(),
                (),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .unwrap();
    assert!(ok && !err.contains("kashflow::client"), "{err}");
}
