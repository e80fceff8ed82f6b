//! Reading a record's fields with the missing-field policy made explicit.
//!
//! `r.field` reads a field directly; when the field is absent and the rule declares it in
//! `reads`, the rule's outcome is `unknown`. `need` does the same for dotted paths. `get`
//! returns `()` for a null and an `Unrecorded` for an absent field, on which no decision can
//! be made (see `unrecorded.rs`). A rule asks about recording itself with `has`,
//! `has_value`, `is_null`, `is_absent` and `recorded`, takes the first recorded of several
//! fields with `first_of`, and uses `get_or` only for a field whose absence the dictionary
//! gives a meaning (`jiandu rules check` enforces it).

use rhai::plugin::*;
use rhai::{Dynamic, Map};

use super::record_ref::{RecordRef, declared_path};
use super::unrecorded::{self, Unrecorded};
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
    let segments: Vec<&str> = path.split('.').collect();
    step(record, &segments)
}

/// [`find`] in a map held directly (an element of a list), without wrapping it.
fn find_in_map(map: &Map, path: &str) -> Found {
    let segments: Vec<&str> = path.split('.').collect();
    in_map(map, &segments)
}

fn step(value: &Dynamic, segments: &[&str]) -> Found {
    if segments.is_empty() {
        return if value.is_unit() {
            Found::Null
        } else {
            Found::Value(value.clone())
        };
    }
    if value.is_unit() {
        return Found::Null;
    }
    if let Some(record) = value.read_lock::<RecordRef>() {
        return find_json(record.json(), segments);
    }
    match value.read_lock::<Map>() {
        Some(map) => in_map(&map, segments),
        None => Found::Absent,
    }
}

fn in_map(map: &Map, segments: &[&str]) -> Found {
    let Some((head, rest)) = segments.split_first() else {
        return Found::Absent;
    };
    match map.get(*head) {
        Some(inner) => step(inner, rest),
        None => Found::Absent,
    }
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

/// What `get` gives for an absent field: an `Unrecorded` if the rule declares the field, an
/// error (most likely a typo) if it does not.
fn absent_value(path: &str) -> Result<Dynamic, Box<EvalAltResult>> {
    if !declared_path(path) {
        return Err(format!(
            "the record has no field `{path}` and the rule does not declare it in `reads` (a typo?)"
        )
        .into());
    }
    trace(|| format!("read {path}: absent (未记录)"));
    unrecorded::remember(path);
    Ok(Dynamic::from(Unrecorded {
        path: path.to_owned(),
    }))
}

/// What `get` gives for what `find` found.
fn found_value(found: Found, path: &str) -> Result<Dynamic, Box<EvalAltResult>> {
    match found {
        Found::Absent => absent_value(path),
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

// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod record_api {
    use super::{Found, Signal, absent_value, display, find, found_value, throw, trace};
    use rhai::{Array, Map};
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

    /// The value at `path`; `()` when it is null ("known not to have happened"); when it is
    /// absent ("not recorded"), a value that stops the rule with `unknown` as soon as the rule
    /// compares it or decides on it. It may be put into evidence or a message (未记录).
    #[rhai_fn(pure, return_raw)]
    pub fn get(record: &mut Dynamic, path: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        found_value(find(record, path), path)
    }

    /// `get` on a map (an element of a list such as `officers`, or a look-up summary): the
    /// same policy as on the record. Without it Rhai's own `Map.get` would answer `()` for a
    /// member that is not there.
    #[rhai_fn(name = "get", return_raw)]
    pub fn get_in_map(map: &mut Map, path: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        found_value(super::find_in_map(map, path), path)
    }

    /// The value at `path`, or `default` when the field is absent. Only for a field whose
    /// absence the field dictionary gives a meaning (`jiandu rules check` refuses others).
    #[rhai_fn(pure)]
    pub fn get_or(record: &mut Dynamic, path: &str, default: Dynamic) -> Dynamic {
        match find(record, path) {
            Found::Absent => {
                trace(|| format!("read {path}: absent, taken as {}", display(&default)));
                default
            }
            Found::Null => Dynamic::UNIT,
            Found::Value(v) => {
                trace(|| format!("read {path} = {}", display(&v)));
                v
            }
        }
    }

    /// The first of `paths` that holds a value. When none does: `()` if every one is null,
    /// else not recorded (the first absent one), since an absent one might have held it.
    #[rhai_fn(pure, return_raw)]
    pub fn first_of(record: &mut Dynamic, paths: Array) -> Result<Dynamic, Box<EvalAltResult>> {
        let mut first_absent: Option<String> = None;
        for path in &paths {
            let path = path
                .clone()
                .into_immutable_string()
                .map_err(|t| -> Box<EvalAltResult> {
                    format!("first_of takes field names, not {t}").into()
                })?;
            match find(record, &path) {
                Found::Value(v) => {
                    trace(|| format!("first_of: {path} = {}", display(&v)));
                    return Ok(v);
                }
                Found::Null => {}
                Found::Absent => {
                    first_absent.get_or_insert_with(|| path.to_string());
                }
            }
        }
        match first_absent {
            Some(path) => absent_value(&path),
            None => Ok(Dynamic::UNIT),
        }
    }

    /// Whether the field is present with a value (neither absent nor null).
    #[rhai_fn(pure)]
    pub fn has_value(record: &mut Dynamic, path: &str) -> bool {
        matches!(find(record, path), Found::Value(_))
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

    /// Checks a set of things a document or a procedure must have: `items` maps each field of
    /// `object` to the words for it. Returns `#{missing, unrecorded}`: the words of the fields
    /// known to be lacking (false, null or empty) and the fields not recorded at all.
    #[rhai_fn(pure, return_raw)]
    pub fn check_items(object: &mut Dynamic, items: Map) -> Result<Map, Box<EvalAltResult>> {
        let mut missing = Array::new();
        let mut unrecorded = Array::new();
        for (key, words) in &items {
            match find(object, key) {
                Found::Absent => {
                    if !super::declared_path(key) {
                        return Err(format!(
                            "check_items: `{key}` is not declared in `reads` (a typo?)"
                        )
                        .into());
                    }
                    unrecorded.push(key.to_string().into());
                }
                Found::Null => missing.push(words.clone()),
                Found::Value(v) => {
                    let lacking = match v.as_bool() {
                        Ok(flag) => !flag,
                        Err(_) => v
                            .clone()
                            .into_immutable_string()
                            .is_ok_and(|s| s.trim().is_empty()),
                    };
                    if lacking {
                        missing.push(words.clone());
                    }
                }
            }
        }
        trace(|| {
            format!(
                "check_items: {} missing, {} not recorded",
                missing.len(),
                unrecorded.len()
            )
        });
        let mut out = Map::new();
        out.insert("missing".into(), missing.into());
        out.insert("unrecorded".into(), unrecorded.into());
        Ok(out)
    }

    /// Writes a line into the `jiandu explain` trace (no effect otherwise).
    pub fn note(label: &str, value: Dynamic) {
        trace(|| format!("{label}: {}", display(&value)));
    }
}
