//! Supervision cases: the list (`GET /cases`), one case with its findings and its
//! neighbourhood in the case graph drawn as SVG (`GET /cases/{id}`), and its state moves
//! (`POST /cases/{id}/state`) through the store's guarded `set_case_state`.

use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::{Form, Json};
use jiandu_model::{Access, Area, CaseState, clock};
use jiandu_store::{CaseMoveError, CaseRow, FindingFilter};
use serde::{Deserialize, Serialize};

use super::findings::{FindingItem, item_of};
use super::{
    Layout, PAGE_SIZE, PageResult, Pager, page_of, parse_opt, render, see_other, text_opt,
    unavailable,
};
use crate::auth::Viewer;
use crate::{AppError, AppState};

/// Nodes drawn at most around a case; a larger neighbourhood is drawn one step deep.
const MAX_DRAWN: usize = 120;

#[derive(Debug, Clone, Serialize)]
pub struct CaseItem {
    #[serde(flatten)]
    pub row: CaseRow,
    pub state_zh: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseList {
    pub items: Vec<CaseItem>,
    pub pager: Pager,
}

#[derive(Debug, Clone, Serialize)]
pub struct CasePage {
    pub case: CaseItem,
    pub findings: Vec<FindingItem>,
    /// The neighbourhood in the case graph, as SVG.
    pub svg: String,
    /// States the case may move to now.
    pub moves: Vec<(&'static str, &'static str)>,
    pub may_change: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub unit: Option<String>,
    pub state: Option<String>,
    pub page: Option<String>,
}

fn item(row: CaseRow) -> CaseItem {
    CaseItem {
        state_zh: row.state.chinese(),
        row,
    }
}

pub async fn list_view(
    state: &AppState,
    viewer: &Viewer,
    query: &ListQuery,
    raw: Option<&str>,
) -> Result<CaseList, AppError> {
    viewer.require(Area::Cases, Access::Read)?;
    let page = page_of(&query.page)?;
    let unit = viewer
        .role()
        .unit()
        .map(str::to_owned)
        .or_else(|| text_opt(&query.unit));
    let rows = state
        .store
        .list_cases(unit.as_deref(), parse_opt(&query.state, "state")?)
        .await
        .map_err(unavailable)?;
    // A city has one open case per unit: a page of them is cut in memory.
    let rows: Vec<CaseRow> = rows
        .into_iter()
        .skip(Pager::offset(page) as usize)
        .take(PAGE_SIZE as usize + 1)
        .collect();
    let pager = Pager::new("/cases", raw, page, rows.len());
    Ok(CaseList {
        items: rows
            .into_iter()
            .take(PAGE_SIZE as usize)
            .map(item)
            .collect(),
        pager,
    })
}

async fn visible(state: &AppState, viewer: &Viewer, id: i64) -> Result<CaseRow, AppError> {
    viewer.require(Area::Cases, Access::Read)?;
    let row = state
        .store
        .get_case(id)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| AppError::NotFound(format!("case {id} not found (未找到)")))?;
    viewer.scope(Some(&row.unit_id), "case")?;
    Ok(row)
}

async fn neighbourhood_svg(state: &AppState, case_id: i64) -> Result<String, AppError> {
    let data = jiandu_cases::load(&state.store)
        .await
        .map_err(unavailable)?;
    let graph = jiandu_cases::CaseGraph::build(&data);
    let Some(centre) = graph.find(&format!("case:{case_id}")) else {
        return Ok(String::new());
    };
    let mut around = graph.neighbourhood(centre, 2);
    if around.node_count() > MAX_DRAWN {
        around = graph.neighbourhood(centre, 1);
    }
    if around.node_count() > MAX_DRAWN {
        around = around.overview(MAX_DRAWN);
    }
    Ok(jiandu_cases::export::svg(&around))
}

pub async fn view(state: &AppState, viewer: &Viewer, id: i64) -> Result<CasePage, AppError> {
    let row = visible(state, viewer, id).await?;
    let findings = state
        .store
        .list_findings(&FindingFilter {
            case_id: Some(id),
            ..FindingFilter::default()
        })
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(|f| item_of(state, f))
        .collect();
    let svg = neighbourhood_svg(state, id).await?;
    let moves = CaseState::ALL
        .iter()
        .filter(|s| row.state.can_move_to(**s))
        .map(|s| (s.as_str(), s.chinese()))
        .collect();
    Ok(CasePage {
        case: item(row),
        findings,
        svg,
        moves,
        may_change: viewer.role().may(Area::Cases, Access::Change),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveRequest {
    pub state: Option<String>,
    pub note: Option<String>,
    pub csrf_token: Option<String>,
}

pub async fn move_case(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    request: &MoveRequest,
    csrf_header: Option<&str>,
) -> Result<CaseItem, AppError> {
    viewer.check_csrf(request.csrf_token.as_deref().or(csrf_header))?;
    viewer.require(Area::Cases, Access::Change)?;
    visible(state, viewer, id).await?;
    let to: CaseState = parse_opt(&request.state, "state")?
        .ok_or_else(|| AppError::refused("`state` is required (请选择状态)"))?;
    let note = text_opt(&request.note);
    let moved = state
        .store
        .set_case_state(id, to, note.as_deref(), viewer.name(), clock::now())
        .await;
    super::guarded(moved, |e| matches!(e, CaseMoveError::NoSuchCase(_)))?;
    Ok(item(visible(state, viewer, id).await?))
}

#[derive(Template)]
#[template(path = "pages/cases.html")]
struct ListPage {
    layout: Layout,
    list: CaseList,
    query: ListQuery,
    show_unit_filter: bool,
    states: Vec<super::Choice>,
}

#[derive(Template)]
#[template(path = "pages/case.html")]
struct DetailPage {
    layout: Layout,
    page: CasePage,
}

pub async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let list = list_view(&state, &viewer, &query, raw.as_deref()).await?;
    render(&ListPage {
        layout: Layout::new(&viewer, "监督案件 Cases", "/cases"),
        show_unit_filter: viewer.role().unit().is_none(),
        states: super::choices(
            &CaseState::ALL
                .iter()
                .map(|s| (s.as_str(), s.chinese()))
                .collect::<Vec<_>>(),
            &query.state,
        ),
        list,
        query,
    })
}

pub async fn detail_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> PageResult {
    let page = view(&state, &viewer, id).await?;
    render(&DetailPage {
        layout: Layout::new(&viewer, format!("监督案件 {id}"), "/cases"),
        page,
    })
}

pub async fn move_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(request): Form<MoveRequest>,
) -> PageResult {
    move_case(&state, &viewer, id, &request, None).await?;
    Ok(see_other(&format!("/cases/{id}")))
}

pub async fn list_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Json<CaseList>, AppError> {
    Ok(Json(
        list_view(&state, &viewer, &query, raw.as_deref()).await?,
    ))
}

pub async fn detail_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<CasePage>, AppError> {
    Ok(Json(view(&state, &viewer, id).await?))
}
