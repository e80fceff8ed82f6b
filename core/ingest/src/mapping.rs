//! Mapping files: renaming source fields (such as the 互联网+监管 names) to jiandu paths.
//!
//! ```toml
//! extends = "internet-plus-common.toml"   # read another mapping first (path relative to this file)
//! naive_time_offset = "+08:00"            # moments written without a zone are Beijing time
//!
//! [fields]                 # source field = jiandu path, or several paths
//! "作出行政处罚决定日期" = "decision_date"
//! "检查行为编号" = ["record_id", "check_action_code"]
//!
//! [values.procedure]       # source value = jiandu value, for one target path
//! "简易" = "summary"       # (list fields translate each element)
//!
//! [zip.officers]           # parallel source lists become one list of objects
//! name = "检查人员"
//! cert_no = "执法证号"
//!
//! [defaults]               # set on every row that lacks the field after renaming
//! record_type = "penalty"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use jiandu_model::record::dictionary::dictionary;
use jiandu_model::{FieldKind, Lookup};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::IngestError;
use crate::source::set_path;

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Targets {
    One(String),
    Many(Vec<String>),
}

impl Targets {
    fn paths(&self) -> Vec<&str> {
        match self {
            Targets::One(path) => vec![path.as_str()],
            Targets::Many(paths) => paths.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    about: Option<String>,
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    naive_time_offset: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, Targets>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, toml::Value>>,
    #[serde(default)]
    zip: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    defaults: BTreeMap<String, toml::Value>,
}

/// A loaded mapping (with whatever it extends merged in).
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    pub about: Option<String>,
    naive_time_offset: Option<String>,
    fields: BTreeMap<String, Vec<String>>,
    values: BTreeMap<String, BTreeMap<String, Value>>,
    zip: BTreeMap<String, BTreeMap<String, String>>,
    defaults: BTreeMap<String, Value>,
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
        Mapping::load_nested(path, 0)
    }

