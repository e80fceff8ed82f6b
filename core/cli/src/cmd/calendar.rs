//! `jiandu calendar …`: ask the statutory calendar about days and deadlines.

use anyhow::Result;
use clap::Subcommand;
use jiandu_calendar::{Calendar, DayKind, Period, Roll};
use jiandu_model::Date;

use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print `true` if DATE is a working day (adjusted weekends included), else `false`.
    IsWorkingDay { date: Date },
    /// Print the date N working days after DATE (DATE itself not counted).
    AddWorkingDays {
        date: Date,
        #[arg(allow_hyphen_values = true)]
        n: i64,
    },
    /// Print the date N calendar days after DATE (DATE itself not counted).
    AddDays {
        date: Date,
        #[arg(allow_hyphen_values = true)]
        n: i64,
        /// If the last day is not a working day, move it to the next working day (民法典 第二百零三条).
        #[arg(long)]
        roll: bool,
    },
    /// Print the number of working days after START up to and including END.
    WorkingDaysBetween { start: Date, end: Date },
    /// Print the last day of a legal period from START: 90d, 7wd, 3m, 2y.
    Deadline {
        start: Date,
        period: Period,
        /// Do not move a last day that is a day off (the reading for maximum restraint durations).
        #[arg(long)]
        no_roll: bool,
    },
    /// Describe a day: working day, weekend, day off or adjusted working day, and why.
    Day { date: Date },
    /// List the years the calendar covers and the State Council notices behind them.
    Years,
}

pub fn run(settings: &Settings, command: Command) -> Result<()> {
    let calendar = settings.calendar()?;
    println!("{}", answer(&calendar, command)?);
    Ok(())
}

fn answer(calendar: &Calendar, command: Command) -> Result<String> {
    Ok(match command {
        Command::IsWorkingDay { date } => calendar.is_working_day(date)?.to_string(),
        Command::AddWorkingDays { date, n } => calendar.add_working_days(date, n)?.to_string(),
        Command::AddDays { date, n, roll } => calendar
            .add_days(date, n, Roll::from_flag(roll))?
            .to_string(),
        Command::WorkingDaysBetween { start, end } => {
            calendar.working_days_between(start, end)?.to_string()
        }
        Command::Deadline {
            start,
            period,
            no_roll,
        } => {
            let roll = Roll::from_flag(!no_roll);
            let end = calendar.deadline(start, period, roll)?;
            format!("{end}")
        }
        Command::Day { date } => describe(date, &calendar.day(date)?),
        Command::Years => calendar
            .notices()
            .map(|notice| {
                format!(
                    "{}\t{} days off, {} adjusted working days\t{}",
                    notice.year,
                    notice.n_days_off,
                    notice.n_adjusted_workdays,
                    notice.papers.join(" ")
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    })
}

fn weekday_zh(date: Date) -> &'static str {
    [
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
        "星期六",
        "星期日",
    ][date.weekday().num_days_from_monday() as usize]
}

fn describe(date: Date, kind: &DayKind) -> String {
    let what = match kind {
        DayKind::Working => "working day 工作日".to_owned(),
        DayKind::Weekend => "weekend, not a working day 休息日".to_owned(),
        DayKind::DayOff { holiday } => format!("day off 放假 ({holiday})"),
        DayKind::AdjustedWorkday { holiday } => {
            format!("adjusted working day 调休上班 ({holiday})")
        }
    };
    format!("{date} {} {what}", weekday_zh(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(command: Command, expect: &str) {
        assert_eq!(answer(&Calendar::builtin(), command).unwrap(), expect);
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn answers_like_the_issue_says() {
        check(
            Command::IsWorkingDay {
                date: d("2025-09-28"),
            },
            "true",
        );
        check(
            Command::AddWorkingDays {
                date: d("2025-09-26"),
                n: 7,
            },
            "2025-10-13",
        );
        check(
            Command::AddDays {
                date: d("2025-03-03"),
                n: 90,
                roll: true,
            },
            "2025-06-03",
        );
        check(
            Command::AddWorkingDays {
                date: d("2026-02-12"),
                n: 3,
            },
            "2026-02-24",
        );
        check(
            Command::AddWorkingDays {
                date: d("2024-09-27"),
                n: 7,
            },
            "2024-10-12",
        );
        check(
            Command::Deadline {
                start: d("2025-03-03"),
                period: "90d".parse().unwrap(),
                no_roll: false,
            },
            "2025-06-03",
        );
        check(
            Command::Day {
                date: d("2025-10-11"),
            },
            "2025-10-11 星期六 adjusted working day 调休上班 (国庆节、中秋节)",
        );
    }
}
