//! `Date`, `Moment` and `Money` as Rhai types, with comparisons and arithmetic.

use rhai::plugin::*;

/// Calendar days added in one step may not leave this range (chrono's limits are far wider;
/// a larger number is a bug in the rule).
const MAX_DAYS: i64 = 100_000;

fn checked_days(n: i64) -> Result<i64, Box<EvalAltResult>> {
    if (-MAX_DAYS..=MAX_DAYS).contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} days is out of range (at most {MAX_DAYS})").into())
    }
}

/// `d` + `n` days, or a Rhai error when `n` or the result is out of range: a loop adding days
/// can never push chrono past its limits.
pub(crate) fn shift_days(
    d: jiandu_model::Date,
    n: i64,
) -> Result<jiandu_model::Date, Box<EvalAltResult>> {
    d.checked_add_days(checked_days(n)?)
        .ok_or_else(|| format!("{d} + {n} days leaves the years 1–9999").into())
}

/// An amount the arithmetic could not hold: the rule stops with `error`, never wraps.
pub(crate) fn money_overflow(what: &str) -> Box<EvalAltResult> {
    format!("amount out of range in {what}").into()
}

/// Dates (`YYYY-MM-DD`): compare them, add or subtract calendar days, subtract two dates.
// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod date_api {
    use super::shift_days;
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    pub type Date = jiandu_model::Date;

    /// Parses a date written `YYYY-MM-DD`.
    #[rhai_fn(name = "date", return_raw)]
    pub fn parse(text: &str) -> Result<Date, Box<EvalAltResult>> {
        Date::parse(text).map_err(|e| e.to_string().into())
    }
    #[rhai_fn(get = "year", pure)]
    pub fn year(d: &mut Date) -> INT {
        d.year() as INT
    }
    #[rhai_fn(get = "month", pure)]
    pub fn month(d: &mut Date) -> INT {
        d.month() as INT
    }
    #[rhai_fn(get = "day", pure)]
    pub fn day(d: &mut Date) -> INT {
        d.day() as INT
    }
    /// 1 = Monday … 7 = Sunday.
    #[rhai_fn(get = "weekday", pure)]
    pub fn weekday(d: &mut Date) -> INT {
        d.weekday().number_from_monday() as INT
    }
    #[rhai_fn(name = "==")]
    pub fn eq(a: Date, b: Date) -> bool {
        a == b
    }
    #[rhai_fn(name = "!=")]
    pub fn ne(a: Date, b: Date) -> bool {
        a != b
    }
    #[rhai_fn(name = "<")]
    pub fn lt(a: Date, b: Date) -> bool {
        a < b
    }
    #[rhai_fn(name = "<=")]
    pub fn le(a: Date, b: Date) -> bool {
        a <= b
    }
    #[rhai_fn(name = ">")]
    pub fn gt(a: Date, b: Date) -> bool {
        a > b
    }
    #[rhai_fn(name = ">=")]
    pub fn ge(a: Date, b: Date) -> bool {
        a >= b
    }
    /// The date `n` calendar days later (no roll-forward; see `deadline_days`).
    #[rhai_fn(name = "+", return_raw)]
    pub fn plus(d: Date, n: INT) -> Result<Date, Box<EvalAltResult>> {
        shift_days(d, n)
    }
    #[rhai_fn(name = "-", return_raw)]
    pub fn minus(d: Date, n: INT) -> Result<Date, Box<EvalAltResult>> {
        shift_days(d, n.checked_neg().unwrap_or(INT::MAX))
    }
    /// Calendar days from `b` to `a`.
    #[rhai_fn(name = "-")]
    pub fn diff(a: Date, b: Date) -> INT {
        b.days_until(a)
    }
    #[rhai_fn(name = "min")]
    pub fn min(a: Date, b: Date) -> Date {
        a.min(b)
    }
    #[rhai_fn(name = "max")]
    pub fn max(a: Date, b: Date) -> Date {
        a.max(b)
    }
    #[rhai_fn(name = "to_string", name = "to_debug", pure)]
    pub fn to_string(d: &mut Date) -> String {
        d.to_string()
    }
}

