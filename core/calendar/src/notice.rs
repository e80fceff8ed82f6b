//! A State Council holiday notice written the way a person reads it, checked and added to the
//! calendar file (`jiandu calendar add-year 2027 FILE`), so nobody edits the JSON by hand.
//!
//! ```toml
//! title = "国务院办公厅关于2027年部分节假日安排的通知"
//! number = "国办发明电〔2026〕7号"
//! url = "https://www.gov.cn/zhengce/content/…"
//!
//! [[holiday]]
//! name = "春节"
//! off = ["2027-02-05..2027-02-12"]      # days off: dates or ranges
//! work = ["2027-02-14", "2027-02-20"]    # adjusted working days (调休上班)
//! ```

use std::collections::{BTreeMap, BTreeSet};

use jiandu_model::Date;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Calendar;
use crate::statutory::statutory_days;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeFile {
    title: String,
    #[serde(default)]
    number: Option<String>,
    url: String,
    #[serde(rename = "holiday")]
    holidays: Vec<HolidayFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayFile {
    name: String,
    #[serde(default)]
    off: Vec<String>,
    #[serde(default)]
    work: Vec<String>,
}

/// A checked notice, ready to be written into the calendar file.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub year: i32,
    pub title: String,
    pub number: Option<String>,
    pub url: String,
    /// Date → (holiday name, day off?).
    pub days: BTreeMap<Date, (String, bool)>,
    /// Things that are lawful but unusual (第七条: more than six working days in a row).
    pub remarks: Vec<String>,
}

/// Why a notice was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct NoticeError {
    pub file: String,
    pub reason: String,
}

fn dates_of(text: &str) -> Result<Vec<Date>, String> {
    let (first, last) = match text.split_once("..") {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (text.trim(), text.trim()),
    };
    let (first, last) = (
        Date::parse(first).map_err(|e| e.to_string())?,
        Date::parse(last).map_err(|e| e.to_string())?,
    );
    if last < first || first.days_until(last) > 31 {
        return Err(format!("`{text}` is not a range of at most a month"));
    }
    let mut days = Vec::new();
    let mut day = first;
    while day <= last {
        days.push(day);
        day = day.succ();
    }
    Ok(days)
}

impl Notice {
    /// Reads and checks a notice for `year` against what the calendar knows: the dates belong
    /// to that year (late December of the year before for 元旦), no day is both off and
    /// worked, an adjusted working day is a weekend day, and every holiday day
    /// 《全国年节及纪念日放假办法》 fixes for that year is a day off.
    pub fn parse(
        text: &str,
        file: &str,
        year: i32,
        calendar: &Calendar,
    ) -> Result<Notice, NoticeError> {
        let refuse = |reason: String| NoticeError {
            file: file.to_owned(),
            reason,
        };
        let parsed: NoticeFile = toml::from_str(text).map_err(|e| refuse(e.to_string()))?;
        if !parsed.url.starts_with("http") {
            return Err(refuse(format!(
                "url `{}` is not a web address; give the notice's address on gov.cn",
                parsed.url
            )));
        }
        if parsed.title.trim().is_empty() {
            return Err(refuse("the notice needs its title".into()));
        }
        let mut days: BTreeMap<Date, (String, bool)> = BTreeMap::new();
        for holiday in &parsed.holidays {
            if holiday.name.trim().is_empty() {
                return Err(refuse("a holiday has no name".into()));
            }
            for (list, off) in [(&holiday.off, true), (&holiday.work, false)] {
                for entry in list {
                    for date in
                        dates_of(entry).map_err(|e| refuse(format!("{}: {e}", holiday.name)))?
                    {
                        let late_december = date.year() == year - 1 && date.month() == 12;
                        if date.year() != year && !late_december {
                            return Err(refuse(format!(
                                "{} {date} is not in {year} (only late December of {} may be listed, for 元旦)",
                                holiday.name,
                                year - 1
                            )));
                        }
                        if !off && !date.is_weekend() {
                            return Err(refuse(format!(
                                "{} {date} is listed as an adjusted working day but is a weekday already",
                                holiday.name
                            )));
                        }
                        if let Some((other, was_off)) =
                            days.insert(date, (holiday.name.trim().to_owned(), off))
                        {
                            let both = if was_off == off {
                                "listed twice"
                            } else {
                                "both a day off and a working day"
                            };
                            return Err(refuse(format!(
                                "{date} is {both} ({other}, {})",
                                holiday.name
                            )));
                        }
                    }
                }
            }
        }
        let festivals = calendar.festivals().get(year).ok_or_else(|| {
            refuse(format!(
                "the festival dates of {year} are not in festivals.tsv, so the notice cannot be checked"
            ))
        })?;
        let missing: Vec<String> = statutory_days(year, festivals)
            .into_iter()
            .filter(|(_, date)| !matches!(days.get(date), Some((_, true))))
            .map(|(holiday, date)| format!("{} {date}", holiday.chinese()))
            .collect();
        if !missing.is_empty() {
            return Err(refuse(format!(
                "these days are holidays under 《全国年节及纪念日放假办法》 and must be days off: {}",
                missing.join(", ")
            )));
        }
        let remarks = long_stretches(year, &days);
        Ok(Notice {
            year,
            title: parsed.title.trim().to_owned(),
            number: parsed.number.map(|n| n.trim().to_owned()),
            url: parsed.url.trim().to_owned(),
            days,
            remarks,
        })
    }

