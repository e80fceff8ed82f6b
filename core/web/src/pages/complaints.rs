//! Complaints: the queue (`GET /complaints`), one item with its routing reason, deadlines
//! in working days, timeline and the actions this viewer may take (`GET
//! /complaints/{task_no}`), and those actions (`POST /complaints/{task_no}/act`), which go
//! through `Complaints::act` exactly as the CLI's do. The API serves the same views.

use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use jiandu_calendar::Calendar;
use jiandu_complaints::{ComplaintError, Complaints, Directory};
use jiandu_model::{
    Access, Action, ActionKind, Actor, Area, ComplaintKind, ComplaintState, Date, NonAcceptGround,
    Role, clock,
};
use jiandu_store::{ComplaintFilter, ComplaintRow, EventRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Layout, PAGE_SIZE, PageResult, Pager, page_of, parse_opt, render, see_other, text_opt,
    unavailable,
};
use crate::auth::Viewer;
use crate::{AppError, AppState};

/// One line of the queue.
#[derive(Debug, Clone, Serialize)]
pub struct ComplaintItem {
    pub task_no: String,
    pub complaint_id: String,
    pub kind: ComplaintKind,
    pub kind_zh: &'static str,
    pub state: ComplaintState,
    pub state_zh: &'static str,
    /// 0 none, 1 催办, 2 督办.
    pub escalation: u8,
    pub escalation_zh: &'static str,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub received_at: String,
    pub title: String,
    pub due_date: Option<Date>,
    pub due_kind_zh: Option<&'static str>,
    /// Working days from today to the deadline by the statutory calendar (negative: overdue);
    /// `None` when no deadline runs or the calendar lacks the year.
    pub working_days_left: Option<i64>,
    pub overdue: bool,
}

/// A deadline of the current assignment.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneView {
    pub kind_zh: &'static str,
    pub from: Date,
    pub due: Date,
    pub done: Option<Date>,
    pub working_days_left: Option<i64>,
    pub status_zh: String,
    pub basis: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub seq: i64,
    pub at: String,
    pub action: ActionKind,
    pub action_zh: &'static str,
    pub actor: String,
    pub from_unit: Option<String>,
    pub to_unit: Option<String>,
    pub reason: Option<String>,
}

