//! `jiandu calendar …`: ask the statutory calendar about days and deadlines.

use anyhow::{Context, Result};
use clap::Subcommand;
use jiandu_calendar::{Calendar, DayKind, DayState, Notice, Period, Roll, Span};
use jiandu_model::Date;

use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Count as if the State Council notice for YEAR were not known yet, as jiandu counts a
    /// year whose notice is not published (repeatable).
    #[arg(long, value_name = "YEAR", global = true)]
    pub without_notice: Vec<i32>,
    /// Print for people (text) or for programs (json).
    #[arg(long, value_enum, default_value = "text", global = true)]
    pub format: super::Format,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print `true` if DATE is a working day (adjusted weekends included), else `false`;
    /// `uncertain` when it waits for a notice not yet known.
    IsWorkingDay { date: Date },
    /// Print the date N working days after DATE (DATE itself not counted), or the interval it
    /// lies in while a notice it reaches is not known.
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
    /// Add a year's State Council notice from a small TOML file (days off, adjusted working
    /// days, the notice's title, number and URL), checked, into the calendar file.
    AddYear {
        year: i32,
        file: std::path::PathBuf,
        /// Replace the year if the calendar already has it.
        #[arg(long)]
        replace: bool,
    },
}

pub fn run(settings: &Settings, args: Args) -> Result<()> {
    if let Command::AddYear {
        year,
        file,
        replace,
    } = &args.command
    {
        return add_year(settings, *year, file, *replace);
    }
    let mut calendar = settings.calendar()?;
    for year in &args.without_notice {
        calendar = calendar.without_notice(*year);
    }
    println!("{}", answer(&calendar, args.command, args.format)?);
    Ok(())
}

/// A date or an interval, for people or programs.
fn show_span(span: &Span, format: super::Format) -> String {
    match format {
        super::Format::Json => serde_json::json!({
            "earliest": span.earliest.to_string(),
            "latest": span.latest.to_string(),
            "exact": span.exact().is_some(),
            "missing_notices": span.missing_notices,
        })
        .to_string(),
        super::Format::Text => match span.exact() {
            Some(date) => date.to_string(),
            None => format!(
                "{span}  ({}国务院节假日安排尚未收录，日期在此区间内 / the {} notice is not in the calendar: the date lies in this interval)",
                span.missing_in_words(),
                span.missing_notices
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    }
}

fn answer(calendar: &Calendar, command: Command, format: super::Format) -> Result<String> {
    Ok(match command {
        Command::IsWorkingDay { date } => match calendar.day_state(date)? {
            DayState::Known(kind) => kind.is_working().to_string(),
            DayState::Uncertain { notice_year } => format!(
                "uncertain  (须待 {notice_year} 年国务院节假日安排 / waits for the {notice_year} notice)"
            ),
        },
        Command::AddWorkingDays { date, n } => {
            show_span(&calendar.add_working_days_span(date, n)?, format)
        }
        Command::AddDays { date, n, roll } => show_span(
            &calendar.add_days_span(date, n, Roll::from_flag(roll))?,
            format,
        ),
        Command::WorkingDaysBetween { start, end } => {
            let (fewest, most, missing) = calendar.working_days_between_span(start, end)?;
            match (format, fewest == most) {
                (super::Format::Json, _) => serde_json::json!({
                    "fewest": fewest, "most": most, "missing_notices": missing
                })
                .to_string(),
                (super::Format::Text, true) => fewest.to_string(),
                (super::Format::Text, false) => format!(
                    "{fewest} – {most}  (须待 {} 国务院节假日安排 / waits for the {} notice)",
                    missing
                        .iter()
                        .map(|y| format!("{y} 年"))
                        .collect::<Vec<_>>()
                        .join("、"),
                    missing
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
        Command::Deadline {
            start,
            period,
            no_roll,
        } => show_span(
            &calendar.deadline_span(start, period, Roll::from_flag(!no_roll))?,
            format,
        ),
        Command::Day { date } => match calendar.day_state(date)? {
            DayState::Known(kind) => describe(date, &kind),
            DayState::Uncertain { notice_year } => format!(
                "{date} {} uncertain 待定: {notice_year} 年国务院节假日安排尚未收录，此日在节假日前后，可能调休 / the {notice_year} notice is not in the calendar and may move this day",
                weekday_zh(date)
            ),
        },
        Command::Years => {
            let mut lines: Vec<String> = calendar
                .notices()
                .map(|notice| {
                    format!(
                        "{}\t{} days off, {} adjusted working days\t{}{}",
                        notice.year,
                        notice.n_days_off,
                        notice.n_adjusted_workdays,
                        notice
                            .number
                            .as_deref()
                            .map(|n| format!("{n} "))
                            .unwrap_or_default(),
                        notice.papers.join(" ")
                    )
                })
                .collect();
            if let Some(last) = calendar.notices().map(|n| n.year).max()
                && let Some(until) = calendar.festivals().last_year()
            {
                lines.push(format!(
                    "{}–{until}\tnot yet known: counted as intervals around the holidays of 《全国年节及纪念日放假办法》; add a year with `jiandu calendar add-year`",
                    last + 1
                ));
            }
            lines.join("\n")
        }
        Command::AddYear { .. } => unreachable!("handled in run"),
    })
}

/// Checks a notice file and writes its year into the rules directory's calendar file.
fn add_year(settings: &Settings, year: i32, file: &std::path::Path, replace: bool) -> Result<()> {
    let calendar = settings.calendar()?;
    if calendar.covers(year) && !replace {
        return Err(BadInput(format!(
            "the calendar already has {year}; pass --replace to replace it with {}",
            file.display()
        ))
        .into());
    }
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the notice file {}", file.display()))?;
    let notice = Notice::parse(&text, &file.display().to_string(), year, &calendar)
        .map_err(|e| BadInput(e.to_string()))?;
    let target = settings.calendar_file().ok_or_else(|| {
        BadInput(
            "no rules directory with calendar/cn-statutory.json to write to; pass --rules DIR"
                .into(),
        )
    })?;
    let current = std::fs::read_to_string(&target)
        .with_context(|| format!("cannot read {}", target.display()))?;
    let updated = notice.write_into(&current).map_err(BadInput)?;
    // The result must load as a calendar before it replaces the file.
    Calendar::from_json(&updated, &target.display().to_string())
        .context("internal: the updated calendar does not load")?;
    let temporary = target.with_extension("json.new");
    std::fs::write(&temporary, &updated)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    std::fs::rename(&temporary, &target)
        .with_context(|| format!("cannot replace {}", target.display()))?;
    let n_off = notice.days.values().filter(|(_, off)| *off).count();
    println!(
        "added {year} to {}: {n_off} days off, {} adjusted working days ({}{})",
        target.display(),
        notice.days.len() - n_off,
        notice
            .number
            .as_deref()
            .map(|n| format!("{n}, "))
            .unwrap_or_default(),
        notice.url
    );
    for remark in &notice.remarks {
        println!("note: {remark}");
    }
    println!("the next sweep re-judges every record, since the calendar changed");
    Ok(())
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
    ]
    .get(date.weekday().num_days_from_monday() as usize)
    .copied()
    .unwrap_or_default()
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
        assert_eq!(
            answer(&Calendar::builtin(), command, crate::cmd::Format::Text).unwrap(),
            expect
        );
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
