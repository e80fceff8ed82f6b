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
//! [values.procedure]       # source word = jiandu value, for one field path
//! "简易" = "summary"       # (list fields translate each element)
//! "未知" = { absent = true } # the word means "not recorded": the field is left out
//! "无" = { null = true }   # the word means null ("did not happen", as the dictionary says)
//!
//! [values."extensions[].approver_role"]   # a field inside a list of objects
//! "局长" = "head"
//!
//! [values."*"]             # words that mean absent or null in every field
//! "未知" = { absent = true }
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

use jiandu_model::record::dictionary::{FieldType, dictionary};
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

/// What a source word becomes.
#[derive(Debug, Clone, PartialEq)]
enum Translation {
    Value(Value),
    /// Not recorded: the field is left out (in a list, the element is dropped).
    Absent,
    Null,
}

/// The table of words that apply to every field.
const ANY_FIELD: &str = "*";

/// A loaded mapping (with whatever it extends merged in).
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    pub about: Option<String>,
    naive_time_offset: Option<String>,
    fields: BTreeMap<String, Vec<String>>,
    values: BTreeMap<String, BTreeMap<String, Translation>>,
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

/// `; did you mean `x`?` when the dictionary has a close field.
fn field_hint(path: &str) -> String {
    dictionary()
        .suggest(path)
        .map(|f| format!("; did you mean `{}`?", f.path))
        .unwrap_or_default()
}

/// Reads one entry of a `[values.PATH]` table, checking it against the field's vocabulary.
fn translation(path: &str, word: &str, value: &toml::Value) -> Result<Translation, String> {
    if let toml::Value::Table(table) = value {
        let flag =
            |name: &str| table.len() == 1 && table.get(name) == Some(&toml::Value::Boolean(true));
        if flag("absent") {
            return Ok(Translation::Absent);
        }
        if flag("null") {
            return Ok(Translation::Null);
        }
        return Err(format!(
            "`{word}`: a translation is a value, `{{ absent = true }}` (not recorded) or `{{ null = true }}`"
        ));
    }
    if path == ANY_FIELD {
        return Err(format!(
            "`{word}`: [values.\"*\"] applies to every field, so it can only say `{{ absent = true }}` or `{{ null = true }}`"
        ));
    }
    let value = to_json(value);
    let d = dictionary();
    let Some(field) = d.field(path) else {
        return Err(format!("`{path}` is not a field of the dictionary"));
    };
    let vocabulary = match d.kind_of(field) {
        Some(FieldKind::Enum(v)) | Some(FieldKind::List(Some(v))) => Some(v),
        _ => None,
    };
    if let Some(vocabulary) = vocabulary {
        let words: Vec<&Value> = match &value {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        for target in words {
            let known = target.as_str().and_then(|t| vocabulary.resolve(t));
            if known.is_none() {
                let hint = target
                    .as_str()
                    .and_then(|t| vocabulary.closest(t))
                    .map(|t| format!(" (did you mean `{}`?)", t.code))
                    .unwrap_or_default();
                return Err(format!(
                    "`{word}` = {target}: not an allowed value of `{path}`{hint}; allowed: {}",
                    vocabulary.allowed()
                ));
            }
        }
    }
    Ok(Translation::Value(value))
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
        mapping
            .merge(parsed)
            .map_err(|reason| IngestError::Mapping { file, reason })?;
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
        mapping
            .merge(parsed)
            .map_err(|reason| IngestError::Mapping {
                file: file.to_owned(),
                reason,
            })?;
        Ok(mapping)
    }

    fn merge(&mut self, file: MappingFile) -> Result<(), String> {
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
            if target != ANY_FIELD && dictionary().field(&target).is_none() {
                return Err(format!(
                    "[values.\"{target}\"]: `{target}` is not a field of the field dictionary{} (see `jiandu fields`)",
                    field_hint(&target)
                ));
            }
            let mut words = BTreeMap::new();
            for (word, value) in &table {
                let entry = translation(&target, word, value)
                    .map_err(|reason| format!("[values.\"{target}\"] {reason}"))?;
                words.insert(word.trim().to_owned(), entry);
            }
            self.values.entry(target).or_default().extend(words);
        }
        self.zip.extend(file.zip);
        self.defaults
            .extend(file.defaults.iter().map(|(k, v)| (k.clone(), to_json(v))));
        Ok(())
    }

    /// Whether the mapping writes `path` (renames to it, zips into it, or gives it a
    /// default): a field the user named on purpose, so not one to warn about.
    pub fn writes(&self, path: &str) -> bool {
        self.fields.values().flatten().any(|p| p == path)
            || self.defaults.contains_key(path)
            || self.zip.iter().any(|(list, parts)| {
                path == list
                    || path
                        .strip_prefix(list.as_str())
                        .and_then(|rest| rest.strip_prefix("[]."))
                        .is_some_and(|part| parts.contains_key(part))
            })
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
                        set_path(&mut out, target, value.clone());
                    }
                }
                None => set_path(&mut out, &key, value),
            }
        }
        // Translate by the fields' final paths, so that a table reaches fields inside
        // objects and lists however the row named them.
        self.translate_object(&mut out, "");
        for (field, value) in &self.defaults {
            if jiandu_model::record::lookup_in(&out, field) == Lookup::Absent {
                set_path(&mut out, field, value.clone());
            }
        }
        Value::Object(out)
    }

    fn translate_object(&self, object: &mut Map<String, Value>, prefix: &str) {
        let keys: Vec<String> = object.keys().cloned().collect();
        for key in keys {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            let Some(value) = object.remove(&key) else {
                continue;
            };
            if let Some(value) = self.translate(&path, value) {
                object.insert(key, value);
            }
        }
    }

    /// The value a field holds after translation; `None` when it becomes absent.
    fn translate(&self, path: &str, value: Value) -> Option<Value> {
        let d = dictionary();
        let field = d.field(path);
        match (field.map(|f| f.field_type), value) {
            (Some(FieldType::Object), Value::Object(mut inner)) => {
                self.translate_object(&mut inner, path);
                Some(Value::Object(inner))
            }
            (Some(FieldType::Objects), Value::Array(items)) => {
                let element = format!("{path}[]");
                let items = items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(mut inner) => {
                            self.translate_object(&mut inner, &element);
                            Value::Object(inner)
                        }
                        other => other,
                    })
                    .collect();
                Some(Value::Array(items))
            }
            (_, value) => {
                let kind = field.and_then(|f| d.kind_of(f));
                let Some(FieldKind::List(_)) = kind else {
                    return self.word(path, value, kind);
                };
                let items = match value {
                    // A list written as one cell: split it so each element is translated.
                    Value::String(s) => split_cell(&s),
                    Value::Array(items) => items,
                    other => return self.word(path, other, kind),
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match self.word(path, item, kind) {
                        // One source word may stand for several codes.
                        Some(Value::Array(many)) => out.extend(many),
                        Some(one) => out.push(one),
                        None => {}
                    }
                }
                Some(Value::Array(out))
            }
        }
    }

    /// One scalar: its translation, then Beijing time for a moment written without a zone.
    fn word(&self, path: &str, value: Value, kind: Option<FieldKind>) -> Option<Value> {
        let value = match &value {
            Value::String(s) => {
                let key = s.trim();
                let found = [path, ANY_FIELD]
                    .iter()
                    .find_map(|table| self.values.get(*table).and_then(|t| t.get(key)));
                match found {
                    Some(Translation::Absent) => return None,
                    Some(Translation::Null) => Value::Null,
                    Some(Translation::Value(v)) => v.clone(),
                    None => value,
                }
            }
            _ => value,
        };
        match (&self.naive_time_offset, kind, value) {
            (Some(offset), Some(FieldKind::Moment | FieldKind::DateOrMoment), Value::String(s)) => {
                Some(Value::String(with_offset(&s, offset)))
            }
            (_, _, value) => Some(value),
        }
    }
}

