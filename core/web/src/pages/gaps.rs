//! What the rules could not judge (`GET /gaps?by=rule|field|unit|type`) and the recent
//! import reports (`GET /imports`).

use askama::Template;
use axum::Json;
use axum::extract::{Query, RawQuery, State};
use jiandu_model::{Access, Area};
use jiandu_store::{GapCount, GapGrouping, ImportBatchRow};
use serde::{Deserialize, Serialize};

use super::{Layout, PAGE_SIZE, PageResult, Pager, page_of, render, unavailable};
use crate::auth::Viewer;
use crate::{AppError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct GapQuery {
    pub by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapsPage {
    pub by: &'static str,
    pub groups: Vec<GapCount>,
}

pub async fn gaps_view(
    state: &AppState,
    viewer: &Viewer,
    query: &GapQuery,
) -> Result<GapsPage, AppError> {
    viewer.require(Area::Gaps, Access::Read)?;
    let (by, grouping) = match query.by.as_deref().unwrap_or("rule") {
        "" | "rule" => ("rule", GapGrouping::Rule),
        "field" => ("field", GapGrouping::Field),
        "unit" => ("unit", GapGrouping::Unit),
        "type" => ("type", GapGrouping::RecordType),
        other => {
            return Err(AppError::BadRequest {
                message: format!("`by`: `{other}` is not one of rule, field, unit, type"),
                extra: serde_json::Value::Null,
            });
        }
    };
    let groups = state
        .store
        .gap_counts(grouping)
        .await
        .map_err(unavailable)?;
    Ok(GapsPage { by, groups })
}

#[derive(Debug, Default, Deserialize)]
pub struct ImportQuery {
    pub page: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportsPage {
    pub imports: Vec<ImportBatchRow>,
    pub pager: Pager,
}

pub async fn imports_view(
    state: &AppState,
    viewer: &Viewer,
    query: &ImportQuery,
    raw: Option<&str>,
) -> Result<ImportsPage, AppError> {
    viewer.require(Area::Imports, Access::Read)?;
    let page = page_of(&query.page)?;
    let mut imports = state
        .store
        .recent_imports(PAGE_SIZE + 1, Pager::offset(page))
        .await
        .map_err(unavailable)?;
    let pager = Pager::new("/imports", raw, page, imports.len());
    imports.truncate(PAGE_SIZE as usize);
    Ok(ImportsPage { imports, pager })
}

#[derive(Template)]
#[template(path = "pages/gaps.html")]
struct Gaps {
    layout: Layout,
    page: GapsPage,
}

#[derive(Template)]
#[template(path = "pages/imports.html")]
struct Imports {
    layout: Layout,
    page: ImportsPage,
}

pub async fn gaps_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<GapQuery>,
) -> PageResult {
    let page = gaps_view(&state, &viewer, &query).await?;
    render(&Gaps {
        layout: Layout::new(&viewer, "无法判断 Gaps", "/gaps"),
        page,
    })
}

pub async fn imports_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ImportQuery>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let page = imports_view(&state, &viewer, &query, raw.as_deref()).await?;
    render(&Imports {
        layout: Layout::new(&viewer, "导入 Imports", "/imports"),
        page,
    })
}

pub async fn gaps_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<GapQuery>,
) -> Result<Json<GapsPage>, AppError> {
    Ok(Json(gaps_view(&state, &viewer, &query).await?))
}

pub async fn imports_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ImportQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ImportsPage>, AppError> {
    Ok(Json(
        imports_view(&state, &viewer, &query, raw.as_deref()).await?,
    ))
}
