//! Outcome constructors: a check function returns one of these, with a Chinese and an English
//! message and the evidence (the values it compared, the deadline it computed).

use jiandu_model::Outcome;
use rhai::Map;
use rhai::plugin::*;

/// What a check function returns.
#[derive(Debug, Clone)]
pub struct RuleOutcome {
    pub outcome: Outcome,
    pub message_zh: String,
    pub message_en: String,
    pub evidence: Map,
}

fn make(outcome: Outcome, zh: &str, en: &str, evidence: Map) -> RuleOutcome {
    RuleOutcome {
        outcome,
        message_zh: zh.to_owned(),
        message_en: en.to_owned(),
        evidence,
    }
}

// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod outcome_api {
    use super::make;
    use jiandu_model::Outcome;
    use rhai::Map;
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    pub type RuleOutcome = super::RuleOutcome;

    /// The requirement is met.
    #[rhai_fn(name = "pass")]
    pub fn pass0() -> RuleOutcome {
        make(Outcome::Pass, "", "", Map::new())
    }
    /// The requirement is met, with a note of why.
    #[rhai_fn(name = "pass")]
    pub fn pass2(zh: &str, en: &str) -> RuleOutcome {
        make(Outcome::Pass, zh, en, Map::new())
    }
    #[rhai_fn(name = "pass")]
    pub fn pass3(zh: &str, en: &str, evidence: Map) -> RuleOutcome {
        make(Outcome::Pass, zh, en, evidence)
    }
    /// The requirement is broken: Chinese message, English message.
    #[rhai_fn(name = "violation")]
    pub fn violation2(zh: &str, en: &str) -> RuleOutcome {
        make(Outcome::Violation, zh, en, Map::new())
    }
    /// The requirement is broken, with the evidence (a map of the values compared).
    #[rhai_fn(name = "violation")]
    pub fn violation3(zh: &str, en: &str, evidence: Map) -> RuleOutcome {
        make(Outcome::Violation, zh, en, evidence)
    }
    /// Likely broken, or broken under a stricter reading the profile names.
    #[rhai_fn(name = "warning")]
    pub fn warning2(zh: &str, en: &str) -> RuleOutcome {
        make(Outcome::Warning, zh, en, Map::new())
    }
    #[rhai_fn(name = "warning")]
    pub fn warning3(zh: &str, en: &str, evidence: Map) -> RuleOutcome {
        make(Outcome::Warning, zh, en, evidence)
    }
    /// The law leaves discretion here; a person should look.
    #[rhai_fn(name = "hint")]
    pub fn hint2(zh: &str, en: &str) -> RuleOutcome {
        make(Outcome::Hint, zh, en, Map::new())
    }
    #[rhai_fn(name = "hint")]
    pub fn hint3(zh: &str, en: &str, evidence: Map) -> RuleOutcome {
        make(Outcome::Hint, zh, en, evidence)
    }
    /// The rule cannot decide (say why).
    #[rhai_fn(name = "unknown")]
    pub fn unknown2(zh: &str, en: &str) -> RuleOutcome {
        make(Outcome::Unknown, zh, en, Map::new())
    }
    #[rhai_fn(name = "unknown")]
    pub fn unknown3(zh: &str, en: &str, evidence: Map) -> RuleOutcome {
        make(Outcome::Unknown, zh, en, evidence)
    }
    /// The requirement does not apply to this record (say why).
    #[rhai_fn(name = "not_applicable")]
    pub fn not_applicable2(zh: &str, en: &str) -> RuleOutcome {
        make(Outcome::NotApplicable, zh, en, Map::new())
    }
    #[rhai_fn(name = "not_applicable")]
    pub fn not_applicable0() -> RuleOutcome {
        make(Outcome::NotApplicable, "", "", Map::new())
    }
    /// The outcome's name: `"pass"`, `"violation"` …
    #[rhai_fn(get = "outcome", pure)]
    pub fn outcome(o: &mut RuleOutcome) -> String {
        o.outcome.as_str().to_owned()
    }
    #[rhai_fn(name = "to_string", name = "to_debug", pure)]
    pub fn to_string(o: &mut RuleOutcome) -> String {
        format!("{}: {}", o.outcome, o.message_zh)
    }
}