fn split_cell(cell: &str) -> Vec<Value> {
    cell.split([';', '；', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Value::String(p.to_owned()))
        .collect()
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
    let naive = bytes.len() == 19
        && matches!(bytes.get(10), Some(b' ' | b'T'))
        && bytes.get(13) == Some(&b':');
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
            Value::String(s) => split_cell(&s),
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
    fn translates_inside_lists_of_objects_and_to_absent_and_null() {
        let mapping = Mapping::parse(
            r#"
            [values."extensions[].approver_role"]
            "局长" = "head"
            "agency_head" = "head"
            [values.channel]
            "信访" = "petition"
            [values.published_date]
            "未公开" = { null = true }
            [values.penalty_types]
            "警告并罚款" = ["warning", "fine"]
            [values."*"]
            "未知" = { absent = true }
            "#,
            "m.toml",
        )
        .unwrap();
        let out = mapping.apply(json!({
            "extensions": [{"approver_role": "agency_head", "days": 30}, {"approver_role": "局长"}],
            "channel": "信访", "published_date": "未公开", "hearing_held": "未知",
            "penalty_types": "警告并罚款;未知", "note": "未知"
        }));
        assert_eq!(
            out,
            json!({"extensions": [{"approver_role": "head", "days": 30}, {"approver_role": "head"}],
                   "channel": "petition", "published_date": null,
                   "penalty_types": ["warning", "fine"]})
        );
    }

    #[test]
    fn refuses_a_translation_the_field_cannot_hold() {
        let err = Mapping::parse("[values.channel]\n\"信访\" = \"petitions\"\n", "m.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("m.toml"), "{err}");
        assert!(err.contains("not an allowed value of `channel`"), "{err}");
        assert!(err.contains("did you mean `petition`?"), "{err}");
        let err = Mapping::parse(
            "[values.execution_type]\n\"拆除\" = \"demolition\"\n",
            "m.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("did you mean `execution_kind`?"), "{err}");
        let err = Mapping::parse("[values.\"*\"]\n\"无\" = \"none\"\n", "m.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("can only say"), "{err}");
        let err = Mapping::parse("[values.channel]\n\"无\" = { nothing = true }\n", "m.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("{ absent = true }"), "{err}");
    }

    #[test]
    fn knows_the_fields_it_writes() {
        let mapping = Mapping::parse(
            "[fields]\n\"备注\" = \"remark\"\n[zip.officers]\nname = \"人员\"\n[defaults]\nsource_system = \"x\"\n",
            "m.toml",
        )
        .unwrap();
        assert!(mapping.writes("remark"));
        assert!(mapping.writes("officers[].name"));
        assert!(mapping.writes("source_system"));
        assert!(!mapping.writes("officers[].cert_no"));
    }

    #[test]
    fn refuses_unknown_sections() {
        assert!(matches!(
            Mapping::parse("[feilds]\na = \"b\"", "m.toml"),
            Err(IngestError::Mapping { .. })
        ));
    }
}
