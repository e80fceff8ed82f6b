//! Outcomes of evaluating one rule on one record (DESIGN §4), and the evaluation itself.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Date, RecordId};

/// What a rule says of a record. Every rule gives every record exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The rule applies and is satisfied.
    Pass,
    /// The rule, or every version of it, does not apply to this record or act date.
    NotApplicable,
    /// The requirement is broken.
    Violation,
    /// Likely broken, or broken under a stricter reading (profile-dependent).
    Warning,
    /// The law leaves discretion here; a person should look.
    Hint,
    /// A needed field is absent, or the calendar has no data for a year the deadline reaches.
    Unknown,
    /// The rule script failed; the message says where.
    Error,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Pass,
        Outcome::NotApplicable,
        Outcome::Violation,
        Outcome::Warning,
        Outcome::Hint,
        Outcome::Unknown,
        Outcome::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::NotApplicable => "not_applicable",
            Outcome::Violation => "violation",
            Outcome::Warning => "warning",
            Outcome::Hint => "hint",
            Outcome::Unknown => "unknown",
            Outcome::Error => "error",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            Outcome::Pass => "合规",
            Outcome::NotApplicable => "不适用",
            Outcome::Violation => "违法",
            Outcome::Warning => "疑似违法",
            Outcome::Hint => "提示",
            Outcome::Unknown => "无法判断",
            Outcome::Error => "规则出错",
        }
    }

    /// Whether this outcome is a finding: `violation`, `warning` or `hint`. `unknown` and
    /// `error` say the record could not be judged; they are gaps, not findings.
    pub fn is_finding(self) -> bool {
        matches!(self, Outcome::Violation | Outcome::Warning | Outcome::Hint)
    }

    /// Whether the rule could not judge the record (`unknown` or `error`).
    pub fn is_gap(self) -> bool {
        matches!(self, Outcome::Unknown | Outcome::Error)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| {
                format!("unknown outcome `{s}`; expected pass, not_applicable, violation, warning, hint, unknown or error")
            })
    }
}

/// One rule's verdict on one record, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub record_id: RecordId,
    pub rule_id: String,
    /// The version that applied (its label, e.g. `2021-07-15`), if one did.
    pub version: Option<String>,
    pub outcome: Outcome,
    /// The legal basis of the version that applied.
    pub basis: Option<String>,
    pub message: String,
    pub message_en: String,
    pub evidence: Map<String, Value>,
    /// The date that selected the version.
    pub act_date: Option<Date>,
}

impl Evaluation {
    /// The output contract of `jiandu check` (DESIGN §10), plus the English message and the
    /// act date.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "record_id": self.record_id,
            "rule_id": self.rule_id,
            "version": self.version,
            "outcome": self.outcome,
            "basis": self.basis,
            "message": self.message,
            "message_en": self.message_en,
            "evidence": self.evidence,
            "act_date": self.act_date,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_and_know_which_are_findings() {
        for outcome in Outcome::ALL {
            assert_eq!(outcome.as_str().parse::<Outcome>(), Ok(outcome));
        }
        assert!(!Outcome::Pass.is_finding());
        assert!(!Outcome::NotApplicable.is_finding());
        assert!(!Outcome::Unknown.is_finding());
        assert!(Outcome::Unknown.is_gap() && Outcome::Error.is_gap());
        assert!(!Outcome::Violation.is_gap());
        assert!(Outcome::Hint.is_finding());
    }
}
