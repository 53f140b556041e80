//! Retry delays: exponential backoff with full jitter, capped, never shorter than a server's
//! Retry-After. Pure function of the policy, the attempt number and a random source.

use rand::Rng;

use super::config::RetryPolicy;

/// A Retry-After longer than this is treated as this (a day), so a bad header cannot park a job
/// for years.
pub const MAX_RETRY_AFTER_MS: u64 = 24 * 60 * 60 * 1000;

/// The exponential ceiling for attempt `attempt` (1-based): `base * 2^(attempt-1)`, at most `max`.
pub fn ceiling_ms(policy: &RetryPolicy, attempt: u32) -> u64 {
    let exp = attempt.saturating_sub(1).min(40);
    policy
        .base_delay_ms
        .saturating_mul(1u64 << exp)
        .min(policy.max_delay_ms)
}

/// Delay before the next attempt after attempt `attempt` failed: uniform in `[0, ceiling]`
/// ("full jitter", spreads retries of many failed jobs), raised to `retry_after_ms` if given.
pub fn retry_delay_ms(
    policy: &RetryPolicy,
    attempt: u32,
    retry_after_ms: Option<u64>,
    rng: &mut impl Rng,
) -> u64 {
    let jittered = rng.gen_range(0..=ceiling_ms(policy, attempt));
    match retry_after_ms {
        Some(ra) => jittered.max(ra.min(MAX_RETRY_AFTER_MS)),
        None => jittered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 8,
            base_delay_ms: 500,
            max_delay_ms: 300_000,
        }
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let p = policy();
        let c: Vec<u64> = (1..=12).map(|a| ceiling_ms(&p, a)).collect();
        assert_eq!(&c[..5], &[500, 1000, 2000, 4000, 8000]);
        assert_eq!(c[10], 300_000);
        assert_eq!(ceiling_ms(&p, 1000), 300_000);
    }

    #[test]
    fn full_jitter_stays_within_the_ceiling_and_spreads() {
        let p = policy();
        let mut rng = StdRng::seed_from_u64(7);
        let samples: Vec<u64> = (0..2000)
            .map(|_| retry_delay_ms(&p, 4, None, &mut rng))
            .collect();
        assert!(samples.iter().all(|d| *d <= 4000));
        let low = samples.iter().filter(|d| **d < 2000).count();
        assert!(
            low > 700 && low < 1300,
            "roughly uniform, got {low} below half"
        );
    }

    #[test]
    fn retry_after_is_a_floor_and_is_bounded() {
        let p = policy();
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..200 {
            assert!(retry_delay_ms(&p, 1, Some(120_000), &mut rng) >= 120_000);
        }
        assert_eq!(
            retry_delay_ms(&p, 1, Some(u64::MAX), &mut rng),
            MAX_RETRY_AFTER_MS
        );
    }
}
