//! `[parse.FIELD]`: how one field's cells are read — date and time formats, a moment's zone,
//! epoch numbers, amounts of money in Chinese forms, list separators.
//!
//! ```toml
//! [parse.decision_date]
//! date = ["%Y年%m月%d日", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S"]   # a timestamp gives its date
//! [parse.measure_start]
//! moment = ["%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M"]
//! zone = "+08:00"
//! epoch = "ms"                                  # 1556092800000 is a moment too
//! [parse.fine_amount]
//! money = "万元"                                 # a bare number is in 万元; 5000元 stays 5000元
//! pick = "clause:罚款"                           # which amount of several: only|first|last|largest|clause:WORD
//! [parse.penalty_types]
//! split = ["、", "；", "/"]
//! [parse.officers]                               # a list of objects written in one cell
//! split = ["、"]
//! pattern = '(?P<name>[^（(]+)[（(](?P<cert_no>[^）)]+)[）)]'   # 张三（44180220190001）
//! ```

use chrono::format::{Item, StrftimeItems};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use jiandu_model::record::dictionary::{FieldType, dictionary};
use jiandu_model::{Date, FieldKind, Moment};
use serde::Deserialize;
use serde_json::Value;

use crate::amount::{Pick, Unit, parse_amount};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ParseSpec {
    #[serde(default)]
    date: Option<Vec<String>>,
    #[serde(default)]
    moment: Option<Vec<String>>,
    #[serde(default)]
    zone: Option<String>,
    #[serde(default)]
    epoch: Option<String>,
    #[serde(default)]
    money: Option<String>,
    #[serde(default)]
    pick: Option<String>,
    #[serde(default)]
    split: Option<Vec<String>>,
    #[serde(default)]
    pattern: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Epoch {
    Seconds,
    Millis,
}

/// A checked `[parse.FIELD]` table.
#[derive(Debug, Clone, Default)]
pub(super) struct FieldParse {
    dates: Vec<String>,
    moments: Vec<String>,
    zone: Option<FixedOffset>,
    epoch: Option<Epoch>,
    money: Option<(Unit, Pick)>,
    pub split: Option<Vec<String>>,
    /// For a list of objects: each element's parts, by named groups.
    pub pattern: Option<regex::Regex>,
}

/// Where each key of a table is in the file (for `file:line` in errors).
pub(super) type Locate<'a> = &'a dyn Fn(&str) -> String;

fn check_formats(formats: &[String], key: &str, at: Locate) -> Result<(), String> {
    for format in formats {
        if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
            return Err(format!(
                "{}`{key}` format `{format}` is not a valid date format (see chrono's strftime: %Y %m %d %H %M %S)",
                at(key)
            ));
        }
    }
    if formats.is_empty() {
        return Err(format!("{}`{key}` lists no format", at(key)));
    }
    Ok(())
}

/// Whether a format reads a time of day.
fn has_time(format: &str) -> bool {
    ["%H", "%I", "%M", "%S", "%T", "%R", "%X"]
        .iter()
        .any(|t| format.contains(t))
}

pub(super) fn parse_zone(text: &str) -> Option<FixedOffset> {
    let t = text.trim();
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, t.get(1..)?),
        Some(b'-') => (-1, t.get(1..)?),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

