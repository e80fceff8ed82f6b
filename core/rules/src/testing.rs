//! Rule test cases: each rule carries `<RULE-ID>.cases.json` beside it, a list of records with
//! the outcome the law requires and a line saying why. One runner serves `jiandu rules test`
//! for authors and the test suite for CI.
//!
//! ```json
//! [
//!   {"why": "served on the 7th working day, across the 国庆 2025 adjusted working days",
//!    "expect": "pass", "version": "2021-07-15",
//!    "record": {"decision_date": "2025-09-26", "party_present_at_announcement": false,
//!               "service_date": "2025-10-13"}},
//!   {"why": "another reading of the profile", "expect": "violation",
//!    "settings": {"roll_last_day": false}, "record": {…}},
//!   {"why": "a second unit fined the same act", "expect": "violation",
//!    "others": [{"record_id": "P-2", "record_type": "penalty", "act_id": "A1", …}], "record": {…}},
//!   {"why": "the item was not yet listed", "expect": "violation",
//!    "items": [{"item_code": "44011000000100", "name": "…", "listed_from": "2022-03-01"}], "record": {…}}
//! ]
//! ```
//!
//! `record_id` defaults to `<RULE-ID>#<n>` and `record_type` to the rule's first record type.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use jiandu_model::{Evaluation, Outcome, Record, ReferenceKind, ReferenceRow};
use serde::Deserialize;
use serde_json::Value;

use crate::pack::Rule;
use crate::{Evaluator, Lookups, RuleError, RuleSet};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub why: String,
    pub expect: Outcome,
    /// The version label the case must select.
    #[serde(default)]
    pub version: Option<String>,
    /// Text the Chinese or English message must contain.
    #[serde(default)]
    pub message_contains: Option<String>,
    /// Profile settings replaced for this case.
    #[serde(default)]
    pub settings: BTreeMap<String, toml::Value>,
    /// Other records the cross-record look-ups see.
    #[serde(default)]
    pub others: Vec<Value>,
    /// A supervision-item catalogue for the case (rows as imported with `jiandu import items`).
    #[serde(default)]
    pub items: Option<Vec<Value>>,
    /// Fields the case leaves out on purpose, to show what the rule does when they are not
    /// recorded (`extensions[].approver_role` means: in every element). The runner checks
    /// that the record indeed lacks them.
    #[serde(default)]
    pub absent: Vec<String>,
    pub record: Value,
}

