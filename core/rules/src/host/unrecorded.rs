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

    // Rhai answers `==` and `!=` between two different built-in-looking types by itself unless
    // a function for exactly those types exists: one for each type a field can hold.
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_str_left(a: Unrecorded, _b: &str) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_str_right(_a: &str, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_int_left(a: Unrecorded, _b: INT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_int_right(_a: INT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_float_left(a: Unrecorded, _b: FLOAT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_float_right(_a: FLOAT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_bool_left(a: Unrecorded, _b: bool) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_bool_right(_a: bool, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_unit_left(a: Unrecorded, _b: ()) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_unit_right(_a: (), b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_date_left(a: Unrecorded, _b: jiandu_model::Date) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_date_right(
        _a: jiandu_model::Date,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_moment_left(
        a: Unrecorded,
        _b: jiandu_model::Moment,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_moment_right(
        _a: jiandu_model::Moment,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_money_left(
        a: Unrecorded,
        _b: jiandu_model::Money,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_money_right(
        _a: jiandu_model::Money,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_array_left(a: Unrecorded, _b: rhai::Array) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_array_right(_a: rhai::Array, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_map_left(a: Unrecorded, _b: rhai::Map) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_map_right(_a: rhai::Map, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_str_left(a: Unrecorded, _b: &str) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_str_right(_a: &str, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_int_left(a: Unrecorded, _b: INT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_int_right(_a: INT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_float_left(a: Unrecorded, _b: FLOAT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_float_right(_a: FLOAT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_bool_left(a: Unrecorded, _b: bool) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_bool_right(_a: bool, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_unit_left(a: Unrecorded, _b: ()) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_unit_right(_a: (), b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_date_left(a: Unrecorded, _b: jiandu_model::Date) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_date_right(
        _a: jiandu_model::Date,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_moment_left(
        a: Unrecorded,
        _b: jiandu_model::Moment,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_moment_right(
        _a: jiandu_model::Moment,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_money_left(
        a: Unrecorded,
        _b: jiandu_model::Money,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_money_right(
        _a: jiandu_model::Money,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_array_left(a: Unrecorded, _b: rhai::Array) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_array_right(_a: rhai::Array, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_map_left(a: Unrecorded, _b: rhai::Map) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_map_right(_a: rhai::Map, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_str_left(a: Unrecorded, _b: &str) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_str_right(_a: &str, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_int_left(a: Unrecorded, _b: INT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_int_right(_a: INT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_float_left(a: Unrecorded, _b: FLOAT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_float_right(_a: FLOAT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_date_left(a: Unrecorded, _b: jiandu_model::Date) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_date_right(
        _a: jiandu_model::Date,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_moment_left(
        a: Unrecorded,
        _b: jiandu_model::Moment,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_moment_right(
        _a: jiandu_model::Moment,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_money_left(
        a: Unrecorded,
        _b: jiandu_model::Money,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_money_right(
        _a: jiandu_model::Money,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_str_left(a: Unrecorded, _b: &str) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_str_right(_a: &str, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_int_left(a: Unrecorded, _b: INT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_int_right(_a: INT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_float_left(a: Unrecorded, _b: FLOAT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_float_right(_a: FLOAT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_date_left(a: Unrecorded, _b: jiandu_model::Date) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_date_right(
        _a: jiandu_model::Date,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_moment_left(
        a: Unrecorded,
        _b: jiandu_model::Moment,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_moment_right(
        _a: jiandu_model::Moment,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_money_left(
        a: Unrecorded,
        _b: jiandu_model::Money,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_money_right(
        _a: jiandu_model::Money,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_str_left(a: Unrecorded, _b: &str) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_str_right(_a: &str, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_int_left(a: Unrecorded, _b: INT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_int_right(_a: INT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_float_left(a: Unrecorded, _b: FLOAT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_float_right(_a: FLOAT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_date_left(a: Unrecorded, _b: jiandu_model::Date) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_date_right(
        _a: jiandu_model::Date,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_moment_left(
        a: Unrecorded,
        _b: jiandu_model::Moment,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_moment_right(
        _a: jiandu_model::Moment,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_money_left(
        a: Unrecorded,
        _b: jiandu_model::Money,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_money_right(
        _a: jiandu_model::Money,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_str_left(a: Unrecorded, _b: &str) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_str_right(_a: &str, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_int_left(a: Unrecorded, _b: INT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_int_right(_a: INT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_float_left(a: Unrecorded, _b: FLOAT) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_float_right(_a: FLOAT, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_date_left(a: Unrecorded, _b: jiandu_model::Date) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_date_right(
        _a: jiandu_model::Date,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_moment_left(
        a: Unrecorded,
        _b: jiandu_model::Moment,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_moment_right(
        _a: jiandu_model::Moment,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_money_left(
        a: Unrecorded,
        _b: jiandu_model::Money,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_money_right(
        _a: jiandu_model::Money,
        b: Unrecorded,
    ) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_left(a: Unrecorded, _b: Dynamic) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_right(_a: Dynamic, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_left(a: Unrecorded, _b: Dynamic) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_right(_a: Dynamic, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_left(a: Unrecorded, _b: Dynamic) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_right(_a: Dynamic, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_left(a: Unrecorded, _b: Dynamic) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_right(_a: Dynamic, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_left(a: Unrecorded, _b: Dynamic) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_right(_a: Dynamic, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_left(a: Unrecorded, _b: Dynamic) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_right(_a: Dynamic, b: Unrecorded) -> Result<bool, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "+", return_raw)]
    pub fn plus_left(a: Unrecorded, _b: Dynamic) -> Result<Dynamic, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "+", return_raw)]
    pub fn plus_right(_a: Dynamic, b: Unrecorded) -> Result<Dynamic, Box<EvalAltResult>> {
        Err(stop(&b))
    }
    #[rhai_fn(name = "-", return_raw)]
    pub fn minus_left(a: Unrecorded, _b: Dynamic) -> Result<Dynamic, Box<EvalAltResult>> {
        Err(stop(&a))
    }
    #[rhai_fn(name = "-", return_raw)]
    pub fn minus_right(_a: Dynamic, b: Unrecorded) -> Result<Dynamic, Box<EvalAltResult>> {
        Err(stop(&b))
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