impl FieldParse {
    /// Checks a table against the field it names (`*` means every date and moment field).
    pub(super) fn check(
        path: &str,
        spec: ParseSpec,
        default_zone: Option<&str>,
        at: Locate,
    ) -> Result<FieldParse, String> {
        let any = path == "*";
        let d = dictionary();
        let (kind, objects) = if any {
            (None, false)
        } else {
            let field = d.field(path).ok_or_else(|| {
                format!(
                    "{}`{path}` is not a field of the field dictionary (see `jiandu fields`)",
                    at("")
                )
            })?;
            (d.kind_of(field), field.field_type == FieldType::Objects)
        };
        let is = |wanted: &[&str]| -> bool {
            any && wanted.iter().any(|w| matches!(*w, "date" | "moment"))
                || match kind {
                    Some(FieldKind::Date) => wanted.contains(&"date"),
                    Some(FieldKind::Moment) => wanted.contains(&"moment"),
                    Some(FieldKind::DateOrMoment) => {
                        wanted.contains(&"date") || wanted.contains(&"moment")
                    }
                    Some(FieldKind::Money) => wanted.contains(&"money"),
                    Some(FieldKind::List(_)) => wanted.contains(&"list"),
                    _ => objects && wanted.contains(&"list"),
                }
        };
        let refuse = |key: &str, what: &str| {
            Err(format!(
                "{}`{key}` applies to {what} fields, and `{path}` is not one",
                at(key)
            ))
        };
        let mut out = FieldParse::default();
        if let Some(formats) = spec.date {
            if !is(&["date"]) {
                return refuse("date", "date");
            }
            check_formats(&formats, "date", at)?;
            out.dates = formats;
        }
        if let Some(formats) = spec.moment {
            if !is(&["moment"]) {
                return refuse("moment", "moment");
            }
            check_formats(&formats, "moment", at)?;
            out.moments = formats;
        }
        if let Some(zone) = spec.zone.as_deref().or(default_zone) {
            out.zone = Some(parse_zone(zone).ok_or_else(|| {
                format!(
                    "{}`zone` `{zone}` is not an offset such as +08:00",
                    at("zone")
                )
            })?);
        }
        if let Some(epoch) = spec.epoch {
            if !is(&["moment"]) {
                return refuse("epoch", "moment");
            }
            out.epoch = Some(match epoch.as_str() {
                "ms" | "milliseconds" => Epoch::Millis,
                "s" | "seconds" => Epoch::Seconds,
                other => {
                    return Err(format!(
                        "{}`epoch` `{other}`: expected \"ms\" or \"s\"",
                        at("epoch")
                    ));
                }
            });
        }
        if !out.moments.is_empty() && out.zone.is_none() {
            return Err(format!(
                "{}times without a zone need one: add zone = \"+08:00\" (Beijing time) or naive_time_offset at the top",
                at("moment")
            ));
        }
        if let Some(unit) = spec.money {
            if any || !is(&["money"]) {
                return refuse("money", "money");
            }
            let unit = match unit.as_str() {
                "元" | "yuan" => Unit::Yuan,
                "万元" | "万" | "wan" => Unit::Wan,
                other => {
                    return Err(format!(
                        "{}`money` `{other}`: expected \"元\" or \"万元\"",
                        at("money")
                    ));
                }
            };
            let pick = match spec.pick.as_deref() {
                None | Some("only") => Pick::Only,
                Some("first") => Pick::First,
                Some("last") => Pick::Last,
                Some("largest") => Pick::Largest,
                Some(other) => match other.strip_prefix("clause:") {
                    Some(word) if !word.trim().is_empty() => Pick::Clause(word.trim().to_owned()),
                    _ => {
                        return Err(format!(
                            "{}`pick` `{other}`: expected only, first, last, largest or clause:WORD",
                            at("pick")
                        ));
                    }
                },
            };
            out.money = Some((unit, pick));
        } else if spec.pick.is_some() {
            return Err(format!("{}`pick` needs `money`", at("pick")));
        }
        if let Some(split) = spec.split {
            if any || !is(&["list"]) {
                return refuse("split", "list");
            }
            if split.iter().any(String::is_empty) || split.is_empty() {
                return Err(format!("{}`split` needs non-empty separators", at("split")));
            }
            out.split = Some(split);
        }
        if let Some(pattern) = spec.pattern {
            if !objects {
                return refuse("pattern", "list-of-objects");
            }
            let regex = regex::Regex::new(&pattern)
                .map_err(|e| format!("{}`pattern` is not a valid regex: {e}", at("pattern")))?;
            let element = format!("{path}[]");
            for name in regex.capture_names().flatten() {
                let part = format!("{element}.{name}");
                if d.field(&part).is_none() {
                    return Err(format!(
                        "{}`pattern` group `{name}`: `{part}` is not a field of the field dictionary",
                        at("pattern")
                    ));
                }
            }
            if regex.capture_names().flatten().next().is_none() {
                return Err(format!(
                    "{}`pattern` names no group; write (?P<name>…)",
                    at("pattern")
                ));
            }
            out.pattern = Some(regex);
        } else if objects {
            return Err(format!(
                "{}a list of objects written in one cell needs `pattern` to read each element",
                at("")
            ));
        }
        Ok(out)
    }

