//! The statutory working-day calendar of the PRC and legal-time arithmetic.
//!
//! The calendar is data (`rules/calendar/cn-statutory.json`, one entry per State Council
//! notice year); adding a year is editing that file. A computation that reaches a year
//! without a notice fails with [`NoCalendarData`] rather than guessing.
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

pub use calendar::{Calendar, CalendarLoadError, DayKind, NoCalendarData, YearNotice};
pub use legal_time::{Period, PeriodParseError, Roll, hours_between};