/// A button on the page: an action the state machine allows this viewer now.
#[derive(Debug, Clone, Serialize)]
pub struct ActionForm {
    pub action: &'static str,
    pub label: String,
    /// What the form must ask for.
    pub needs: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComplaintPage {
    pub item: ComplaintItem,
    pub category: Option<String>,
    pub detail: String,
    /// The respondent and the complainant (masked) as (field, value) lines.
    pub respondent: Vec<(String, String)>,
    pub complainant: Vec<(String, String)>,
    pub route_unit: Option<String>,
    pub route_reason: Vec<String>,
    pub milestones: Vec<MilestoneView>,
    pub events: Vec<EventView>,
    pub actions: Vec<ActionForm>,
    /// Units an item can be assigned or transferred to: (id, name), the units of the
    /// department routing named first (the dispatcher's department preselected).
    pub units: Vec<(String, String)>,
    pub grounds: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComplaintList {
    pub items: Vec<ComplaintItem>,
    pub pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub state: Option<String>,
    pub unit: Option<String>,
    pub kind: Option<String>,
    /// `1`: the dispatcher's queue (received or returned).
    pub queue: Option<String>,
    pub overdue: Option<String>,
    pub due_soon: Option<String>,
    pub unrouted: Option<String>,
    pub open: Option<String>,
    pub page: Option<String>,
}

fn flag(value: &Option<String>) -> bool {
    matches!(value.as_deref(), Some("1" | "true" | "on" | "yes"))
}

fn service(state: &AppState) -> Result<&Complaints, AppError> {
    state
        .complaints
        .as_deref()
        .ok_or_else(|| AppError::Unavailable {
            message: "complaint handling is not configured (no routing table) (投诉举报未配置)"
                .into(),
            detail: String::new(),
        })
}

/// Working days from `today` to `due`: 0 on the day, negative once past.
pub fn working_days_left(calendar: &Calendar, today: Date, due: Date) -> Option<i64> {
    if due >= today {
        calendar.working_days_between(today, due).ok()
    } else {
        calendar.working_days_between(due, today).ok().map(|n| -n)
    }
}

fn unit_name(directory: &Directory, unit: Option<&str>) -> Option<String> {
    unit.and_then(|u| directory.unit(u)).map(|u| u.name.clone())
}

fn item_of(
    row: &ComplaintRow,
    directory: &Directory,
    calendar: &Calendar,
    today: Date,
) -> ComplaintItem {
    let text = |key: &str| row.details.get(key).and_then(Value::as_str);
    let title = text("task_name")
        .map(str::to_owned)
        .or_else(|| text("detail").map(|d| d.chars().take(40).collect()))
        .unwrap_or_default();
    let open = row.state.is_open();
    let left = row
        .due_date
        .filter(|_| open)
        .and_then(|due| working_days_left(calendar, today, due));
    ComplaintItem {
        task_no: row.task_no.clone(),
        complaint_id: row.complaint_id.clone(),
        kind: row.kind,
        kind_zh: row.kind.chinese(),
        state: row.state,
        state_zh: row.state.chinese(),
        escalation: row.escalation,
        escalation_zh: match row.escalation {
            0 => "",
            1 => "催办",
            _ => "督办",
        },
        unit_id: row.unit_id.clone(),
        unit_name: unit_name(directory, row.unit_id.as_deref()),
        received_at: row.received_at.to_string(),
        title,
        due_date: row.due_date,
        due_kind_zh: row.due_kind.map(|k| k.chinese()),
        working_days_left: left,
        overdue: open && row.due_date.is_some_and(|d| d < today),
    }
}

/// The queue for this viewer: a unit's user sees its own unit's items only.
pub async fn list_view(
    state: &AppState,
    viewer: &Viewer,
    query: &ListQuery,
    raw: Option<&str>,
) -> Result<ComplaintList, AppError> {
    viewer.require(Area::Complaints, Access::Read)?;
    let service = service(state)?;
    let today = clock::now().date();
    let page = page_of(&query.page)?;
    let due_soon = flag(&query.due_soon)
        .then(|| service.calendar.add_working_days(today, 1).ok())
        .flatten();
    let filter = ComplaintFilter {
        unit_id: viewer
            .role()
            .unit()
            .map(str::to_owned)
            .or_else(|| text_opt(&query.unit)),
        state: parse_opt(&query.state, "state")?,
        kind: parse_opt(&query.kind, "kind")?,
        overdue_on: flag(&query.overdue).then_some(today),
        due_by: due_soon,
        unassigned: flag(&query.queue),
        open: flag(&query.open),
        unrouted: flag(&query.unrouted),
        limit: Some(PAGE_SIZE + 1),
        offset: Pager::offset(page),
    };
    let rows = service
        .store
        .list_complaints(&filter)
        .await
        .map_err(unavailable)?;
    let directory = service.directory().await.map_err(unavailable)?;
    let pager = Pager::new("/complaints", raw, page, rows.len());
    let items = rows
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|row| item_of(row, &directory, &service.calendar, today))
        .collect();
    Ok(ComplaintList { items, pager })
}

/// Who the viewer acts as on complaints, if it may act at all.
fn actor_of(viewer: &Viewer) -> Option<Actor> {
    let name = viewer.name().to_owned();
    if !viewer.role().may(Area::Complaints, Access::Change) {
        return None;
    }
    Some(match viewer.role() {
        Role::Unit { unit_id } => Actor::Unit {
            unit_id: unit_id.clone(),
            name,
        },
        _ => Actor::Dispatcher { name },
    })
}

/// The actions `apply` allows `actor` now, tried with stand-in values (a form asks for the
/// real ones).
fn allowed_actions(row: &ComplaintRow, actor: &Actor) -> Vec<ActionForm> {
    let standing = row.standing();
    let candidates = [
        (
            Action::Assign {
                to_unit: "\u{1}".into(),
            },
            "派单 Assign",
            "unit",
        ),
        (
            Action::Transfer {
                to_unit: "\u{1}".into(),
            },
            "转办 Transfer",
            "unit",
        ),
        (
            Action::Escalate,
            if row.escalation == 0 {
                "催办 Urge"
            } else {
                "督办 Supervise"
            },
            "reason_optional",
        ),
        (Action::Acknowledge, "签收 Sign for", "none"),
        (
            Action::Return { reason: "x".into() },
            "退回 Return",
            "reason",
        ),
        (Action::Accept, "受理 Accept", "none"),
        (
            Action::NotAccept {
                ground: NonAcceptGround::OutsideRemit,
            },
            "不予受理 Not accept",
            "ground",
        ),
        (
            Action::Resolve { result: "x".into() },
            "办结 Resolve",
            "result",
        ),
        (
            Action::Feedback {
                suggestion: "x".into(),
            },
            "反馈 Feedback",
            "suggestion",
        ),
    ];
    candidates
        .into_iter()
        .filter(|(action, _, _)| jiandu_model::complaint::apply(&standing, action, actor).is_ok())
        .map(|(action, label, needs)| ActionForm {
            action: action.kind().as_str(),
            label: match (action.kind(), row.state) {
                (ActionKind::Assign, ComplaintState::Returned) => {
                    "接受退回并重新派单 Accept the return, re-assign".into()
                }
                _ => label.to_owned(),
            },
            needs,
        })
        .collect()
}

fn event_view(e: &EventRow) -> EventView {
    EventView {
        seq: e.seq,
        at: e.at.to_string(),
        action: e.action,
        action_zh: e.action.chinese(),
        actor: e.actor.describe(),
        from_unit: e.from_unit.clone(),
        to_unit: e.to_unit.clone(),
        reason: e.reason.clone(),
    }
}

/// The complaint `task_no` for this viewer; 404 when it is another unit's.
async fn visible(
    service: &Complaints,
    viewer: &Viewer,
    task_no: &str,
) -> Result<ComplaintRow, AppError> {
    viewer.require(Area::Complaints, Access::Read)?;
    let row = service
        .store
        .complaint_by_task(task_no)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| AppError::NotFound(format!("complaint {task_no} not found (未找到)")))?;
    viewer.scope(row.unit_id.as_deref(), "complaint")?;
    Ok(row)
}

