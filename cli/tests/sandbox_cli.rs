//! `kfsync sandbox` as a child process: it prints its address and login, and the KashFlow client
//! logs in to it over real HTTP. Bad options are refused with a message.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use kashflow_sync::kashflow::model::Customer;
use kashflow_sync::kashflow::{ClientConfig, KashFlowClient, Secret};

/// Kills the child when the test ends, however it ends.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `kfsync sandbox ARGS` and return it with every line it printed up to the curl session.
fn start(args: &[&str]) -> (Kill, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kfsync"))
        .arg("sandbox")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("kfsync starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let guard = Kill(child);
    let mut lines = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("kfsync sandbox printed its banner");
        let done = line.starts_with("curl -s -X POST \"$BASE/invoices\"");
        lines.push(line);
        if done {
            return (guard, lines);
        }
    }
}

#[tokio::test]
async fn serves_a_sandbox_the_client_can_log_in_to() {
    let (_child, lines) = start(&[
        "--port",
        "0",
        "--password",
        "cli-pass",
        "--memorable-word",
        "Pineapple",
    ]);
    let listening = lines
        .iter()
        .find_map(|l| l.strip_prefix("KashFlow sandbox (REST v2 and SOAP) listening on "))
        .expect("the banner names the address");
    let port: u16 = listening
        .strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.strip_suffix("/v2"))
        .and_then(|p| p.parse().ok())
        .expect("http://127.0.0.1:PORT/v2");
    assert_ne!(port, 0);
    let text = lines.join("\n");
    assert!(
        text.contains(r#"Password "cli-pass"  Memorable word "Pineapple""#),
        "{text}"
    );
    assert!(
        text.contains("STEP1=$(curl -s -X POST \"$BASE/sessiontoken\""),
        "{text}"
    );
    assert!(text.contains("Authorization: KfToken $TOKEN"), "{text}");

    let client = KashFlowClient::new(ClientConfig {
        username: "sandbox".into(),
        password: Secret::new("cli-pass"),
        memorable_word: Secret::new("pineapple"),
        ..ClientConfig::new(listening)
    })
    .unwrap();
    client.login().await.unwrap();
    assert_eq!(client.list_vat_rates().await.unwrap().len(), 3);
    assert_eq!(client.list_products().await.unwrap().len(), 12);
    let created = client
        .create_customer(&Customer {
            code: "NOP000042".into(),
            name: "Alan Turing".into(),
            ..Customer::default()
        })
        .await
        .unwrap();
    assert_eq!(created.code, "NOP000042");
    assert!(client.get_customer("nop000042").await.unwrap().is_some());
    client.logout().await.unwrap();
}

#[tokio::test]
async fn injects_faults_from_the_command_line() {
    let (_child, lines) = start(&[
        "--port",
        "0",
        "--fault-rate",
        "1",
        "--fault-kinds",
        "sql-timeout",
    ]);
    assert!(lines
        .iter()
        .any(|l| l.contains("100% of requests fail at random as [sql-timeout]")));
    let base = lines
        .iter()
        .find_map(|l| l.strip_prefix("KashFlow sandbox (REST v2 and SOAP) listening on "))
        .unwrap();
    let mut cfg = ClientConfig::new(base);
    cfg.username = "sandbox".into();
    cfg.password = Secret::new("sandbox-password");
    cfg.memorable_word = Secret::new("kashflow");
    cfg.read_retries = 0;
    let client = KashFlowClient::new(cfg).unwrap();
    client.login().await.unwrap(); // logins are spared unless --fault-login
    let e = client.list_currencies().await.unwrap_err();
    assert_eq!(e.kashflow_code(), Some("-2146232060"), "{e}");
}

#[test]
fn refuses_bad_options_with_a_message() {
    for (args, expect) in [
        (vec!["--fault-rate", "2"], "between 0 and 1"),
        (vec!["--fault-kinds", "boom"], "unknown fault"),
        (vec!["--memorable-word", "ab"], "at least 3 characters"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_kfsync"))
            .arg("sandbox")
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{args:?}: {err}");
    }
}
