//! Legal-time arithmetic with the counting conventions of CATALOGUE §1.
//!
//! - The start day is not counted (民法典 第二百零一条): a period of N days from day D ends on D + N.
//! - A calendar-day period whose last day is a day off ends on the next working day
//!   (民法典 第二百零三条), when the profile says so (`roll_last_day`).
//! - Working-day periods count only working days, the start day excluded.
//! - "以上/以下/以内" include the number, so "within N" means `act <= deadline`.
//! - Hours are clock hours; holidays do not stop them.

use std::fmt;
use std::str::FromStr;

use jiandu_model::{Date, Moment};

use crate::{Calendar, DayState, NoCalendarData, Span};

/// Whether a calendar-day period's last day moves to the next working day when it is a day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roll {
    /// 民法典 第二百零三条 by analogy (the default for procedural periods).
    NextWorkingDay,
    /// The period ends on its last day whatever it is (the protective reading for maximum
    /// durations of restraints on the party).
    None,
}

impl Roll {
    pub fn from_flag(roll: bool) -> Roll {
        if roll {
            Roll::NextWorkingDay
        } else {
            Roll::None
        }
    }
}

/// A legal period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Days(i64),
    WorkingDays(i64),
    Months(u32),
    Years(u32),
    Hours(i64),
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Days(n) => write!(f, "{n}d"),
            Period::WorkingDays(n) => write!(f, "{n}wd"),
            Period::Months(n) => write!(f, "{n}m"),
            Period::Years(n) => write!(f, "{n}y"),
            Period::Hours(n) => write!(f, "{n}h"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a period; write 90d (calendar days), 7wd (working days), 3m (months), 2y (years) or 24h (hours)"
)]
pub struct PeriodParseError(pub String);

impl FromStr for Period {
    type Err = PeriodParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || PeriodParseError(s.to_owned());
        let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
        let (number, unit) = s.split_at(split);
        let n: i64 = number.parse().map_err(|_| err())?;
        let small = || u32::try_from(n).map_err(|_| err());
        Ok(match unit {
            "d" => Period::Days(n),
            "wd" => Period::WorkingDays(n),
            "m" => Period::Months(small()?),
            "y" => Period::Years(small()?),
            "h" => Period::Hours(n),
            _ => return Err(err()),
        })
    }
}

impl Calendar {
    /// Whether a day counts as a working day, when the answer may depend on a missing notice:
    /// `hopeful` takes an uncertain day as working (the earliest a period can end), otherwise
    /// as a day off (the latest). Missing notices met are added to `missing`.
    fn counts_as_working(
        &self,
        date: Date,
        hopeful: bool,
        missing: &mut Vec<i32>,
    ) -> Result<bool, NoCalendarData> {
        Ok(match self.day_state(date)? {
            DayState::Known(kind) => kind.is_working(),
            DayState::Uncertain { notice_year } => {
                missing.push(notice_year);
                hopeful
            }
        })
    }

    /// The day on which `n` working days after `start` have passed, `start` not counted
    /// (`n` < 0 counts backwards), as a span when a missing notice leaves it open.
    pub fn add_working_days_span(&self, start: Date, n: i64) -> Result<Span, NoCalendarData> {
        let mut missing = Vec::new();
        let count = |hopeful: bool, missing: &mut Vec<i32>| -> Result<Date, NoCalendarData> {
            let step = if n < 0 { -1 } else { 1 };
            let mut remaining = n.abs();
            let mut day = start;
            while remaining > 0 {
                day = day.add_days(step);
                if self.counts_as_working(day, hopeful, missing)? {
                    remaining -= 1;
                }
            }
            Ok(day)
        };
        let hopeful = count(true, &mut missing)?;
        let fearful = count(false, &mut missing)?;
        Ok(Span::between(hopeful, fearful, missing))
    }

