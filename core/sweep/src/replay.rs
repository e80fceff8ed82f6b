//! `jiandu rules replay DIR`: a changed rule directory evaluated over every stored record,
//! compared with the current findings, without writing anything.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiandu_model::{FindingStatus, Outcome, ReferenceKind};
use jiandu_rules::RuleSet;
use jiandu_store::{FindingFilter, Store};

use crate::SweepError;
use crate::batch::{Phases, Shared, evaluate};

/// What the new rules would do to one rule's findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RuleDelta {
    pub added: u64,
    pub removed: u64,
    pub changed: u64,
    pub unchanged: u64,
    /// A few record ids of each kind, for a person to look at.
    pub examples_added: Vec<String>,
    pub examples_removed: Vec<String>,
    pub examples_changed: Vec<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReplayReport {
    pub records: u64,
    pub evaluations: u64,
    pub rules: BTreeMap<String, RuleDelta>,
}

const EXAMPLES: usize = 5;

fn note(list: &mut Vec<String>, record_id: &str) {
    if list.len() < EXAMPLES {
        list.push(record_id.to_owned());
    }
}

pub async fn replay(
    store: &Store,
    set: Arc<RuleSet>,
    batch_size: usize,
    progress: crate::Progress<'_>,
) -> Result<ReplayReport, SweepError> {
    let mut current: HashMap<(String, String), (Outcome, Option<String>)> = HashMap::new();
    for finding in store.list_findings(&FindingFilter::default()).await? {
        if finding.status != FindingStatus::ResolvedByData {
            current.insert(
                (finding.record_id, finding.rule_id),
                (finding.outcome, finding.version),
            );
        }
    }
    let shared = Shared {
        set,
        items: Arc::new(store.list_reference(ReferenceKind::Item).await?),
    };
    let ids = store.all_record_ids().await?;
    let mut report = ReplayReport::default();
    for batch in ids.chunks(batch_size.max(1)) {
        for result in evaluate(store, &shared, batch, &Phases::default()).await? {
            report.records += 1;
            for e in result.evaluations {
                report.evaluations += 1;
                let key = (result.record_id.clone(), e.rule_id.clone());
                let before = current.remove(&key);
                let delta = report.rules.entry(e.rule_id.clone()).or_default();
                match (before, e.outcome.is_finding()) {
                    (None, true) => {
                        delta.added += 1;
                        note(&mut delta.examples_added, &result.record_id);
                    }
                    (Some(_), false) => {
                        delta.removed += 1;
                        note(&mut delta.examples_removed, &result.record_id);
                    }
                    (Some((outcome, version)), true)
                        if outcome != e.outcome || version != e.version =>
                    {
                        delta.changed += 1;
                        note(&mut delta.examples_changed, &result.record_id);
                    }
                    (Some(_), true) => delta.unchanged += 1,
                    (None, false) => {}
                }
            }
        }
        progress(report.records, ids.len() as u64);
    }
    // Findings of rules the new directory no longer has, or of records it no longer judges.
    for ((record_id, rule_id), _) in current {
        let delta = report.rules.entry(rule_id).or_default();
        delta.removed += 1;
        note(&mut delta.examples_removed, &record_id);
    }
    Ok(report)
}
