//! `kfsync sandbox`: serve the sandbox KashFlow on 127.0.0.1 under `/v2/...` until Ctrl-C, print
//! its login and a copy-paste curl session, and optionally inject faults and latency.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use kashflow_sync::kashflow::sandbox::{
    seed, AuthSettings, FaultKind, RandomFaults, SandboxConfig, SandboxServer,
};
use kashflow_sync::kashflow::Secret;
use serde_json::json;

#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8899)]
    pub port: u16,
    /// Sandbox login user name.
    #[arg(long, default_value = seed::USERNAME)]
    pub username: String,
    /// Sandbox login password.
    #[arg(long, default_value = seed::PASSWORD)]
    pub password: String,
    /// Sandbox memorable word (at least 3 characters).
    #[arg(long, default_value = seed::MEMORABLE_WORD)]
    pub memorable_word: String,
    /// Fraction of requests (0..1) that fail at random.
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Kinds drawn for random faults: 500, drop, sql-timeout, 429[:SECS], slow[:MS],
    /// expire-session, commit-drop, commit-500.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "500,drop,sql-timeout,429,commit-drop"
    )]
    pub fault_kinds: Vec<FaultKind>,
    /// Seed of the random faults (same seed, same faults).
    #[arg(long, default_value_t = 1)]
    pub fault_seed: u64,
    /// Let random faults hit the login requests too.
    #[arg(long)]
    pub fault_login: bool,
    /// Delay added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Idle expiry of session tokens, in seconds (KashFlow: 3600).
    #[arg(long, default_value_t = 3600)]
    pub session_idle_secs: u64,
    /// Failed logins in a row that lock the account.
    #[arg(long, default_value_t = 5)]
    pub lockout_threshold: u32,
    /// Let invoices take stock below zero.
    #[arg(long)]
    pub allow_negative_stock: bool,
    /// Start with an empty account instead of the seeded UK shop.
    #[arg(long)]
    pub no_seed_data: bool,
}

impl SandboxArgs {
    fn config(&self) -> Result<SandboxConfig, String> {
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(format!(
                "--fault-rate {} must be between 0 and 1",
                self.fault_rate
            ));
        }
        if self.memorable_word.chars().count() < 3 {
            return Err("--memorable-word needs at least 3 characters".into());
        }
        if self.lockout_threshold == 0 {
            return Err("--lockout-threshold must be at least 1".into());
        }
        let random_faults = (self.fault_rate > 0.0).then(|| RandomFaults {
            rate: self.fault_rate,
            kinds: self.fault_kinds.clone(),
            seed: self.fault_seed,
            include_login: self.fault_login,
        });
        Ok(SandboxConfig {
            port: self.port,
            auth: AuthSettings {
                username: self.username.clone(),
                password: Secret::new(self.password.clone()),
                memorable_word: Secret::new(self.memorable_word.clone()),
                session_idle_timeout: Duration::from_secs(self.session_idle_secs.max(1)),
                lockout_threshold: self.lockout_threshold,
                ..AuthSettings::default()
            },
            seed_data: !self.no_seed_data,
            allow_negative_stock: self.allow_negative_stock,
            latency: Duration::from_millis(self.latency_ms),
            random_faults,
            rng_seed: None,
            ..SandboxConfig::default()
        })
    }
}

pub fn run(args: SandboxArgs) -> ExitCode {
    let config = match args.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kfsync sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kfsync sandbox: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let handle = match SandboxServer::start(config).await {
            Ok(h) => h,
            Err(e) => {
                eprintln!("kfsync sandbox: {e}");
                return ExitCode::FAILURE;
            }
        };
        let faults = if args.fault_rate > 0.0 {
            let kinds: Vec<String> = args.fault_kinds.iter().map(|k| k.to_string()).collect();
            format!(
                "{:.0}% of requests fail at random as [{}] (seed {}{})",
                args.fault_rate * 100.0,
                kinds.join(", "),
                args.fault_seed,
                if args.fault_login { ", logins too" } else { "" }
            )
        } else {
            "none".to_owned()
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "KashFlow sandbox (REST v2 and SOAP) listening on {}\n\
             Login: UserName \"{}\"  Password \"{}\"  Memorable word \"{}\"\n\
             Account: {}; session idle expiry {} s; lockout after {} failed logins\n\
             Faults: {}; latency {} ms\n\
             Press Ctrl-C to stop.\n\n\
             # A curl session (bash): log in (two steps), add a customer, list customers, post an invoice.\n\
             {}\n\
             # The same books over SOAP (POST {}; user name and API password in every call):\n\
             {}",
            handle.base_url(),
            args.username,
            args.password,
            args.memorable_word,
            if args.no_seed_data { "empty" } else { "seeded UK shop (12 products, VAT 20/5/0, GBP/EUR/USD)" },
            args.session_idle_secs,
            args.lockout_threshold,
            faults,
            args.latency_ms,
            curl_session(handle.base_url(), &args.username, &args.password, &args.memorable_word),
            handle.soap_url(),
            soap_curl(&handle.soap_url(), &args.username, &args.password)
        );
        let _ = out.flush();
        drop(out);
        wait_for_stop().await;
        println!(
            "Stopping: {} requests served.",
            handle.total_calls()
        );
        handle.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// Wait for Ctrl-C (or, on Unix, SIGTERM).
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("kfsync sandbox: cannot wait for Ctrl-C ({e}); stopping");
    }
}