    /// `last_day`, or the first working day after it when it is a day off and `roll` says so.
    pub fn roll_span(&self, last_day: Date, roll: Roll) -> Result<Span, NoCalendarData> {
        if roll == Roll::None {
            return Ok(Span::exact_day(last_day));
        }
        let mut missing = Vec::new();
        let first = |hopeful: bool, missing: &mut Vec<i32>| -> Result<Date, NoCalendarData> {
            let mut day = last_day;
            while !self.counts_as_working(day, hopeful, missing)? {
                day = day.succ();
            }
            Ok(day)
        };
        let hopeful = first(true, &mut missing)?;
        let fearful = first(false, &mut missing)?;
        Ok(Span::between(hopeful, fearful, missing))
    }

    /// `start` + `days` calendar days (start day not counted), rolled forward if asked.
    pub fn add_days_span(
        &self,
        start: Date,
        days: i64,
        roll: Roll,
    ) -> Result<Span, NoCalendarData> {
        self.roll_span(start.add_days(days), roll)
    }

    /// `start` + `months` months: the corresponding day of the final month, or its last day
    /// when it has none (民法典 第二百零二条), rolled forward if asked.
    pub fn add_months_span(
        &self,
        start: Date,
        months: u32,
        roll: Roll,
    ) -> Result<Span, NoCalendarData> {
        self.roll_span(start.add_months(months), roll)
    }

    /// Working days after `start` up to and including `end`: (fewest, most, missing notices).
    pub fn working_days_between_span(
        &self,
        start: Date,
        end: Date,
    ) -> Result<(i64, i64, Vec<i32>), NoCalendarData> {
        let (mut fewest, mut most) = (0, 0);
        let mut missing = Vec::new();
        let mut day = start;
        while day < end {
            day = day.succ();
            let before = missing.len();
            if self.counts_as_working(day, true, &mut missing)? {
                most += 1;
                if missing.len() == before {
                    fewest += 1;
                }
            }
        }
        missing.sort_unstable();
        missing.dedup();
        Ok((fewest, most, missing))
    }

    /// The last day of `period` from `start` under the counting conventions; hours are
    /// counted from the start of the day (use [`hours_between`] for moments).
    pub fn deadline_span(
        &self,
        start: Date,
        period: Period,
        roll: Roll,
    ) -> Result<Span, NoCalendarData> {
        match period {
            Period::Days(n) => self.add_days_span(start, n, roll),
            Period::WorkingDays(n) => self.add_working_days_span(start, n),
            Period::Months(n) => self.add_months_span(start, n, roll),
            Period::Years(n) => self.add_months_span(start, n * 12, roll),
            Period::Hours(n) => Ok(Span::exact_day(start.add_days(n.div_euclid(24)))),
        }
    }

    /// [`Calendar::add_days_span`] when the date is certain; an error naming the missing
    /// notice otherwise. Without roll-forward no calendar data is needed.
    pub fn add_days(&self, start: Date, days: i64, roll: Roll) -> Result<Date, NoCalendarData> {
        self.exact(self.add_days_span(start, days, roll)?)
    }

    pub fn add_months(&self, start: Date, months: u32, roll: Roll) -> Result<Date, NoCalendarData> {
        self.exact(self.add_months_span(start, months, roll)?)
    }

    /// The day on which `n` working days after `start` have passed, `start` not counted.
    /// A negative `n` counts backwards. `n` = 0 gives `start`.
    pub fn add_working_days(&self, start: Date, n: i64) -> Result<Date, NoCalendarData> {
        self.exact(self.add_working_days_span(start, n)?)
    }

    /// Working days after `start` up to and including `end` (0 when `end` is not later).
    pub fn working_days_between(&self, start: Date, end: Date) -> Result<i64, NoCalendarData> {
        let (fewest, most, missing) = self.working_days_between_span(start, end)?;
        if fewest == most {
            Ok(fewest)
        } else {
            Err(self.no_data(missing.first().copied().unwrap_or_default()))
        }
    }

    pub fn deadline(
        &self,
        start: Date,
        period: Period,
        roll: Roll,
    ) -> Result<Date, NoCalendarData> {
        self.exact(self.deadline_span(start, period, roll)?)
    }
}

