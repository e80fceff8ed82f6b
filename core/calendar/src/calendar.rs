//! The statutory calendar: which days are working days, from the State Council's yearly notices.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use jiandu_model::Date;
use serde::Deserialize;

use crate::Span;
use crate::statutory::{Festivals, Holiday, Windows, statutory_days};

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayKind {
    /// Monday to Friday, not listed.
    Working,
    /// Saturday or Sunday, not listed.
    Weekend,
    /// Listed as a day off (放假) in the notice: a statutory holiday or a day merged into it.
    DayOff { holiday: String },
    /// Listed as an adjusted working day (调休上班), usually a Saturday or Sunday.
    AdjustedWorkday { holiday: String },
}

impl DayKind {
    pub fn is_working(&self) -> bool {
        matches!(self, DayKind::Working | DayKind::AdjustedWorkday { .. })
    }
}

/// The calendar has no notice for the year a computation reached. Never guessed around.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no calendar data for {year}: the State Council holiday notice for {year} is not in the calendar file{covered}"
)]
pub struct NoCalendarData {
    pub year: i32,
    covered: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CalendarLoadError {
    #[error("cannot read calendar file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("calendar file {path} is not valid: {reason}")]
    Invalid { path: String, reason: String },
}

#[derive(Deserialize)]
struct FileFormat {
    years: Vec<YearFormat>,
}

#[derive(Debug, Clone, Deserialize)]
struct YearFormat {
    year: i32,
    #[serde(default)]
    papers: Vec<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    days: Vec<DayFormat>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DayFormat {
    name: String,
    date: String,
    is_off_day: bool,
}

#[derive(Debug, Clone)]
struct Listed {
    holiday: String,
    off: bool,
}

/// One year's notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearNotice {
    pub year: i32,
    pub papers: Vec<String>,
    /// The notice's title and number (国办发明电〔…〕…号), where the file gives them.
    pub title: Option<String>,
    pub number: Option<String>,
    pub n_days_off: usize,
    pub n_adjusted_workdays: usize,
    /// The listed days: date, holiday name, whether a day off.
    pub days: Vec<(Date, String, bool)>,
}

/// What the calendar can say of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayState {
    Known(DayKind),
    /// The notice for `notice_year` is not in the calendar and may make this day a day off
    /// or a working day (it lies near a holiday of the 办法).
    Uncertain {
        notice_year: i32,
    },
}

/// The statutory calendar. Cheap to query; clone it freely (it is a few hundred kilobytes).
#[derive(Debug, Clone)]
pub struct Calendar {
    listed: HashMap<Date, Listed>,
    notices: BTreeMap<i32, YearNotice>,
    festivals: Festivals,
    windows: Windows,
    /// Days a missing notice decides, with the year of that notice.
    uncertain: HashMap<Date, i32>,
    /// The days the 办法 makes holidays in years without a notice: certainly off.
    statutory: HashMap<Date, Holiday>,
    source: String,
    content_hash: String,
}

impl Calendar {
    /// Parses the calendar file (the holiday-cn layout, one entry per year). `source` names
    /// the file in errors. Without festival dates a year without a notice is not counted at
    /// all; see [`Calendar::with_festivals`].
    pub fn from_json(text: &str, source: &str) -> Result<Calendar, CalendarLoadError> {
        Calendar::from_parts(text, None, source)
    }

    /// The calendar file and `festivals.tsv`: years without a notice are then counted as
    /// intervals around the holidays the 办法 fixes.
    pub fn with_festivals(
        text: &str,
        festivals: &str,
        source: &str,
    ) -> Result<Calendar, CalendarLoadError> {
        Calendar::from_parts(text, Some(festivals), source)
    }

    fn from_parts(
        text: &str,
        festivals: Option<&str>,
        source: &str,
    ) -> Result<Calendar, CalendarLoadError> {
        let invalid = |reason: String| CalendarLoadError::Invalid {
            path: source.to_owned(),
            reason,
        };
        let file: FileFormat = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let festivals = match festivals {
            Some(text) => Festivals::parse(text, "festivals.tsv").map_err(invalid)?,
            None => Festivals::default(),
        };
        let mut notices = BTreeMap::new();
        for year in file.years {
            if year.papers.is_empty() && year.days.is_empty() {
                // holiday-cn publishes an empty file for a year whose notice is not out yet.
                continue;
            }
            if year.papers.is_empty() {
                return Err(invalid(format!(
                    "year {} lists days but no notice (papers); every year must name its source",
                    year.year
                )));
            }
            let mut days = Vec::new();
            for day in year.days {
                let date = Date::parse(&day.date)
                    .map_err(|e| invalid(format!("year {}: {e}", year.year)))?;
                if (date.year() - year.year).abs() > 1 {
                    return Err(invalid(format!(
                        "year {} lists {date}, which is too far from that year",
                        year.year
                    )));
                }
                days.push((date, day.name, day.is_off_day));
            }
            let notice = YearNotice {
                year: year.year,
                papers: year.papers,
                title: year.title,
                number: year.number,
                n_days_off: days.iter().filter(|d| d.2).count(),
                n_adjusted_workdays: days.iter().filter(|d| !d.2).count(),
                days,
            };
            if notices.insert(notice.year, notice).is_some() {
                return Err(invalid(format!("year {} has two entries", year.year)));
            }
        }
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        hasher.update(text.as_bytes());
        if let Some(text) = festivals_text(&festivals) {
            hasher.update(text.as_bytes());
        }
        let content_hash = crate::hex(&hasher.finalize());
        Calendar::build(notices, festivals, source.to_owned(), content_hash).map_err(invalid)
    }