/// Quote for a POSIX shell: inside single quotes, a single quote becomes '\''.
fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A bash script that logs in to the sandbox and makes a few calls, for copy and paste.
pub fn curl_session(base: &str, username: &str, password: &str, word: &str) -> String {
    let login = json!({"UserName": username, "Password": password}).to_string();
    let customer = json!({"Code": "NOP000001", "Name": "Ada Lovelace", "Email": "ada@example.co.uk",
        "Addresses": [{"Line1": "1 Analytical Street", "PostCode": "SW1A 1AA", "CountryCode": "GB"}]})
    .to_string();
    let invoice = json!({"Number": 100001, "CustomerCode": "NOP000001",
        "IssuedDate": "2026-05-01 12:00:00", "CustomerReference": "NOP-1",
        "LineItems": [{"Description": "Classic Mug", "Quantity": 2, "Rate": 8.33, "VATLevel": 20,
            "VATAmount": 3.33, "NominalCode": 4000, "ProductCode": "MUG-CLASSIC"}],
        "PaymentLines": [{"Date": "2026-05-01 12:00:00", "Amount": 19.99, "Method": 4, "AccountId": 2}]})
    .to_string();
    format!(
        r#"BASE={base}
WORD={word}
# 1. user name + password -> temporary token + 3 (1-based) memorable-word positions
STEP1=$(curl -s -X POST "$BASE/sessiontoken" -H 'Content-Type: application/json' -d {login})
echo "$STEP1"
TEMP=$(echo "$STEP1" | sed -E 's/.*"TemporaryToken":"([^"]+)".*/\1/')
CHARS=$(for P in $(echo "$STEP1" | grep -oE '"Position":[0-9]+' | grep -oE '[0-9]+'); do printf '{{"Position":%s,"Value":"%s"}},' "$P" "$(printf '%s' "$WORD" | cut -c"$P")"; done)
# 2. temporary token + those characters -> session token
STEP2=$(curl -s -X PUT "$BASE/sessiontoken" -H 'Content-Type: application/json' -d "{{\"TemporaryToken\":\"$TEMP\",\"MemorableWordList\":[${{CHARS%,}}]}}")
echo "$STEP2"
TOKEN=$(echo "$STEP2" | sed -E 's/.*"SessionToken":"([^"]+)".*/\1/')
# 3. every other call: Authorization: KfToken <token>
curl -s -X POST "$BASE/customers" -H "Authorization: KfToken $TOKEN" -H 'Content-Type: application/json' -d {customer}; echo
curl -s "$BASE/customers" -H "Authorization: KfToken $TOKEN"; echo
curl -s -X POST "$BASE/invoices" -H "Authorization: KfToken $TOKEN" -H 'Content-Type: application/json' -d {invoice}; echo
"#,
        base = base,
        word = sh(word),
        login = sh(&login),
        customer = sh(&customer),
        invoice = sh(&invoice),
    )
}

/// A copy-paste SOAP call (`GetCustomer` for the customer the REST session adds). The envelope is
/// written by the SOAP client's own writer, so every value is escaped.
pub fn soap_curl(url: &str, username: &str, password: &str) -> String {
    let body =
        kashflow_sync::kashflow::soap::envelope::request("GetCustomer", username, password, |x| {
            x.leaf("CustomerCode", "NOP000001");
        });
    let body = String::from_utf8_lossy(&body).into_owned();
    format!(
        "curl -s -X POST {} -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: \"KashFlow/GetCustomer\"' -d {}; echo\n",
        sh(url),
        sh(&body)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soap_call_is_escaped_and_quoted() {
        let s = soap_curl("http://127.0.0.1:1/api/service.asmx", "o'brien", "p<&>w");
        assert!(s.contains("SOAPAction: \"KashFlow/GetCustomer\""), "{s}");
        assert!(s.contains("<Password>p&lt;&amp;&gt;w</Password>"), "{s}");
        assert!(s.contains("<UserName>o&apos;brien</UserName>"), "{s}");
    }

    #[test]
    fn shell_quoting_survives_single_quotes() {
        assert_eq!(sh("it's"), r"'it'\''s'");
        let s = curl_session("http://127.0.0.1:1/v2", "o'brien", "p'w", "kashflow");
        assert!(
            s.contains(r#"'{"Password":"p'\''w","UserName":"o'\''brien"}'"#),
            "{s}"
        );
    }
}