/// Clock time between two moments, in hours with fractions. No calendar: holidays do not stop it.
pub fn hours_between(from: Moment, to: Moment) -> f64 {
    from.hours_until(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    /// One line per case: start, working days, expected end.
    fn check_add_wd(start: &str, n: i64, expect: &str) {
        let cal = Calendar::builtin();
        assert_eq!(
            cal.add_working_days(d(start), n).unwrap(),
            d(expect),
            "{start} + {n} WD"
        );
    }

    #[test]
    fn working_days_follow_the_adjusted_weekends() {
        check_add_wd("2025-09-26", 7, "2025-10-13"); // 国庆 2025: 09-28 Sun and 10-11 Sat are working
        check_add_wd("2026-02-12", 3, "2026-02-24"); // 春节 2026: 02-14 Sat is working
        check_add_wd("2024-09-27", 7, "2024-10-12"); // 国庆 2024: 09-29 Sun and 10-12 Sat are working
        check_add_wd("2025-09-26", 1, "2025-09-28");
        check_add_wd("2021-07-15", 0, "2021-07-15");
        check_add_wd("2025-10-13", -7, "2025-09-26");
        check_add_wd("2020-01-23", 1, "2020-02-03"); // the extended 春节 2020 (second notice)
    }

    #[test]
    fn departures_name_the_weekdays_off_and_the_adjusted_working_days() {
        let cal = Calendar::builtin();
        let days: Vec<(String, bool)> = cal
            .departures(d("2025-09-26"), d("2025-10-13"))
            .into_iter()
            .map(|(day, kind)| (day.to_string(), kind.is_working()))
            .collect();
        let expected = [
            ("2025-09-28", true),
            ("2025-10-01", false),
            ("2025-10-02", false),
            ("2025-10-03", false),
            ("2025-10-06", false),
            ("2025-10-07", false),
            ("2025-10-08", false),
            ("2025-10-11", true),
        ];
        let expected: Vec<(String, bool)> = expected
            .iter()
            .map(|(d, w)| ((*d).to_owned(), *w))
            .collect();
        assert_eq!(days, expected);
        assert!(cal.departures(d("2026-07-22"), d("2026-07-31")).is_empty());
    }

    #[test]
    fn rolls_a_last_day_off_to_the_next_working_day() {
        let cal = Calendar::builtin();
        assert_eq!(
            cal.add_days(d("2025-03-03"), 90, Roll::NextWorkingDay)
                .unwrap(),
            d("2025-06-03")
        );
        assert_eq!(
            cal.add_days(d("2025-03-03"), 90, Roll::None).unwrap(),
            d("2025-06-01")
        );
        // An adjusted working Saturday is a working day: no roll.
        assert_eq!(
            cal.add_days(d("2025-10-01"), 10, Roll::NextWorkingDay)
                .unwrap(),
            d("2025-10-11")
        );
        // Months: corresponding day, or the month's last day.
        assert_eq!(
            cal.add_months(d("2024-11-30"), 3, Roll::None).unwrap(),
            d("2025-02-28")
        );
    }

    #[test]
    fn counts_working_days_between() {
        let cal = Calendar::builtin();
        assert_eq!(
            cal.working_days_between(d("2025-09-26"), d("2025-10-13"))
                .unwrap(),
            7
        );
        assert_eq!(
            cal.working_days_between(d("2025-10-13"), d("2025-09-26"))
                .unwrap(),
            0
        );
        assert_eq!(
            cal.working_days_between(d("2025-10-01"), d("2025-10-08"))
                .unwrap(),
            0
        );
    }

    #[test]
    fn refuses_to_guess_beyond_its_data() {
        let cal = Calendar::builtin();
        let err = cal.add_working_days(d("2026-12-28"), 7).unwrap_err();
        assert_eq!(err.year, 2027);
        assert!(
            err.to_string().starts_with("no calendar data for 2027"),
            "{err}"
        );
        assert!(cal.is_working_day(d("2006-06-01")).is_err());
        // Calendar days without roll-forward need no notice.
        assert_eq!(
            cal.add_days(d("2026-12-01"), 60, Roll::None).unwrap(),
            d("2027-01-30")
        );
        assert!(
            cal.add_days(d("2026-12-01"), 60, Roll::NextWorkingDay)
                .is_err()
        );
    }

    #[test]
    fn agrees_with_the_catalogue_tables_of_adjusted_working_days() {
        // CATALOGUE §4.2–§4.5, typed in independently of the data file.
        let cal = Calendar::builtin();
        let adjusted = [
            "2020-01-19",
            "2020-04-26",
            "2020-05-09",
            "2020-06-28",
            "2020-09-27",
            "2020-10-10",
            "2021-02-07",
            "2021-02-20",
            "2021-04-25",
            "2021-05-08",
            "2021-09-18",
            "2021-09-26",
            "2021-10-09",
            "2022-01-29",
            "2022-01-30",
            "2022-04-02",
            "2022-04-24",
            "2022-05-07",
            "2022-10-08",
            "2022-10-09",
            "2023-01-28",
            "2023-01-29",
            "2023-04-23",
            "2023-05-06",
            "2023-06-25",
            "2023-10-07",
            "2023-10-08",
            "2024-02-04",
            "2024-02-18",
            "2024-04-07",
            "2024-04-28",
            "2024-05-11",
            "2024-09-14",
            "2024-09-29",
            "2024-10-12",
            "2025-01-26",
            "2025-02-08",
            "2025-04-27",
            "2025-09-28",
            "2025-10-11",
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
        ];
        for day in adjusted {
            assert_eq!(cal.is_working_day(d(day)), Ok(true), "{day}");
        }
        for day in [
            "2020-02-01",
            "2025-10-08",
            "2026-02-23",
            "2026-01-02",
            "2024-02-17",
        ] {
            assert_eq!(cal.is_listed_day_off(d(day)), Ok(true), "{day}");
        }
        // An ordinary weekend adjoining a holiday is off but not listed.
        assert_eq!(cal.day(d("2024-12-29")), Ok(crate::DayKind::Weekend));
    }

    #[test]
    fn parses_periods() {
        assert_eq!("90d".parse(), Ok(Period::Days(90)));
        assert_eq!("7wd".parse(), Ok(Period::WorkingDays(7)));
        assert_eq!("3m".parse(), Ok(Period::Months(3)));
        assert_eq!("24h".parse(), Ok(Period::Hours(24)));
        assert!("7 days".parse::<Period>().is_err());
    }

    #[test]
    fn a_year_is_added_by_editing_the_file() {
        let text = r#"{"years": [
            {"year": 2027, "papers": ["https://example.invalid/notice-2027"],
             "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]},
            {"year": 2028, "papers": [], "days": []}
        ]}"#;
        let cal = Calendar::from_json(text, "test").unwrap();
        assert_eq!(cal.is_working_day(d("2027-01-01")), Ok(false));
        assert_eq!(cal.is_working_day(d("2027-01-04")), Ok(true));
        assert!(cal.is_working_day(d("2028-01-04")).is_err());
    }
}

