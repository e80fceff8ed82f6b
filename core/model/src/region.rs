//! `RegionCode` (GB/T 2260 行政区划代码) and the table that says which codes are valid on a date.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Date;

/// Two-digit province-level prefixes of GB/T 2260 (stable since 重庆 50 in 1997).
const PROVINCES: [(&str, &str); 34] = [
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

/// A six-digit GB/T 2260 code with a real province prefix. Whether the code existed on a
/// given day is a question for [`RegionTable`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode([u8; 6]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("`{input}` is not a region code: GB/T 2260 codes are 6 digits")]
    Shape { input: String },
    #[error("`{input}` starts with `{prefix}`, which is no province in GB/T 2260")]
    Province { input: String, prefix: String },
}

impl RegionCode {
    pub fn parse(input: &str) -> Result<RegionCode, RegionCodeError> {
        let bytes = input.as_bytes();
        if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(RegionCodeError::Shape {
                input: input.to_owned(),
            });
        }
        let prefix = &input[..2];
        if !PROVINCES.iter().any(|(p, _)| *p == prefix) {
            return Err(RegionCodeError::Province {
                input: input.to_owned(),
                prefix: prefix.to_owned(),
            });
        }
        let mut code = [0u8; 6];
        code.copy_from_slice(bytes);
        Ok(RegionCode(code))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored (`parse`).
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    pub fn province_name(&self) -> &'static str {
        let prefix = &self.as_str()[..2];
        PROVINCES
            .iter()
            .find(|(p, _)| *p == prefix)
            .map(|(_, name)| *name)
            .unwrap_or("")
    }

    /// The prefecture-level code (`441802` → `441800`).
    pub fn prefecture(&self) -> RegionCode {
        let mut code = self.0;
        code[4] = b'0';
        code[5] = b'0';
        RegionCode(code)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({})", self.as_str())
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        RegionCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone)]
pub struct RegionEntry {
    pub code: RegionCode,
    pub name: String,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
}

/// What the table knows of a code on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionValidity {
    /// Listed and in force on that date.
    Valid { name: String },
    /// Listed, but not in force on that date.
    NotInForce {
        name: String,
        valid_from: Option<Date>,
        valid_to: Option<Date>,
    },
    /// Inside the area the table covers, but not listed at all.
    Unlisted,
    /// Outside the area the table covers: only the shape was checked.
    NotCovered,
}

/// The region codes jiandu judges exactly, loaded from `rules/reference/gb2260-*.tsv`.
#[derive(Debug, Clone, Default)]
pub struct RegionTable {
    covers: Vec<String>,
    entries: HashMap<RegionCode, RegionEntry>,
    content_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("region table line {line}: {reason}")]
pub struct RegionTableError {
    pub line: usize,
    pub reason: String,
}

impl RegionTable {
    /// Parses the tab-separated table. Lines starting with `#covers` list four-digit
    /// prefixes judged exactly; other `#` lines are comments; the header line starts `code`.
    pub fn parse(text: &str) -> Result<RegionTable, RegionTableError> {
        use sha2::Digest;
        let mut table = RegionTable {
            content_hash: sha2::Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            ..RegionTable::default()
        };
        for (idx, raw) in text.lines().enumerate() {
            let line = idx + 1;
            let err = |reason: String| RegionTableError { line, reason };
            if let Some(rest) = raw.strip_prefix("#covers") {
                table
                    .covers
                    .extend(rest.split_whitespace().map(str::to_owned));
                continue;
            }
            if raw.starts_with('#') || raw.trim().is_empty() || raw.starts_with("code\t") {
                continue;
            }
            let cols: Vec<&str> = raw.split('\t').collect();
            if cols.len() < 2 {
                return Err(err(
                    "expected code<TAB>name[<TAB>valid_from<TAB>valid_to]".into()
                ));
            }
            let code = RegionCode::parse(cols.first().copied().unwrap_or_default())
                .map_err(|e| err(e.to_string()))?;
            let date_col = |i: usize| -> Result<Option<Date>, RegionTableError> {
                match cols.get(i).map(|s| s.trim()) {
                    None | Some("") => Ok(None),
                    Some(s) => Date::parse(s).map(Some).map_err(|e| err(e.to_string())),
                }
            };
            let entry = RegionEntry {
                code,
                name: cols.get(1).copied().unwrap_or_default().to_owned(),
                valid_from: date_col(2)?,
                valid_to: date_col(3)?,
            };
            table.entries.insert(code, entry);
        }
        Ok(table)
    }

    /// The table shipped in `rules/reference/`, compiled in as a fallback.
    #[allow(clippy::expect_used, reason = "compiled-in data, checked by the tests")]
    pub fn builtin() -> RegionTable {
        RegionTable::parse(include_str!("../../../rules/reference/gb2260-qingyuan.tsv"))
            .expect("the shipped region table parses")
    }

    pub fn validity(&self, code: RegionCode, on: Date) -> RegionValidity {
        match self.entries.get(&code) {
            Some(entry) => {
                let started = entry.valid_from.is_none_or(|from| from <= on);
                let not_ended = entry.valid_to.is_none_or(|to| on <= to);
                if started && not_ended {
                    RegionValidity::Valid {
                        name: entry.name.clone(),
                    }
                } else {
                    RegionValidity::NotInForce {
                        name: entry.name.clone(),
                        valid_from: entry.valid_from,
                        valid_to: entry.valid_to,
                    }
                }
            }
            None if self.covers.iter().any(|p| code.as_str().starts_with(p)) => {
                RegionValidity::Unlisted
            }
            None => RegionValidity::NotCovered,
        }
    }

    /// SHA-256 of the table's text: a changed table may change DATA-REGION's outcomes.
    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }

    pub fn name(&self, code: RegionCode) -> Option<&str> {
        self.entries.get(&code).map(|e| e.name.as_str())
    }

    pub fn entries(&self) -> impl Iterator<Item = &RegionEntry> {
        self.entries.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }
    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn parses_shape_and_province() {
        assert!(RegionCode::parse("441802").is_ok());
        assert!(matches!(
            RegionCode::parse("44180"),
            Err(RegionCodeError::Shape { .. })
        ));
        assert!(matches!(
            RegionCode::parse("991802"),
            Err(RegionCodeError::Province { .. })
        ));
        assert_eq!(code("441802").prefecture().as_str(), "441800");
        assert_eq!(code("441802").province_name(), "广东省");
    }

    #[test]
    fn qingxin_county_code_is_valid_only_for_old_acts() {
        let table = RegionTable::builtin();
        assert!(matches!(
            table.validity(code("441827"), date("2011-05-01")),
            RegionValidity::Valid { .. }
        ));
        assert!(matches!(
            table.validity(code("441827"), date("2020-05-01")),
            RegionValidity::NotInForce { .. }
        ));
        assert!(matches!(
            table.validity(code("441803"), date("2020-05-01")),
            RegionValidity::Valid { .. }
        ));
        assert_eq!(
            table.validity(code("441899"), date("2020-05-01")),
            RegionValidity::Unlisted
        );
        assert_eq!(
            table.validity(code("440103"), date("2020-05-01")),
            RegionValidity::NotCovered
        );
    }
}