    fn build(
        notices: BTreeMap<i32, YearNotice>,
        festivals: Festivals,
        source: String,
        content_hash: String,
    ) -> Result<Calendar, String> {
        let mut listed = HashMap::new();
        for notice in notices.values() {
            for (date, name, off) in &notice.days {
                let previous = listed.insert(
                    *date,
                    Listed {
                        holiday: name.clone(),
                        off: *off,
                    },
                );
                if previous.is_some() {
                    return Err(format!("{date} is listed twice"));
                }
            }
        }
        let by_year: BTreeMap<i32, Vec<(Date, String, bool)>> = notices
            .iter()
            .map(|(year, notice)| (*year, notice.days.clone()))
            .collect();
        let windows = Windows::measure(&by_year, &festivals);
        let mut uncertain = HashMap::new();
        let mut statutory = HashMap::new();
        let first_notice = notices.keys().next().copied().unwrap_or(i32::MAX);
        if let Some(last) = festivals.last_year() {
            for year in first_notice..=last {
                if notices.contains_key(&year) {
                    continue;
                }
                let Some(dates) = festivals.get(year) else {
                    continue;
                };
                for (holiday, date) in statutory_days(year, dates) {
                    statutory.insert(date, holiday);
                }
                for date in windows.uncertain_days(year, dates) {
                    // A day a known notice lists stays as listed; the days of the year before
                    // (late December, before 元旦) are decided by this year's notice too.
                    if !listed.contains_key(&date) {
                        uncertain.insert(date, year);
                    }
                }
            }
        }
        Ok(Calendar {
            listed,
            notices,
            festivals,
            windows,
            uncertain,
            statutory,
            source,
            content_hash,
        })
    }