#[cfg(test)]
mod interval_tests {
    //! Counting across years whose notice is not known.
    use super::*;
    use crate::statutory::{Holiday, statutory_days};

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn every_festival_of_the_known_years_is_a_listed_day_off() {
        let cal = Calendar::builtin();
        for year in 2008..=2026 {
            let dates = cal.festivals().get(year).expect("festival dates");
            for (holiday, day) in statutory_days(year, dates) {
                assert_eq!(
                    cal.day(day),
                    Ok(crate::DayKind::DayOff {
                        holiday: cal
                            .notices()
                            .find(|n| n.year == year)
                            .unwrap()
                            .days
                            .iter()
                            .find(|x| x.0 == day)
                            .map(|x| x.1.clone())
                            .unwrap_or_default()
                    }),
                    "{} {day} of {year}",
                    holiday.chinese()
                );
            }
        }
    }

    #[test]
    fn a_deadline_into_an_unknown_year_is_an_interval() {
        let cal = Calendar::builtin();
        let span = cal.add_working_days_span(d("2026-12-25"), 7).unwrap();
        assert!(span.exact().is_none(), "{span}");
        assert_eq!(span.missing_notices, vec![2027]);
        assert_eq!(
            (span.earliest, span.latest),
            (d("2027-01-02"), d("2027-01-15")),
            "{span}"
        );
        // 元旦 2027 (Friday) is certainly off; an ordinary week in March is ordinary.
        assert_eq!(
            cal.day(d("2027-01-01")),
            Ok(crate::DayKind::DayOff {
                holiday: Holiday::NewYear.chinese().into()
            })
        );
        assert_eq!(
            cal.add_working_days(d("2027-03-08"), 5),
            Ok(d("2027-03-15"))
        );
        // Late December waits for the next year's notice too.
        assert!(matches!(
            cal.day_state(d("2026-12-31")),
            Ok(DayState::Uncertain { notice_year: 2027 })
        ));
        // Beyond the festival table nothing is counted.
        assert!(cal.add_working_days_span(d("2080-12-20"), 30).is_err());
    }

