//! `[record_id]` and `[extract]`: an id for rows that have none, made from the row itself.
//!
//! ```toml
//! [extract]                      # named groups of a regex over a source column
//! "网址" = 'docId=(?P<docId>\d+)'
//!
//! [record_id]                    # either a template over columns, captures and {row} …
//! template = "NFRA-{docId}"
//! # … or a stable hash of chosen columns (the same columns give the same id in every file)
//! # hash = ["行政处罚决定书文号", "当事人名称"]
//! # prefix = "CF-"
//! ```
//!
//! A constant id is refused when the mapping is loaded: every row would get the same
//! `record_id`, and each would overwrite the one before.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::RowError;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IdSpec {
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    hash: Option<Vec<String>>,
    #[serde(default)]
    prefix: Option<String>,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    /// A source column or a capture.
    Name(String),
    Row,
}

#[derive(Debug, Clone)]
enum Rule {
    Template(Vec<Part>),
    Hash {
        columns: Vec<String>,
        prefix: String,
    },
}

/// A checked `[record_id]` with the `[extract]` patterns it may use.
#[derive(Debug, Clone)]
pub(super) struct IdMaker {
    rule: Rule,
    extract: Vec<(String, Regex)>,
}

/// The message for an id that cannot vary.
pub(super) const CONSTANT_ID: &str = "every row would have the same record_id, so each row would overwrite the one before; \
     make it from the row: [record_id] template = \"CF-{文号列}\" or hash = [\"列1\", \"列2\"]";

fn parse_template(text: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let (head, tail) = rest.split_at(open);
        if !head.is_empty() {
            parts.push(Part::Text(head.to_owned()));
        }
        let close = tail
            .find('}')
            .ok_or_else(|| format!("template `{text}`: a `{{` has no closing `}}`"))?;
        let name = tail.get(1..close).unwrap_or("").trim();
        if name.is_empty() {
            return Err(format!("template `{text}`: `{{}}` names nothing"));
        }
        parts.push(if name == "row" {
            Part::Row
        } else {
            Part::Name(name.to_owned())
        });
        rest = tail.get(close + 1..).unwrap_or("");
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    Ok(parts)
}

impl IdMaker {
    pub(super) fn check(
        spec: IdSpec,
        extract: &BTreeMap<String, String>,
    ) -> Result<IdMaker, String> {
        let mut patterns = Vec::new();
        for (column, pattern) in extract {
            let regex = Regex::new(pattern).map_err(|e| {
                format!("[extract] \"{column}\": the pattern is not a valid regex: {e}")
            })?;
            if regex.capture_names().flatten().next().is_none() {
                return Err(format!(
                    "[extract] \"{column}\": the pattern names no group; write (?P<name>…) for each part to keep"
                ));
            }
            patterns.push((column.clone(), regex));
        }
        let rule = match (spec.template, spec.hash) {
            (Some(template), None) => {
                if spec.prefix.is_some() {
                    return Err(
                        "[record_id] `prefix` goes with `hash`; in a template write it in the text"
                            .into(),
                    );
                }
                let parts = parse_template(&template).map_err(|e| format!("[record_id] {e}"))?;
                if !parts.iter().any(|p| !matches!(p, Part::Text(_))) {
                    return Err(format!("[record_id] template `{template}`: {CONSTANT_ID}"));
                }
                Rule::Template(parts)
            }
            (None, Some(columns)) => {
                if columns.is_empty() {
                    return Err(format!("[record_id] hash = []: {CONSTANT_ID}"));
                }
                Rule::Hash {
                    columns,
                    prefix: spec.prefix.unwrap_or_default(),
                }
            }
            (Some(_), Some(_)) => {
                return Err("[record_id] takes `template` or `hash`, not both".into());
            }
            (None, None) => return Err("[record_id] needs `template` or `hash`".into()),
        };
        Ok(IdMaker {
            rule,
            extract: patterns,
        })
    }

