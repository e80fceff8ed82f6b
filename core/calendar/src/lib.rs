//! The statutory working-day calendar of the PRC and legal-time arithmetic.
//!
//! The calendar is data (`rules/calendar/cn-statutory.json`, one entry per State Council
//! notice year, added with `jiandu calendar add-year`). For a year whose notice is not yet
//! known the days 《全国年节及纪念日放假办法》 fixes (`festivals.tsv` gives the lunar dates) are
//! certainly off and the days around them uncertain, so every deadline is a [`Span`]: exact
//! when no uncertain day matters, else the earliest and latest day it can be. Nothing is
//! guessed: the `…_span` functions say how open a date is, the plain ones fail with
//! [`NoCalendarData`] unless it is exact.
//!
//! ```
//! use jiandu_calendar::Calendar;
//! use jiandu_model::Date;
//! let cal = Calendar::builtin();
//! let due = cal.add_working_days(Date::parse("2025-09-26").unwrap(), 7).unwrap();
//! assert_eq!(due.to_string(), "2025-10-13"); // 国庆 2025 with its adjusted working weekend days
//! ```
//!
//! Pure apart from reading the data file.

mod calendar;
mod legal_time;
mod notice;
mod span;
pub mod statutory;

pub use calendar::{Calendar, CalendarLoadError, DayKind, DayState, NoCalendarData, YearNotice};
pub use legal_time::{Period, PeriodParseError, Roll, hours_between};
pub use notice::{Notice, NoticeError};
pub use span::Span;

/// Lower-case hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