    fn load_nested(path: &Path, depth: usize) -> Result<Mapping, IngestError> {
        let file = path.display().to_string();
        if depth > 4 {
            return Err(IngestError::Mapping {
                file,
                reason: "`extends` goes more than four files deep (a loop?)".into(),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| IngestError::Read {
            file: file.clone(),
            source,
        })?;
        let parsed = parse_file(&text, &file)?;
        let mut mapping = match &parsed.extends {
            Some(base) => {
                let base_path = path.parent().unwrap_or(Path::new(".")).join(base);
                Mapping::load_nested(&base_path, depth + 1)?
            }
            None => Mapping::default(),
        };
        mapping.merge(parsed);
        Ok(mapping)
    }

    /// Parses a mapping without `extends` (for tests and inline mappings).
    pub fn parse(text: &str, file: &str) -> Result<Mapping, IngestError> {
        let parsed = parse_file(text, file)?;
        if parsed.extends.is_some() {
            return Err(IngestError::Mapping {
                file: file.to_owned(),
                reason: "`extends` needs a mapping loaded from a file".into(),
            });
        }
        let mut mapping = Mapping::default();
        mapping.merge(parsed);
        Ok(mapping)
    }

    fn merge(&mut self, file: MappingFile) {
        if file.about.is_some() {
            self.about = file.about;
        }
        if file.naive_time_offset.is_some() {
            self.naive_time_offset = file.naive_time_offset;
        }
        for (source, targets) in file.fields {
            self.fields.insert(
                source,
                targets.paths().into_iter().map(str::to_owned).collect(),
            );
        }
        for (target, table) in file.values {
            self.values
                .entry(target)
                .or_default()
                .extend(table.iter().map(|(k, v)| (k.clone(), to_json(v))));
        }
        self.zip.extend(file.zip);
        self.defaults
            .extend(file.defaults.iter().map(|(k, v)| (k.clone(), to_json(v))));
    }

    /// Adds a default (`--default FIELD=VALUE` on the command line).
    pub fn add_default(&mut self, field: &str, value: &str) {
        self.defaults
            .insert(field.to_owned(), Value::String(value.to_owned()));
    }

    pub fn is_identity(&self) -> bool {
        self.fields.is_empty()
            && self.values.is_empty()
            && self.defaults.is_empty()
            && self.zip.is_empty()
            && self.naive_time_offset.is_none()
    }

    /// Renames, translates values, zips lists and fills defaults. Fields the mapping does
    /// not name are kept as they are.
    pub fn apply(&self, row: Value) -> Value {
        if self.is_identity() {
            return row;
        }
        let Value::Object(mut source) = row else {
            return row;
        };
        let mut out = Map::new();
        for (target, parts) in &self.zip {
            if let Some(list) = zip_lists(&mut source, parts) {
                set_path(&mut out, target, list);
            }
        }
        for (key, value) in source {
            match self.fields.get(&key) {
                Some(targets) => {
                    for target in targets {
                        let value = self.translate(target, value.clone());
                        set_path(&mut out, target, value);
                    }
                }
                None => {
                    let value = self.translate(&key, value);
                    set_path(&mut out, &key, value);
                }
            }
        }
        for (field, value) in &self.defaults {
            if jiandu_model::record::lookup_in(&out, field) == Lookup::Absent {
                set_path(&mut out, field, value.clone());
            }
        }
        Value::Object(out)
    }

    fn translate(&self, target: &str, value: Value) -> Value {
        let d = dictionary();
        let kind = d.field(target).and_then(|f| d.kind_of(f));
        let value = match (kind, value) {
            // A list written as one cell: split it so each element can be translated.
            (Some(FieldKind::List(_)), Value::String(s)) => Value::Array(
                s.split([';', '；', ','])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| Value::String(p.to_owned()))
                    .collect(),
            ),
            (_, value) => value,
        };
        let value = match self.values.get(target) {
            Some(table) => match value {
                Value::String(s) => table.get(s.trim()).cloned().unwrap_or(Value::String(s)),
                Value::Array(items) => Value::Array(
                    items
                        .into_iter()
                        .map(|item| match item {
                            Value::String(s) => {
                                table.get(s.trim()).cloned().unwrap_or(Value::String(s))
                            }
                            other => other,
                        })
                        .collect(),
                ),
                other => other,
            },
            None => value,
        };
        match (&self.naive_time_offset, kind, value) {
            (Some(offset), Some(FieldKind::Moment | FieldKind::DateOrMoment), Value::String(s)) => {
                Value::String(with_offset(&s, offset))
            }
            (_, _, value) => value,
        }
    }
}

fn parse_file(text: &str, file: &str) -> Result<MappingFile, IngestError> {
    toml::from_str(text).map_err(|e| IngestError::Mapping {
        file: file.to_owned(),
        reason: e.to_string(),
    })
}

/// `2024-03-05 10:00:00` → `2024-03-05T10:00:00+08:00`; anything else is left alone.
fn with_offset(text: &str, offset: &str) -> String {
    let t = text.trim();
    let bytes = t.as_bytes();
    let naive = bytes.len() == 19 && (bytes[10] == b' ' || bytes[10] == b'T') && bytes[13] == b':';
    if naive {
        format!("{}T{}{offset}", &t[..10], &t[11..])
    } else {
        text.to_owned()
    }
}

/// Takes the named parallel lists out of `source` and zips them into a list of objects.
fn zip_lists(source: &mut Map<String, Value>, parts: &BTreeMap<String, String>) -> Option<Value> {
    let mut columns: Vec<(&String, Vec<Value>)> = Vec::new();
    for (field, source_field) in parts {
        let items = match source.remove(source_field)? {
            Value::Array(items) => items,
            Value::String(s) => s
                .split([';', '；', ','])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| Value::String(p.to_owned()))
                .collect(),
            Value::Null => Vec::new(),
            other => vec![other],
        };
        columns.push((field, items));
    }
    let len = columns
        .iter()
        .map(|(_, items)| items.len())
        .max()
        .unwrap_or(0);
    let list = (0..len)
        .map(|i| {
            let object: Map<String, Value> = columns
                .iter()
                .filter_map(|(field, items)| items.get(i).map(|v| ((*field).clone(), v.clone())))
                .collect();
            Value::Object(object)
        })
        .collect();
    Some(Value::Array(list))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renames_translates_and_fills_defaults() {
        let mapping = Mapping::parse(
            r#"
            naive_time_offset = "+08:00"
            [fields]
            "处罚程序" = "procedure"
            "实施机构编码" = "agency.uscc"
            "检查行为编号" = ["record_id", "check_action_code"]
            "处罚种类" = "penalty_types"
            "实施强制措施的起始时间" = "measure_start"
            [values.procedure]
            "简易" = "summary"
            [values.penalty_types]
            "警告" = "warning"
            "罚款" = "fine"
            [zip.officers]
            name = "检查人员"
            cert_no = "执法证号"
            [defaults]
            record_type = "penalty"
            "#,
            "m.toml",
        )
        .unwrap();
        let out = mapping.apply(json!({
            "处罚程序": "简易", "实施机构编码": "X", "other": 1, "检查行为编号": "JC1",
            "处罚种类": "警告;罚款", "检查人员": ["张三", "李四"], "执法证号": "441;442",
            "实施强制措施的起始时间": "2024-03-05 10:00:00"
        }));
        assert_eq!(
            out,
            json!({"officers": [{"cert_no": "441", "name": "张三"}, {"cert_no": "442", "name": "李四"}],
                   "procedure": "summary", "agency": {"uscc": "X"}, "other": 1,
                   "record_id": "JC1", "check_action_code": "JC1",
                   "penalty_types": ["warning", "fine"], "measure_start": "2024-03-05T10:00:00+08:00",
                   "record_type": "penalty"})
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
