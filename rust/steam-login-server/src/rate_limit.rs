//! Per-client login limits: `governor`'s keyed GCRA, one key per IPv4 address or IPv6 /64 (what one
//! subscriber usually gets: limiting single IPv6 addresses limits nobody), with a periodic sweep of
//! keys whose buckets are full again.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

pub struct RateLimiter {
    /// `None` when the limit is off (`--rate-limit 0`).
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
}

/// How often keys with full buckets are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// The address a limit applies to: IPv4 as is, IPv6 cut to its /64 (IPv4-mapped IPv6 as IPv4).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

impl RateLimiter {
    /// `rate` logins per second per client, bursts of `burst`; a rate of 0 disables the limit.
    pub fn new(rate: f64, burst: u32) -> Self {
        let limiter = (rate > 0.0 && rate.is_finite()).then(|| {
            let period = Duration::from_secs_f64(1.0 / rate).max(Duration::from_nanos(1));
            let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
            let quota = Quota::with_period(period)
                .expect("period is positive")
                .allow_burst(burst);
            Arc::new(DefaultKeyedRateLimiter::keyed(quota))
        });
        RateLimiter { limiter }
    }

    /// Takes one login for `ip`'s client; `Err(seconds)` says when the next one is allowed.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(&client_key(ip)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs_f64().ceil().max(1.0) as u64
        })
    }

    /// Clients being tracked (the sweep's test reads it).
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.len())
    }

    /// Forgets, every minute, the clients whose limit has fully recovered.
    pub fn spawn_sweeper(&self) {
        let Some(limiter) = self.limiter.clone() else {
            return;
        };
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            loop {
                tick.tick().await;
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_refuses() {
        let limiter = RateLimiter::new(1.0, 3);
        let ip: IpAddr = "203.0.113.1".parse().unwrap();
        assert!((0..3).all(|_| limiter.check(ip).is_ok()));
        assert_eq!(limiter.check(ip), Err(1));
        let other: IpAddr = "203.0.113.2".parse().unwrap();
        assert!(limiter.check(other).is_ok(), "limits are per client");
        assert!(RateLimiter::new(0.0, 1).check(ip).is_ok(), "0 disables");
    }

    #[test]
    fn an_ipv6_64_is_one_client() {
        let limiter = RateLimiter::new(1.0, 2);
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(b).is_ok());
        assert!(limiter.check(a).is_err(), "same /64, burst spent");
        assert!(limiter.check(elsewhere).is_ok());
        assert_eq!(limiter.tracked(), 2);
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(client_key(mapped), "203.0.113.7".parse::<IpAddr>().unwrap());
    }
}
