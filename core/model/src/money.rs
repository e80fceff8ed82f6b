//! `Money`: an amount in yuan held as integer fen, so thresholds such as "200 元以下" compare exactly.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A non-negative amount of Chinese yuan, exact to the fen (0.01 yuan).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money {
    fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{input}` is not an amount in yuan with at most two decimals (e.g. 200 or 1234.50): {why}"
)]
pub struct MoneyParseError {
    pub input: String,
    pub why: &'static str,
}

impl Money {
    pub const ZERO: Money = Money { fen: 0 };

    pub fn from_fen(fen: i64) -> Money {
        Money { fen }
    }

    pub fn from_yuan(yuan: i64) -> Money {
        Money { fen: yuan * 100 }
    }

    /// `yuan` whole yuan, or `None` when the fen do not fit.
    pub fn checked_from_yuan(yuan: i64) -> Option<Money> {
        yuan.checked_mul(100).map(Money::from_fen)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.fen.checked_add(other.fen).map(Money::from_fen)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.fen.checked_sub(other.fen).map(Money::from_fen)
    }

    pub fn checked_mul(self, n: i64) -> Option<Money> {
        self.fen.checked_mul(n).map(Money::from_fen)
    }

    /// `numerator / denominator` of the amount, rounded half away from zero to the fen, in
    /// exact integer arithmetic (a percentage is `pct / 100`); `None` when it does not fit.
    pub fn checked_ratio(self, numerator: i64, denominator: i64) -> Option<Money> {
        if denominator == 0 {
            return None;
        }
        let product = i128::from(self.fen) * i128::from(numerator);
        let d = i128::from(denominator);
        let (q, r) = (product / d, product % d);
        let rounded = if 2 * r.abs() >= d.abs() {
            q + if (product < 0) == (d < 0) { 1 } else { -1 }
        } else {
            q
        };
        i64::try_from(rounded).ok().map(Money::from_fen)
    }

    pub fn fen(self) -> i64 {
        self.fen
    }

    /// Parses `200`, `200.5`, `200.50`. Signs, thousands separators, currency marks and a
    /// third decimal are refused: an amount the law compares must be written plainly.
    pub fn parse(input: &str) -> Result<Money, MoneyParseError> {
        let err = |why| MoneyParseError {
            input: input.to_owned(),
            why,
        };
        let (whole, frac) = match input.split_once('.') {
            Some((w, f)) => (w, f),
            None => (input, ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("the whole part must be digits"));
        }
        if input.contains('.') && frac.is_empty() {
            return Err(err("a decimal point must be followed by digits"));
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("the decimal part must be digits"));
        }
        if frac.len() > 2 {
            return Err(err("more than two decimals"));
        }
        if whole.len() > 15 {
            return Err(err("too large"));
        }
        let whole: i64 = whole.parse().map_err(|_| err("too large"))?;
        let frac_fen: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| err("bad decimals"))? * 10,
            _ => frac.parse::<i64>().map_err(|_| err("bad decimals"))?,
        };
        Ok(Money {
            fen: whole * 100 + frac_fen,
        })
    }

    /// Reads a JSON number or string. JSON numbers are parsed from their shortest decimal
    /// form, so `0.1` is ten fen, never a binary approximation.
    pub fn from_json(value: &serde_json::Value) -> Result<Money, MoneyParseError> {
        match value {
            serde_json::Value::Number(n) => Money::parse(&n.to_string()),
            serde_json::Value::String(s) => Money::parse(s.trim()),
            other => Err(MoneyParseError {
                input: other.to_string(),
                why: "not a number",
            }),
        }
    }

    /// The amount in yuan as a JSON number (for records handed to rules).
    pub fn to_json(self) -> serde_json::Value {
        if self.fen % 100 == 0 {
            serde_json::Value::from(self.fen / 100)
        } else {
            serde_json::Number::from_f64(self.fen as f64 / 100.0)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null)
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.fen < 0 { "-" } else { "" };
        let abs = self.fen.unsigned_abs();
        if abs % 100 == 0 {
            write!(f, "{sign}{}", abs / 100)
        } else {
            write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
        }
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self} yuan")
    }
}

impl FromStr for Money {
    type Err = MoneyParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Money::from_json(&value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, fen: Option<i64>) {
        assert_eq!(Money::parse(input).ok().map(Money::fen), fen, "{input}");
    }

    #[test]
    fn parses_plain_yuan_amounts() {
        check("200", Some(20_000));
        check("200.5", Some(20_050));
        check("200.05", Some(20_005));
        check("0.1", Some(10));
        check("200.005", None);
        check("-5", None);
        check("1,000", None);
        check("¥5", None);
        check("", None);
        check("5.", None);
        check(".5", None);
    }

    #[test]
    fn reads_json_numbers_exactly() {
        let v: serde_json::Value = serde_json::from_str("[0.1, 3000, \"12.30\", true]").unwrap();
        assert_eq!(Money::from_json(&v[0]).unwrap().fen(), 10);
        assert_eq!(Money::from_json(&v[1]).unwrap().fen(), 300_000);
        assert_eq!(Money::from_json(&v[2]).unwrap().fen(), 1_230);
        assert!(Money::from_json(&v[3]).is_err());
    }

    #[test]
    fn displays_without_needless_decimals() {
        assert_eq!(Money::from_fen(20_000).to_string(), "200");
        assert_eq!(Money::from_fen(20_050).to_string(), "200.50");
        assert_eq!(Money::from_fen(20_050).to_json().to_string(), "200.5");
    }
}
