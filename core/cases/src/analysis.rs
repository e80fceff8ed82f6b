//! Analyses over the graph: what one finding or one record does not show.
//!
//! - repeat patterns: the same rule broken again and again by one officer or one unit in a
//!   year;
//! - one act fined by two units (一事不再罚);
//! - inspections of one party by one unit over the yearly cap;
//! - the neighbourhood of a node ([`CaseGraph::neighbourhood`]).

use std::collections::{BTreeMap, BTreeSet};

use jiandu_model::Date;
use petgraph::Direction::{Incoming, Outgoing};
use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::{CaseGraph, EdgeKind, NodeKind};

/// One officer or unit with `count` current findings of one rule in one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepeatPattern {
    pub subject: NodeKind,
    pub subject_id: String,
    pub subject_label: String,
    pub rule_id: String,
    /// The calendar year of the acts.
    pub period: String,
    pub count: usize,
    /// A few of the records, for a person to look at.
    pub records: Vec<String>,
}

const EXAMPLES: usize = 5;

/// Findings that count towards a pattern: violations and warnings a person has not dismissed.
fn counts_as_defect(g: &CaseGraph, finding: NodeIndex) -> bool {
    let node = g.node(finding);
    matches!(node.attr("outcome"), Some("violation" | "warning"))
        && matches!(
            node.attr("status"),
            Some("open" | "confirmed" | "rectified")
        )
}

/// Officers and units with at least `min_count` current findings of one rule in one year,
/// most first.
pub fn repeat_patterns(g: &CaseGraph, min_count: usize) -> Vec<RepeatPattern> {
    type Key = (NodeKind, NodeIndex, String, String);
    let mut groups: BTreeMap<Key, BTreeSet<String>> = BTreeMap::new();
    for (finding, node) in g.nodes().filter(|(_, n)| n.kind == NodeKind::Finding) {
        if !counts_as_defect(g, finding) {
            continue;
        }
        let Some(year) = node.date.map(|d| d.year().to_string()) else {
            continue;
        };
        let rule = node.label.clone();
        for record in g.linked(finding, EdgeKind::FindingRecord, Outgoing) {
            let record_id = g.node(record).id.clone();
            let subjects = g
                .linked(record, EdgeKind::RecordOfficer, Outgoing)
                .map(|o| (NodeKind::Officer, o))
                .chain(
                    g.linked(record, EdgeKind::RecordUnit, Outgoing)
                        .map(|u| (NodeKind::Unit, u)),
                );
            for (kind, subject) in subjects {
                groups
                    .entry((kind, subject, rule.clone(), year.clone()))
                    .or_default()
                    .insert(record_id.clone());
            }
        }
    }
    let mut patterns: Vec<RepeatPattern> = groups
        .into_iter()
        .filter(|(_, records)| records.len() >= min_count)
        .map(
            |((kind, subject, rule_id, period), records)| RepeatPattern {
                subject: kind,
                subject_id: g.node(subject).id.clone(),
                subject_label: g.node(subject).label.clone(),
                rule_id,
                period,
                count: records.len(),
                records: records.into_iter().take(EXAMPLES).collect(),
            },
        )
        .collect();
    patterns.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.subject_id.cmp(&b.subject_id))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.period.cmp(&b.period))
    });
    patterns
}

/// One penalty with a fine, as part of a double fine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fine {
    pub record_id: String,
    pub unit_id: Option<String>,
    pub unit_label: Option<String>,
    pub date: Option<Date>,
    pub amount: Option<String>,
}

/// One act (`act_id`) fined by more than one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoubleFine {
    pub act_id: String,
    pub fines: Vec<Fine>,
}

