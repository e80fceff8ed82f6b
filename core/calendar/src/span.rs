//! A legal date known to lie between two days: what a deadline is while the State Council's
//! notice for a year it reaches is not yet known.

use std::fmt;

use jiandu_model::Date;

/// The earliest and latest day a date can be, and the notices whose absence leaves it open.
/// A span with `earliest == latest` is exact whatever notices are missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub earliest: Date,
    pub latest: Date,
    /// The years whose notice would fix the date (empty when exact), ascending.
    pub missing_notices: Vec<i32>,
}

impl Span {
    pub fn exact_day(date: Date) -> Span {
        Span {
            earliest: date,
            latest: date,
            missing_notices: Vec::new(),
        }
    }

    pub(crate) fn between(a: Date, b: Date, mut missing: Vec<i32>) -> Span {
        let (earliest, latest) = (a.min(b), a.max(b));
        if earliest == latest {
            missing.clear();
        }
        missing.sort_unstable();
        missing.dedup();
        Span {
            earliest,
            latest,
            missing_notices: missing,
        }
    }

    /// The date, when the span is a single day.
    pub fn exact(&self) -> Option<Date> {
        (self.earliest == self.latest).then_some(self.earliest)
    }

    pub fn contains(&self, date: Date) -> bool {
        self.earliest <= date && date <= self.latest
    }

    /// The span moved by `days` calendar days (no roll-forward).
    pub fn add_days(&self, days: i64) -> Span {
        Span {
            earliest: self.earliest.add_days(days),
            latest: self.latest.add_days(days),
            missing_notices: self.missing_notices.clone(),
        }
    }

    /// Whether `date` is on or before the span's day: `Some` when every day of the span gives
    /// the same answer, `None` when it depends on the missing notice.
    pub fn date_on_or_before(&self, date: Date) -> Option<bool> {
        if date <= self.earliest {
            Some(true)
        } else if date > self.latest {
            Some(false)
        } else {
            None
        }
    }

    /// `2027年国务院放假安排` notices this span waits for, in words.
    pub fn missing_in_words(&self) -> String {
        self.missing_notices
            .iter()
            .map(|y| format!("{y} 年"))
            .collect::<Vec<_>>()
            .join("、")
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.exact() {
            Some(date) => write!(f, "{date}"),
            None => write!(f, "{} – {}", self.earliest, self.latest),
        }
    }
}
