//! Login rate limiting: after [`MAX_FAILURES`] failed logins in a row for one user name, or
//! from one address, further attempts are refused (429) until [`WINDOW`] has passed since
//! the last failure. A success clears the user name's count (not the address's: one
//! address guessing many names stays limited). Kept in memory: a restart forgets it, which
//! costs an attacker a restart per five guesses. A lockout is reported once ([`Lock::first`]),
//! so a flood of refused attempts does not become a flood of audit events.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: u32 = 5;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys remembered at most; the oldest are forgotten first (a flood of names cannot
/// exhaust memory).
const MAX_KEYS: usize = 100_000;

/// One key's failures in a row, the last one's time, and whether its lockout was reported.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    reported: bool,
}

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Failures>>,
}

/// A refused attempt: how long to wait, and whether it is the first refusal of this lockout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    pub wait: Duration,
    pub first: bool,
}

impl LoginLimiter {
    /// `Some` when any of `keys` is locked out now.
    pub fn locked(&self, keys: &[String], now: Instant) -> Option<Lock> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut lock: Option<Lock> = None;
        for key in keys {
            let Some(f) = map.get_mut(key) else { continue };
            let since = now.duration_since(f.last);
            if f.count < MAX_FAILURES || since >= WINDOW {
                continue;
            }
            let this = Lock {
                wait: WINDOW.saturating_sub(since),
                first: !f.reported,
            };
            f.reported = true;
            lock = Some(match lock {
                Some(l) => Lock {
                    wait: l.wait.max(this.wait),
                    first: l.first || this.first,
                },
                None => this,
            });
        }
        lock
    }

    pub fn failed(&self, keys: &[String], now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, f| now.duration_since(f.last) < WINDOW);
        }
        for key in keys {
            let f = map.entry(key.clone()).or_insert(Failures {
                count: 0,
                last: now,
                reported: false,
            });
            if now.duration_since(f.last) >= WINDOW {
                f.count = 0;
                f.reported = false;
            }
            f.count += 1;
            f.last = now;
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
        assert_eq!(limiter.locked(&keys, t0).map(|l| l.first), Some(true));
        assert_eq!(
            limiter.locked(&keys, t0).map(|l| l.first),
            Some(false),
            "reported once"
        );
        // Another name from the same address is locked too; the same name elsewhere as well.
        assert!(limiter.locked(&["addr:127.0.0.1".to_owned()], t0).is_some());
        assert!(limiter.locked(&["user:a".to_owned()], t0).is_some());
        assert_eq!(limiter.locked(&keys, t0 + WINDOW), None);
        limiter.succeeded("user:a");
        assert_eq!(limiter.locked(&["user:a".to_owned()], t0), None);
    }
}
