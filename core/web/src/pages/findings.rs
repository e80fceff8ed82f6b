//! Findings: the filterable list (`GET /findings`) and status changes (`POST
//! /findings/{id}/status`: confirm, dismiss, rectified, each with its reason), through the
//! store's guarded `set_finding_status` as `jiandu findings set-status` does.

use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::{Form, Json};
use jiandu_model::{Access, Area, FindingStatus, Outcome, clock};
use jiandu_store::{FindingFilter, FindingRow, StatusChangeError};
use serde::{Deserialize, Serialize};

use super::{
    Layout, PAGE_SIZE, PageResult, Pager, page_of, parse_opt, render, see_other, text_opt,
    unavailable,
};
use crate::auth::Viewer;
use crate::{AppError, AppState};

#[derive(Debug, Clone, Serialize)]
pub struct FindingItem {
    #[serde(flatten)]
    pub row: FindingRow,
    pub outcome_zh: &'static str,
    pub status_zh: &'static str,
    pub rule_title: String,
    /// The evidence as (name, value) lines for the page.
    pub evidence_lines: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingList {
    pub items: Vec<FindingItem>,
    pub pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub unit: Option<String>,
    pub rule: Option<String>,
    pub outcome: Option<String>,
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub record: Option<String>,
    pub case: Option<String>,
    pub page: Option<String>,
}

pub fn item_of(state: &AppState, row: FindingRow) -> FindingItem {
    let rule_title = state
        .rules
        .as_ref()
        .and_then(|set| set.rule(&row.rule_id))
        .map(|r| r.meta.title_zh.clone())
        .unwrap_or_default();
    let evidence_lines = super::pairs(&row.evidence);
    FindingItem {
        evidence_lines,
        outcome_zh: row.outcome.chinese(),
        status_zh: row.status.chinese(),
        rule_title,
        row,
    }
}

pub async fn list_view(
    state: &AppState,
    viewer: &Viewer,
    query: &ListQuery,
    raw: Option<&str>,
) -> Result<FindingList, AppError> {
    viewer.require(Area::Findings, Access::Read)?;
    let page = page_of(&query.page)?;
    let filter = FindingFilter {
        unit_id: viewer
            .role()
            .unit()
            .map(str::to_owned)
            .or_else(|| text_opt(&query.unit)),
        rule_id: text_opt(&query.rule),
        outcome: parse_opt::<Outcome>(&query.outcome, "outcome")?,
        status: parse_opt::<FindingStatus>(&query.status, "status")?,
        from: parse_opt(&query.from, "from")?,
        to: parse_opt(&query.to, "to")?,
        record_id: text_opt(&query.record),
        case_id: parse_opt(&query.case, "case")?,
        limit: Some(PAGE_SIZE + 1),
        offset: Pager::offset(page),
        after: None,
    };
    let rows = state
        .store
        .list_findings(&filter)
        .await
        .map_err(unavailable)?;
    let pager = Pager::new("/findings", raw, page, rows.len());
    Ok(FindingList {
        items: rows
            .into_iter()
            .take(PAGE_SIZE as usize)
            .map(|row| item_of(state, row))
            .collect(),
        pager,
    })
}

/// One finding for this viewer; 404 when it is another unit's.
pub async fn visible(state: &AppState, viewer: &Viewer, id: i64) -> Result<FindingRow, AppError> {
    viewer.require(Area::Findings, Access::Read)?;
    let row = state
        .store
        .get_finding(id)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| AppError::NotFound(format!("finding {id} not found (未找到)")))?;
    viewer.scope(row.unit_id.as_deref(), "finding")?;
    Ok(row)
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusRequest {
    pub status: Option<String>,
    pub reason: Option<String>,
    pub csrf_token: Option<String>,
}

/// A person's status change; the page asks a reason for every change (the store refuses a
/// dismissal without one in any case).
pub async fn set_status(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    request: &StatusRequest,
    csrf_header: Option<&str>,
) -> Result<FindingItem, AppError> {
    viewer.check_csrf(request.csrf_token.as_deref().or(csrf_header))?;
    viewer.require(Area::Findings, Access::Change)?;
    visible(state, viewer, id).await?;
    let status: FindingStatus = parse_opt(&request.status, "status")?
        .ok_or_else(|| AppError::refused("`status` is required (请选择状态)"))?;
    let reason = text_opt(&request.reason)
        .ok_or_else(|| AppError::refused("a reason is required (请填写理由)"))?;
    let changed = state
        .store
        .set_finding_status(id, status, Some(&reason), viewer.name(), clock::now())
        .await;
    super::guarded(changed, |e| {
        matches!(e, StatusChangeError::NoSuchFinding(_))
    })?;
    let row = visible(state, viewer, id).await?;
    Ok(item_of(state, row))
}

#[derive(Template)]
#[template(path = "pages/findings.html")]
struct ListPage {
    layout: Layout,
    list: FindingList,
    query: ListQuery,
    show_unit_filter: bool,
    outcomes: Vec<super::Choice>,
    statuses: Vec<super::Choice>,
}

pub async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let list = list_view(&state, &viewer, &query, raw.as_deref()).await?;
    render(&ListPage {
        layout: Layout::new(&viewer, "问题线索 Findings", "/findings"),
        show_unit_filter: viewer.role().unit().is_none(),
        outcomes: super::choices(
            &[Outcome::Violation, Outcome::Warning, Outcome::Hint]
                .iter()
                .map(|o| (o.as_str(), o.chinese()))
                .collect::<Vec<_>>(),
            &query.outcome,
        ),
        statuses: super::choices(
            &FindingStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.chinese()))
                .collect::<Vec<_>>(),
            &query.status,
        ),
        list,
        query,
    })
}

pub async fn status_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(request): Form<StatusRequest>,
) -> PageResult {
    let item = set_status(&state, &viewer, id, &request, None).await?;
    Ok(see_other(&format!(
        "/records/{}#finding-{id}",
        crate::error::encode(&item.row.record_id)
    )))
}

pub async fn list_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Json<FindingList>, AppError> {
    Ok(Json(
        list_view(&state, &viewer, &query, raw.as_deref()).await?,
    ))
}

pub async fn detail_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<FindingItem>, AppError> {
    let row = visible(&state, &viewer, id).await?;
    Ok(Json(item_of(&state, row)))
}

pub async fn status_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Json(request): Json<StatusRequest>,
) -> Result<Json<FindingItem>, AppError> {
    let csrf = super::csrf_header(&headers);
    Ok(Json(set_status(&state, &viewer, id, &request, csrf).await?))
}