/// Moments (RFC 3339, Beijing time): compare them, take their date and time of day.
// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod moment_api {
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};
    pub type Moment = jiandu_model::Moment;
    pub type Date = jiandu_model::Date;

    /// Parses an RFC 3339 moment such as `2025-03-01T09:30:00+08:00`.
    #[rhai_fn(name = "moment", return_raw)]
    pub fn parse(text: &str) -> Result<Moment, Box<EvalAltResult>> {
        Moment::parse(text).map_err(|e| e.to_string().into())
    }
    /// The Beijing calendar day of the moment.
    #[rhai_fn(get = "date", pure)]
    pub fn date(m: &mut Moment) -> Date {
        m.date()
    }
    #[rhai_fn(get = "hour", pure)]
    pub fn hour(m: &mut Moment) -> INT {
        (m.minute_of_day() / 60) as INT
    }
    #[rhai_fn(get = "minute", pure)]
    pub fn minute(m: &mut Moment) -> INT {
        (m.minute_of_day() % 60) as INT
    }
    /// Minutes since midnight, Beijing time.
    #[rhai_fn(get = "minute_of_day", pure)]
    pub fn minute_of_day(m: &mut Moment) -> INT {
        m.minute_of_day() as INT
    }
    /// Clock hours from `a` to `b` (negative when `b` is earlier); holidays do not stop them.
    pub fn hours_between(a: Moment, b: Moment) -> FLOAT {
        a.hours_until(b)
    }
    /// The moment `hours` clock hours later.
    #[rhai_fn(return_raw)]
    pub fn add_hours(m: Moment, hours: INT) -> Result<Moment, Box<EvalAltResult>> {
        if !(-24 * 100_000..=24 * 100_000).contains(&hours) {
            return Err(format!("{hours} hours is out of range").into());
        }
        Ok(m.add_seconds(hours * 3600))
    }
    #[rhai_fn(name = "==")]
    pub fn eq(a: Moment, b: Moment) -> bool {
        a == b
    }
    #[rhai_fn(name = "!=")]
    pub fn ne(a: Moment, b: Moment) -> bool {
        a != b
    }
    #[rhai_fn(name = "<")]
    pub fn lt(a: Moment, b: Moment) -> bool {
        a < b
    }
    #[rhai_fn(name = "<=")]
    pub fn le(a: Moment, b: Moment) -> bool {
        a <= b
    }
    #[rhai_fn(name = ">")]
    pub fn gt(a: Moment, b: Moment) -> bool {
        a > b
    }
    #[rhai_fn(name = ">=")]
    pub fn ge(a: Moment, b: Moment) -> bool {
        a >= b
    }
    #[rhai_fn(name = "to_string", name = "to_debug", pure)]
    pub fn to_string(m: &mut Moment) -> String {
        m.to_string()
    }
}