    /// A list of objects written in one cell: `张三（4418…）、李四（4418…）`.
    pub(super) fn objects(&self, cell: &str) -> Result<Value, String> {
        let Some(pattern) = &self.pattern else {
            return Ok(Value::String(cell.to_owned()));
        };
        let mut items = vec![cell];
        for sep in self.split.iter().flatten() {
            items = items
                .into_iter()
                .flat_map(|p| p.split(sep.as_str()))
                .collect();
        }
        let mut out = Vec::new();
        for item in items.into_iter().map(str::trim).filter(|i| !i.is_empty()) {
            let caps = pattern
                .captures(item)
                .filter(|c| c.get(0).is_some_and(|m| m.as_str().len() == item.len()))
                .ok_or_else(|| {
                    format!("`{item}` does not match the pattern `{}`", pattern.as_str())
                })?;
            let mut object = serde_json::Map::new();
            for name in pattern.capture_names().flatten() {
                if let Some(m) = caps.name(name) {
                    object.insert(name.to_owned(), Value::String(m.as_str().trim().to_owned()));
                }
            }
            out.push(Value::Object(object));
        }
        Ok(Value::Array(out))
    }

    pub(super) fn has_value_parsing(&self) -> bool {
        !self.dates.is_empty()
            || !self.moments.is_empty()
            || self.epoch.is_some()
            || self.money.is_some()
    }

    /// The cell's normal form by this table, for a field of `kind`.
    pub(super) fn apply(&self, kind: Option<FieldKind>, value: Value) -> Result<Value, String> {
        match (kind, &value) {
            (Some(FieldKind::Money), Value::String(text)) => match &self.money {
                Some((unit, pick)) => {
                    parse_amount(text, *unit, pick).map(|m| Value::String(m.to_string()))
                }
                None => Ok(value),
            },
            (Some(FieldKind::Money), Value::Number(n)) => match &self.money {
                // A spreadsheet number in a 万元 column.
                Some((unit, pick)) => {
                    parse_amount(&n.to_string(), *unit, pick).map(|m| Value::String(m.to_string()))
                }
                None => Ok(value),
            },
            (Some(FieldKind::Date), Value::String(text)) => self.date(text).map(Value::String),
            (Some(FieldKind::Moment), Value::String(text)) => self.moment(text).map(Value::String),
            (Some(FieldKind::Moment), Value::Number(n)) => {
                self.moment(&n.to_string()).map(Value::String)
            }
            // A field that takes a date or a time keeps the time when the cell has one:
            // moment formats first, then only the date formats without a time of day.
            (Some(FieldKind::DateOrMoment), Value::String(text)) => {
                let t = text.trim();
                if Date::parse(t).is_ok() || Moment::parse(t).is_ok() {
                    return Ok(value);
                }
                if !self.moments.is_empty() || self.epoch.is_some() {
                    if let Ok(m) = self.moment(t) {
                        return Ok(Value::String(m));
                    }
                }
                let day_formats: Vec<&String> =
                    self.dates.iter().filter(|f| !has_time(f)).collect();
                Ok(day_formats
                    .iter()
                    .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
                    .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                    .unwrap_or(value))
            }
            _ => Ok(value),
        }
    }

    fn date(&self, text: &str) -> Result<String, String> {
        let t = text.trim();
        if self.dates.is_empty() || Date::parse(t).is_ok() {
            return Ok(t.to_owned());
        }
        self.dates
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
            .map(|d| d.format("%Y-%m-%d").to_string())
            .ok_or_else(|| {
                format!(
                    "`{t}` matches none of the date formats {}",
                    self.dates.join(", ")
                )
            })
    }

