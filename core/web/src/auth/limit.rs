//! Login rate limiting: after [`MAX_FAILURES`] failed logins in a row for one user name, or
//! from one address, further attempts are refused (429) until [`WINDOW`] has passed since
//! the last failure. A success clears the user name's count (not the address's: one
//! address guessing many names stays limited). Kept in memory: a restart forgets it, which
//! costs an attacker a restart per five guesses.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: u32 = 5;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys remembered at most; the oldest are forgotten first (a flood of names cannot
/// exhaust memory).
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    /// `Some(wait)` when any of `keys` is locked out now.
    pub fn locked(&self, keys: &[String], now: Instant) -> Option<Duration> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .filter_map(|k| map.get(k))
            .filter(|(n, last)| *n >= MAX_FAILURES && now.duration_since(*last) < WINDOW)
            .map(|(_, last)| WINDOW.saturating_sub(now.duration_since(*last)))
            .max()
    }

    pub fn failed(&self, keys: &[String], now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, (_, last)| now.duration_since(*last) < WINDOW);
        }
        for key in keys {
            let entry = map.entry(key.clone()).or_insert((0, now));
            if now.duration_since(entry.1) >= WINDOW {
                entry.0 = 0;
            }
            entry.0 += 1;
            entry.1 = now;
        }
    }

    pub fn succeeded(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_sixth_attempt_until_the_window_passes() {
        let limiter = LoginLimiter::default();
        let keys = vec!["user:a".to_owned(), "addr:127.0.0.1".to_owned()];
        let t0 = Instant::now();
        for i in 0..MAX_FAILURES {
            assert_eq!(limiter.locked(&keys, t0), None, "attempt {i}");
            limiter.failed(&keys, t0);
        }
        assert!(limiter.locked(&keys, t0).is_some());
        // Another name from the same address is locked too; the same name elsewhere as well.
        assert!(limiter.locked(&["addr:127.0.0.1".to_owned()], t0).is_some());
        assert!(limiter.locked(&["user:a".to_owned()], t0).is_some());
        assert_eq!(limiter.locked(&keys, t0 + WINDOW), None);
        limiter.succeeded("user:a");
        assert_eq!(limiter.locked(&["user:a".to_owned()], t0), None);
    }
}
