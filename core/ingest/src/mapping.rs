//! Mapping files: renaming source fields (such as the 互联网+监管 names) to jiandu paths.
//!
//! ```toml
//! [fields]                 # source field = jiandu path (dots make nested objects)
//! "作出行政处罚决定日期" = "decision_date"
//! "实施机构编码" = "agency.uscc"
//!
//! [values.procedure]       # source value = jiandu value, for one target path
//! "简易" = "summary"
//!
//! [defaults]               # set on every row that lacks the field after renaming
//! record_type = "penalty"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::IngestError;
use crate::source::set_path;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, toml::Value>>,
    #[serde(default)]
    pub defaults: BTreeMap<String, toml::Value>,
    /// What the mapping is for, shown by `jiandu import --help`-style listings.
    #[serde(default)]
    pub about: Option<String>,
}

fn to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        toml::Value::Table(table) => {
            Value::Object(table.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping, IngestError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| IngestError::Read {
            file: file.clone(),
            source,
        })?;
        Mapping::parse(&text, &file)
    }

    pub fn parse(text: &str, file: &str) -> Result<Mapping, IngestError> {
        toml::from_str(text).map_err(|e| IngestError::Mapping {
            file: file.to_owned(),
            reason: e.to_string(),
        })
    }

    /// Adds a default (`--default FIELD=VALUE` on the command line).
    pub fn add_default(&mut self, field: &str, value: &str) {
        self.defaults
            .insert(field.to_owned(), toml::Value::String(value.to_owned()));
    }

    pub fn is_identity(&self) -> bool {
        self.fields.is_empty() && self.values.is_empty() && self.defaults.is_empty()
    }

    /// Renames, translates values and fills defaults. Fields the mapping does not name are
    /// kept as they are.
    pub fn apply(&self, row: Value) -> Value {
        if self.is_identity() {
            return row;
        }
        let Value::Object(source) = row else {
            return row;
        };
        let mut out = Map::new();
        for (key, value) in source {
            let target = self.fields.get(&key).map(String::as_str).unwrap_or(&key);
            let value = match (self.values.get(target), &value) {
                (Some(table), Value::String(s)) => {
                    table.get(s.trim()).map(to_json).unwrap_or(value)
                }
                _ => value,
            };
            set_path(&mut out, target, value);
        }
        for (field, value) in &self.defaults {
            if jiandu_model::record::lookup_in(&out, field) == jiandu_model::Lookup::Absent {
                set_path(&mut out, field, to_json(value));
            }
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renames_translates_and_fills_defaults() {
        let mapping = Mapping::parse(
            r#"
            [fields]
            "处罚程序" = "procedure"
            "实施机构编码" = "agency.uscc"
            [values.procedure]
            "简易" = "summary"
            [defaults]
            record_type = "penalty"
            "#,
            "m.toml",
        )
        .unwrap();
        let out = mapping.apply(json!({"处罚程序": "简易", "实施机构编码": "X", "other": 1}));
        assert_eq!(
            out,
            json!({"procedure": "summary", "agency": {"uscc": "X"}, "other": 1, "record_type": "penalty"})
        );
        let kept = mapping.apply(json!({"record_type": "inspection"}));
        assert_eq!(kept["record_type"], "inspection");
    }

    #[test]
    fn refuses_unknown_sections() {
        assert!(matches!(
            Mapping::parse("[feilds]\na = \"b\"", "m.toml"),
            Err(IngestError::Mapping { .. })
        ));
    }
}
