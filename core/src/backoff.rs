//! The one retry backoff, used everywhere something is tried again: the engine between job
//! attempts (`Retry` in the configuration, [`RetryPolicy::backoff`]) and the KashFlow client
//! between read retries (`ClientConfig::backoff`). Built once from its policy, then asked for
//! delays (as Vector's `sinks/util/retries.rs` does).
//!
//! Exponential with full jitter, capped: retry `n` (0-based: the first retry is 0) waits a
//! uniformly random time in `[0, min(max, base * 2^n)]` — full jitter spreads the retries of many
//! workers apart — and never less than a server's `Retry-After`, itself bounded by
//! [`MAX_RETRY_AFTER`] so a bad header cannot park work for years.
//!
//! [`RetryPolicy::backoff`]: crate::engine::RetryPolicy::backoff

use std::time::Duration;

use rand::Rng;

/// A `Retry-After` longer than this (a day) is treated as this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff { base, max }
    }

    /// The upper bound of the wait before retry `retry` (0-based): `min(max, base * 2^retry)`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(30));
        self.base.saturating_mul(factor).min(self.max)
    }

    /// The wait before retry `retry`: uniform in `[0, ceiling(retry)]`, raised to `retry_after`
    /// (at most [`MAX_RETRY_AFTER`]) when the server asked for one.
    pub fn delay<R: Rng + ?Sized>(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        rng: &mut R,
    ) -> Duration {
        let ceiling = self.ceiling(retry);
        let jittered = if ceiling.is_zero() {
            ceiling
        } else {
            Duration::from_nanos(rng.gen_range(0..=ceiling.as_nanos().min(u64::MAX as u128) as u64))
        };
        match retry_after {
            Some(ra) => jittered.max(ra.min(MAX_RETRY_AFTER)),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn engine_default() -> Backoff {
        Backoff::new(Duration::from_millis(500), Duration::from_secs(300))
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let b = engine_default();
        let c: Vec<u128> = (0..12).map(|r| b.ceiling(r).as_millis()).collect();
        assert_eq!(&c[..5], &[500, 1000, 2000, 4000, 8000]);
        assert_eq!(c[10], 300_000);
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(300));
    }

    #[test]
    fn full_jitter_stays_within_the_ceiling_and_spreads() {
        let b = engine_default();
        let mut rng = StdRng::seed_from_u64(7);
        let samples: Vec<Duration> = (0..2000).map(|_| b.delay(3, None, &mut rng)).collect();
        assert!(samples.iter().all(|d| *d <= Duration::from_secs(4)));
        let low = samples
            .iter()
            .filter(|d| **d < Duration::from_secs(2))
            .count();
        assert!(
            low > 700 && low < 1300,
            "roughly uniform, got {low} below half"
        );
        let zero = Backoff::new(Duration::ZERO, Duration::ZERO);
        assert_eq!(zero.delay(5, None, &mut rng), Duration::ZERO);
    }

    #[test]
    fn retry_after_is_a_floor_and_is_bounded() {
        let b = engine_default();
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..200 {
            assert!(
                b.delay(0, Some(Duration::from_secs(120)), &mut rng) >= Duration::from_secs(120)
            );
        }
        assert_eq!(b.delay(0, Some(Duration::MAX), &mut rng), MAX_RETRY_AFTER);
    }
}