    #[test]
    fn a_hidden_notice_still_gives_an_interval_holding_the_truth() {
        let cal = Calendar::builtin().without_notice(2025);
        let span = cal.add_working_days_span(d("2025-09-26"), 7).unwrap();
        assert!(span.contains(d("2025-10-13")), "{span}");
        assert_eq!(span.missing_notices, vec![2025]);
    }

    /// Days a notice lists under no holiday of the 办法 (the 2015 commemoration of the war's
    /// end): no window of the 办法 can foresee them.
    fn special_days(cal: &Calendar) -> Vec<Date> {
        cal.notices()
            .flat_map(|n| n.days.iter())
            .filter(|(_, name, _)| Holiday::named_in(name).is_empty())
            .map(|(date, _, _)| *date)
            .collect()
    }

    #[test]
    fn hiding_each_known_notice_the_true_deadline_lies_in_the_interval() {
        let truth = Calendar::builtin();
        let special = special_days(&truth);
        let touches_special = |a: Date, b: Date| special.iter().any(|s| a < *s && *s <= b);
        let periods = [
            Period::WorkingDays(1),
            Period::WorkingDays(2),
            Period::WorkingDays(3),
            Period::WorkingDays(5),
            Period::WorkingDays(7),
            Period::WorkingDays(10),
            Period::WorkingDays(15),
            Period::WorkingDays(20),
            Period::WorkingDays(45),
            Period::Days(3),
            Period::Days(7),
            Period::Days(15),
            Period::Days(30),
            Period::Days(60),
            Period::Days(90),
            Period::Months(3),
        ];
        let mut checked = 0;
        for year in 2009..=2026 {
            let hidden = truth.without_notice(year);
            let mut start = d(&format!("{}-11-20", year - 1));
            let end = d(&format!("{year}-12-31"));
            while start <= end {
                for period in periods {
                    // The truth itself may reach the year after the last notice.
                    let Ok(real) = truth.deadline(start, period, Roll::NextWorkingDay) else {
                        continue;
                    };
                    if touches_special(start, real) {
                        continue;
                    }
                    let span = hidden
                        .deadline_span(start, period, Roll::NextWorkingDay)
                        .unwrap();
                    assert!(
                        span.contains(real),
                        "{start} + {period} without the {year} notice: {span}, truly {real}"
                    );
                    checked += 1;
                }
                let later = start.add_days(20);
                let (Ok(real), Ok((fewest, most, _))) = (
                    truth.working_days_between(start, later),
                    hidden.working_days_between_span(start, later),
                ) else {
                    start = start.add_days(2);
                    continue;
                };
                if !touches_special(start, later) {
                    assert!(fewest <= real && real <= most, "{start}..{later}");
                }
                start = start.add_days(2);
            }
        }
        assert!(checked > 50_000, "{checked}");
    }
}
