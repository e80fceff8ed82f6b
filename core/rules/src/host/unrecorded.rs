//! "Not recorded" as a value. `get(r, "f")` on an absent field returns an `Unrecorded`
//! instead of `()`, so that a rule can carry it (into evidence, into a message) but cannot
//! *decide* on it: comparing it, negating it, measuring it or doing arithmetic with it stops
//! the rule with `unknown`, naming the field. `get(r, "f") != true` on an absent field is
//! then `unknown`, never "known false". A rule that can decide without the field asks first:
//! `recorded(v)`, `is_absent(r, "f")`, `first_of(r, [...])`.

use std::cell::RefCell;

use rhai::plugin::*;

use super::{Signal, throw};

/// A field that is absent from the record ("not recorded"); `path` as the rule asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecorded {
    pub path: String,
}

thread_local! {
    /// The last field a rule on this thread read as unrecorded: Rhai reports a type error
    /// (an `if` on it, an `&&` with it) without the value, so the evaluator looks here.
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub(crate) fn remember(path: &str) {
    LAST.with(|last| *last.borrow_mut() = Some(path.to_owned()));
}

pub(crate) fn forget() {
    LAST.with(|last| *last.borrow_mut() = None);
}

pub(crate) fn last() -> Option<String> {
    LAST.with(|last| last.borrow().clone())
}

/// Looping over something not recorded stops the rule at once: nothing is known of its items.
impl IntoIterator for Unrecorded {
    type Item = Result<Dynamic, Box<EvalAltResult>>;
    type IntoIter = std::iter::Once<Self::Item>;

    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(Err(stop(&self)))
    }
}

fn stop(u: &Unrecorded) -> Box<EvalAltResult> {
    throw(Signal::Absent {
        field: u.path.clone(),
    })
}

/// Every comparison and `+`/`-` with a value not recorded, either side, stops the rule.
///
/// Rhai answers `==` and `!=` between two different built-in-looking types by itself (false,
/// true) unless a function for exactly those types exists, so each type a field can hold
/// gets its own pair; the `Dynamic` ones catch the rest.
pub(crate) fn operators() -> Module {
    use jiandu_model::{Date, Moment, Money};
    use rhai::{Array, FLOAT, INT, ImmutableString, Map};

    let mut module = Module::new();
    macro_rules! refuse {
        ($ops:expr, $result:ty; $($other:ty),+) => {$(
            for op in $ops {
                module.set_native_fn(op, |a: Unrecorded, _b: $other| -> Result<$result, Box<EvalAltResult>> {
                    Err(stop(&a))
                });
                module.set_native_fn(op, |_a: $other, b: Unrecorded| -> Result<$result, Box<EvalAltResult>> {
                    Err(stop(&b))
                });
            }
        )+};
    }
    refuse!(["==", "!="], bool; ImmutableString, INT, FLOAT, bool, (), Date, Moment, Money, Array, Map);
    refuse!(["<", "<=", ">", ">="], bool; ImmutableString, INT, FLOAT, Date, Moment, Money);
    refuse!(["==", "!=", "<", "<=", ">", ">="], bool; Dynamic);
    refuse!(["+", "-"], Dynamic; Dynamic);
    module
}

// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod unrecorded_api {
    use super::stop;
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    pub type Unrecorded = super::Unrecorded;

    /// Whether a value was recorded: `false` only for what `get` returns for an absent field.
    #[rhai_fn(name = "recorded")]
    pub fn recorded_unrecorded(_value: Unrecorded) -> bool {
        false
    }
    #[rhai_fn(name = "recorded")]
    pub fn recorded_any(_value: Dynamic) -> bool {
        true
    }

    #[rhai_fn(name = "!", return_raw)]
    pub fn not(a: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "len", pure, return_raw)]
    pub fn len(a: &mut Unrecorded) -> Result<INT, Box<EvalAltResult>> {
        Err(stop(a))
    }
    #[rhai_fn(name = "is_empty", pure, return_raw)]
    pub fn is_empty(a: &mut Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(a))
    }
    #[rhai_fn(name = "contains", return_raw)]
    pub fn contains(a: Unrecorded, _b: Dynamic) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "keys", pure, return_raw)]
    pub fn keys(a: &mut Unrecorded) -> Result<rhai::Array, Box<EvalAltResult>> {
        Err(stop(a))
    }
    /// A member of something not recorded is not recorded either.
    #[rhai_fn(index_get, pure)]
    pub fn member(a: &mut Unrecorded, name: &str) -> Unrecorded {
        Unrecorded {
            path: format!("{}.{name}", a.path),
        }
    }
    #[rhai_fn(index_get, pure)]
    pub fn element(a: &mut Unrecorded, _index: INT) -> Unrecorded {
        a.clone()
    }
    #[rhai_fn(name = "to_string", name = "to_debug", pure)]
    pub fn to_string(_a: &mut Unrecorded) -> String {
        "未记录".to_owned()
    }
    #[rhai_fn(get = "path", pure)]
    pub fn path(a: &mut Unrecorded) -> String {
        a.path.clone()
    }
}
