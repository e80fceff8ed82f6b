//! `Moment`: an instant with its time zone (RFC 3339), shown in China Standard Time (+08:00).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Date;

/// China Standard Time. China has kept +08:00 without daylight saving since 1991.
#[allow(
    clippy::expect_used,
    reason = "a constant offset within chrono's range"
)]
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// An instant. Input must carry an explicit offset; it is normalised to +08:00 so that
/// `date()` and `time_of_day()` are the Beijing wall-clock values the law speaks of.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Moment(DateTime<FixedOffset>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MomentParseError {
    #[error(
        "`{input}` has no time-zone offset; write it as RFC 3339 with +08:00, e.g. 2025-03-01T09:30:00+08:00"
    )]
    MissingOffset { input: String },
    #[error("`{input}` is not an RFC 3339 moment such as 2025-03-01T09:30:00+08:00")]
    Invalid { input: String },
}

impl Moment {
    pub fn parse(input: &str) -> Result<Moment, MomentParseError> {
        match DateTime::parse_from_rfc3339(input) {
            Ok(dt) => Ok(Moment(dt.with_timezone(&china_offset()))),
            Err(_) => {
                let naive = chrono::NaiveDateTime::parse_from_str(input, "%Y-%m-%dT%H:%M:%S")
                    .or_else(|_| chrono::NaiveDateTime::parse_from_str(input, "%Y-%m-%d %H:%M:%S"));
                if naive.is_ok() {
                    Err(MomentParseError::MissingOffset {
                        input: input.to_owned(),
                    })
                } else {
                    Err(MomentParseError::Invalid {
                        input: input.to_owned(),
                    })
                }
            }
        }
    }

    /// A time from a Chinese source system: RFC 3339, epoch milliseconds (13 digits) or
    /// seconds (10 digits), or a wall-clock time without offset, which then means Beijing
    /// time (`YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DDTHH:MM:SS`,
    /// `2019/4/24 16:03:40`, `YYYYMMDDHHMMSS`). Only for sources documented to send Beijing
    /// time.
    pub fn parse_beijing(input: &str) -> Result<Moment, MomentParseError> {
        let input = input.trim();
        if let Ok(moment) = Moment::parse(input) {
            return Ok(moment);
        }
        if input.bytes().all(|b| b.is_ascii_digit()) && matches!(input.len(), 10 | 13) {
            let n: i64 = input.parse().map_err(|_| MomentParseError::Invalid {
                input: input.to_owned(),
            })?;
            let millis = if input.len() == 13 { n } else { n * 1000 };
            return DateTime::from_timestamp_millis(millis)
                .map(|dt| Moment(dt.with_timezone(&china_offset())))
                .ok_or_else(|| MomentParseError::Invalid {
                    input: input.to_owned(),
                });
        }
        [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y/%m/%d %H:%M:%S",
            "%Y/%m/%d %H:%M",
            "%Y%m%d%H%M%S",
        ]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(input, format).ok())
        .and_then(|naive| naive.and_local_timezone(china_offset()).single())
        .map(Moment)
        .ok_or_else(|| MomentParseError::Invalid {
            input: input.to_owned(),
        })
    }

    /// The Beijing wall-clock moment `date` at `hour:minute`.
    pub fn at(date: Date, hour: u32, minute: u32) -> Option<Moment> {
        let time = NaiveTime::from_hms_opt(hour, minute, 0)?;
        date.as_naive()
            .and_time(time)
            .and_local_timezone(china_offset())
            .single()
            .map(Moment)
    }

    /// The calendar day of this moment in Beijing.
    pub fn date(self) -> Date {
        Date::from_naive(self.0.date_naive())
    }

    /// Minutes since midnight, Beijing time.
    pub fn minute_of_day(self) -> u32 {
        self.0.hour() * 60 + self.0.minute()
    }

    /// Clock time from `self` to `later`, in seconds (negative when `later` is earlier).
    pub fn seconds_until(self, later: Moment) -> i64 {
        (later.0 - self.0).num_seconds()
    }

    /// Clock hours from `self` to `later`, with fractions.
    pub fn hours_until(self, later: Moment) -> f64 {
        self.seconds_until(later) as f64 / 3600.0
    }

    pub fn add_seconds(self, seconds: i64) -> Moment {
        Moment(self.0 + chrono::Duration::seconds(seconds))
    }

    pub fn from_datetime(dt: DateTime<FixedOffset>) -> Moment {
        Moment(dt.with_timezone(&china_offset()))
    }

    pub fn as_datetime(self) -> DateTime<FixedOffset> {
        self.0
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%dT%H:%M:%S%:z"))
    }
}

impl fmt::Debug for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Moment {
    type Err = MomentParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Moment::parse(s)
    }
}

impl Serialize for Moment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Moment::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_times_chinese_systems_send() {
        let at = |t: &str| Moment::parse_beijing(t).map(|m| m.to_string());
        assert_eq!(
            at("2019/4/24 16:03:40").unwrap(),
            "2019-04-24T16:03:40+08:00"
        );
        assert_eq!(at("2019-04-24 16:03").unwrap(), "2019-04-24T16:03:00+08:00");
        assert_eq!(at("1556092800000").unwrap(), "2019-04-24T16:00:00+08:00");
        assert_eq!(at("1556092800").unwrap(), "2019-04-24T16:00:00+08:00");
        assert_eq!(at("20190424160340").unwrap(), "2019-04-24T16:03:40+08:00");
        assert!(
            at("155609280000").is_err(),
            "12 digits are neither seconds nor milliseconds"
        );
        assert!(at("2019/4/24").is_err(), "a date is not a time");
    }

    use super::*;

    #[test]
    fn normalises_to_beijing_time() {
        let m = Moment::parse("2025-03-01T16:30:00Z").unwrap();
        assert_eq!(m.to_string(), "2025-03-02T00:30:00+08:00");
        assert_eq!(m.date(), Date::parse("2025-03-02").unwrap());
        assert_eq!(m.minute_of_day(), 30);
    }

    #[test]
    fn refuses_moments_without_offset() {
        assert!(matches!(
            Moment::parse("2025-03-01T09:30:00"),
            Err(MomentParseError::MissingOffset { .. })
        ));
        assert!(matches!(
            Moment::parse("2025-03-01 25:00"),
            Err(MomentParseError::Invalid { .. })
        ));
    }

    #[test]
    fn counts_clock_hours_across_days() {
        let a = Moment::parse("2025-10-01T10:00:00+08:00").unwrap();
        let b = Moment::parse("2025-10-02T11:00:00+08:00").unwrap();
        assert_eq!(a.seconds_until(b), 25 * 3600);
        assert_eq!(a.hours_until(b), 25.0);
    }
}
