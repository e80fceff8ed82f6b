//! Findings: outcomes other than `pass` and `not_applicable`, kept with an identity across
//! sweeps, and the rule that decides what a sweep does to them.
//!
//! A finding is keyed by (record, rule). Seen again, it keeps its id, status and history. No
//! longer produced, it is closed as `resolved_by_data`; produced again, it is reopened under
//! the same id. Statuses a person set (confirmed, dismissed, rectified) survive sweeps.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Evaluation, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Produced by the latest evaluation, nobody has looked yet.
    Open,
    /// A person confirmed it.
    Confirmed,
    /// A person dismissed it, with a reason.
    Dismissed,
    /// The unit rectified the act; the record may still show the defect.
    Rectified,
    /// The latest evaluation no longer produces it.
    ResolvedByData,
}

impl FindingStatus {
    pub const ALL: [FindingStatus; 5] = [
        FindingStatus::Open,
        FindingStatus::Confirmed,
        FindingStatus::Dismissed,
        FindingStatus::Rectified,
        FindingStatus::ResolvedByData,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::Confirmed => "confirmed",
            FindingStatus::Dismissed => "dismissed",
            FindingStatus::Rectified => "rectified",
            FindingStatus::ResolvedByData => "resolved_by_data",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            FindingStatus::Open => "待处理",
            FindingStatus::Confirmed => "已确认",
            FindingStatus::Dismissed => "已排除",
            FindingStatus::Rectified => "已整改",
            FindingStatus::ResolvedByData => "数据已消除",
        }
    }

    /// Whether a person may move a finding from `self` to `to`, with `reason`: only to a
    /// status a person sets, a dismissal only with a reason, and never a finding the data no
    /// longer shows (it reopens by itself if the defect returns).
    pub fn manual_change(
        self,
        to: FindingStatus,
        reason: Option<&str>,
    ) -> Result<(), StatusRefusal> {
        if !to.is_manual() {
            return Err(StatusRefusal::NotManual(to));
        }
        if self == FindingStatus::ResolvedByData {
            return Err(StatusRefusal::ResolvedByData);
        }
        if to == FindingStatus::Dismissed && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(StatusRefusal::DismissalNeedsReason);
        }
        Ok(())
    }

    /// Statuses a person may set with `jiandu findings set-status`.
    pub fn is_manual(self) -> bool {
        matches!(
            self,
            FindingStatus::Confirmed
                | FindingStatus::Dismissed
                | FindingStatus::Rectified
                | FindingStatus::Open
        )
    }

    /// Whether the finding is still produced by the data (everything but resolved_by_data).
    pub fn is_current(self) -> bool {
        self != FindingStatus::ResolvedByData
    }
}

/// Why a person's status change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StatusRefusal {
    #[error("{0} is set by sweeps, not by hand; choose confirmed, dismissed, rectified or open")]
    NotManual(FindingStatus),
    #[error(
        "the finding was resolved by the data (the record no longer shows it); it reopens by itself if the defect returns"
    )]
    ResolvedByData,
    #[error("dismissing a finding needs a reason (--reason \"…\"); it goes into the audit log")]
    DismissalNeedsReason,
}

impl fmt::Display for FindingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FindingStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| format!("unknown finding status `{s}`; expected open, confirmed, dismissed, rectified or resolved_by_data"))
    }
}

/// What the store holds of a finding, as far as reconciling needs.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingState {
    pub finding_id: i64,
    pub record_id: String,
    pub rule_id: String,
    pub outcome: Outcome,
    pub version: Option<String>,
    pub status: FindingStatus,
    /// The status a finding had when the data resolved it, restored if a person had set it.
    pub status_before_resolution: Option<FindingStatus>,
}

/// What a sweep does to one (record, rule).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A finding never seen before.
    New { evaluation: Evaluation },
    /// A resolved finding produced again; `status` is what it returns to.
    Reopen {
        finding_id: i64,
        evaluation: Evaluation,
        status: FindingStatus,
    },
    /// A current finding produced again; `changed` when its outcome or version differ.
    Seen {
        finding_id: i64,
        evaluation: Evaluation,
        changed: bool,
    },
    /// A current finding no longer produced.
    Resolve {
        finding_id: i64,
        previous: FindingStatus,
    },
}

