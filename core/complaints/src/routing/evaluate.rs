//! Measuring routing: labelled items (the words of a message, optionally its respondent and
//! place, the right department and unit) routed as pushes would be, and counted: the share
//! with the right department, the share with the right unit, the share left to the dispatcher,
//! a confusion table by department, and the worst mistakes with their reasons.

use std::collections::BTreeMap;

use jiandu_model::ComplaintKind;
use serde::{Deserialize, Serialize};

use super::{Directory, PartyInfo, Router};
use crate::envelope::{Intake, Respondent};

/// One labelled item (a line of `rules/routing/eval/*.jsonl`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalItem {
    pub id: String,
    #[serde(default)]
    pub kind: Option<ComplaintKind>,
    /// The work order's title.
    #[serde(default)]
    pub subject: Option<String>,
    pub text: String,
    #[serde(default)]
    pub respondent: Option<EvalRespondent>,
    /// The region code the platform sends.
    #[serde(default)]
    pub territory: Option<String>,
    #[serde(default)]
    pub item_code: Option<String>,
    /// The right department's code; `null` when no department of the table is right.
    pub department: Option<String>,
    /// The right unit; `null` when the dispatcher should keep the item.
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalRespondent {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub cert_code: Option<String>,
    /// Where the party data says it operates.
    #[serde(default)]
    pub operating_region: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{path} line {line}: {reason}")]
pub struct EvalError {
    pub path: String,
    pub line: usize,
    pub reason: String,
}

/// Reads labelled items, one JSON object a line; blank lines are skipped, any other fault
/// names its line.
pub fn read_items(text: &str, path: &str) -> Result<Vec<EvalItem>, EvalError> {
    let mut items: Vec<EvalItem> = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let err = |reason: String| EvalError {
            path: path.to_owned(),
            line: idx + 1,
            reason,
        };
        let item: EvalItem = serde_json::from_str(line).map_err(|e| err(e.to_string()))?;
        if item.text.trim().is_empty() {
            return Err(err(format!("item {}: `text` is empty", item.id)));
        }
        if items.iter().any(|i| i.id == item.id) {
            return Err(err(format!("item {} appears twice", item.id)));
        }
        items.push(item);
    }
    if items.is_empty() {
        return Err(EvalError {
            path: path.to_owned(),
            line: 1,
            reason: "no items".into(),
        });
    }
    Ok(items)
}

impl EvalItem {
    /// The key the item's party data is found under: its code, else one made from its id.
    fn party_key(&self) -> Option<String> {
        let r = self.respondent.as_ref()?;
        r.operating_region.as_ref()?;
        Some(
            r.cert_code
                .clone()
                .unwrap_or_else(|| format!("EVAL:{}", self.id)),
        )
    }

    /// The item as a push would give it.
    pub fn intake(&self) -> Intake {
        let respondent = self.respondent.as_ref();
        Intake {
            task_no: self.id.clone(),
            kind: self.kind.unwrap_or(ComplaintKind::Complaint),
            started_at: None,
            task_name: self.subject.clone(),
            initiator: None,
            item_code: self.item_code.clone(),
            respondent: Respondent {
                name: respondent.and_then(|r| r.name.clone()),
                cert_code: self
                    .party_key()
                    .or_else(|| respondent.and_then(|r| r.cert_code.clone())),
                territory: self.territory.clone(),
            },
            category: None,
            service_type: None,
            service_name: None,
            dispute_date: None,
            detail: self.text.clone(),
            complainant: Default::default(),
        }
    }
}

/// How one item was routed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub id: String,
    pub text: String,
    pub expected_department: Option<String>,
    pub expected_unit: Option<String>,
    pub department: Option<String>,
    pub unit: Option<String>,
    /// The text model's probability for the department it read, when it was asked.
    pub confidence: Option<f64>,
    pub reason: String,
}

impl Outcome {
    pub fn department_right(&self) -> bool {
        self.department == self.expected_department
    }

    pub fn unit_right(&self) -> bool {
        self.unit == self.expected_unit
    }
}

/// What an evaluation found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub items: usize,
    pub department_accuracy: f64,
    pub unit_accuracy: f64,
    pub dispatcher_share: f64,
    /// expected department → routed department → items (`—` for none)
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    pub outcomes: Vec<Outcome>,
}

/// How a department (or none) is written in the confusion table.
pub fn department_key(code: Option<&str>) -> String {
    code.unwrap_or("—").to_owned()
}

impl Evaluation {
    /// The worst mistakes: an item sent to a wrong unit (it lands on someone's desk), then a
    /// wrong department, then an item left to the dispatcher that a unit should have had; the
    /// surest first within each.
    pub fn mistakes(&self, n: usize) -> Vec<&Outcome> {
        let mut wrong: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|o| !o.department_right() || !o.unit_right())
            .collect();
        let rank = |o: &Outcome| match (&o.unit, o.department_right()) {
            (Some(_), _) if !o.unit_right() => 0,
            (_, false) => 1,
            _ => 2,
        };
        wrong.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then_with(|| {
                    b.confidence
                        .unwrap_or(0.0)
                        .total_cmp(&a.confidence.unwrap_or(0.0))
                })
                .then_with(|| a.id.cmp(&b.id))
        });
        wrong.truncate(n);
        wrong
    }
}

/// Routes every item with the units and items of `directory` (and each item's own party
/// data) and counts.
pub fn evaluate(router: &Router, directory: &Directory, items: &[EvalItem]) -> Evaluation {
    let mut outcomes = Vec::with_capacity(items.len());
    for item in items {
        let mut local = directory.clone();
        if let (Some(key), Some(r)) = (item.party_key(), &item.respondent) {
            local.parties.insert(
                key,
                PartyInfo {
                    operating_region: r.operating_region.clone(),
                    ..PartyInfo::default()
                },
            );
        }
        let route = router.route(&item.intake(), &local);
        let confidence = route.text.as_ref().and_then(|t| {
            t.best()
                .filter(|b| Some(&b.department) == route.department.as_ref())
                .map(|b| b.probability)
        });
        outcomes.push(Outcome {
            id: item.id.clone(),
            text: item.text.clone(),
            expected_department: item.department.clone(),
            expected_unit: item.unit.clone(),
            department: route.department,
            unit: route.unit,
            confidence,
            reason: route.reason,
        });
    }
    let n = outcomes.len();
    let share = |count: usize| {
        if n == 0 { 0.0 } else { count as f64 / n as f64 }
    };
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for o in &outcomes {
        *confusion
            .entry(department_key(o.expected_department.as_deref()))
            .or_default()
            .entry(department_key(o.department.as_deref()))
            .or_default() += 1;
    }
    Evaluation {
        items: n,
        department_accuracy: share(outcomes.iter().filter(|o| o.department_right()).count()),
        unit_accuracy: share(outcomes.iter().filter(|o| o.unit_right()).count()),
        dispatcher_share: share(outcomes.iter().filter(|o| o.unit.is_none()).count()),
        confusion,
        outcomes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_line_is_named() {
        let error = read_items(
            "{\"id\": \"A\", \"text\": \"x\", \"department\": null, \"unit\": null}\n\n{\"id\": \"B\"}\n",
            "e.jsonl",
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with("e.jsonl line 3: missing field"),
            "{error}"
        );
        let twice = read_items(
            "{\"id\": \"A\", \"text\": \"x\", \"department\": null, \"unit\": null}\n{\"id\": \"A\", \"text\": \"y\", \"department\": null, \"unit\": null}\n",
            "e.jsonl",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(twice, "e.jsonl line 2: item A appears twice");
    }
}
