//! `Date`: a calendar day as the law counts it (`YYYY-MM-DD`, no time, no zone).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar day. The only constructors check the value, so a `Date` is always real.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a date in the form YYYY-MM-DD")]
pub struct DateParseError {
    pub input: String,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day).
    #[allow(clippy::indexing_slicing, reason = "the length is checked first")]
    pub fn parse(input: &str) -> Result<Date, DateParseError> {
        let err = || DateParseError {
            input: input.to_owned(),
        };
        let bytes = input.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(err());
        }
        // The shape is checked, so plain digit arithmetic is exact (and far faster than
        // chrono's format parser, which matters: every record has dozens of dates).
        let digits = |range: std::ops::Range<usize>| {
            bytes[range]
                .iter()
                .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'))
        };
        NaiveDate::from_ymd_opt(digits(0..4) as i32, digits(5..7), digits(8..10))
            .map(Date)
            .ok_or_else(err)
    }

    /// Builds a date from its parts; `None` when the day does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, month, day).map(Date)
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    pub fn month(self) -> u32 {
        self.0.month()
    }

    pub fn day(self) -> u32 {
        self.0.day()
    }

    pub fn weekday(self) -> Weekday {
        self.0.weekday()
    }

    pub fn is_weekend(self) -> bool {
        matches!(self.0.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The date `days` calendar days later (earlier when negative).
    ///
    /// Panics only outside chrono's range (±262,000 years), which no record reaches.
    pub fn add_days(self, days: i64) -> Date {
        Date(self.0 + chrono::Duration::days(days))
    }

    /// The date `days` calendar days later, or `None` outside years 1–9999 (the years a
    /// record can hold): scripts add days through this, so no number they pass can panic.
    pub fn checked_add_days(self, days: i64) -> Option<Date> {
        let shifted = self
            .0
            .checked_add_signed(chrono::TimeDelta::try_days(days)?)?;
        (1..=9999)
            .contains(&shifted.year())
            .then_some(Date(shifted))
    }

    /// The same day `months` months later (as `add_months`), or `None` past year 9999.
    pub fn checked_add_months(self, months: u32) -> Option<Date> {
        let years = i64::from(months / 12) + 1;
        (i64::from(self.0.year()) + years <= 9999).then(|| self.add_months(months))
    }

    pub fn succ(self) -> Date {
        self.add_days(1)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).num_days()
    }

    /// The same day `months` months later; a day that does not exist in the target month
    /// becomes that month's last day (2024-01-31 + 1 month = 2024-02-29).
    pub fn add_months(self, months: u32) -> Date {
        let total = self.0.month0() + months;
        let year = self.0.year() + (total / 12) as i32;
        let month = total % 12 + 1;
        let mut day = self.0.day();
        loop {
            if let Some(d) = NaiveDate::from_ymd_opt(year, month, day) {
                return Date(d);
            }
            day -= 1;
        }
    }

    pub fn add_years(self, years: u32) -> Date {
        self.add_months(years * 12)
    }

    pub fn as_naive(self) -> NaiveDate {
        self.0
    }

    pub fn from_naive(date: NaiveDate) -> Date {
        Date(date)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Plain integer formatting: chrono's strftime machinery is slow on hot paths.
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Date {
    type Err = DateParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_parse(input: &str, ok: bool) {
        assert_eq!(Date::parse(input).is_ok(), ok, "{input}");
    }

    #[test]
    fn parses_only_real_iso_dates() {
        check_parse("2024-02-29", true);
        check_parse("2023-02-29", false);
        check_parse("2024-13-45", false);
        check_parse("2024-1-05", false);
        check_parse("2024/01/05", false);
        check_parse(" 2024-01-05", false);
        check_parse("2024-01-05T00:00:00", false);
    }

    #[test]
    fn adds_months_clamping_to_month_end() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("2024-01-31").add_months(1), d("2024-02-29"));
        assert_eq!(d("2023-11-30").add_months(3), d("2024-02-29"));
        assert_eq!(d("2021-07-15").add_years(2), d("2023-07-15"));
        assert_eq!(d("2024-02-29").add_years(1), d("2025-02-28"));
    }

    #[test]
    fn counts_days() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("2025-03-03").add_days(90), d("2025-06-01"));
        assert_eq!(d("2025-03-03").days_until(d("2025-06-01")), 90);
        assert!(d("2025-09-28").is_weekend());
    }
}