    /// The source columns and capture names the id reads (checked against a file's columns).
    pub(super) fn names(&self) -> Vec<&str> {
        match &self.rule {
            Rule::Template(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    Part::Name(n) => Some(n.as_str()),
                    _ => None,
                })
                .collect(),
            Rule::Hash { columns, .. } => columns.iter().map(String::as_str).collect(),
        }
    }

    /// The columns `[extract]` reads and the names its groups give.
    pub(super) fn captures(&self) -> Vec<(&str, Vec<&str>)> {
        self.extract
            .iter()
            .map(|(column, regex)| (column.as_str(), regex.capture_names().flatten().collect()))
            .collect()
    }

    /// The id of one source row (`row` is its line or sheet row).
    pub(super) fn make(
        &self,
        source: &serde_json::Map<String, Value>,
        row: usize,
    ) -> Result<String, RowError> {
        let error = |reason: String| RowError {
            field: "record_id".into(),
            column: None,
            reason,
        };
        let cell = |name: &str| -> Option<String> {
            match jiandu_model::record::lookup_in(source, name) {
                jiandu_model::Lookup::Value(Value::String(s)) => {
                    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
                }
                jiandu_model::Lookup::Value(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            }
        };
        let mut captured: BTreeMap<&str, String> = BTreeMap::new();
        for (column, regex) in &self.extract {
            if let Some(text) = cell(column) {
                if let Some(caps) = regex.captures(&text) {
                    for name in regex.capture_names().flatten() {
                        if let Some(m) = caps.name(name) {
                            captured.insert(name, m.as_str().to_owned());
                        }
                    }
                }
            }
        }
        let value = |name: &str| -> Result<String, RowError> {
            captured
                .get(name)
                .cloned()
                .or_else(|| cell(name))
                .ok_or_else(|| {
                    let from = self
                        .extract
                        .iter()
                        .find(|(_, r)| r.capture_names().flatten().any(|n| n == name))
                        .map(|(column, _)| format!("the pattern of [extract] \"{column}\" does not match this row's `{column}`"))
                        .unwrap_or_else(|| format!("column `{name}` is empty in this row"));
                    error(format!("{from}, so its record_id cannot be made"))
                })
        };
        match &self.rule {
            Rule::Template(parts) => {
                let mut id = String::new();
                for part in parts {
                    match part {
                        Part::Text(t) => id.push_str(t),
                        Part::Row => id.push_str(&row.to_string()),
                        Part::Name(name) => id.push_str(&value(name)?),
                    }
                }
                Ok(id)
            }
            Rule::Hash { columns, prefix } => {
                let mut hasher = Sha256::new();
                let mut any = false;
                for column in columns {
                    let v = cell(column).unwrap_or_default();
                    any |= !v.is_empty();
                    hasher.update(v.as_bytes());
                    hasher.update([0x1f]);
                }
                if !any {
                    return Err(error(format!(
                        "the columns {} are all empty in this row, so its record_id cannot be made",
                        columns.join("、")
                    )));
                }
                let digest = hasher.finalize();
                let hex: String = digest.iter().take(10).map(|b| format!("{b:02x}")).collect();
                Ok(format!("{prefix}{hex}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn maker(spec: &str, extract: &[(&str, &str)]) -> Result<IdMaker, String> {
        let extract = extract
            .iter()
            .map(|(c, p)| ((*c).to_owned(), (*p).to_owned()))
            .collect();
        IdMaker::check(toml::from_str(spec).unwrap(), &extract)
    }

    fn row(value: serde_json::Value) -> serde_json::Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_template_reads_columns_captures_and_the_row() {
        let m = maker(
            r#"template = "NFRA-{docId}-{row}""#,
            &[("网址", r"docId=(?P<docId>\d+)")],
        )
        .unwrap();
        let r = row(
            json!({"网址": "https://www.nfra.gov.cn/cn/view/pages/ItemDetail.html?docId=1150123&itemId=4115"}),
        );
        assert_eq!(m.make(&r, 7).unwrap(), "NFRA-1150123-7");
        let err = m
            .make(&row(json!({"网址": "https://example/none"})), 8)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "field `record_id`: the pattern of [extract] \"网址\" does not match this row's `网址`, so its record_id cannot be made"
        );
        let m = maker(r#"template = "CF-{文号}""#, &[]).unwrap();
        assert_eq!(
            m.make(&row(json!({"文号": "清市监罚〔2024〕1号"})), 2)
                .unwrap(),
            "CF-清市监罚〔2024〕1号"
        );
        assert!(
            m.make(&row(json!({})), 2)
                .unwrap_err()
                .reason
                .starts_with("column `文号` is empty")
        );
    }

    #[test]
    fn a_hash_is_stable_and_depends_on_every_column() {
        let m = maker(
            r#"hash = ["文号", "当事人"]
                         prefix = "H-""#,
            &[],
        )
        .unwrap();
        let a = m
            .make(&row(json!({"文号": "A1", "当事人": "张三", "x": 1})), 2)
            .unwrap();
        let again = m
            .make(&row(json!({"当事人": "张三", "文号": "A1"})), 9)
            .unwrap();
        let other = m
            .make(&row(json!({"文号": "A1", "当事人": "李四"})), 2)
            .unwrap();
        assert_eq!(a, again);
        assert_ne!(a, other);
        assert_eq!(a.len(), 2 + 20);
        assert!(a.starts_with("H-"));
    }

    #[test]
    fn a_constant_id_is_refused() {
        let err = maker(r#"template = "NFRA""#, &[]).unwrap_err();
        assert!(
            err.contains("every row would have the same record_id"),
            "{err}"
        );
        assert!(
            maker("hash = []", &[])
                .unwrap_err()
                .contains("every row would have the same record_id")
        );
        assert!(
            maker(r#"template = "A-{""#, &[])
                .unwrap_err()
                .contains("no closing")
        );
        assert!(
            maker(r#"template = "{x}""#, &[("u", "no groups")])
                .unwrap_err()
                .contains("names no group")
        );
    }
}
