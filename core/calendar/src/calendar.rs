//! The statutory calendar: which days are working days, from the State Council's yearly notices.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use jiandu_model::Date;
use serde::Deserialize;

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

#[derive(Deserialize)]
struct YearFormat {
    year: i32,
    #[serde(default)]
    papers: Vec<String>,
    #[serde(default)]
    days: Vec<DayFormat>,
}

#[derive(Deserialize)]
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
#[derive(Debug, Clone)]
pub struct YearNotice {
    pub year: i32,
    pub papers: Vec<String>,
    pub n_days_off: usize,
    pub n_adjusted_workdays: usize,
}

/// The statutory calendar. Cheap to query; clone it freely (it is a few kilobytes).
#[derive(Debug, Clone)]
pub struct Calendar {
    listed: HashMap<Date, Listed>,
    notices: BTreeMap<i32, YearNotice>,
    source: String,
    content_hash: String,
}

impl Calendar {
    /// Parses the calendar file (the holiday-cn layout, one entry per year). `source` names
    /// the file in errors.
    pub fn from_json(text: &str, source: &str) -> Result<Calendar, CalendarLoadError> {
        let invalid = |reason: String| CalendarLoadError::Invalid {
            path: source.to_owned(),
            reason,
        };
        let file: FileFormat = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut listed = HashMap::new();
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
            let mut notice = YearNotice {
                year: year.year,
                papers: year.papers,
                n_days_off: 0,
                n_adjusted_workdays: 0,
            };
            for day in year.days {
                let date = Date::parse(&day.date)
                    .map_err(|e| invalid(format!("year {}: {e}", year.year)))?;
                if (date.year() - year.year).abs() > 1 {
                    return Err(invalid(format!(
                        "year {} lists {date}, which is too far from that year",
                        year.year
                    )));
                }
                if day.is_off_day {
                    notice.n_days_off += 1;
                } else {
                    notice.n_adjusted_workdays += 1;
                }
                let previous = listed.insert(
                    date,
                    Listed {
                        holiday: day.name,
                        off: day.is_off_day,
                    },
                );
                if previous.is_some() {
                    return Err(invalid(format!("{date} is listed twice")));
                }
            }
            if notices.insert(notice.year, notice).is_some() {
                return Err(invalid(format!("year {} has two entries", year.year)));
            }
        }
        use sha2::Digest;
        let content_hash = sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Calendar {
            listed,
            notices,
            source: source.to_owned(),
            content_hash,
        })
    }

    pub fn load(path: &Path) -> Result<Calendar, CalendarLoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| CalendarLoadError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Calendar::from_json(&text, &path.display().to_string())
    }

    /// The calendar shipped in `rules/calendar/`, compiled in as a fallback for a binary run
    /// away from its rules directory. The file on disk wins whenever it is found.
    pub fn builtin() -> Calendar {
        Calendar::from_json(
            include_str!("../../../rules/calendar/cn-statutory.json"),
            "rules/calendar/cn-statutory.json (built in)",
        )
        .expect("the shipped calendar parses")
    }

    /// SHA-256 of the calendar file: a changed calendar means every deadline may change.
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

    fn require(&self, date: Date) -> Result<(), NoCalendarData> {
        if self.covers(date.year()) {
            return Ok(());
        }
        let covered = match (self.notices.keys().next(), self.notices.keys().last()) {
            (Some(first), Some(last)) => format!(
                " (it covers {first}–{last}); add {} to {}",
                date.year(),
                self.source
            ),
            _ => String::new(),
        };
        Err(NoCalendarData {
            year: date.year(),
            covered,
        })
    }

    /// The kind of a day. Needs the notice of that day's year.
    pub fn day(&self, date: Date) -> Result<DayKind, NoCalendarData> {
        self.require(date)?;
        Ok(match self.listed.get(&date) {
            Some(Listed { holiday, off: true }) => DayKind::DayOff {
                holiday: holiday.clone(),
            },
            Some(Listed {
                holiday,
                off: false,
            }) => DayKind::AdjustedWorkday {
                holiday: holiday.clone(),
            },
            None if date.is_weekend() => DayKind::Weekend,
            None => DayKind::Working,
        })
    }

    /// A working day is a listed adjusted working day, or Monday–Friday not listed as a day off.
    pub fn is_working_day(&self, date: Date) -> Result<bool, NoCalendarData> {
        self.require(date)?;
        Ok(match self.listed.get(&date) {
            Some(listed) => !listed.off,
            None => !date.is_weekend(),
        })
    }

    /// Whether the notice lists the day as a day off (the 法定节假日 of 行政强制法 第四十三条).
    /// Ordinary weekends are not listed; whether they count is a profile choice for the rule.
    pub fn is_listed_day_off(&self, date: Date) -> Result<bool, NoCalendarData> {
        self.require(date)?;
        Ok(self.listed.get(&date).is_some_and(|listed| listed.off))
    }

    /// The first working day on or after `date`.
    pub fn working_day_on_or_after(&self, date: Date) -> Result<Date, NoCalendarData> {
        let mut day = date;
        while !self.is_working_day(day)? {
            day = day.succ();
        }
        Ok(day)
    }
}