fn fine_of(g: &CaseGraph, record: NodeIndex) -> Option<Fine> {
    let node = g.node(record);
    if node.kind != NodeKind::Record || node.attr("record_type") != Some("penalty") {
        return None;
    }
    let amount = node.attrs.get("fine_amount").filter(|v| match v {
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|x| x > 0.0),
        serde_json::Value::String(s) => s.parse::<f64>().is_ok_and(|x| x > 0.0),
        _ => false,
    })?;
    let unit = g.linked(record, EdgeKind::RecordUnit, Outgoing).next();
    Some(Fine {
        record_id: node.id.clone(),
        unit_id: unit.map(|u| g.node(u).id.clone()),
        unit_label: unit.map(|u| g.node(u).label.clone()),
        date: node.date,
        amount: Some(match amount {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
    })
}

/// Acts fined by two or more units, found through the records' `same_act` edges.
pub fn double_fines(g: &CaseGraph) -> Vec<DoubleFine> {
    let mut acts: BTreeMap<String, BTreeMap<String, Fine>> = BTreeMap::new();
    for (a, b, edge) in g.edges() {
        if edge.kind != EdgeKind::SameAct {
            continue;
        }
        let (Some(fa), Some(fb)) = (fine_of(g, a), fine_of(g, b)) else {
            continue;
        };
        let act = edge.label.clone().unwrap_or_default();
        let entry = acts.entry(act).or_default();
        entry.insert(fa.record_id.clone(), fa);
        entry.insert(fb.record_id.clone(), fb);
    }
    acts.into_iter()
        .filter_map(|(act_id, fines)| {
            let units: BTreeSet<&Option<String>> = fines.values().map(|f| &f.unit_id).collect();
            (units.len() > 1).then(|| DoubleFine {
                act_id,
                fines: fines.into_values().collect(),
            })
        })
        .collect()
}

/// The yearly inspection cap as the profile sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionCap {
    pub cap: usize,
    /// The inspection kinds that count (`random`, `key`, …).
    pub kinds: Vec<String>,
    /// Inspections before this date are not counted (the cap's legal basis took effect).
    pub since: Option<Date>,
}

/// One party inspected by one unit more often in a year than the cap allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverCap {
    pub party_id: String,
    pub party_label: String,
    pub unit_id: String,
    pub unit_label: String,
    pub year: i32,
    pub count: usize,
    pub cap: usize,
    pub inspections: Vec<String>,
}

/// Parties inspected by one unit more than `cap.cap` times in a calendar year, counting the
/// kinds the profile names and joint inspections once, as INS-FREQ-CAP does.
pub fn inspections_over_cap(g: &CaseGraph, cap: &InspectionCap) -> Vec<OverCap> {
    let mut found = Vec::new();
    for (party, party_node) in g.nodes().filter(|(_, n)| n.kind == NodeKind::Party) {
        // (unit, year) → (joint ids seen, inspections counted)
        let mut groups: BTreeMap<(NodeIndex, i32), (BTreeSet<String>, Vec<String>)> =
            BTreeMap::new();
        let mut inspections: Vec<NodeIndex> = g
            .linked(party, EdgeKind::RecordParty, Incoming)
            .filter(|r| g.node(*r).attr("record_type") == Some("inspection"))
            .collect();
        inspections.sort_by_key(|r| (g.node(*r).date, g.node(*r).id.clone()));
        for record in inspections {
            let node = g.node(record);
            let (Some(date), Some(kind)) = (node.date, node.attr("inspection_kind")) else {
                continue;
            };
            if !cap.kinds.iter().any(|k| k == kind) || cap.since.is_some_and(|s| date < s) {
                continue;
            }
            let Some(unit) = g.linked(record, EdgeKind::RecordUnit, Outgoing).next() else {
                continue;
            };
            let (joints, counted) = groups.entry((unit, date.year())).or_default();
            if let Some(joint) = node.attr("joint_inspection_id").filter(|j| !j.is_empty())
                && !joints.insert(joint.to_owned())
            {
                continue;
            }
            counted.push(node.id.clone());
        }
        for ((unit, year), (_, counted)) in groups {
            if counted.len() > cap.cap {
                found.push(OverCap {
                    party_id: party_node.id.clone(),
                    party_label: party_node.label.clone(),
                    unit_id: g.node(unit).id.clone(),
                    unit_label: g.node(unit).label.clone(),
                    year,
                    count: counted.len(),
                    cap: cap.cap,
                    inspections: counted,
                });
            }
        }
    }
    found.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.party_id.cmp(&b.party_id))
    });
    found
}

#[cfg(test)]
mod tests {
    use jiandu_model::{FindingStatus, Outcome, Record};
    use jiandu_store::FindingRow;
    use serde_json::json;

    use super::*;
    use crate::GraphData;

    fn record(value: serde_json::Value) -> Record {
        Record::from_json(value).expect("a valid record")
    }

    fn penalty(id: &str, unit: &str, act: &str, fine: i64, officer: &str) -> Record {
        record(json!({
            "record_id": id, "record_type": "penalty", "act_id": act,
            "decision_date": "2024-05-06", "fine_amount": fine,
            "agency": {"unit_id": unit, "name": unit},
            "party": {"name": "清远市某某有限公司", "uscc": "91441802MA4W000000"},
            "officers": [{"name": "甲", "cert_no": officer}, {"name": "乙", "cert_no": "C-2"}],
        }))
    }

