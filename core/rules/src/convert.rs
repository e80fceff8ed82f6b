//! Records into Rhai values and back. A record is converted once per evaluation run, with
//! typed fields becoming `Date`, `Moment` and `Money`, and handed to every rule as one shared
//! value (passing it costs a reference count, not a copy).

use std::collections::HashMap;
use std::sync::OnceLock;

use jiandu_model::record::dictionary::dictionary;
use jiandu_model::{Date, FieldKind, Moment, Money};
use rhai::{Array, Dynamic, Map};
use serde_json::Value;

/// The dictionary's typed fields as a tree, so conversion walks each record once.
#[derive(Default)]
struct Node {
    kind: Option<FieldKind>,
    /// Children of a list node describe its elements.
    children: HashMap<&'static str, Node>,
}

fn schema() -> &'static Node {
    static TREE: OnceLock<Node> = OnceLock::new();
    TREE.get_or_init(|| {
        let mut root = Node::default();
        let d = dictionary();
        for field in &d.fields {
            let Some(kind) = d.kind_of(field) else {
                continue;
            };
            let mut node = &mut root;
            for segment in field.path.split('.') {
                let key = segment.strip_suffix("[]").unwrap_or(segment);
                node = node.children.entry(key).or_default();
            }
            node.kind = Some(kind);
        }
        root
    })
}

/// A record's JSON as a Rhai value: `null` becomes `()`, typed fields become `Date`,
/// `Moment` and `Money`, everything else its natural Rhai type.
pub fn json_to_dynamic(value: &Value) -> Dynamic {
    convert(value, Some(schema()))
}

/// The value at a path of a record (`["party", "birth_date"]`) as a Rhai value, typed by the
/// schema for that path.
pub fn field_to_dynamic(path: &[&str], value: &Value) -> Dynamic {
    let mut node = Some(schema());
    for segment in path {
        node = node.and_then(|n| n.children.get(*segment));
    }
    convert(value, node)
}

fn convert(value: &Value, node: Option<&Node>) -> Dynamic {
    let kind = node.and_then(|n| n.kind);
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match kind {
            Some(FieldKind::Money) => Money::from_json(value)
                .map(Dynamic::from)
                .unwrap_or_else(|_| number(n)),
            _ => number(n),
        },
        Value::String(s) => match kind {
            Some(FieldKind::Date) => Date::parse(s)
                .map(Dynamic::from)
                .unwrap_or_else(|_| s.as_str().into()),
            Some(FieldKind::Moment) => Moment::parse(s)
                .map(Dynamic::from)
                .unwrap_or_else(|_| s.as_str().into()),
            Some(FieldKind::DateOrMoment) => Date::parse(s)
                .map(Dynamic::from)
                .or_else(|_| Moment::parse(s).map(Dynamic::from))
                .unwrap_or_else(|_| s.as_str().into()),
            Some(FieldKind::Money) => Money::parse(s)
                .map(Dynamic::from)
                .unwrap_or_else(|_| s.as_str().into()),
            _ => s.as_str().into(),
        },
        Value::Array(items) => items
            .iter()
            .map(|item| convert(item, node))
            .collect::<Array>()
            .into(),
        Value::Object(object) => object
            .iter()
            .map(|(key, item)| {
                let child = node.and_then(|n| n.children.get(key.as_str()));
                (key.as_str().into(), convert(item, child))
            })
            .collect::<Map>()
            .into(),
    }
}

fn number(n: &serde_json::Number) -> Dynamic {
    match n.as_i64() {
        Some(i) => i.into(),
        None => n.as_f64().unwrap_or(0.0).into(),
    }
}

/// A Rhai value as JSON (evidence, look-up summaries): dates and moments as text, money as a
/// number of yuan.
pub fn dynamic_to_json(value: &Dynamic) -> Value {
    if value.is_unit() {
        return Value::Null;
    }
    if let Some(b) = value.clone().try_cast::<bool>() {
        return Value::Bool(b);
    }
    if let Ok(i) = value.as_int() {
        return Value::from(i);
    }
    if let Ok(f) = value.as_float() {
        return serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null);
    }
    if value.is_string() {
        return Value::String(value.clone().into_string().unwrap_or_default());
    }
    if let Some(d) = value.clone().try_cast::<Date>() {
        return Value::String(d.to_string());
    }
    if let Some(m) = value.clone().try_cast::<Moment>() {
        return Value::String(m.to_string());
    }
    if let Some(money) = value.clone().try_cast::<Money>() {
        return money.to_json();
    }
    if let Some(span) = value.read_lock::<jiandu_calendar::Span>() {
        return serde_json::json!({
            "earliest": span.earliest.to_string(),
            "latest": span.latest.to_string(),
            "missing_notices": span.missing_notices,
        });
    }
    if value.is::<crate::host::unrecorded::Unrecorded>() {
        return Value::String("(未记录 / not recorded)".into());
    }
    if let Some(record) = value.read_lock::<crate::host::record_ref::RecordRef>() {
        return Value::Object(record.json().clone());
    }
    if let Some(array) = value.read_lock::<Array>() {
        return Value::Array(array.iter().map(dynamic_to_json).collect());
    }
    if let Some(map) = value.read_lock::<Map>() {
        return Value::Object(
            map.iter()
                .map(|(k, v)| (k.to_string(), dynamic_to_json(v)))
                .collect(),
        );
    }
    Value::String(value.to_string())
}

/// A value as a short text for traces and messages.
pub fn display(value: &Dynamic) -> String {
    match dynamic_to_json(value) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_fields_become_rhai_types_and_come_back() {
        let record = json!({
            "record_id": "x", "decision_date": "2025-03-01", "fine_amount": 200.5,
            "measure_start": "2025-03-01T09:00:00+08:00", "legal_review_date": null,
            "officers": [{"cert_valid_until": "2026-01-01", "name": "张三"}],
            "check_time": "2025-03-01", "note": "2025-03-01"
        });
        let value = json_to_dynamic(&record);
        let map = value.read_lock::<Map>().unwrap();
        assert!(map["decision_date"].is::<Date>());
        assert!(map["fine_amount"].is::<Money>());
        assert!(map["measure_start"].is::<Moment>());
        assert!(map["legal_review_date"].is_unit());
        assert!(map["check_time"].is::<Date>());
        assert!(map["note"].is_string(), "untyped text stays text");
        let officers = map["officers"].read_lock::<Array>().unwrap();
        assert!(officers[0].read_lock::<Map>().unwrap()["cert_valid_until"].is::<Date>());
        drop(officers);
        drop(map);
        assert_eq!(dynamic_to_json(&value), record);
    }
}