/// Decides what happens to the findings of some records, given their latest evaluations.
///
/// `existing` holds every stored finding of those records; `evaluations` every outcome the
/// rules now give them. A stored finding whose rule gave no finding this time (a pass, a
/// not_applicable, or no evaluation at all because the rule was removed or no longer applies)
/// is resolved.
pub fn reconcile(existing: &[FindingState], evaluations: &[Evaluation]) -> Vec<Change> {
    let mut by_key: HashMap<(&str, &str), &FindingState> = existing
        .iter()
        .map(|f| ((f.record_id.as_str(), f.rule_id.as_str()), f))
        .collect();
    let mut changes = Vec::new();
    for evaluation in evaluations.iter().filter(|e| e.outcome.is_finding()) {
        let key = (evaluation.record_id.as_str(), evaluation.rule_id.as_str());
        match by_key.remove(&key) {
            None => changes.push(Change::New {
                evaluation: evaluation.clone(),
            }),
            Some(found) if found.status == FindingStatus::ResolvedByData => {
                // A person's dismissal still stands when the same finding comes back; other
                // manual statuses are reconsidered, since the data shows the defect again.
                let status = match found.status_before_resolution {
                    Some(FindingStatus::Dismissed) => FindingStatus::Dismissed,
                    _ => FindingStatus::Open,
                };
                changes.push(Change::Reopen {
                    finding_id: found.finding_id,
                    evaluation: evaluation.clone(),
                    status,
                });
            }
            Some(found) => changes.push(Change::Seen {
                finding_id: found.finding_id,
                evaluation: evaluation.clone(),
                changed: found.outcome != evaluation.outcome || found.version != evaluation.version,
            }),
        }
    }
    let mut resolved: Vec<&FindingState> = by_key
        .into_values()
        .filter(|f| f.status.is_current())
        .collect();
    resolved.sort_by_key(|f| f.finding_id);
    changes.extend(resolved.into_iter().map(|f| Change::Resolve {
        finding_id: f.finding_id,
        previous: f.status,
    }));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordId;

    fn evaluation(record: &str, rule: &str, outcome: Outcome) -> Evaluation {
        Evaluation {
            record_id: RecordId::parse(record).unwrap(),
            rule_id: rule.into(),
            version: Some("2021-07-15".into()),
            outcome,
            basis: None,
            message: String::new(),
            message_en: String::new(),
            evidence: Default::default(),
            act_date: None,
        }
    }

    fn state(
        id: i64,
        rule: &str,
        status: FindingStatus,
        before: Option<FindingStatus>,
    ) -> FindingState {
        FindingState {
            finding_id: id,
            record_id: "R".into(),
            rule_id: rule.into(),
            outcome: Outcome::Violation,
            version: Some("2021-07-15".into()),
            status,
            status_before_resolution: before,
        }
    }

    #[test]
    fn people_set_their_statuses_dismissals_with_a_reason() {
        use FindingStatus::*;
        assert_eq!(Open.manual_change(Confirmed, None), Ok(()));
        assert_eq!(
            Open.manual_change(Dismissed, Some(" ")),
            Err(StatusRefusal::DismissalNeedsReason)
        );
        assert_eq!(
            Open.manual_change(Dismissed, Some("地方性法规另有规定")),
            Ok(())
        );
        assert_eq!(
            ResolvedByData.manual_change(Confirmed, None),
            Err(StatusRefusal::ResolvedByData)
        );
        assert_eq!(
            Open.manual_change(ResolvedByData, None),
            Err(StatusRefusal::NotManual(ResolvedByData))
        );
    }

    #[test]
    fn new_seen_reopened_and_resolved() {
        let existing = [
            state(1, "A", FindingStatus::Open, None),
            state(
                2,
                "B",
                FindingStatus::ResolvedByData,
                Some(FindingStatus::Confirmed),
            ),
            state(3, "C", FindingStatus::Dismissed, None),
            state(4, "D", FindingStatus::ResolvedByData, None),
            state(
                5,
                "E",
                FindingStatus::ResolvedByData,
                Some(FindingStatus::Dismissed),
            ),
        ];
        let evaluations = [
            evaluation("R", "A", Outcome::Violation),
            evaluation("R", "B", Outcome::Violation),
            evaluation("R", "C", Outcome::Pass),
            evaluation("R", "D", Outcome::NotApplicable),
            evaluation("R", "E", Outcome::Warning),
            evaluation("R", "F", Outcome::Hint),
            evaluation("R", "G", Outcome::Unknown),
            evaluation("R", "H", Outcome::Error),
        ];
        let changes = reconcile(&existing, &evaluations);
        assert!(matches!(
            changes[0],
            Change::Seen {
                finding_id: 1,
                changed: false,
                ..
            }
        ));
        assert!(matches!(
            changes[1],
            Change::Reopen {
                finding_id: 2,
                status: FindingStatus::Open,
                ..
            }
        ));
        assert!(matches!(
            changes[2],
            Change::Reopen {
                finding_id: 5,
                status: FindingStatus::Dismissed,
                ..
            }
        ));
        assert!(matches!(changes[3], Change::New { .. }));
        assert!(matches!(
            changes[4],
            Change::Resolve {
                finding_id: 3,
                previous: FindingStatus::Dismissed
            }
        ));
        assert_eq!(
            changes.len(),
            5,
            "D stays resolved, G and H are gaps: {changes:?}"
        );
    }

    #[test]
    fn a_removed_rule_resolves_its_findings_and_a_changed_outcome_is_noted() {
        let existing = [
            state(1, "GONE", FindingStatus::Open, None),
            state(2, "A", FindingStatus::Open, None),
        ];
        let changes = reconcile(&existing, &[evaluation("R", "A", Outcome::Hint)]);
        assert!(matches!(
            changes[0],
            Change::Seen {
                finding_id: 2,
                changed: true,
                ..
            }
        ));
        assert!(matches!(changes[1], Change::Resolve { finding_id: 1, .. }));
    }

    #[test]
    fn a_finding_the_rule_can_no_longer_judge_is_resolved_not_kept() {
        let existing = [state(1, "A", FindingStatus::Open, None)];
        let changes = reconcile(&existing, &[evaluation("R", "A", Outcome::Unknown)]);
        assert!(matches!(
            changes[..],
            [Change::Resolve {
                finding_id: 1,
                previous: FindingStatus::Open
            }]
        ));
    }
}