    fn moment(&self, text: &str) -> Result<String, String> {
        let t = text.trim();
        if Moment::parse(t).is_ok()
            || (self.moments.is_empty() && self.epoch.is_none() && self.zone.is_none())
        {
            return Ok(t.to_owned());
        }
        let zone = self.zone.unwrap_or_else(jiandu_model::china_offset);
        if let Some(epoch) = self.epoch {
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                let n: i64 = t
                    .parse()
                    .map_err(|_| format!("`{t}` is too large a time"))?;
                let millis = match epoch {
                    Epoch::Millis => n,
                    Epoch::Seconds => n
                        .checked_mul(1000)
                        .ok_or_else(|| format!("`{t}` is too large a time"))?,
                };
                return zone
                    .timestamp_millis_opt(millis)
                    .single()
                    .map(|dt| dt.to_rfc3339())
                    .ok_or_else(|| format!("`{t}` is not a time"));
            }
        }
        let mut formats: Vec<&str> = self.moments.iter().map(String::as_str).collect();
        // A zone alone still reads the two forms every export writes.
        formats.extend(["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]);
        formats
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
            .and_then(|naive| zone.from_local_datetime(&naive).single())
            .map(|dt| dt.to_rfc3339())
            .ok_or_else(|| {
                if self.moments.is_empty() {
                    format!("`{t}` is not a time of the form YYYY-MM-DD HH:MM:SS")
                } else {
                    format!(
                        "`{t}` matches none of the time formats {}",
                        self.moments.join(", ")
                    )
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nowhere(_: &str) -> String {
        "m.toml: ".into()
    }

    fn spec(toml_text: &str) -> ParseSpec {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn reads_dates_in_the_formats_given() {
        let parse = FieldParse::check(
            "decision_date",
            spec(r#"date = ["%Y年%m月%d日", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S"]"#),
            None,
            &nowhere,
        )
        .unwrap();
        let date = |t: &str| parse.apply(Some(FieldKind::Date), Value::String(t.into()));
        assert_eq!(date("2024年3月5日").unwrap(), "2024-03-05");
        assert_eq!(date("2024/3/5").unwrap(), "2024-03-05");
        assert_eq!(date("2026-04-29 15:26:33").unwrap(), "2026-04-29");
        assert_eq!(date("2024-03-05").unwrap(), "2024-03-05");
        assert_eq!(
            date("2024年13月5日").unwrap_err(),
            "`2024年13月5日` matches none of the date formats %Y年%m月%d日, %Y/%m/%d, %Y-%m-%d %H:%M:%S"
        );
    }

    #[test]
    fn reads_moments_with_their_zone_and_epochs() {
        let parse = FieldParse::check(
            "measure_start",
            spec(
                r#"moment = ["%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M"]
                    zone = "+08:00"
                    epoch = "ms""#,
            ),
            None,
            &nowhere,
        )
        .unwrap();
        let at = |t: &str| {
            parse
                .apply(Some(FieldKind::Moment), Value::String(t.into()))
                .unwrap()
        };
        assert_eq!(at("2019/4/24 16:03:40"), "2019-04-24T16:03:40+08:00");
        assert_eq!(at("2019-04-24 16:03"), "2019-04-24T16:03:00+08:00");
        assert_eq!(at("1556092800000"), "2019-04-24T16:00:00+08:00");
        assert_eq!(at("2019-04-24T08:03:40Z"), "2019-04-24T08:03:40Z");
    }

    #[test]
    fn refuses_a_table_its_field_cannot_use() {
        let err = |path: &str, text: &str| {
            FieldParse::check(path, spec(text), None, &nowhere).unwrap_err()
        };
        assert!(err("fine_amount", r#"date = ["%Y"]"#).contains("applies to date fields"));
        assert!(err("decision_date", r#"money = "万元""#).contains("applies to money fields"));
        assert!(
            err("measure_start", r#"moment = ["%Y/%m/%d %H:%M"]"#).contains("need one: add zone")
        );
        assert!(err("decision_date", r#"date = ["%Y年%"]"#).contains("not a valid date format"));
        assert!(
            err(
                "fine_amount",
                r#"money = "元"
                                        pick = "second""#
            )
            .contains("expected only, first")
        );
        assert!(err("procedure", r#"split = ["、"]"#).contains("applies to list fields"));
    }
}
