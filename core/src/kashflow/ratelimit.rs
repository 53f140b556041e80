//! Pacing of KashFlow calls: a client-side rate limiter (async token bucket) so a burst of orders
//! never hammers the account. (The wait between retries is the crate's one [`Backoff`].)
//!
//! [`Backoff`]: crate::backoff::Backoff

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Async token bucket (GCRA form): at most `requests_per_second` on average, with up to `burst`
/// requests allowed back to back after an idle period. `acquire` waits for the caller's slot.
/// Slots are reserved in call order, so concurrent callers are spaced too.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Option<Duration>,
    burst: u32,
    /// Theoretical arrival time of the next request at the steady rate.
    tat: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// `requests_per_second == 0` disables limiting. `burst` is clamped to at least 1.
    pub fn new(requests_per_second: u32, burst: u32) -> Self {
        let interval = (requests_per_second > 0)
            .then(|| Duration::from_secs_f64(1.0 / f64::from(requests_per_second)));
        RateLimiter {
            interval,
            burst: burst.max(1),
            tat: Mutex::new(None),
        }
    }

    /// The spacing between requests at the steady rate (`None` when unlimited).
    pub fn interval(&self) -> Option<Duration> {
        self.interval
    }

    /// Wait until this caller may send a request.
    pub async fn acquire(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let wait_until = {
            let mut tat = self.tat.lock().await;
            let now = Instant::now();
            let t = match *tat {
                Some(t) if t > now => t,
                _ => now,
            };
            // With a burst of b, a request may go up to (b-1) intervals ahead of the steady rate.
            let allowance = interval * (self.burst - 1);
            let allowed_at = t.checked_sub(allowance).unwrap_or(now).max(now);
            *tat = Some(t + interval);
            allowed_at
        };
        if wait_until > Instant::now() {
            tokio::time::sleep_until(wait_until).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn limiter_spaces_requests_at_the_configured_rate() {
        let l = RateLimiter::new(4, 1);
        let start = Instant::now();
        let mut at = Vec::new();
        for _ in 0..5 {
            l.acquire().await;
            at.push(Instant::now() - start);
        }
        let expected: Vec<Duration> = (0..5).map(|i| Duration::from_millis(250 * i)).collect();
        assert_eq!(at, expected);
    }

    #[tokio::test(start_paused = true)]
    async fn limiter_allows_a_burst_after_idling() {
        let l = RateLimiter::new(10, 3);
        let start = Instant::now();
        for _ in 0..3 {
            l.acquire().await;
        }
        assert_eq!(Instant::now() - start, Duration::ZERO);
        l.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_are_spaced_too() {
        let l = std::sync::Arc::new(RateLimiter::new(20, 1));
        let start = Instant::now();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move {
                    l.acquire().await;
                    Instant::now()
                })
            })
            .collect();
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap() - start);
        }
        times.sort();
        assert_eq!(times[3], Duration::from_millis(150));
    }

    #[tokio::test]
    async fn zero_rate_means_unlimited() {
        let l = RateLimiter::new(0, 1);
        assert!(l.interval().is_none());
        for _ in 0..100 {
            l.acquire().await;
        }
    }
}
