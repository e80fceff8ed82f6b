//! The record as scripts see it: a custom type holding the record's JSON behind an `Arc`, so
//! passing it to any function costs a reference count, never a copy. `r.field` reads a field
//! through the indexer, which converts just that field (dates to `Date`, amounts to `Money` …)
//! and applies the missing-field policy itself.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use rhai::{Dynamic, EvalAltResult, Position};
use serde_json::{Map, Value};

use super::{Signal, throw};
use crate::convert::field_to_dynamic;

#[derive(Debug, Clone)]
pub struct RecordRef(pub(crate) Arc<Map<String, Value>>);

impl RecordRef {
    pub fn json(&self) -> &Map<String, Value> {
        &self.0
    }
}

thread_local! {
    /// The fields the rule now running declares in `reads`.
    static DECLARED: RefCell<Option<Arc<HashSet<String>>>> = const { RefCell::new(None) };
}

/// Sets the declared fields for the rule about to run on this thread.
pub(crate) fn set_declared(declared: Arc<HashSet<String>>) {
    DECLARED.with(|d| *d.borrow_mut() = Some(declared));
}

fn declared(field: &str) -> bool {
    DECLARED.with(|d| d.borrow().as_ref().is_some_and(|set| set.contains(field)))
}

/// Whether every segment of a dotted path is a name the running rule declares in `reads`.
pub(crate) fn declared_path(path: &str) -> bool {
    path.split('.').all(declared)
}

/// `r.field` and `r["field"]`: the value (`()` for a present null). An absent field the rule
/// declares stops the rule with `unknown`; an absent field it does not declare is an error,
/// because it is most likely a typo.
pub(crate) fn index(record: &mut RecordRef, field: &str) -> Result<Dynamic, Box<EvalAltResult>> {
    match record.0.get(field) {
        Some(value) => Ok(field_to_dynamic(&[field], value)),
        None if declared(field) => Err(throw(Signal::Absent {
            field: field.to_owned(),
        })),
        None => Err(EvalAltResult::ErrorRuntime(
            format!("the record has no field `{field}` and the rule does not declare it in `reads` (a typo?)").into(),
            Position::NONE,
        )
        .into()),
    }
}