    /// The same calendar as if the notice for `year` had never been published (the interval
    /// arithmetic is then tested against the real notice).
    #[allow(
        clippy::expect_used,
        reason = "fewer notices never make a calendar invalid"
    )]
    pub fn without_notice(&self, year: i32) -> Calendar {
        let mut notices = self.notices.clone();
        notices.remove(&year);
        Calendar::build(
            notices,
            self.festivals.clone(),
            self.source.clone(),
            format!("{}-without-{year}", self.content_hash),
        )
        .expect("removing a notice keeps a valid calendar")
    }

    /// Loads the calendar file and, when it is there, `festivals.tsv` beside it.
    pub fn load(path: &Path) -> Result<Calendar, CalendarLoadError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| CalendarLoadError::Read {
                path: path.display().to_string(),
                source,
            })
        };
        let text = read(path)?;
        let festivals_path = path.with_file_name("festivals.tsv");
        let festivals = if festivals_path.is_file() {
            Some(read(&festivals_path)?)
        } else {
            None
        };
        Calendar::from_parts(&text, festivals.as_deref(), &path.display().to_string())
    }

    /// The calendar shipped in `rules/calendar/`, compiled in as a fallback for a binary run
    /// away from its rules directory. The file on disk wins whenever it is found.
    #[allow(clippy::expect_used, reason = "compiled-in data, checked by the tests")]
    pub fn builtin() -> Calendar {
        Calendar::with_festivals(
            include_str!("../../../rules/calendar/cn-statutory.json"),
            include_str!("../../../rules/calendar/festivals.tsv"),
            "rules/calendar/cn-statutory.json (built in)",
        )
        .expect("the shipped calendar parses")
    }

    /// SHA-256 of the calendar file and the festival dates: a changed calendar means every
    /// deadline may change.
    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }

    /// Where this calendar was read from.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn notices(&self) -> impl Iterator<Item = &YearNotice> {
        self.notices.values()
    }

    pub fn covers(&self, year: i32) -> bool {
        self.notices.contains_key(&year)
    }

    /// The festival dates the calendar knows, for checking a new year's notice.
    pub fn festivals(&self) -> &Festivals {
        &self.festivals
    }

    /// How far around each holiday the notices have moved days (before, after).
    pub fn windows(&self) -> &Windows {
        &self.windows
    }

    pub(crate) fn no_data(&self, year: i32) -> NoCalendarData {
        let covered = match (self.notices.keys().next(), self.notices.keys().last()) {
            (Some(first), Some(last)) => format!(
                " (it covers {first}–{last}); add it with `jiandu calendar add-year {year} FILE`"
            ),
            _ => String::new(),
        };
        NoCalendarData { year, covered }
    }

    /// What the calendar can say of a day: its kind, or that a missing notice decides it.
    /// An error only for a year with neither a notice nor festival dates.
    pub fn day_state(&self, date: Date) -> Result<DayState, NoCalendarData> {
        if let Some(listed) = self.listed.get(&date) {
            return Ok(DayState::Known(if listed.off {
                DayKind::DayOff {
                    holiday: listed.holiday.clone(),
                }
            } else {
                DayKind::AdjustedWorkday {
                    holiday: listed.holiday.clone(),
                }
            }));
        }
        if let Some(year) = self.uncertain.get(&date) {
            return Ok(DayState::Uncertain { notice_year: *year });
        }
        if !self.covers(date.year()) {
            if !self.festivals.covers(date.year())
                || date.year() < self.notices.keys().next().copied().unwrap_or(i32::MAX)
            {
                return Err(self.no_data(date.year()));
            }
            if let Some(holiday) = self.statutory.get(&date) {
                return Ok(DayState::Known(DayKind::DayOff {
                    holiday: holiday.chinese().to_owned(),
                }));
            }
        }
        Ok(DayState::Known(if date.is_weekend() {
            DayKind::Weekend
        } else {
            DayKind::Working
        }))
    }

    /// The days after `after` up to and including `through` that break the Monday–Friday
    /// week: weekdays off (放假) and adjusted working days (调休上班), in order. A count of
    /// working days skips the first and counts the second; explain traces list them.
    /// Days a missing notice decides are left out (the deadline is an interval then).
    pub fn departures(&self, after: Date, through: Date) -> Vec<(Date, DayKind)> {
        let mut out = Vec::new();
        let mut day = after;
        // A year and a half at most: a trace line, not a report.
        let mut left = 550;
        while day < through && left > 0 {
            day = day.succ();
            left -= 1;
            match self.day_state(day) {
                Ok(DayState::Known(kind @ DayKind::AdjustedWorkday { .. })) => {
                    out.push((day, kind))
                }
                Ok(DayState::Known(kind @ DayKind::DayOff { .. })) if !day.is_weekend() => {
                    out.push((day, kind))
                }
                _ => {}
            }
        }
        out
    }

    /// The kind of a day, when the calendar knows it for certain.
    pub fn day(&self, date: Date) -> Result<DayKind, NoCalendarData> {
        match self.day_state(date)? {
            DayState::Known(kind) => Ok(kind),
            DayState::Uncertain { notice_year } => Err(self.no_data(notice_year)),
        }
    }

    /// A working day is a listed adjusted working day, or Monday–Friday not listed as a day off.
    pub fn is_working_day(&self, date: Date) -> Result<bool, NoCalendarData> {
        Ok(self.day(date)?.is_working())
    }

    /// Whether the notice lists the day as a day off (the 法定节假日 of 行政强制法 第四十三条).
    /// Ordinary weekends are not listed; whether they count is a profile choice for the rule.
    pub fn is_listed_day_off(&self, date: Date) -> Result<bool, NoCalendarData> {
        Ok(matches!(self.day(date)?, DayKind::DayOff { .. }))
    }

    /// The first working day on or after `date`.
    pub fn working_day_on_or_after(&self, date: Date) -> Result<Date, NoCalendarData> {
        self.exact(self.roll_span(date, crate::Roll::NextWorkingDay)?)
    }

    /// A span's one date, or the error naming the notice that would fix it.
    pub(crate) fn exact(&self, span: Span) -> Result<Date, NoCalendarData> {
        match span.exact() {
            Some(date) => Ok(date),
            // A span that is not exact always names the notice it lacks.
            None => Err(self.no_data(span.missing_notices.first().copied().unwrap_or_default())),
        }
    }
}

/// The festival table as text again, for the content hash.
fn festivals_text(festivals: &Festivals) -> Option<String> {
    let last = festivals.last_year()?;
    let mut text = String::new();
    for year in 1900..=last {
        if let Some(d) = festivals.get(year) {
            text.push_str(&format!(
                "{year}\t{}\t{}\t{}\t{}\t{}\n",
                d.chuxi, d.chunjie, d.qingming, d.duanwu, d.zhongqiu
            ));
        }
    }
    Some(text)
}