/// Whether `path` is absent from a record body (for `a[].b`, from every element of `a`).
pub fn path_absent(body: &serde_json::Map<String, Value>, path: &str) -> bool {
    match path.split_once("[].") {
        Some((list, rest)) => match jiandu_model::record::lookup_in(body, list) {
            jiandu_model::Lookup::Value(Value::Array(items)) => items.iter().all(|item| {
                item.as_object()
                    .is_none_or(|inner| path_absent(inner, rest))
            }),
            _ => true,
        },
        None => jiandu_model::record::lookup_in(body, path) == jiandu_model::Lookup::Absent,
    }
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub rule_id: String,
    /// 1-based position in the cases file.
    pub number: usize,
    pub why: String,
    pub record: Value,
    pub expected: Outcome,
    pub expected_version: Option<String>,
    pub actual: Option<Evaluation>,
    /// Why the case failed, when it did.
    pub failure: Option<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

#[derive(Debug, Default)]
pub struct TestReport {
    pub results: Vec<CaseResult>,
    /// Cases files that are missing or unreadable.
    pub problems: Vec<RuleError>,
    /// Versions no case exercised: (rule id, version label).
    pub uncovered_versions: Vec<(String, String)>,
}

impl TestReport {
    pub fn n_failed(&self) -> usize {
        self.results.iter().filter(|r| !r.passed()).count()
    }

    pub fn ok(&self) -> bool {
        self.n_failed() == 0 && self.problems.is_empty() && self.uncovered_versions.is_empty()
    }
}

/// Reads a rule's cases file.
pub fn load_cases(rule: &Rule) -> Result<Vec<Case>, RuleError> {
    let path = rule.cases_path();
    let shown = rule.shown.replace(".rhai", ".cases.json");
    let text = std::fs::read_to_string(&path).map_err(|e| RuleError::Cases {
        file: shown.clone(),
        reason: format!("cannot read it ({e}); every rule needs test cases beside it"),
    })?;
    serde_json::from_str(&text).map_err(|e| RuleError::Cases {
        file: shown,
        reason: format!("line {}: {e}", e.line()),
    })
}

/// Runs the cases of every rule (or of the rules whose id starts with `only`).
pub fn run_cases(set: &RuleSet, only: Option<&str>) -> TestReport {
    let mut report = TestReport::default();
    let mut plain = Evaluator::new(set, Arc::new(Lookups::empty()));
    for rule in &set.rules {
        if only.is_some_and(|prefix| !rule.meta.id.starts_with(prefix)) {
            continue;
        }
        let cases = match load_cases(rule) {
            Ok(cases) => cases,
            Err(problem) => {
                report.problems.push(problem);
                continue;
            }
        };
        let mut covered = BTreeSet::new();
        for (idx, case) in cases.into_iter().enumerate() {
            let result = run_case(set, rule, idx + 1, case, &mut plain);
            if let Some(version) = result.actual.as_ref().and_then(|e| e.version.clone()) {
                covered.insert(version);
            }
            report.results.push(result);
        }
        if rule.problem.is_none() {
            for version in &rule.meta.versions {
                if !covered.contains(&version.label()) {
                    report
                        .uncovered_versions
                        .push((rule.meta.id.clone(), version.label()));
                }
            }
        }
    }
    report
}

fn run_case(
    set: &RuleSet,
    rule: &Rule,
    number: usize,
    case: Case,
    plain: &mut Evaluator<'_>,
) -> CaseResult {
    let mut result = CaseResult {
        rule_id: rule.meta.id.clone(),
        number,
        why: case.why.clone(),
        record: case.record.clone(),
        expected: case.expect,
        expected_version: case.version.clone(),
        actual: None,
        failure: None,
    };
    if let Some(present) = case
        .record
        .as_object()
        .and_then(|body| case.absent.iter().find(|path| !path_absent(body, path)))
    {
        result.failure = Some(format!(
            "the case says `{present}` is absent, but its record has it"
        ));
        return result;
    }
    let record = match build_record(rule, number, case.record) {
        Ok(record) => record,
        Err(reason) => {
            result.failure = Some(format!("the case's record is not valid: {reason}"));
            return result;
        }
    };
    let mut others = Vec::new();
    for (i, other) in case.others.into_iter().enumerate() {
        match build_record(rule, 1000 + i, other) {
            Ok(r) => others.push(r),
            Err(reason) => {
                result.failure = Some(format!("other record {} is not valid: {reason}", i + 1));
                return result;
            }
        }
    }
    let items = match case.items.map(|rows| {
        rows.into_iter()
            .map(|row| ReferenceRow::from_json(ReferenceKind::Item, row))
            .collect::<Result<Vec<_>, _>>()
    }) {
        None => None,
        Some(Ok(items)) => Some(items),
        Some(Err(errors)) => {
            result.failure = Some(format!(
                "the case's item catalogue is not valid: {errors:?}"
            ));
            return result;
        }
    };
    let evaluation = if case.settings.is_empty() && others.is_empty() && items.is_none() {
        plain.evaluate_rule(&rule.meta.id, &record)
    } else {
        let mut lookups = Lookups::from_records(others.iter().chain(std::iter::once(&record)));
        if let Some(items) = &items {
            lookups = lookups.with_items(items);
        }
        let profile = set.profile.with_overrides(&case.settings);
        Evaluator::with_profile(set, profile, Arc::new(lookups))
            .evaluate_rule(&rule.meta.id, &record)
    };
    let Some(evaluation) = evaluation else {
        result.failure = Some(format!("rule {} is not in the rule set", rule.meta.id));
        return result;
    };
    let mut failures = Vec::new();
    if evaluation.outcome != case.expect {
        failures.push(format!(
            "expected {}, got {}",
            case.expect, evaluation.outcome
        ));
    }
    if let Some(version) = &case.version
        && evaluation.version.as_ref() != Some(version)
    {
        failures.push(format!(
            "expected version {version}, got {}",
            evaluation.version.as_deref().unwrap_or("none")
        ));
    }
    if let Some(text) = &case.message_contains
        && !evaluation.message.contains(text.as_str())
        && !evaluation.message_en.contains(text.as_str())
    {
        failures.push(format!("the message does not contain `{text}`"));
    }
    if !failures.is_empty() {
        result.failure = Some(failures.join("; "));
    }
    result.actual = Some(evaluation);
    result
}

fn build_record(rule: &Rule, number: usize, value: Value) -> Result<Record, String> {
    let Value::Object(mut body) = value else {
        return Err("a case's record must be a JSON object".into());
    };
    body.entry("record_id")
        .or_insert_with(|| Value::String(format!("{}#{number}", rule.meta.id)));
    if let Some(first) = rule.meta.record_types.first() {
        body.entry("record_type")
            .or_insert_with(|| Value::String(first.as_str().to_owned()));
    }
    Record::from_json(Value::Object(body)).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })
}
