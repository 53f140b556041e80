//! Engine-wide circuit breaker. After `threshold` consecutive retryable failures it opens: no
//! job is claimed for the cool-down. Then it is half-open: exactly one probe job runs; success
//! closes it, failure re-opens it for another cool-down. Pure state machine; time comes in as
//! milliseconds so it is tested without waiting.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    Closed,
    Open { until_ms: i64 },
    HalfOpen { probe_in_flight: bool },
}

/// What a worker may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Claim normally.
    Proceed,
    /// Claim exactly one job as the probe; report its result with `probe = true`.
    Probe,
    /// Do not claim before this time (or until the probe in flight reports).
    Wait { until_ms: i64 },
}

/// How a finished job bears on KashFlow's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// KashFlow answered (success, or a permanent refusal).
    Success,
    /// Retryable failure (network, 5xx, 429, timeout).
    Failure,
    /// Says nothing about KashFlow (mapping error, waiting on a dependency).
    Neutral,
}

#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    threshold: u32,
    cool_down_ms: i64,
    consecutive_failures: u32,
    state: CircuitState,
}

impl CircuitBreaker {
    pub fn new(threshold: u32, cool_down_ms: u64) -> Self {
        CircuitBreaker {
            threshold: threshold.max(1),
            cool_down_ms: cool_down_ms.min(i64::MAX as u64) as i64,
            consecutive_failures: 0,
            state: CircuitState::Closed,
        }
    }

    /// Apply a new policy (reconfigure); the current state is kept.
    pub fn set_policy(&mut self, threshold: u32, cool_down_ms: u64) {
        self.threshold = threshold.max(1);
        self.cool_down_ms = cool_down_ms.min(i64::MAX as u64) as i64;
    }

    pub fn state(&self) -> CircuitState {
        self.state
    }

    /// Until when it is open (`None`: closed or half-open), as kept in the journal.
    pub fn open_until(&self) -> Option<i64> {
        match self.state {
            CircuitState::Open { until_ms } => Some(until_ms),
            _ => None,
        }
    }

    /// Start from the state a previous process left (open until `until_ms`; once that has
    /// passed, the next claim is a single probe rather than full speed).
    pub fn restore_open(&mut self, until_ms: i64) {
        match self.state {
            // A probe is already out, or it is open for longer already: keep that.
            CircuitState::HalfOpen {
                probe_in_flight: true,
            } => {}
            CircuitState::Open { until_ms: u } if u >= until_ms => {}
            _ => self.state = CircuitState::Open { until_ms },
        }
    }

    /// `"Closed"`, `"Open"` or `"HalfOpen"` as of `now`.
    pub fn state_name(&self, now_ms: i64) -> &'static str {
        match self.state {
            CircuitState::Closed => "Closed",
            CircuitState::Open { until_ms } if now_ms < until_ms => "Open",
            CircuitState::Open { .. } | CircuitState::HalfOpen { .. } => "HalfOpen",
        }
    }

    pub fn permit(&mut self, now_ms: i64) -> Permit {
        match self.state {
            CircuitState::Closed => Permit::Proceed,
            CircuitState::Open { until_ms } if now_ms < until_ms => Permit::Wait { until_ms },
            CircuitState::Open { .. }
            | CircuitState::HalfOpen {
                probe_in_flight: false,
            } => {
                self.state = CircuitState::HalfOpen {
                    probe_in_flight: true,
                };
                Permit::Probe
            }
            CircuitState::HalfOpen {
                probe_in_flight: true,
            } => Permit::Wait { until_ms: now_ms },
        }
    }

    /// The probe permit was not used (nothing to claim).
    pub fn cancel_probe(&mut self) {
        if let CircuitState::HalfOpen { .. } = self.state {
            self.state = CircuitState::HalfOpen {
                probe_in_flight: false,
            };
        }
    }

    pub fn record(&mut self, signal: Signal, probe: bool, now_ms: i64) {
        match signal {
            Signal::Success => {
                // Any answer from KashFlow is proof of health, probe or not.
                self.consecutive_failures = 0;
                self.state = CircuitState::Closed;
            }
            Signal::Failure => {
                self.consecutive_failures = self.consecutive_failures.saturating_add(1);
                let reopen = probe || matches!(self.state, CircuitState::HalfOpen { .. });
                let trip = matches!(self.state, CircuitState::Closed)
                    && self.consecutive_failures >= self.threshold;
                if reopen || trip {
                    self.state = CircuitState::Open {
                        until_ms: now_ms.saturating_add(self.cool_down_ms),
                    };
                }
            }
            Signal::Neutral => {
                if probe {
                    self.cancel_probe();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_threshold_then_half_opens_and_closes_on_success() {
        let mut b = CircuitBreaker::new(3, 1000);
        for _ in 0..2 {
            assert_eq!(b.permit(0), Permit::Proceed);
            b.record(Signal::Failure, false, 0);
        }
        assert_eq!(b.state(), CircuitState::Closed);
        b.record(Signal::Failure, false, 10);
        assert_eq!(b.permit(500), Permit::Wait { until_ms: 1010 });
        assert_eq!(b.state_name(500), "Open");
        assert_eq!(b.state_name(1010), "HalfOpen");
        // cool-down over: exactly one probe
        assert_eq!(b.permit(1010), Permit::Probe);
        assert_eq!(b.permit(1011), Permit::Wait { until_ms: 1011 });
        b.record(Signal::Success, true, 1100);
        assert_eq!(b.state(), CircuitState::Closed);
        assert_eq!(b.permit(1100), Permit::Proceed);
    }

    #[test]
    fn failed_probe_reopens_for_a_full_cool_down() {
        let mut b = CircuitBreaker::new(1, 1000);
        b.record(Signal::Failure, false, 0);
        assert_eq!(b.permit(1000), Permit::Probe);
        b.record(Signal::Failure, true, 1500);
        assert_eq!(b.permit(2000), Permit::Wait { until_ms: 2500 });
        assert_eq!(b.permit(2500), Permit::Probe);
    }

    #[test]
    fn success_resets_the_count_and_neutral_keeps_it() {
        let mut b = CircuitBreaker::new(3, 1000);
        b.record(Signal::Failure, false, 0);
        b.record(Signal::Failure, false, 0);
        b.record(Signal::Success, false, 0);
        b.record(Signal::Failure, false, 0);
        b.record(Signal::Neutral, false, 0);
        b.record(Signal::Failure, false, 0);
        assert_eq!(b.state(), CircuitState::Closed);
        b.record(Signal::Failure, false, 0);
        assert!(matches!(b.state(), CircuitState::Open { .. }));
    }

    #[test]
    fn restored_open_state_probes_once_its_cool_down_has_passed() {
        let mut b = CircuitBreaker::new(5, 1000);
        b.restore_open(2_000);
        assert_eq!(b.permit(1_500), Permit::Wait { until_ms: 2_000 });
        assert_eq!(b.state_name(1_500), "Open");
        assert_eq!(b.permit(2_000), Permit::Probe);
        b.restore_open(1_000);
        assert_eq!(
            b.permit(2_001),
            Permit::Wait { until_ms: 2_001 },
            "one probe"
        );
    }

    #[test]
    fn unused_or_neutral_probe_lets_the_next_one_through() {
        let mut b = CircuitBreaker::new(1, 10);
        b.record(Signal::Failure, false, 0);
        assert_eq!(b.permit(10), Permit::Probe);
        b.cancel_probe();
        assert_eq!(b.permit(11), Permit::Probe);
        b.record(Signal::Neutral, true, 12);
        assert_eq!(b.permit(12), Permit::Probe);
    }
}