    fn inspection(id: &str, unit: &str, date: &str, kind: &str, joint: Option<&str>) -> Record {
        record(json!({
            "record_id": id, "record_type": "inspection", "check_date": date,
            "inspection_kind": kind, "joint_inspection_id": joint,
            "agency": {"unit_id": unit},
            "party": {"name": "清远市某某有限公司", "uscc": "91441802MA4W000000"},
        }))
    }

    fn finding(id: i64, record: &str, rule: &str, status: FindingStatus) -> FindingRow {
        FindingRow {
            finding_id: id,
            record_id: record.into(),
            rule_id: rule.into(),
            outcome: Outcome::Violation,
            version: None,
            basis: None,
            message: String::new(),
            message_en: String::new(),
            evidence: json!({}),
            act_date: jiandu_model::Date::parse("2024-05-06").ok(),
            unit_id: Some("U1".into()),
            status,
            status_reason: None,
            case_id: None,
            first_seen_at: jiandu_model::Moment::parse("2024-05-07T02:00:00+08:00").unwrap(),
            last_seen_at: jiandu_model::Moment::parse("2024-05-07T02:00:00+08:00").unwrap(),
            resolved_at: None,
        }
    }

    #[test]
    fn repeats_count_records_per_officer_and_unit_but_not_dismissed_ones() {
        let data = GraphData {
            records: vec![
                penalty("P1", "U1", "A1", 100, "C-1"),
                penalty("P2", "U1", "A2", 100, "C-1"),
                penalty("P3", "U1", "A3", 100, "C-3"),
            ],
            findings: vec![
                finding(1, "P1", "PEN-X", FindingStatus::Open),
                finding(2, "P2", "PEN-X", FindingStatus::Confirmed),
                finding(3, "P3", "PEN-X", FindingStatus::Dismissed),
            ],
            ..GraphData::default()
        };
        let g = CaseGraph::build(&data);
        let patterns = repeat_patterns(&g, 2);
        let summary: Vec<(NodeKind, &str, usize)> = patterns
            .iter()
            .map(|p| (p.subject, p.subject_id.as_str(), p.count))
            .collect();
        assert_eq!(
            summary,
            vec![
                (NodeKind::Unit, "U1", 2),
                (NodeKind::Officer, "C-1", 2),
                (NodeKind::Officer, "C-2", 2)
            ]
        );
        assert_eq!(patterns[0].period, "2024");
    }

    #[test]
    fn one_act_fined_by_two_units_but_not_one_unit_twice() {
        let data = GraphData {
            records: vec![
                penalty("P1", "U1", "A1", 100, "C-1"),
                penalty("P2", "U2", "A1", 200, "C-1"),
                penalty("P3", "U1", "A2", 100, "C-1"),
                penalty("P4", "U1", "A2", 100, "C-1"),
                penalty("P5", "U1", "A3", 100, "C-1"),
                penalty("P6", "U2", "A3", 0, "C-1"),
            ],
            ..GraphData::default()
        };
        let found = double_fines(&CaseGraph::build(&data));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].act_id, "A1");
        let ids: Vec<&str> = found[0]
            .fines
            .iter()
            .map(|f| f.record_id.as_str())
            .collect();
        assert_eq!(ids, ["P1", "P2"]);
    }

    #[test]
    fn inspections_over_the_cap_count_joint_inspections_once() {
        let data = GraphData {
            records: vec![
                inspection("I1", "U1", "2025-07-01", "random", None),
                inspection("I2", "U1", "2025-08-01", "random", Some("J1")),
                inspection("I3", "U1", "2025-08-01", "key", Some("J1")),
                inspection("I4", "U1", "2025-09-01", "complaint", None),
                inspection("I5", "U1", "2025-10-01", "key", None),
                inspection("I6", "U2", "2025-10-01", "key", None),
                inspection("I7", "U1", "2025-01-01", "key", None),
            ],
            ..GraphData::default()
        };
        let cap = InspectionCap {
            cap: 2,
            kinds: vec!["random".into(), "key".into()],
            since: Date::from_ymd(2025, 6, 30),
        };
        let found = inspections_over_cap(&CaseGraph::build(&data), &cap);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].unit_id, "U1");
        assert_eq!(found[0].inspections, ["I1", "I2", "I5"]);
        let higher = InspectionCap { cap: 3, ..cap };
        assert!(inspections_over_cap(&CaseGraph::build(&data), &higher).is_empty());
    }
}
