//! Reports as pages (`GET /reports`, `GET /reports/{kind}?from=&to=&unit=&format=`): the same
//! report `jiandu report` writes, served as its self-contained HTML, or as CSV or JSON to
//! download. A unit's user reads only its own scorecard; which kinds a role reads is
//! `Role::report_kinds`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiandu_model::{Access, Area, Date, clock};
use jiandu_report::{Format, ReportKind, Request};
use serde::Deserialize;

use super::{Layout, PageResult, parse_opt, render, unavailable};
use crate::auth::Viewer;
use crate::{AppError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub unit: Option<String>,
    pub format: Option<String>,
}

struct KindLink {
    kind: &'static str,
    title: &'static str,
}

#[derive(Template)]
#[template(path = "pages/reports.html")]
struct IndexPage {
    layout: Layout,
    kinds: Vec<KindLink>,
    from: String,
    to: String,
}

pub async fn index_page(viewer: Viewer) -> PageResult {
    viewer.require(Area::Reports, Access::Read)?;
    let kinds = viewer
        .role()
        .report_kinds()
        .iter()
        .filter_map(|k| k.parse::<ReportKind>().ok())
        .map(|k| KindLink {
            kind: k.as_str(),
            title: k.title(),
        })
        .collect();
    let today = clock::now().date();
    render(&IndexPage {
        layout: Layout::new(&viewer, "报表 Reports", "/reports"),
        kinds,
        from: Date::from_ymd(today.year(), 1, 1)
            .unwrap_or(today)
            .to_string(),
        to: today.to_string(),
    })
}

/// The report a viewer asked for, checked against what the role may read.
async fn report_for(
    state: &AppState,
    viewer: &Viewer,
    kind: &str,
    query: &ReportQuery,
) -> Result<(jiandu_report::Report, Format), AppError> {
    viewer.require(Area::Reports, Access::Read)?;
    let kind: ReportKind = kind.parse().map_err(|e: String| AppError::NotFound(e))?;
    if !viewer.role().report_kinds().contains(&kind.as_str()) {
        return Err(AppError::Forbidden(format!(
            "报表 {kind} 不对此角色开放 / the {kind} report is not open to this role"
        )));
    }
    let today = clock::now().date();
    let to: Date = parse_opt(&query.to, "to")?.unwrap_or(today);
    let from: Date = parse_opt(&query.from, "from")?
        .unwrap_or_else(|| Date::from_ymd(to.year(), 1, 1).unwrap_or(to));
    // A unit's user reads its own unit, whatever the query says.
    let unit = match viewer.role().unit() {
        Some(own) => Some(own.to_owned()),
        None => query
            .unit
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_owned),
    };
    let format = match query.format.as_deref().unwrap_or("html") {
        "" => Format::Html,
        other => other.parse().map_err(|e: String| AppError::BadRequest {
            message: e,
            extra: serde_json::Value::Null,
        })?,
    };
    let rules = state.rules.as_ref().ok_or_else(|| {
        unavailable("the rules, their profile and calendar did not load when the server started")
    })?;
    let ctx = jiandu_report::Context {
        store: &state.store,
        calendar: &rules.calendar,
        profile: &rules.profile,
        rules: Some(rules),
        now: clock::now(),
    };
    let request = Request {
        kind,
        from,
        to,
        unit,
    };
    let report = jiandu_report::build(&ctx, &request)
        .await
        .map_err(|e| match e {
            jiandu_report::ReportError::UnknownUnit(u) => {
                AppError::NotFound(format!("no unit `{u}` (无此单位)"))
            }
            e if e.is_user_error() => AppError::BadRequest {
                message: e.to_string(),
                extra: serde_json::Value::Null,
            },
            e => unavailable(e),
        })?;
    Ok((report, format))
}

pub async fn report_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(kind): Path<String>,
    Query(query): Query<ReportQuery>,
) -> PageResult {
    let (report, format) = report_for(&state, &viewer, &kind, &query).await?;
    let bytes = match format {
        Format::Html => jiandu_report::to_html_page(&report, "/reports").map(String::into_bytes),
        other => jiandu_report::encode(&report, other),
    }
    .map_err(AppError::internal)?;
    let (content_type, disposition) = match format {
        Format::Html => ("text/html; charset=utf-8", None),
        Format::Csv => ("text/csv; charset=utf-8", Some("csv")),
        Format::Json => ("application/json", Some("json")),
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(ext) = disposition {
        let name = format!(
            "attachment; filename=\"jiandu-{}-{}-{}.{ext}\"",
            report.kind, report.from, report.to
        );
        if let Ok(value) = HeaderValue::from_str(&name) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok::<Response, super::PageError>(response)
}
