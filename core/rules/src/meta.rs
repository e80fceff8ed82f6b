//! A rule's metadata: the TOML block at the top of its `.rhai` file, between `/*---` and `---*/`.
//!
//! ```text
//! /*---
//! id = "PEN-SERVICE-7WD"
//! title_zh = "处罚决定书送达期限"
//! title_en = "Serving the penalty decision"
//! record_types = ["penalty"]
//! date_field = "decision_date"
//! reads = ["decision_date", "service_date"]
//!
//! [[versions]]
//! from = "2021-07-15"
//! basis = "《中华人民共和国行政处罚法》(2021) 第六十一条、第八十五条"
//! check = "check_2021"
//! ---*/
//! fn check_2021(r) { … }
//! ```

use jiandu_model::{Date, RecordType};
use serde::{Deserialize, Serialize};

use crate::RuleError;

const OPEN: &str = "/*---";
const CLOSE: &str = "---*/";

/// One version of a rule: the law in force over a period and the function that checks it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// First act date this version applies to; absent for a rule that applies at any date.
    #[serde(default)]
    pub from: Option<Date>,
    /// Last act date this version applies to; absent while it is in force.
    #[serde(default)]
    pub to: Option<Date>,
    /// The legal basis: law and article(s).
    pub basis: String,
    /// The function in the file that checks this version. Absent when the law of the period
    /// had no such requirement: the rule is then `not_applicable` with `note` as the reason.
    #[serde(default)]
    pub check: Option<String>,
    /// Why this version reads the law as it does, or why it is empty.
    #[serde(default)]
    pub note: Option<String>,
    /// Catalogue status of the version's source: V, V2 or U.
    #[serde(default)]
    pub status: Option<String>,
}

impl Version {
    /// The version's label in findings: its first date, or `always`.
    pub fn label(&self) -> String {
        match self.from {
            Some(from) => from.to_string(),
            None => "always".to_owned(),
        }
    }

    pub fn covers(&self, date: Date) -> bool {
        self.from.is_none_or(|from| from <= date) && self.to.is_none_or(|to| date <= to)
    }

    /// `2021-07-15 –` or `1996-10-01 – 2021-07-14`.
    pub fn range(&self) -> String {
        let from = self.from.map(|d| d.to_string()).unwrap_or_default();
        let to = self.to.map(|d| d.to_string()).unwrap_or_default();
        format!("{from} – {to}").trim().to_owned()
    }
}

/// A reading of an ambiguous provision that the rule took, and the profile setting that
/// lets a deployment take another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interpretation {
    pub setting: String,
    pub note: String,
}

/// The field(s) whose date selects the version: one name, or several tried in order (the
/// first that holds a date wins), e.g. `["hearing_notice_date", "decision_date"]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DateField {
    One(String),
    Many(Vec<String>),
}

impl DateField {
    pub fn fields(&self) -> Vec<&str> {
        match self {
            DateField::One(field) => vec![field.as_str()],
            DateField::Many(fields) => fields.iter().map(String::as_str).collect(),
        }
    }
}

/// What a field must hold for the rule to apply at all (`[applies_when]`): one of some
/// codes (for a list field, any element among them), or a yes/no.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Condition {
    Flag(bool),
    One(String),
    Any(Vec<String>),
}

impl Condition {
    /// The codes allowed (empty for a yes/no condition).
    pub fn codes(&self) -> Vec<&str> {
        match self {
            Condition::Flag(_) => Vec::new(),
            Condition::One(code) => vec![code.as_str()],
            Condition::Any(codes) => codes.iter().map(String::as_str).collect(),
        }
    }
}

/// Everything the TOML block of a rule file says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub record_types: Vec<RecordType>,
    /// The field whose date selects the version (a date or a moment), or several tried in
    /// order. Absent for rules whose single version applies whatever the date.
    #[serde(default)]
    pub date_field: Option<DateField>,
    /// The record fields the checks read, as dictionary paths (`extensions[].approver_role`),
    /// for documentation, `jiandu explain` and `jiandu fields`.
    #[serde(default)]
    pub reads: Vec<String>,
    /// Fields that decide whether the rule applies at all, checked before the version is
    /// chosen: `procedure = "ordinary"`, `"party.nature" = ["natural_person"]`. A field
    /// holding anything else makes the rule `not_applicable`; an absent one, `unknown`.
    #[serde(default)]
    pub applies_when: std::collections::BTreeMap<String, Condition>,
    /// The profile settings the checks read.
    #[serde(default)]
    pub settings: Vec<String>,
    /// The catalogue section the rule comes from, e.g. `§2.1`.
    #[serde(default)]
    pub catalogue: Option<String>,
    #[serde(default)]
    pub interpretations: Vec<Interpretation>,
    pub versions: Vec<Version>,
}

/// Splits a rule file into its metadata and the line where the script's own text begins.
pub fn parse_front_matter(text: &str, file: &str) -> Result<RuleMeta, RuleError> {
    let start = text
        .find(OPEN)
        .filter(|pos| text[..*pos].trim().is_empty())
        .ok_or_else(|| RuleError::Metadata {
            file: file.to_owned(),
            line: 1,
            reason: format!(
                "a rule file must start with its metadata between `{OPEN}` and `{CLOSE}`"
            ),
        })?;
    let body_start = start + OPEN.len();
    let end = text[body_start..]
        .find(CLOSE)
        .map(|p| p + body_start)
        .ok_or_else(|| RuleError::Metadata {
            file: file.to_owned(),
            line: 1,
            reason: format!(
                "the metadata block opened with `{OPEN}` is never closed with `{CLOSE}`"
            ),
        })?;
    let toml_text = &text[body_start..end];
    let first_line = 1 + text[..body_start].matches('\n').count();
    toml::from_str::<RuleMeta>(toml_text).map_err(|e| {
        let line = e
            .span()
            .map(|span| first_line + toml_text[..span.start].matches('\n').count())
            .unwrap_or(first_line);
        RuleError::Metadata {
            file: file.to_owned(),
            line,
            reason: e.message().to_owned(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"/*---
id = "PEN-X"
title_zh = "测试"
title_en = "Test"
record_types = ["penalty"]
date_field = "decision_date"

[[versions]]
from = "2021-07-15"
basis = "第一条"
check = "check_new"

[[versions]]
from = "1996-10-01"
to = "2021-07-14"
basis = "旧法"
---*/
fn check_new(r) { pass() }
"#;

    #[test]
    fn reads_the_metadata_block() {
        let meta = parse_front_matter(FILE, "PEN-X.rhai").unwrap();
        assert_eq!(meta.id, "PEN-X");
        assert_eq!(meta.versions.len(), 2);
        assert_eq!(meta.versions[0].label(), "2021-07-15");
        assert!(meta.versions[1].covers(Date::parse("2020-01-01").unwrap()));
        assert!(!meta.versions[1].covers(Date::parse("2021-07-15").unwrap()));
        assert_eq!(meta.versions[1].check, None);
    }

    #[test]
    fn names_the_line_of_a_metadata_error() {
        let broken = FILE.replace("from = \"2021-07-15\"", "from = \"2021-13-15\"");
        match parse_front_matter(&broken, "PEN-X.rhai") {
            Err(RuleError::Metadata { line, reason, .. }) => {
                assert_eq!(line, 9, "{reason}");
                assert!(reason.contains("2021-13-15"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_front_matter("fn check(r) {}", "x.rhai"),
            Err(RuleError::Metadata { line: 1, .. })
        ));
    }
}