pub async fn detail_view(
    state: &AppState,
    viewer: &Viewer,
    task_no: &str,
) -> Result<ComplaintPage, AppError> {
    let service = service(state)?;
    let row = visible(service, viewer, task_no).await?;
    let today = clock::now().date();
    let directory = service.directory().await.map_err(unavailable)?;
    let events = service
        .store
        .complaint_events(&row.complaint_id)
        .await
        .map_err(unavailable)?;
    let milestones = service
        .milestones_of(&row, &events, &directory)
        .map_err(|e| AppError::internal(e.to_string()))?
        .into_iter()
        .map(|m| {
            let left = m
                .done
                .is_none()
                .then(|| working_days_left(&service.calendar, today, m.due))
                .flatten();
            let status_zh = match (m.done, left) {
                (Some(done), _) if done <= m.due => format!("{done} 按时完成 done in time"),
                (Some(done), _) => format!("{done} 逾期完成 done late"),
                (None, Some(n)) if n < 0 => format!("已逾期 {} 个工作日 overdue", -n),
                (None, Some(n)) => format!("剩余 {n} 个工作日 working days left"),
                (None, None) => "期限未知（缺少节假日安排）".into(),
            };
            MilestoneView {
                kind_zh: m.kind.chinese(),
                from: m.from,
                due: m.due,
                done: m.done,
                working_days_left: left,
                status_zh,
                basis: m.basis,
            }
        })
        .collect();
    let actions = actor_of(viewer)
        .map(|actor| allowed_actions(&row, &actor))
        .unwrap_or_default();
    let text = |key: &str| {
        row.details
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Ok(ComplaintPage {
        item: item_of(&row, &directory, &service.calendar, today),
        category: text("category"),
        detail: text("detail").unwrap_or_default(),
        respondent: super::pairs(row.details.get("respondent").unwrap_or(&Value::Null)),
        complainant: super::pairs(row.details.get("complainant").unwrap_or(&Value::Null)),
        route_unit: row.route_unit.clone(),
        route_reason: row
            .route_reason
            .split('；')
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        milestones,
        events: events.iter().map(event_view).collect(),
        actions,
        units: assignable_units(&directory, &row),
        grounds: NonAcceptGround::ALL
            .iter()
            .map(|g| (g.as_str(), g.chinese()))
            .collect(),
    })
}

/// What a form or an API client sends to act.
#[derive(Debug, Default, Deserialize)]
pub struct ActRequest {
    pub action: Option<String>,
    pub to_unit: Option<String>,
    pub reason: Option<String>,
    pub ground: Option<String>,
    pub result: Option<String>,
    pub suggestion: Option<String>,
    pub csrf_token: Option<String>,
}

/// Takes one action as this viewer: the same `Complaints::act` the CLI calls.
pub async fn act(
    state: &AppState,
    viewer: &Viewer,
    task_no: &str,
    request: &ActRequest,
    csrf_header: Option<&str>,
) -> Result<ComplaintItem, AppError> {
    viewer.check_csrf(request.csrf_token.as_deref().or(csrf_header))?;
    viewer.require(Area::Complaints, Access::Change)?;
    let service = service(state)?;
    let row = visible(service, viewer, task_no).await?;
    let actor = actor_of(viewer).ok_or_else(|| AppError::Forbidden("read only (只读)".into()))?;
    let kind: ActionKind = parse_opt(&request.action, "action")?
        .ok_or_else(|| AppError::refused("`action` is required (请选择操作)"))?;
    let given = |v: &Option<String>| text_opt(v).unwrap_or_default();
    let action = match kind {
        ActionKind::Assign => Action::Assign {
            to_unit: given(&request.to_unit),
        },
        ActionKind::Transfer => Action::Transfer {
            to_unit: given(&request.to_unit),
        },
        ActionKind::Acknowledge => Action::Acknowledge,
        ActionKind::Return => Action::Return {
            reason: given(&request.reason),
        },
        ActionKind::Accept => Action::Accept,
        ActionKind::NotAccept => Action::NotAccept {
            ground: parse_opt(&request.ground, "ground")?
                .ok_or_else(|| AppError::refused("不予受理 needs its ground (`ground`)"))?,
        },
        ActionKind::Resolve => Action::Resolve {
            result: given(&request.result),
        },
        ActionKind::Escalate => Action::Escalate,
        ActionKind::Feedback => Action::Feedback {
            suggestion: given(&request.suggestion),
        },
    };
    // The reason of a return travels in the action; the others' note as the event's reason.
    let reason = match kind {
        ActionKind::Return => None,
        _ => text_opt(&request.reason),
    };
    let directory = service.directory().await.map_err(unavailable)?;
    let done = service
        .act_in(
            &row.complaint_id,
            action,
            actor,
            reason,
            &serde_json::Map::new(),
            clock::now(),
            &directory,
        )
        .await
        .map_err(|err| match err {
            ComplaintError::Refused(_) | ComplaintError::UnknownUnit(_) => AppError::refused(err),
            ComplaintError::Conflict(c) => AppError::Conflict(c.to_string()),
            other => AppError::internal(other),
        })?;
    Ok(item_of(
        &done,
        &directory,
        &service.calendar,
        clock::now().date(),
    ))
}

#[derive(Template)]
#[template(path = "pages/complaints.html")]
struct ListPage {
    layout: Layout,
    list: ComplaintList,
    query: ListQuery,
    show_unit_filter: bool,
    states: Vec<super::Choice>,
    kinds: Vec<super::Choice>,
}

#[derive(Template)]
#[template(path = "pages/complaint.html")]
struct DetailPage {
    layout: Layout,
    page: ComplaintPage,
}

pub async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let list = list_view(&state, &viewer, &query, raw.as_deref()).await?;
    render(&ListPage {
        layout: Layout::new(&viewer, "投诉举报 Complaints", "/complaints"),
        show_unit_filter: viewer.role().unit().is_none(),
        states: super::choices(
            &ComplaintState::ALL
                .iter()
                .map(|s| (s.as_str(), s.chinese()))
                .collect::<Vec<_>>(),
            &query.state,
        ),
        kinds: super::choices(&[("complaint", "投诉"), ("report", "举报")], &query.kind),
        list,
        query,
    })
}

