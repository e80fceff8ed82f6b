//! Legal time for scripts: the statutory calendar and the counting conventions of
//! CATALOGUE §1, with the profile's roll-forward settings applied.

use jiandu_calendar::Roll;
use rhai::plugin::*;

use super::{HostRef, host, no_calendar, trace};

/// Working days or months in one step may not exceed this (a larger number is a bug).
const MAX_STEPS: i64 = 3_650;

fn checked(n: i64) -> Result<i64, Box<EvalAltResult>> {
    if (-MAX_STEPS..=MAX_STEPS).contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} is out of range for a legal period (at most {MAX_STEPS})").into())
    }
}

fn roll_setting(host: &HostRef, name: &str) -> Result<Roll, Box<EvalAltResult>> {
    match host.profile.bool(name) {
        Some(flag) => Ok(Roll::from_flag(flag)),
        None => Err(format!(
            "profile `{}` has no boolean setting `{name}`",
            host.profile.name
        )
        .into()),
    }
}

/// Clock minutes of `[start, end)` that fall in the night window `night_start`–`night_end`.
fn night_overlap(
    start: jiandu_model::Moment,
    end: jiandu_model::Moment,
    from: u32,
    to: u32,
) -> i64 {
    let mut minutes = 0;
    let mut t = start;
    // Minute steps are exact and an execution lasts hours, not years.
    let mut guard = 0;
    while t < end && guard < 60 * 24 * 14 {
        let m = t.minute_of_day();
        let in_night = if from > to {
            m >= from || m < to
        } else {
            m >= from && m < to
        };
        if in_night {
            minutes += 1;
        }
        t = t.add_seconds(60);
        guard += 1;
    }
    minutes
}

