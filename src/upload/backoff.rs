//! Waiting between failed uploads: exponential backoff with full jitter, so a fleet of kiosks
//! coming back online together does not hit the collector in step.

use std::time::Duration;

/// How long to wait before retry number `attempt` (1 for the first retry): a uniformly random
/// share (`random` in 0..1) of `base · 2^(attempt-1)`, never more than `cap`.
pub fn full_jitter(attempt: u32, base: Duration, cap: Duration, random: f64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(30);
    let ceiling = base.saturating_mul(1 << exponent).min(cap);
    ceiling.mul_f64(random.clamp(0.0, 1.0))
}

/// A random number in 0..1 from the operating system.
pub fn random_unit() -> f64 {
    let bits = getrandom::u64().unwrap_or(u64::MAX / 2);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// The longest a `Retry-After` is obeyed: a broken proxy's "come back next year" must not
/// stop uploads for good.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(3600);

/// Parses `Retry-After`: seconds, or an HTTP date (then relative to `now`); at most
/// [`RETRY_AFTER_CAP`].
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
            (at.with_timezone(&chrono::Utc) - now)
                .to_std()
                .unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(RETRY_AFTER_CAP))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_secs(1);
    const CAP: Duration = Duration::from_secs(300);

    #[test]
    fn doubles_up_to_the_cap() {
        let ceilings: Vec<u64> = (1..=12)
            .map(|a| full_jitter(a, BASE, CAP, 1.0).as_secs())
            .collect();
        assert_eq!(ceilings, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        assert_eq!(
            full_jitter(1000, BASE, CAP, 1.0),
            CAP,
            "no overflow after days"
        );
    }

    #[test]
    fn the_jitter_spans_the_whole_range() {
        assert_eq!(full_jitter(5, BASE, CAP, 0.0), Duration::ZERO);
        assert_eq!(full_jitter(5, BASE, CAP, 0.5), Duration::from_secs(8));
        let samples: Vec<f64> = (0..1000).map(|_| random_unit()).collect();
        assert!(samples.iter().all(|r| (0.0..1.0).contains(r)));
        assert!(samples.iter().any(|&r| r < 0.1) && samples.iter().any(|&r| r > 0.9));
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = "2026-11-23T10:00:00Z".parse().unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 10:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        // A broken proxy's "next year" (or an `Instant` overflow) waits an hour at most.
        for far in ["18446744073709551615", "Thu, 23 Nov 2028 10:00:00 GMT"] {
            assert_eq!(parse_retry_after(far, now), Some(RETRY_AFTER_CAP), "{far}");
        }
    }
}
