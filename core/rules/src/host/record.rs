//! Reading a record's fields with the missing-field policy made explicit.
//!
//! `r.field` reads a field directly; when the field is absent and the rule declares it in
//! `reads`, the rule's outcome is `unknown`. The functions here do the same for dotted paths
//! and let a rule ask without stopping: `get`, `has`, `is_null`, `is_absent`.

use rhai::plugin::*;
use rhai::{Dynamic, Map};

use super::record_ref::RecordRef;
use super::{Signal, throw, trace};
use crate::convert::display;
use crate::convert::field_to_dynamic;

pub(crate) enum Found {
    Absent,
    Null,
    Value(Dynamic),
}

/// Looks up `a.b.c` in a record (or any map). A path through a null object is null.
pub(crate) fn find(record: &Dynamic, path: &str) -> Found {
    fn step(value: &Dynamic, segments: &[&str]) -> Found {
        let Some((head, rest)) = segments.split_first() else {
            return if value.is_unit() {
                Found::Null
            } else {
                Found::Value(value.clone())
            };
        };
        if value.is_unit() {
            return Found::Null;
        }
        if let Some(record) = value.read_lock::<RecordRef>() {
            return find_json(record.json(), segments);
        }
        match value.read_lock::<Map>() {
            Some(map) => match map.get(*head) {
                Some(inner) => step(inner, rest),
                None => Found::Absent,
            },
            None => Found::Absent,
        }
    }
    let segments: Vec<&str> = path.split('.').collect();
    step(record, &segments)
}

/// The same walk over a record's JSON, converting only the value found.
fn find_json(object: &serde_json::Map<String, serde_json::Value>, segments: &[&str]) -> Found {
    let mut current = object;
    for (depth, segment) in segments.iter().enumerate() {
        match current.get(*segment) {
            None => return Found::Absent,
            Some(serde_json::Value::Null) => return Found::Null,
            Some(value) if depth + 1 == segments.len() => {
                return Found::Value(field_to_dynamic(segments, value));
            }
            Some(serde_json::Value::Object(inner)) => current = inner,
            Some(_) => return Found::Absent,
        }
    }
    Found::Absent
}

#[export_module]
pub mod record_api {
    use super::{Found, Signal, display, find, throw, trace};
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    /// The value at `path` (dots for nested fields: `"payment.paid_to"`). When the field is
    /// absent ("not recorded") the rule stops with outcome `unknown`; when it is present
    /// and null ("known not to have happened") this returns `()`.
    #[rhai_fn(pure, return_raw)]
    pub fn need(record: &mut Dynamic, path: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        match find(record, path) {
            Found::Absent => {
                trace(|| format!("need {path}: absent → unknown"));
                Err(throw(Signal::Absent {
                    field: path.to_owned(),
                }))
            }
            Found::Null => {
                trace(|| format!("read {path} = null"));
                Ok(Dynamic::UNIT)
            }
            Found::Value(v) => {
                trace(|| format!("read {path} = {}", display(&v)));
                Ok(v)
            }
        }
    }

    /// The value at `path`, or `()` when it is absent or null. For fields a rule can decide
    /// without.
    #[rhai_fn(pure)]
    pub fn get(record: &mut Dynamic, path: &str) -> Dynamic {
        match find(record, path) {
            Found::Absent => {
                trace(|| format!("read {path}: absent"));
                Dynamic::UNIT
            }
            Found::Null => {
                trace(|| format!("read {path} = null"));
                Dynamic::UNIT
            }
            Found::Value(v) => {
                trace(|| format!("read {path} = {}", display(&v)));
                v
            }
        }
    }

    /// Whether the field is present (with a value or null).
    #[rhai_fn(pure)]
    pub fn has(record: &mut Dynamic, path: &str) -> bool {
        !matches!(find(record, path), Found::Absent)
    }

    /// Whether the field is present and null: "known not to have happened".
    #[rhai_fn(pure)]
    pub fn is_null(record: &mut Dynamic, path: &str) -> bool {
        matches!(find(record, path), Found::Null)
    }

    /// Whether the field is absent: "not recorded".
    #[rhai_fn(pure)]
    pub fn is_absent(record: &mut Dynamic, path: &str) -> bool {
        matches!(find(record, path), Found::Absent)
    }

    /// Writes a line into the `jiandu explain` trace (no effect otherwise).
    pub fn note(label: &str, value: Dynamic) {
        trace(|| format!("{label}: {}", display(&value)));
    }
}
