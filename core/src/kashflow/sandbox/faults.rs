//! Fault injection for the sandbox: the ways a real KashFlow call goes wrong, on demand.
//!
//! Faults are scheduled as rules (the next N requests, or N requests to a given method/route,
//! or forever) or drawn at random with a seed. A scheduled rule that matches wins over the random
//! draw. Each fault says whether the request is processed: `CommitThenDrop` and
//! `CommitThenServerError` apply the write and then lose or spoil the answer, which is how a
//! client ends up not knowing whether its invoice exists.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// One way a request can go wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// 500 `{"Message":"An error has occurred.","Error":"InternalServerError"}`; nothing processed.
    ServerError,
    /// Wait this long, then answer normally (a slow KashFlow; beyond the client's timeout it is
    /// a lost answer — and a write is still applied).
    Delay(Duration),
    /// Close the connection without answering; nothing processed.
    DropConnection,
    /// KashFlow's SQL timeout: 400 `{"Error":"-2146232060","Message":"Execution Timeout Expired. ..."}`;
    /// nothing processed.
    SqlTimeout,
    /// 429 with `Retry-After: <seconds>`; nothing processed.
    RateLimited { retry_after_secs: u64 },
    /// The caller's session token expires just before the request is handled (so it gets 401).
    ExpireSession,
    /// The request is processed (the write is committed), then the connection is closed.
    CommitThenDrop,
    /// The request is processed (the write is committed), then the answer is a 500.
    CommitThenServerError,
}

impl FaultKind {
    /// Whether the request is processed before the fault shows.
    pub fn commits(&self) -> bool {
        matches!(
            self,
            FaultKind::CommitThenDrop | FaultKind::CommitThenServerError | FaultKind::Delay(_)
        )
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::ServerError => f.write_str("500"),
            FaultKind::Delay(d) => write!(f, "slow:{}", d.as_millis()),
            FaultKind::DropConnection => f.write_str("drop"),
            FaultKind::SqlTimeout => f.write_str("sql-timeout"),
            FaultKind::RateLimited { retry_after_secs } => write!(f, "429:{retry_after_secs}"),
            FaultKind::ExpireSession => f.write_str("expire-session"),
            FaultKind::CommitThenDrop => f.write_str("commit-drop"),
            FaultKind::CommitThenServerError => f.write_str("commit-500"),
        }
    }
}

/// Names used on the command line: `500`, `drop`, `sql-timeout`, `429` or `429:SECS`,
/// `slow:MS`, `expire-session`, `commit-drop`, `commit-500`.
impl FromStr for FaultKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (s.as_str(), None),
        };
        let num = |a: Option<&str>, default: u64| -> Result<u64, String> {
            match a {
                None => Ok(default),
                Some(a) => a
                    .parse()
                    .map_err(|_| format!("'{a}' is not a whole number in fault '{s}'")),
            }
        };
        Ok(match name {
            "500" | "server-error" => FaultKind::ServerError,
            "drop" | "drop-connection" => FaultKind::DropConnection,
            "sql-timeout" | "sql" => FaultKind::SqlTimeout,
            "429" | "rate-limit" | "rate-limited" => FaultKind::RateLimited {
                retry_after_secs: num(arg, 1)?,
            },
            "slow" | "delay" => FaultKind::Delay(Duration::from_millis(num(arg, 2000)?)),
            "expire-session" | "expire" => FaultKind::ExpireSession,
            "commit-drop" => FaultKind::CommitThenDrop,
            "commit-500" => FaultKind::CommitThenServerError,
            _ => {
                return Err(format!(
                    "unknown fault '{s}' (use 500, drop, sql-timeout, 429[:SECS], slow[:MS], \
                     expire-session, commit-drop, commit-500)"
                ))
            }
        })
    }
}

/// A scheduled fault: which requests it hits and how many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub kind: FaultKind,
    /// HTTP method to match (`None` = any).
    pub method: Option<String>,
    /// Route template to match, e.g. `/invoices` or `/invoices/{number}` (`None` = any).
    pub route: Option<String>,
    /// How many more requests it hits (`None` = every matching request until cleared).
    pub remaining: Option<u32>,
}

impl FaultRule {
    /// A rule hitting the next matching request once; narrow it with `on`, widen with `times`.
    pub fn new(kind: FaultKind) -> Self {
        FaultRule {
            kind,
            method: None,
            route: None,
            remaining: Some(1),
        }
    }

    /// Only requests with this method to this route template (e.g. `"POST", "/invoices"`).
    pub fn on(mut self, method: &str, route: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self.route = Some(route.to_owned());
        self
    }

    /// Only requests with this method (any route).
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }

    pub fn always(mut self) -> Self {
        self.remaining = None;
        self
    }

    fn matches(&self, method: &str, route: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .route
                .as_deref()
                .is_none_or(|r| r.eq_ignore_ascii_case(route))
    }
}

