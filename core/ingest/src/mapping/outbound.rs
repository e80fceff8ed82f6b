//! A mapping run backwards: jiandu records written in a source system's field names and
//! words, for exports that must speak the national standard (the behaviour data the
//! provincial centre receives). Importing the output with the same mapping gives back the
//! fields the mapping names.

use std::collections::BTreeMap;

use jiandu_model::record::{Lookup, lookup_in};
use serde_json::{Map, Value};

use super::{Mapping, Translation};

/// Where one output column takes its value from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A field of the record by its dotted path.
    Path(String),
    /// The first of several fields present (`[outbound]`).
    FirstOf(Vec<String>),
    /// One member of each object of a list (`officers[].name` → `检查人员`).
    Member { list: String, member: String },
}

/// The outbound form of a mapping: output columns in the mapping's order, and the words
/// for each code.
#[derive(Debug, Clone)]
pub struct Outbound {
    columns: Vec<(String, Source)>,
    /// Per field path: code → the source word the mapping reads as it.
    words: BTreeMap<String, BTreeMap<String, String>>,
}

/// A column name the national standard uses (Chinese) is preferred over an English alias.
fn is_national(column: &str) -> bool {
    !column.is_ascii()
}

impl Mapping {
    /// This mapping backwards. Each field it writes gets one column: the first Chinese name
    /// that renames to it (else the first name), and each code the word the mapping's
    /// `[values]` read as it (the dictionary's Chinese label when that is one of them).
    pub fn outbound(&self) -> Outbound {
        let mut by_path: BTreeMap<&str, &str> = BTreeMap::new();
        for (column, targets) in &self.fields {
            let Some(path) = targets.first() else {
                continue;
            };
            match by_path.get(path.as_str()) {
                Some(existing) if is_national(existing) || !is_national(column) => {}
                _ => {
                    by_path.insert(path, column);
                }
            }
        }
        let mut columns: Vec<(String, Source)> = Vec::new();
        // The mapping's own column order is alphabetical; keep the national names together
        // and stable: by column name.
        let mut chosen: Vec<(&str, &str)> = by_path.iter().map(|(p, c)| (*c, *p)).collect();
        chosen.sort();
        for (column, path) in chosen {
            let source = match self.outbound.get(column) {
                Some(paths) => Source::FirstOf(paths.clone()),
                None => Source::Path(path.to_owned()),
            };
            columns.push((column.to_owned(), source));
        }
        for (list, parts) in &self.zip {
            for (member, column) in parts {
                columns.push((
                    column.clone(),
                    Source::Member {
                        list: list.clone(),
                        member: member.clone(),
                    },
                ));
            }
        }
        let dictionary = jiandu_model::record::dictionary::dictionary();
        let mut words: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (path, table) in &self.values {
            let label = |code: &str| {
                dictionary
                    .field(path)
                    .and_then(|f| dictionary.vocabulary_of(f))
                    .and_then(|v| v.label(code))
                    .map(str::to_owned)
            };
            let entry = words.entry(path.clone()).or_default();
            for (word, translation) in table {
                let Translation::Value(Value::String(code)) = translation else {
                    continue;
                };
                let better = label(code).as_deref() == Some(word.as_str());
                if better || !entry.contains_key(code) {
                    entry.insert(code.clone(), word.clone());
                }
            }
        }
        Outbound { columns, words }
    }
}

impl Outbound {
    /// The record's fields under their source names; a field the record does not hold is
    /// left out (absent stays absent), `null` stays `null`.
    pub fn write(&self, body: &Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        for (column, source) in &self.columns {
            let value = match source {
                Source::Path(path) => match lookup_in(body, path) {
                    Lookup::Value(value) => self.words_for(path, value),
                    Lookup::Null => Value::Null,
                    _ => continue,
                },
                Source::FirstOf(paths) => {
                    let found = paths.iter().find_map(|path| match lookup_in(body, path) {
                        Lookup::Value(value) => Some(self.words_for(path, value)),
                        _ => None,
                    });
                    match found {
                        Some(value) => value,
                        None => continue,
                    }
                }
                Source::Member { list, member } => {
                    let Some(items) = body.get(list).and_then(Value::as_array) else {
                        continue;
                    };
                    Value::Array(
                        items
                            .iter()
                            .map(|item| item.get(member).cloned().unwrap_or(Value::Null))
                            .collect(),
                    )
                }
            };
            out.insert(column.clone(), value);
        }
        out
    }

    fn words_for(&self, path: &str, value: &Value) -> Value {
        let Some(words) = self.words.get(path) else {
            return value.clone();
        };
        let word = |v: &Value| match v {
            Value::String(code) => Value::String(words.get(code).unwrap_or(code).clone()),
            other => other.clone(),
        };
        match value {
            Value::Array(items) => Value::Array(items.iter().map(word).collect()),
            one => word(one),
        }
    }

    /// The output column names, in order.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(c, _)| c.as_str())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_record_goes_out_in_the_source_words_and_comes_back_the_same() {
        let mapping = Mapping::parse(
            r#"
[fields]
"行政相对人" = "party.name"
"行政相对人性质" = "party.nature"
"处罚种类" = "penalty_types"
"party_name" = "party.name"
[values."party.nature"]
"公民" = "natural_person"
"自然人" = "natural_person"
[values.penalty_types]
"罚款" = "fine"
"警告" = "warning"
[zip.officers]
name = "检查人员"
cert_no = "执法证号"
"#,
            "m.toml",
        )
        .unwrap();
        let body = json!({"record_id": "X", "party": {"name": "张三", "nature": "natural_person"},
            "penalty_types": ["fine", "warning"],
            "officers": [{"name": "李四", "cert_no": "A1"}, {"name": "王五", "cert_no": "A2"}]});
        let out = mapping.outbound().write(body.as_object().unwrap());
        assert_eq!(
            Value::Object(out.clone()),
            json!({"处罚种类": ["罚款", "警告"], "行政相对人": "张三", "行政相对人性质": "自然人",
                   "检查人员": ["李四", "王五"], "执法证号": ["A1", "A2"]})
        );
        let back = mapping.apply_value(Value::Object(out), 1).unwrap();
        for path in ["party", "penalty_types", "officers"] {
            assert_eq!(back[path], body[path], "{path}");
        }
    }
}