pub async fn detail_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(task_no): Path<String>,
) -> PageResult {
    let page = detail_view(&state, &viewer, &task_no).await?;
    render(&DetailPage {
        layout: Layout::new(
            &viewer,
            format!("{} {}", page.item.kind_zh, page.item.task_no),
            "/complaints",
        ),
        page,
    })
}

pub async fn act_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(task_no): Path<String>,
    Form(request): Form<ActRequest>,
) -> PageResult {
    act(&state, &viewer, &task_no, &request, None).await?;
    Ok(see_other(&format!(
        "/complaints/{}",
        crate::error::encode(&task_no)
    )))
}

pub async fn list_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ComplaintList>, AppError> {
    Ok(Json(
        list_view(&state, &viewer, &query, raw.as_deref()).await?,
    ))
}

pub async fn detail_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(task_no): Path<String>,
) -> Result<Json<ComplaintPage>, AppError> {
    Ok(Json(detail_view(&state, &viewer, &task_no).await?))
}

pub async fn act_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(task_no): Path<String>,
    headers: axum::http::HeaderMap,
    Json(request): Json<ActRequest>,
) -> Result<Response, AppError> {
    let csrf = super::csrf_header(&headers);
    let item = act(&state, &viewer, &task_no, &request, csrf).await?;
    Ok(Json(item).into_response())
}