/// Money in yuan, exact to the fen. Compares with whole or decimal yuan: `fine <= 200`.
// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod money_api {
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};
    pub type Money = jiandu_model::Money;

    use super::money_overflow;

    /// Whole fen of a decimal number of yuan, or `None` when it is not finite or too large.
    fn fen_of(yuan: FLOAT) -> Option<i64> {
        let fen = (yuan * 100.0).round();
        // ±2^62 fen: well inside i64, so the cast below is exact for every accepted value.
        (fen.is_finite() && fen.abs() < 4.6e18).then_some(fen as i64)
    }

    fn yuan_fen(yuan: INT) -> i128 {
        i128::from(yuan) * 100
    }

    /// An amount of `yuan` yuan.
    #[rhai_fn(name = "money", return_raw)]
    pub fn from_int(yuan: INT) -> Result<Money, Box<EvalAltResult>> {
        Money::checked_from_yuan(yuan).ok_or_else(|| money_overflow("money()"))
    }
    #[rhai_fn(name = "money", return_raw)]
    pub fn from_float(yuan: FLOAT) -> Result<Money, Box<EvalAltResult>> {
        fen_of(yuan)
            .map(Money::from_fen)
            .ok_or_else(|| money_overflow("money()"))
    }
    #[rhai_fn(name = "money", return_raw)]
    pub fn from_str(yuan: &str) -> Result<Money, Box<EvalAltResult>> {
        Money::parse(yuan).map_err(|e| e.to_string().into())
    }
    #[rhai_fn(get = "yuan", pure)]
    pub fn yuan(m: &mut Money) -> FLOAT {
        m.fen() as FLOAT / 100.0
    }
    #[rhai_fn(get = "fen", pure)]
    pub fn fen(m: &mut Money) -> INT {
        m.fen()
    }
    #[rhai_fn(name = "+", return_raw)]
    pub fn plus(a: Money, b: Money) -> Result<Money, Box<EvalAltResult>> {
        a.checked_add(b).ok_or_else(|| money_overflow("+"))
    }
    #[rhai_fn(name = "-", return_raw)]
    pub fn minus(a: Money, b: Money) -> Result<Money, Box<EvalAltResult>> {
        a.checked_sub(b).ok_or_else(|| money_overflow("-"))
    }
    #[rhai_fn(name = "*", return_raw)]
    pub fn times(a: Money, n: INT) -> Result<Money, Box<EvalAltResult>> {
        a.checked_mul(n).ok_or_else(|| money_overflow("*"))
    }
    /// `pct` percent of the amount, rounded half up to the fen, in exact integer arithmetic.
    #[rhai_fn(name = "percent", return_raw)]
    pub fn percent(a: Money, pct: INT) -> Result<Money, Box<EvalAltResult>> {
        a.checked_ratio(pct, 100)
            .ok_or_else(|| money_overflow("percent()"))
    }
    /// `pct` percent for a decimal rate such as `0.5`: the rate is read as the decimal it is
    /// written as (at most 6 places), never as a binary fraction.
    #[rhai_fn(name = "percent", return_raw)]
    pub fn percent_decimal(a: Money, pct: FLOAT) -> Result<Money, Box<EvalAltResult>> {
        let micro = (pct * 1_000_000.0).round();
        if !micro.is_finite()
            || micro.abs() > 9.0e15
            || (micro / 1_000_000.0 - pct).abs() > 1e-9 * pct.abs().max(1.0)
        {
            return Err(format!(
                "percent({pct}): the rate must be a decimal with at most 6 places"
            )
            .into());
        }
        a.checked_ratio(micro as i64, 100_000_000)
            .ok_or_else(|| money_overflow("percent()"))
    }
    #[rhai_fn(name = "min")]
    pub fn min(a: Money, b: Money) -> Money {
        a.min(b)
    }
    #[rhai_fn(name = "max")]
    pub fn max(a: Money, b: Money) -> Money {
        a.max(b)
    }
    #[rhai_fn(name = "==")]
    pub fn eq(a: Money, b: Money) -> bool {
        a == b
    }
    #[rhai_fn(name = "!=")]
    pub fn ne(a: Money, b: Money) -> bool {
        a != b
    }
    #[rhai_fn(name = "<")]
    pub fn lt(a: Money, b: Money) -> bool {
        a < b
    }
    #[rhai_fn(name = "<=")]
    pub fn le(a: Money, b: Money) -> bool {
        a <= b
    }
    #[rhai_fn(name = ">")]
    pub fn gt(a: Money, b: Money) -> bool {
        a > b
    }
    #[rhai_fn(name = ">=")]
    pub fn ge(a: Money, b: Money) -> bool {
        a >= b
    }
    #[rhai_fn(name = "==")]
    pub fn eq_int(a: Money, b: INT) -> bool {
        i128::from(a.fen()) == yuan_fen(b)
    }
    #[rhai_fn(name = "!=")]
    pub fn ne_int(a: Money, b: INT) -> bool {
        i128::from(a.fen()) != yuan_fen(b)
    }
    #[rhai_fn(name = "<")]
    pub fn lt_int(a: Money, b: INT) -> bool {
        i128::from(a.fen()) < yuan_fen(b)
    }
    #[rhai_fn(name = "<=")]
    pub fn le_int(a: Money, b: INT) -> bool {
        i128::from(a.fen()) <= yuan_fen(b)
    }
    #[rhai_fn(name = ">")]
    pub fn gt_int(a: Money, b: INT) -> bool {
        i128::from(a.fen()) > yuan_fen(b)
    }
    #[rhai_fn(name = ">=")]
    pub fn ge_int(a: Money, b: INT) -> bool {
        i128::from(a.fen()) >= yuan_fen(b)
    }
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_float(a: Money, b: FLOAT) -> Result<bool, Box<EvalAltResult>> {
        Ok(a.fen() == fen_of(b).ok_or_else(|| money_overflow("=="))?)
    }
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_float(a: Money, b: FLOAT) -> Result<bool, Box<EvalAltResult>> {
        Ok(a.fen() < fen_of(b).ok_or_else(|| money_overflow("<"))?)
    }
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_float(a: Money, b: FLOAT) -> Result<bool, Box<EvalAltResult>> {
        Ok(a.fen() <= fen_of(b).ok_or_else(|| money_overflow("<="))?)
    }
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_float(a: Money, b: FLOAT) -> Result<bool, Box<EvalAltResult>> {
        Ok(a.fen() > fen_of(b).ok_or_else(|| money_overflow(">"))?)
    }
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_float(a: Money, b: FLOAT) -> Result<bool, Box<EvalAltResult>> {
        Ok(a.fen() >= fen_of(b).ok_or_else(|| money_overflow(">="))?)
    }
    /// `1,150,000.00`: two decimals and thousands separators, as amounts are written.
    #[rhai_fn(name = "to_string", name = "to_debug", pure)]
    pub fn to_string(m: &mut Money) -> String {
        super::money_text(*m)
    }
}

