//! A record's page (`GET /records/{record_id}`): the record (a natural person's data masked),
//! every finding with its legal basis and evidence and the status forms, the explain trace
//! of every rule that applies (the version chosen and why, the values read, the trace lines
//! with the holidays and 调休 days a count skipped), and where the record came from.

use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use jiandu_model::{Access, Area, FindingStatus, RecordId};
use jiandu_rules::{Evaluator, Lookups, RuleSet, VersionChoice};
use jiandu_store::ImportEntry;
use serde::Serialize;
use serde_json::Value;

use super::findings::{FindingItem, item_of};
use super::{Layout, PageResult, render, unavailable};
use crate::auth::Viewer;
use crate::{AppError, AppState};

/// One rule as the explain trace shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainView {
    pub rule_id: String,
    pub title_zh: String,
    pub title_en: String,
    pub why_version: String,
    pub basis: Option<String>,
    pub values: Vec<(String, String)>,
    pub absent: Vec<String>,
    pub trace: Vec<String>,
    pub outcome: Option<String>,
    pub outcome_zh: Option<&'static str>,
    pub message: String,
    pub message_en: String,
    pub evidence: Value,
    /// Pass and not-applicable rules are folded away on the page.
    pub notable: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordPage {
    pub record_id: String,
    pub record_type: String,
    pub record_type_zh: &'static str,
    pub act_date: Option<String>,
    pub unit_id: Option<String>,
    pub body: Value,
    pub findings: Vec<FindingItem>,
    pub explanations: Vec<ExplainView>,
    /// Rules that do not apply to this record type, by id.
    pub not_for_type: usize,
    pub history: Vec<ImportEntry>,
    pub source: String,
    pub updated_at: String,
    /// Statuses a person may set, for the forms.
    pub statuses: Vec<(&'static str, &'static str)>,
    pub may_change: bool,
}

fn explain(
    set: &RuleSet,
    record: &jiandu_model::Record,
    lookups: Lookups,
) -> (Vec<ExplainView>, usize) {
    let mut evaluator = Evaluator::new(set, Arc::new(lookups));
    let mut not_for_type = 0;
    let views = evaluator
        .explain(record)
        .into_iter()
        .filter_map(|e| {
            if matches!(e.choice, VersionChoice::NotForRecordType) {
                not_for_type += 1;
                return None;
            }
            let outcome = e.evaluation.as_ref().map(|ev| ev.outcome);
            Some(ExplainView {
                why_version: e.why_version().unwrap_or_default(),
                basis: e.version.as_ref().map(|v| v.basis.clone()),
                values: e
                    .values
                    .iter()
                    .map(|(field, value)| (field.clone(), super::shown(value)))
                    .collect(),
                absent: e.absent.clone(),
                trace: e.trace.clone(),
                outcome: outcome.map(|o| o.as_str().to_owned()),
                outcome_zh: outcome.map(|o| o.chinese()),
                message: e
                    .evaluation
                    .as_ref()
                    .map(|ev| ev.message.clone())
                    .unwrap_or_default(),
                message_en: e
                    .evaluation
                    .as_ref()
                    .map(|ev| ev.message_en.clone())
                    .unwrap_or_default(),
                evidence: e
                    .evaluation
                    .as_ref()
                    .map(|ev| Value::Object(ev.evidence.clone()))
                    .unwrap_or(Value::Null),
                notable: outcome.is_some_and(|o| {
                    !matches!(
                        o,
                        jiandu_model::Outcome::Pass | jiandu_model::Outcome::NotApplicable
                    )
                }),
                rule_id: e.rule_id,
                title_zh: e.title_zh,
                title_en: e.title_en,
            })
        })
        .collect();
    (views, not_for_type)
}

pub async fn view(state: &AppState, viewer: &Viewer, id: &str) -> Result<RecordPage, AppError> {
    viewer.require(Area::Records, Access::Read)?;
    let not_found = || AppError::NotFound(format!("record {id} not found (未找到)"));
    let record_id = RecordId::parse(id).map_err(|_| not_found())?;
    let stored = state
        .store
        .get_record(&record_id)
        .await
        .map_err(unavailable)?
        .ok_or_else(not_found)?;
    let record = stored.record;
    viewer.scope(record.unit_id().as_deref(), "record")?;
    let findings = state
        .store
        .list_findings(&jiandu_store::FindingFilter {
            record_id: Some(id.to_owned()),
            ..Default::default()
        })
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(|row| item_of(state, row))
        .collect();
    let history = state
        .store
        .record_history(&record_id)
        .await
        .map_err(unavailable)?;
    let (explanations, not_for_type) = match &state.rules {
        Some(set) => {
            let lookups = jiandu_sweep::lookups_for(&state.store, &record)
                .await
                .map_err(unavailable)?;
            let (set, record) = (set.clone(), record.clone());
            // Rule evaluation is CPU work (bounded per rule by the sandbox): off the runtime.
            tokio::task::spawn_blocking(move || explain(&set, &record, lookups))
                .await
                .map_err(AppError::internal)?
        }
        None => (Vec::new(), 0),
    };
    let mut body = record.body().clone();
    jiandu_model::personal::mask_record(&mut body);
    Ok(RecordPage {
        record_id: id.to_owned(),
        record_type: record.record_type().as_str().to_owned(),
        record_type_zh: record.record_type().chinese(),
        act_date: record.act_date().map(|d| d.to_string()),
        unit_id: record.unit_id(),
        body: Value::Object(body),
        findings,
        explanations,
        not_for_type,
        history,
        source: stored.source,
        updated_at: stored.updated_at,
        statuses: [
            FindingStatus::Confirmed,
            FindingStatus::Dismissed,
            FindingStatus::Rectified,
            FindingStatus::Open,
        ]
        .iter()
        .map(|s| (s.as_str(), s.chinese()))
        .collect(),
        may_change: viewer.role().may(Area::Findings, Access::Change),
    })
}

#[derive(Template)]
#[template(path = "pages/record.html")]
struct Page {
    layout: Layout,
    page: RecordPage,
    body_json: String,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let page = view(&state, &viewer, &id).await?;
    render(&Page {
        layout: Layout::new(&viewer, format!("记录 {id}"), "/findings"),
        body_json: serde_json::to_string_pretty(&page.body).unwrap_or_default(),
        page,
    })
}

pub async fn api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<RecordPage>, AppError> {
    Ok(Json(view(&state, &viewer, &id).await?))
}