/// Random faults: each request (except login ones unless `include_login`) fails with probability
/// `rate`, with a kind drawn uniformly from `kinds`. Seeded, so a run can be replayed.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomFaults {
    pub rate: f64,
    pub kinds: Vec<FaultKind>,
    pub seed: u64,
    pub include_login: bool,
}

impl RandomFaults {
    /// The kinds a real bad night brings: 500, dropped connection, SQL timeout, 429, and writes
    /// whose answer is lost.
    pub fn default_kinds() -> Vec<FaultKind> {
        vec![
            FaultKind::ServerError,
            FaultKind::DropConnection,
            FaultKind::SqlTimeout,
            FaultKind::RateLimited {
                retry_after_secs: 1,
            },
            FaultKind::CommitThenDrop,
        ]
    }
}

/// The sandbox's fault schedule.
#[derive(Debug, Default)]
pub struct Faults {
    rules: VecDeque<FaultRule>,
    random: Option<(RandomFaults, StdRng)>,
    /// Added to every request (simulated network/server latency).
    pub latency: Duration,
}

impl Faults {
    pub fn push(&mut self, rule: FaultRule) {
        self.rules.push_back(rule);
    }

    pub fn clear(&mut self) {
        self.rules.clear();
        self.random = None;
    }

    pub fn set_random(&mut self, random: Option<RandomFaults>) {
        self.random = random.map(|r| {
            let rng = StdRng::seed_from_u64(r.seed);
            (r, rng)
        });
    }

    pub fn pending_rules(&self) -> usize {
        self.rules.len()
    }

    /// The fault for this request, if any (consumes one use of a scheduled rule).
    pub fn pick(&mut self, method: &str, route: &str, is_login: bool) -> Option<FaultKind> {
        if let Some(i) = self.rules.iter().position(|r| r.matches(method, route)) {
            let rule = &mut self.rules[i];
            let kind = rule.kind.clone();
            if let Some(n) = rule.remaining.as_mut() {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.rules.remove(i);
                }
            }
            return Some(kind);
        }
        let (cfg, rng) = self.random.as_mut()?;
        if (is_login && !cfg.include_login) || cfg.kinds.is_empty() {
            return None;
        }
        if rng.gen_bool(cfg.rate.clamp(0.0, 1.0)) {
            let i = rng.gen_range(0..cfg.kinds.len());
            Some(cfg.kinds[i].clone())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduled_rules_match_and_run_out() {
        let mut f = Faults::default();
        f.push(
            FaultRule::new(FaultKind::ServerError)
                .on("post", "/invoices")
                .times(2),
        );
        assert_eq!(f.pick("GET", "/invoices", false), None);
        assert_eq!(
            f.pick("POST", "/invoices", false),
            Some(FaultKind::ServerError)
        );
        assert_eq!(
            f.pick("POST", "/invoices", false),
            Some(FaultKind::ServerError)
        );
        assert_eq!(f.pick("POST", "/invoices", false), None);
        f.push(FaultRule::new(FaultKind::DropConnection).always());
        for _ in 0..5 {
            assert_eq!(f.pick("GET", "/x", false), Some(FaultKind::DropConnection));
        }
    }

    #[test]
    fn random_faults_are_reproducible_and_near_the_rate() {
        let cfg = RandomFaults {
            rate: 0.2,
            kinds: RandomFaults::default_kinds(),
            seed: 42,
            include_login: false,
        };
        let draw = || {
            let mut f = Faults::default();
            f.set_random(Some(cfg.clone()));
            (0..2000)
                .map(|_| f.pick("GET", "/invoices", false))
                .collect::<Vec<_>>()
        };
        let a = draw();
        assert_eq!(a, draw());
        let hits = a.iter().filter(|x| x.is_some()).count();
        assert!((300..500).contains(&hits), "{hits}");
        let mut f = Faults::default();
        f.set_random(Some(RandomFaults { rate: 1.0, ..cfg }));
        assert_eq!(f.pick("POST", "/sessiontoken", true), None);
    }

    #[test]
    fn names_parse() {
        assert_eq!(
            "429:7".parse::<FaultKind>().unwrap(),
            FaultKind::RateLimited {
                retry_after_secs: 7
            }
        );
        assert_eq!(
            "slow:50".parse::<FaultKind>().unwrap(),
            FaultKind::Delay(Duration::from_millis(50))
        );
        assert_eq!(
            "COMMIT-DROP".parse::<FaultKind>().unwrap(),
            FaultKind::CommitThenDrop
        );
        assert!("boom"
            .parse::<FaultKind>()
            .unwrap_err()
            .contains("unknown fault"));
        for k in RandomFaults::default_kinds() {
            assert_eq!(k.to_string().parse::<FaultKind>().unwrap(), k);
        }
    }
}
