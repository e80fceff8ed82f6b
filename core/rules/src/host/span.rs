//! A deadline that waits for a State Council notice not yet in the calendar, as scripts see it:
//! `deadline_wd(…)` returns a `Date` when the calendar fixes the day, else a `DateSpan`
//! holding the earliest and latest day it can be. Comparing a date with a span decides when
//! the date falls outside it (before the earliest: in time; after the latest: late) and
//! stops the rule with `unknown`, naming the missing notice, when it falls inside.

use jiandu_calendar::Span;
use jiandu_model::Date;
use rhai::plugin::*;

use super::{Signal, throw};

/// The deadline, or a span, as one script value.
pub(crate) fn to_dynamic(span: Span) -> Dynamic {
    match span.exact() {
        Some(date) => Dynamic::from(date),
        None => Dynamic::from(span),
    }
}

fn undecided(span: &Span) -> Box<EvalAltResult> {
    throw(Signal::NoCalendar {
        year: span.missing_notices.first().copied().unwrap_or_default(),
    })
}

/// `date <= span`, decided or not.
pub(crate) fn on_or_before(date: Date, span: &Span) -> Result<bool, Box<EvalAltResult>> {
    span.date_on_or_before(date).ok_or_else(|| undecided(span))
}

fn decided(
    a: &Span,
    b: &Span,
    test: impl Fn(Date, Date) -> bool,
) -> Result<bool, Box<EvalAltResult>> {
    // The answer holds if it is the same at both ends of both spans.
    let answers = [
        test(a.earliest, b.earliest),
        test(a.earliest, b.latest),
        test(a.latest, b.earliest),
        test(a.latest, b.latest),
    ];
    if answers.iter().all(|x| *x == answers[0]) {
        Ok(answers[0])
    } else if a.exact().is_none() {
        Err(undecided(a))
    } else {
        Err(undecided(b))
    }
}

/// Whether a date is the span's day: known only when the date lies outside the span.
fn equal(date: Date, span: &Span) -> Result<bool, Box<EvalAltResult>> {
    match span.exact() {
        Some(day) => Ok(day == date),
        None if span.contains(date) => Err(undecided(span)),
        None => Ok(false),
    }
}

// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod span_api {
    use super::{Span, decided};
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    pub type DateSpan = Span;
    pub type Date = jiandu_model::Date;

    #[rhai_fn(get = "earliest", pure)]
    pub fn earliest(s: &mut DateSpan) -> Date {
        s.earliest
    }
    #[rhai_fn(get = "latest", pure)]
    pub fn latest(s: &mut DateSpan) -> Date {
        s.latest
    }

    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_ds(a: Date, b: DateSpan) -> Result<bool, Box<EvalAltResult>> {
        decided(&Span::exact_day(a), &b, |x, y| x < y)
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_ds(a: Date, b: DateSpan) -> Result<bool, Box<EvalAltResult>> {
        decided(&Span::exact_day(a), &b, |x, y| x <= y)
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_ds(a: Date, b: DateSpan) -> Result<bool, Box<EvalAltResult>> {
        decided(&Span::exact_day(a), &b, |x, y| x > y)
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_ds(a: Date, b: DateSpan) -> Result<bool, Box<EvalAltResult>> {
        decided(&Span::exact_day(a), &b, |x, y| x >= y)
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_ds(a: Date, b: DateSpan) -> Result<bool, Box<EvalAltResult>> {
        super::equal(a, &b)
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_ds(a: Date, b: DateSpan) -> Result<bool, Box<EvalAltResult>> {
        super::equal(a, &b).map(|e| !e)
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_sd(a: DateSpan, b: Date) -> Result<bool, Box<EvalAltResult>> {
        decided(&a, &Span::exact_day(b), |x, y| x < y)
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_sd(a: DateSpan, b: Date) -> Result<bool, Box<EvalAltResult>> {
        decided(&a, &Span::exact_day(b), |x, y| x <= y)
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_sd(a: DateSpan, b: Date) -> Result<bool, Box<EvalAltResult>> {
        decided(&a, &Span::exact_day(b), |x, y| x > y)
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_sd(a: DateSpan, b: Date) -> Result<bool, Box<EvalAltResult>> {
        decided(&a, &Span::exact_day(b), |x, y| x >= y)
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_sd(a: DateSpan, b: Date) -> Result<bool, Box<EvalAltResult>> {
        super::equal(b, &a)
    }
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_sd(a: DateSpan, b: Date) -> Result<bool, Box<EvalAltResult>> {
        super::equal(b, &a).map(|e| !e)
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_ss(a: DateSpan, b: DateSpan) -> Result<bool, Box<EvalAltResult>> {
        decided(&a, &b, |x, y| x < y)
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_ss(a: DateSpan, b: DateSpan) -> Result<bool, Box<EvalAltResult>> {
        decided(&a, &b, |x, y| x <= y)
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_ss(a: DateSpan, b: DateSpan) -> Result<bool, Box<EvalAltResult>> {
        decided(&a, &b, |x, y| x > y)
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_ss(a: DateSpan, b: DateSpan) -> Result<bool, Box<EvalAltResult>> {
        decided(&a, &b, |x, y| x >= y)
    }

    /// The span moved by calendar days.
    #[rhai_fn(name = "+", return_raw)]
    pub fn plus(a: DateSpan, n: INT) -> Result<DateSpan, Box<EvalAltResult>> {
        // Both ends move by the same checked step.
        crate::host::values::shift_days(a.earliest, n)?;
        crate::host::values::shift_days(a.latest, n)?;
        Ok(a.add_days(n))
    }
    #[rhai_fn(name = "-", return_raw)]
    pub fn minus(a: DateSpan, n: INT) -> Result<DateSpan, Box<EvalAltResult>> {
        plus(a, n.checked_neg().unwrap_or(INT::MAX))
    }
    /// Calendar days between a date and a span are not one number: decided only if exact.
    #[rhai_fn(name = "-", return_raw)]
    pub fn diff_ds(_a: Date, b: DateSpan) -> Result<INT, Box<EvalAltResult>> {
        Err(super::undecided(&b))
    }
    #[rhai_fn(name = "-", return_raw)]
    pub fn diff_sd(a: DateSpan, _b: Date) -> Result<INT, Box<EvalAltResult>> {
        Err(super::undecided(&a))
    }

    /// `2027-01-02 至 2027-01-15 之间（2027 年放假安排尚未收录）`.
    #[rhai_fn(name = "to_string", name = "to_debug", pure)]
    pub fn to_string(s: &mut DateSpan) -> String {
        format!(
            "{} 至 {} 之间（{}国务院节假日安排尚未收录）",
            s.earliest,
            s.latest,
            s.missing_in_words()
        )
    }
}