/// `1234567.5` yuan as `1,234,567.50`.
pub(crate) fn money_text(m: jiandu_model::Money) -> String {
    let fen = m.fen();
    let sign = if fen < 0 { "-" } else { "" };
    let (whole, cents) = (fen.unsigned_abs() / 100, fen.unsigned_abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{cents:02}")
}

/// Lists written for people: `join(["甲", "乙"], "、")` is `甲、乙`, not `["甲", "乙"]`.
// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod text_api {
    use rhai::Array;
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    /// A decimal number in a message, as a person writes it: one decimal (`25.3` hours);
    /// a whole number without one (`24`).
    #[rhai_fn(name = "to_string", name = "to_debug")]
    pub fn float_text(x: FLOAT) -> String {
        let rounded = (x * 10.0).round() / 10.0;
        if rounded.fract() == 0.0 {
            format!("{rounded:.0}")
        } else {
            format!("{rounded:.1}")
        }
    }

    /// The Chinese label of a code of a field's vocabulary: `label("penalty_types", "fine")`
    /// is `罚款`; a code without a label is returned as it is.
    pub fn label(field: &str, code: &str) -> String {
        let d = jiandu_model::record::dictionary::dictionary();
        d.field(field)
            .and_then(|f| d.vocabulary_of(f))
            .and_then(|v| v.label(code))
            .unwrap_or(code)
            .to_owned()
    }

    /// The labels of a list of codes, joined with `、`.
    pub fn labels(field: &str, codes: Array) -> String {
        codes
            .iter()
            .map(|c| label(field, &c.to_string()))
            .collect::<Vec<_>>()
            .join("、")
    }

    /// The elements of a list as text, separated by `separator` (strings without quotes).
    pub fn join(list: Array, separator: &str) -> String {
        list.iter()
            .map(|item| match item.clone().into_immutable_string() {
                Ok(text) => text.to_string(),
                Err(_) => item.to_string(),
            })
            .collect::<Vec<_>>()
            .join(separator)
    }
}