/// The units an item can go to, those of the department routing named first (in the county
/// it placed the item in before the others), each group in the unit list's order.
fn assignable_units(directory: &Directory, row: &ComplaintRow) -> Vec<(String, String)> {
    let text = |key: &str| row.details.get(key).and_then(serde_json::Value::as_str);
    units_for(directory, text("route_department"), text("region"))
}

fn units_for(
    directory: &Directory,
    department: Option<&str>,
    region: Option<&str>,
) -> Vec<(String, String)> {
    let mut units: Vec<&jiandu_complaints::UnitInfo> = directory
        .units
        .iter()
        .filter(|u| !u.is_dispatcher)
        .collect();
    units.sort_by_key(|u| {
        let same_department = department.is_some() && u.department_code.as_deref() == department;
        let same_place = region.is_some() && u.region_code.as_deref() == region;
        (!same_department, !same_place)
    });
    units
        .into_iter()
        .map(|u| (u.unit_id.clone(), u.name.clone()))
        .collect()
}

#[cfg(test)]
mod unit_order_tests {
    use super::*;
    use jiandu_model::{ReferenceKind, ReferenceRow};

    #[test]
    fn the_department_routing_named_comes_first_its_county_before_the_rest() {
        let units: Vec<ReferenceRow> = [
            ("441800-12345", "scjg", "441800", true),
            ("441800-scjg", "scjg", "441800", false),
            ("441802-scjg", "scjg", "441802", false),
            ("441800-sthj", "sthj", "441800", false),
            ("441802-sthj", "sthj", "441802", false),
        ]
        .iter()
        .map(|(id, dept, region, dispatcher)| {
            ReferenceRow::from_json(
                ReferenceKind::Unit,
                serde_json::json!({"unit_id": id, "name": id, "department_code": dept, "region_code": region, "is_dispatcher": dispatcher}),
            )
            .unwrap()
        })
        .collect();
        let directory = Directory::new(&units, &[], &[]);
        let ids = |d, r| -> Vec<String> {
            units_for(&directory, d, r)
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        };
        assert_eq!(
            ids(Some("sthj"), Some("441802")),
            ["441802-sthj", "441800-sthj", "441802-scjg", "441800-scjg"]
        );
        assert_eq!(
            ids(None, None),
            ["441800-scjg", "441802-scjg", "441800-sthj", "441802-sthj"]
        );
    }
}