    /// The calendar file with this notice's year added (or replaced), in the file's layout.
    pub fn write_into(&self, file_text: &str) -> Result<String, String> {
        let mut file: Value = serde_json::from_str(file_text).map_err(|e| e.to_string())?;
        let years = file
            .get_mut("years")
            .and_then(Value::as_array_mut)
            .ok_or("the calendar file has no `years` list")?;
        years.retain(|y| y.get("year").and_then(Value::as_i64) != Some(i64::from(self.year)));
        let mut entry = serde_json::Map::new();
        entry.insert("year".into(), json!(self.year));
        entry.insert("papers".into(), json!([self.url]));
        entry.insert("title".into(), json!(self.title));
        if let Some(number) = &self.number {
            entry.insert("number".into(), json!(number));
        }
        entry.insert("days".into(), Value::Array(
            self.days
                .iter()
                .map(|(date, (name, off))| json!({"name": name, "date": date.to_string(), "isOffDay": off}))
                .collect(),
        ));
        years.push(Value::Object(entry));
        years.sort_by_key(|y| y.get("year").and_then(Value::as_i64).unwrap_or(0));
        Ok(format_file(&file))
    }
}

/// Runs of more than six working days in a row around the holidays (第七条 says 原则上不超过).
fn long_stretches(year: i32, days: &BTreeMap<Date, (String, bool)>) -> Vec<String> {
    let is_working = |d: Date| match days.get(&d) {
        Some((_, off)) => !off,
        None => !d.is_weekend(),
    };
    let mut remarks = BTreeSet::new();
    let (Some(first), Some(last)) = (days.keys().next(), days.keys().last()) else {
        return Vec::new();
    };
    let mut day = first.add_days(-10);
    let mut run = 0;
    while day <= last.add_days(10) {
        if is_working(day) {
            run += 1;
            if run > 6 {
                remarks.insert(format!(
                    "{year}: {run} working days in a row up to {day} (第七条: 原则上不超过六天)"
                ));
            }
        } else {
            run = 0;
        }
        day = day.succ();
    }
    remarks.into_iter().collect()
}

/// The calendar file as it is kept: one line per listed day.
fn format_file(file: &Value) -> String {
    let mut out = String::from("{\n");
    if let Some(about) = file.get("about") {
        out.push_str(&format!("  \"about\": {about},\n"));
    }
    out.push_str("  \"years\": [\n");
    let years = file
        .get("years")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, year) in years.iter().enumerate() {
        out.push_str("    {\n");
        let mut lines = Vec::new();
        if let Some(map) = year.as_object() {
            for (key, value) in map {
                if key == "days" {
                    let days = value.as_array().cloned().unwrap_or_default();
                    let body: Vec<String> = days
                        .iter()
                        .map(|d| format!("        {}", compact(d)))
                        .collect();
                    lines.push(format!("      \"days\": [\n{}\n      ]", body.join(",\n")));
                } else {
                    lines.push(format!("      \"{key}\": {}", compact(value)));
                }
            }
        }
        out.push_str(&lines.join(",\n"));
        out.push_str(if i + 1 == years.len() {
            "\n    }\n"
        } else {
            "\n    },\n"
        });
    }
    out.push_str("  ]\n}\n");
    out
}

/// `{"name": "元旦", "date": "2027-01-01", "isOffDay": true}`: JSON with a space after each
/// colon and comma, as the file has it.
fn compact(value: &Value) -> String {
    match value {
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), compact(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(compact).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The same arrangement the command-line tests add.
    const NOTICE_2027: &str = include_str!("../../../tests/fixtures/calendar/notice-2027.toml");

    #[test]
    fn a_checked_notice_becomes_a_year_of_the_calendar() {
        let calendar = Calendar::builtin();
        let notice = Notice::parse(NOTICE_2027, "2027.toml", 2027, &calendar).unwrap();
        let text = notice
            .write_into(include_str!("../../../rules/calendar/cn-statutory.json"))
            .unwrap();
        let updated = Calendar::from_json(&text, "test").unwrap();
        assert!(updated.covers(2027));
        assert_eq!(
            updated.is_working_day(Date::parse("2027-02-20").unwrap()),
            Ok(true)
        );
        assert_eq!(
            updated.add_working_days(Date::parse("2026-12-25").unwrap(), 7),
            Ok(Date::parse("2027-01-06").unwrap())
        );
        // The rest of the file is kept as it was.
        let before = Calendar::builtin();
        assert_eq!(
            updated.notices().filter(|n| n.year < 2027).count(),
            before.notices().count()
        );
        assert!(
            text.contains("\"number\": \"国办发明电〔2026〕99号\""),
            "{text}"
        );
    }

    #[test]
    fn refuses_a_notice_that_misses_a_statutory_day_or_contradicts_itself() {
        let calendar = Calendar::builtin();
        let short = NOTICE_2027.replace("2027-02-05..2027-02-12", "2027-02-06..2027-02-12");
        let err = Notice::parse(&short, "n.toml", 2027, &calendar).unwrap_err();
        assert!(err.reason.contains("春节 2027-02-05"), "{err}");
        let both = NOTICE_2027.replace(
            r#"work = ["2027-02-14", "2027-02-20"]"#,
            r#"work = ["2027-02-06"]"#,
        );
        let err = Notice::parse(&both, "n.toml", 2027, &calendar).unwrap_err();
        assert!(
            err.reason.contains("both a day off and a working day"),
            "{err}"
        );
        let weekday = NOTICE_2027.replace(
            r#"work = ["2027-02-14", "2027-02-20"]"#,
            r#"work = ["2027-02-22"]"#,
        );
        let err = Notice::parse(&weekday, "n.toml", 2027, &calendar).unwrap_err();
        assert!(err.reason.contains("weekday already"), "{err}");
        let wrong_year = NOTICE_2027.replace("2027-06-09", "2028-06-09");
        assert!(Notice::parse(&wrong_year, "n.toml", 2027, &calendar).is_err());
    }
}
