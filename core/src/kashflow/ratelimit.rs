//! Pacing of KashFlow calls: a client-side rate limiter (async token bucket) so a burst of orders
//! never hammers the account, and the backoff schedule (exponential with full jitter, capped) that
//! the client uses between read retries and the engine uses between job attempts.

use std::time::Duration;

use rand::Rng;
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

/// Exponential backoff with full jitter: attempt `n` (0-based) waits a uniformly random time in
/// `[0, min(max, base * 2^n)]`. Full jitter spreads retries of many workers apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff { base, max }
    }

    /// The upper bound of the wait before retry `attempt` (0-based): `min(max, base * 2^attempt)`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(30));
        self.base.saturating_mul(factor).min(self.max)
    }

    /// A random wait in `[0, ceiling(attempt)]`.
    pub fn delay<R: Rng + ?Sized>(&self, attempt: u32, rng: &mut R) -> Duration {
        let ceiling = self.ceiling(attempt);
        if ceiling.is_zero() {
            return ceiling;
        }
        let nanos = rng.gen_range(0..=ceiling.as_nanos().min(u64::MAX as u128) as u64);
        Duration::from_nanos(nanos)
    }

    /// The wait before retry `attempt`, honouring a server-requested minimum (`Retry-After`).
    pub fn delay_honouring<R: Rng + ?Sized>(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        rng: &mut R,
    ) -> Duration {
        let d = self.delay(attempt, rng);
        match retry_after {
            Some(ra) => d.max(ra),
            None => d,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn backoff_grows_and_is_capped() {
        let b = Backoff::new(Duration::from_millis(500), Duration::from_secs(300));
        assert_eq!(b.ceiling(0), Duration::from_millis(500));
        assert_eq!(b.ceiling(3), Duration::from_secs(4));
        assert_eq!(b.ceiling(20), Duration::from_secs(300));
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(300));
        let mut rng = StdRng::seed_from_u64(7);
        for attempt in 0..12 {
            let d = b.delay(attempt, &mut rng);
            assert!(d <= b.ceiling(attempt));
        }
        // Full jitter really spreads: many draws are not all the same.
        let draws: std::collections::HashSet<_> =
            (0..20).map(|_| b.delay(4, &mut rng).as_millis()).collect();
        assert!(draws.len() > 10);
        assert!(
            b.delay_honouring(0, Some(Duration::from_secs(9)), &mut rng) >= Duration::from_secs(9)
        );
    }

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