fn parse_hhmm(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// A day's kind, or `unknown` naming the notice that would decide it.
fn known_day(
    host: &HostRef,
    d: jiandu_model::Date,
) -> Result<jiandu_calendar::DayKind, Box<EvalAltResult>> {
    match host.calendar.day_state(d).map_err(no_calendar)? {
        jiandu_calendar::DayState::Known(kind) => Ok(kind),
        jiandu_calendar::DayState::Uncertain { notice_year } => {
            Err(super::throw(super::Signal::NoCalendar {
                year: notice_year,
            }))
        }
    }
}

/// Whether `act` falls on or before the end of a period: decided when the act lies outside
/// the span of possible ends, `unknown` (naming the missing notice) when inside.
fn within(
    span: &jiandu_calendar::Span,
    act: jiandu_model::Date,
) -> Result<bool, Box<EvalAltResult>> {
    super::span::on_or_before(act, span)
}

// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
/// How many departures a trace line names before it says "and N more".
const DEPARTURES_SHOWN: usize = 12;

/// The trace line of a working-day count: which weekdays off it skipped and which
/// adjusted working days (调休) it counted between `start` and `end`.
fn trace_departures(
    calendar: &jiandu_calendar::Calendar,
    start: jiandu_model::Date,
    end: jiandu_model::Date,
) {
    trace(|| {
        let days = calendar.departures(start, end);
        if days.is_empty() {
            return format!(
                "  no holidays or 调休 days between {start} and {end}: Monday–Friday counted"
            );
        }
        let mut shown: Vec<String> = days
            .iter()
            .take(DEPARTURES_SHOWN)
            .map(|(day, kind)| match kind {
                jiandu_calendar::DayKind::DayOff { holiday } => {
                    format!("{day} {holiday}放假 (skipped)")
                }
                jiandu_calendar::DayKind::AdjustedWorkday { holiday } => {
                    format!("{day} {holiday}调休上班 (counted)")
                }
                _ => day.to_string(),
            })
            .collect();
        if days.len() > DEPARTURES_SHOWN {
            shown.push(format!("and {} more", days.len() - DEPARTURES_SHOWN));
        }
        format!(
            "  holidays and 调休 days between {start} and {end}: {}",
            shown.join(", ")
        )
    });
}

#[export_module]
pub mod time_api {
    use super::{
        checked, host, known_day, night_overlap, no_calendar, parse_hhmm, roll_setting, trace,
        within,
    };
    use crate::host::span::to_dynamic;
    use jiandu_calendar::{DayKind, Roll};
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    pub type Date = jiandu_model::Date;
    pub type Moment = jiandu_model::Moment;

    /// Whether `d` is a working day: a listed adjusted working day (调休上班), or Monday to
    /// Friday not listed as a day off. `unknown` when a notice not yet known decides it.
    #[rhai_fn(return_raw)]
    pub fn is_working_day(ctx: NativeCallContext, d: Date) -> Result<bool, Box<EvalAltResult>> {
        Ok(known_day(&host(&ctx)?, d)?.is_working())
    }

    /// Whether the State Council notice lists `d` as a day off (the 法定节假日 days), or the
    /// 办法 itself makes it a holiday in a year whose notice is not yet known.
    #[rhai_fn(return_raw)]
    pub fn is_day_off(ctx: NativeCallContext, d: Date) -> Result<bool, Box<EvalAltResult>> {
        Ok(matches!(
            known_day(&host(&ctx)?, d)?,
            DayKind::DayOff { .. }
        ))
    }

    /// Whether `d` is a Saturday or Sunday (whatever the notice says of it).
    pub fn is_weekend(d: Date) -> bool {
        d.is_weekend()
    }

    /// `"working"`, `"weekend"`, `"day_off"` or `"adjusted_workday"`.
    #[rhai_fn(return_raw)]
    pub fn day_kind(ctx: NativeCallContext, d: Date) -> Result<String, Box<EvalAltResult>> {
        Ok(match known_day(&host(&ctx)?, d)? {
            DayKind::Working => "working",
            DayKind::Weekend => "weekend",
            DayKind::DayOff { .. } => "day_off",
            DayKind::AdjustedWorkday { .. } => "adjusted_workday",
        }
        .to_owned())
    }

    /// The day on which `n` working days after `start` have passed (`start` not counted): a
    /// `Date`, or a `DateSpan` while a notice it reaches is not known.
    #[rhai_fn(return_raw)]
    pub fn add_working_days(
        ctx: NativeCallContext,
        start: Date,
        n: INT,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let end = host(&ctx)?
            .calendar
            .add_working_days_span(start, checked(n)?)
            .map_err(no_calendar)?;
        trace(|| format!("add_working_days({start}, {n}) = {end}"));
        Ok(to_dynamic(end))
    }

    /// Working days after `start` up to and including `end`; `unknown` while a missing notice
    /// makes the count uncertain.
    #[rhai_fn(return_raw)]
    pub fn working_days_between(
        ctx: NativeCallContext,
        start: Date,
        end: Date,
    ) -> Result<INT, Box<EvalAltResult>> {
        if start.days_until(end).abs() > 100_000 {
            return Err("the two dates are too far apart".into());
        }
        let (fewest, most, missing) = host(&ctx)?
            .calendar
            .working_days_between_span(start, end)
            .map_err(no_calendar)?;
        trace(|| format!("working_days_between({start}, {end}) = {fewest}..{most}"));
        if fewest != most {
            return Err(super::super::throw(super::super::Signal::NoCalendar {
                year: missing.first().copied().unwrap_or_default(),
            }));
        }
        Ok(fewest)
    }

    /// `start` + `n` calendar days, never rolled forward.
    #[rhai_fn(return_raw)]
    pub fn add_days(start: Date, n: INT) -> Result<Date, Box<EvalAltResult>> {
        crate::host::values::shift_days(start, checked(n)?)
    }

    /// `start` + `n` months: the same day of the month, or the month's last day; not rolled.
    #[rhai_fn(return_raw)]
    pub fn add_months(start: Date, n: INT) -> Result<Date, Box<EvalAltResult>> {
        let n = checked(n)?;
        if n < 0 {
            return Err("add_months counts forward only".into());
        }
        start
            .checked_add_months(n as u32)
            .ok_or_else(|| format!("{start} + {n} months leaves the years 1–9999").into())
    }

    /// The last day of an `n`-day period from `start` (start day not counted), moved to the
    /// next working day when it is a day off and the profile's `roll_last_day` says so.
    #[rhai_fn(return_raw)]
    pub fn deadline_days(
        ctx: NativeCallContext,
        start: Date,
        n: INT,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let host = host(&ctx)?;
        let roll = roll_setting(&host, "roll_last_day")?;
        let end = host
            .calendar
            .add_days_span(start, checked(n)?, roll)
            .map_err(no_calendar)?;
        trace(|| {
            format!(
                "deadline_days({start}, {n}) = {end} (roll_last_day: {})",
                roll == Roll::NextWorkingDay
            )
        });
        Ok(to_dynamic(end))
    }

    /// The last day of an `n`-working-day period from `start` (start day not counted).
    #[rhai_fn(return_raw)]
    pub fn deadline_wd(
        ctx: NativeCallContext,
        start: Date,
        n: INT,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let host = host(&ctx)?;
        let end = host
            .calendar
            .add_working_days_span(start, checked(n)?)
            .map_err(no_calendar)?;
        trace(|| format!("deadline_wd({start}, {n}) = {end}"));
        trace_departures(&host.calendar, start, end.latest);
        Ok(to_dynamic(end))
    }

    /// The last day of an `n`-month period from `start`, rolled per `roll_last_day`.
    #[rhai_fn(return_raw)]
    pub fn deadline_months(
        ctx: NativeCallContext,
        start: Date,
        n: INT,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let host = host(&ctx)?;
        let roll = roll_setting(&host, "roll_last_day")?;
        let n = checked(n)?;
        if n < 0 {
            return Err("deadline_months counts forward only".into());
        }
        let end = host
            .calendar
            .add_months_span(start, n as u32, roll)
            .map_err(no_calendar)?;
        trace(|| format!("deadline_months({start}, {n}) = {end}"));
        Ok(to_dynamic(end))
    }

    /// The last day of an `n`-year period from `start`, rolled per `roll_last_day`.
    #[rhai_fn(return_raw)]
    pub fn deadline_years(
        ctx: NativeCallContext,
        start: Date,
        n: INT,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        deadline_months(ctx, start, checked(n)? * 12)
    }

    /// The last day of a maximum restraint of `n` days (查封/扣押/冻结), rolled forward only when
    /// the profile's `restraint_duration_roll` says so.
    #[rhai_fn(return_raw)]
    pub fn restraint_end(
        ctx: NativeCallContext,
        start: Date,
        n: INT,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let host = host(&ctx)?;
        let roll = roll_setting(&host, "restraint_duration_roll")?;
        let end = host
            .calendar
            .add_days_span(start, checked(n)?, roll)
            .map_err(no_calendar)?;
        trace(|| format!("restraint_end({start}, {n}) = {end}"));
        Ok(to_dynamic(end))
    }

    /// Whether `act` falls within an `n`-day period from `start` (its rolled last day
    /// included). Decided whenever the act lies outside the days the period can end on, even
    /// when a notice it reaches is not known; `unknown` only when it lies inside.
    #[rhai_fn(return_raw)]
    pub fn within_days(
        ctx: NativeCallContext,
        start: Date,
        n: INT,
        act: Date,
    ) -> Result<bool, Box<EvalAltResult>> {
        if act <= crate::host::values::shift_days(start, checked(n)?)? {
            return Ok(true);
        }
        let host = host(&ctx)?;
        let roll = roll_setting(&host, "roll_last_day")?;
        let end = host
            .calendar
            .add_days_span(start, n, roll)
            .map_err(no_calendar)?;
        trace(|| format!("within_days({start}, {n}, {act}): period ends {end}"));
        within(&end, act)
    }

    /// Whether `act` falls within `n` working days after `start`. `n` working days span at
    /// least `n` calendar days, so a date that close needs no calendar.
    #[rhai_fn(return_raw)]
    pub fn within_wd(
        ctx: NativeCallContext,
        start: Date,
        n: INT,
        act: Date,
    ) -> Result<bool, Box<EvalAltResult>> {
        if act <= crate::host::values::shift_days(start, checked(n)?)? {
            return Ok(true);
        }
        let host = host(&ctx)?;
        let end = host
            .calendar
            .add_working_days_span(start, n)
            .map_err(no_calendar)?;
        trace(|| format!("within_wd({start}, {n}, {act}): period ends {end}"));
        trace_departures(&host.calendar, start, end.latest);
        within(&end, act)
    }

    /// Whether `act` falls within an `n`-month period from `start` (rolled last day included).
    #[rhai_fn(return_raw)]
    pub fn within_months(
        ctx: NativeCallContext,
        start: Date,
        n: INT,
        act: Date,
    ) -> Result<bool, Box<EvalAltResult>> {
        if act <= add_months(start, n)? {
            return Ok(true);
        }
        let host = host(&ctx)?;
        let roll = roll_setting(&host, "roll_last_day")?;
        let end = host
            .calendar
            .add_months_span(start, checked(n)? as u32, roll)
            .map_err(no_calendar)?;
        within(&end, act)
    }

    /// Whether `act` falls within an `n`-year period from `start` (rolled last day included).
    #[rhai_fn(return_raw)]
    pub fn within_years(
        ctx: NativeCallContext,
        start: Date,
        n: INT,
        act: Date,
    ) -> Result<bool, Box<EvalAltResult>> {
        within_months(ctx, start, checked(n)? * 12, act)
    }

    /// Minutes of `[start, end)` inside the profile's night window (`night_start`–`night_end`).
    #[rhai_fn(return_raw)]
    pub fn night_minutes(
        ctx: NativeCallContext,
        start: Moment,
        end: Moment,
    ) -> Result<INT, Box<EvalAltResult>> {
        let host = host(&ctx)?;
        let window = |name: &str| {
            host.profile
                .str(name)
                .and_then(parse_hhmm)
                .ok_or_else(|| -> Box<EvalAltResult> {
                    format!("profile setting `{name}` must be a time HH:MM").into()
                })
        };
        let (from, to) = (window("night_start")?, window("night_end")?);
        if start.seconds_until(end) > 14 * 24 * 3600 {
            return Err(
                "an execution longer than 14 days cannot be checked for night hours".into(),
            );
        }
        let minutes = night_overlap(start, end, from, to);
        trace(|| format!("night_minutes({start}, {end}) = {minutes}"));
        Ok(minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_night_minutes_across_midnight() {
        let m = |s| jiandu_model::Moment::parse(s).unwrap();
        let (from, to) = (22 * 60, 6 * 60);
        assert_eq!(
            night_overlap(
                m("2025-03-03T21:59:00+08:00"),
                m("2025-03-03T22:00:00+08:00"),
                from,
                to
            ),
            0
        );
        assert_eq!(
            night_overlap(
                m("2025-03-03T21:00:00+08:00"),
                m("2025-03-03T22:01:00+08:00"),
                from,
                to
            ),
            1
        );
        assert_eq!(
            night_overlap(
                m("2025-03-03T23:00:00+08:00"),
                m("2025-03-04T07:00:00+08:00"),
                from,
                to
            ),
            7 * 60
        );
        assert_eq!(
            night_overlap(
                m("2025-03-04T06:00:00+08:00"),
                m("2025-03-04T09:00:00+08:00"),
                from,
                to
            ),
            0
        );
        assert_eq!(parse_hhmm("22:00"), Some(1320));
        assert_eq!(parse_hhmm("25:00"), None);
    }
}
