//! The one place that reads the wall clock. Everything else is handed a `Moment`.
//!
//! `JIANDU_NOW` (an RFC 3339 moment) fixes the clock, so that tests and demonstrations of
//! deadlines give the same answers on any day.

use crate::Moment;

/// The current moment in Beijing time, or `JIANDU_NOW` when set.
pub fn now() -> Moment {
    if let Ok(fixed) = std::env::var("JIANDU_NOW")
        && let Ok(moment) = Moment::parse(fixed.trim())
    {
        return moment;
    }
    #[allow(clippy::disallowed_methods)] // this is the clock module
    let now = chrono::Utc::now();
    Moment::from_datetime(now.fixed_offset())
}

/// The real wall clock in Beijing time, even when `JIANDU_NOW` is set: for timers that must
/// wake at a real hour (the nightly sweep), never for legal reasoning.
pub fn wall() -> Moment {
    #[allow(clippy::disallowed_methods)] // this is the clock module
    let now = chrono::Utc::now();
    Moment::from_datetime(now.fixed_offset())
}
