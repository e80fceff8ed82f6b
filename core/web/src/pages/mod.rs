//! The pages and the JSON API beside them. Each module builds one kind of view (a
//! serialisable struct) once, for the viewer, scoped to the viewer's unit; the page handler
//! renders it with an askama template (`reports/templates/pages/`), the API handler answers
//! the same struct as JSON.

pub mod assets;
pub mod cases;
pub mod complaints;
pub mod dashboard;
pub mod findings;
pub mod gaps;
pub mod records;
pub mod reports;
pub mod rules;

use std::str::FromStr;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use jiandu_model::{Access, Area, Role};
use serde::Serialize;

use crate::AppError;
use crate::auth::Viewer;

/// Rows on one page of a list.
pub const PAGE_SIZE: u64 = 50;

/// What the base layout shows: who is logged in and where they can go.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    pub title: String,
    pub user: String,
    pub role: String,
    pub role_zh: String,
    pub unit: Option<String>,
    pub csrf_token: String,
    pub nav: Vec<NavItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// The menu: where each entry goes (the complaints open on the items still being handled)
/// and the area a role must be able to read to see it.
const NAV: &[(&str, &str, Option<Area>)] = &[
    ("/", "工作台 Dashboard", None),
    (
        "/complaints?open=1",
        "投诉举报 Complaints",
        Some(Area::Complaints),
    ),
    ("/findings", "问题线索 Findings", Some(Area::Findings)),
    ("/cases", "监督案件 Cases", Some(Area::Cases)),
    ("/rules", "规则 Rules", Some(Area::Rules)),
    ("/gaps", "无法判断 Gaps", Some(Area::Gaps)),
    ("/imports", "导入 Imports", Some(Area::Imports)),
    ("/reports", "报表 Reports", Some(Area::Reports)),
];

impl Layout {
    pub fn new(viewer: &Viewer, title: impl Into<String>, active: &str) -> Layout {
        let role: &Role = viewer.role();
        Layout {
            title: title.into(),
            user: viewer.name().to_owned(),
            role: role.as_str().to_owned(),
            role_zh: role.chinese().to_owned(),
            unit: role.unit().map(str::to_owned),
            csrf_token: viewer.csrf_token().to_owned(),
            nav: NAV
                .iter()
                .filter(|(_, _, area)| area.is_none_or(|a| role.may(a, Access::Read)))
                .map(|(href, label, _)| NavItem {
                    href,
                    label,
                    active: href.split('?').next() == Some(active),
                })
                .collect(),
        }
    }
}

/// An error shown as a page (the API answers [`AppError`] as JSON).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(err: AppError) -> PageError {
        PageError(err)
    }
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage {
    status: u16,
    reason: String,
    message: String,
    id: Option<String>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let headers = self.0.headers();
        let (message, id) = self.0.message();
        let page = ErrorPage {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_owned(),
            message,
            id,
        };
        let body = page.render().unwrap_or_else(|_| "error (错误)".to_owned());
        let mut response = (status, Html(body)).into_response();
        for (name, value) in headers {
            if let Ok(value) = axum::http::HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

pub type PageResult = Result<Response, PageError>;

/// Renders a template as a 200 page.
pub fn render(template: &impl Template) -> PageResult {
    let body = template.render().map_err(AppError::internal)?;
    Ok((StatusCode::OK, Html(body)).into_response())
}

/// A 303 to `to` (after a form: the browser then GETs the page).
pub fn see_other(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, to.to_owned())],
    )
        .into_response()
}

/// One option of a filter's drop-down, marked when it is the one in the query.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub fn choices(options: &[(&'static str, &'static str)], current: &Option<String>) -> Vec<Choice> {
    options
        .iter()
        .map(|(value, label)| Choice {
            value,
            label,
            selected: current.as_deref() == Some(*value),
        })
        .collect()
}

/// A value as a page shows it: a string as it is, anything else as JSON.
pub fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A JSON object as (name, value) lines for a page: strings as they are, other values as
/// JSON, nulls left out.
pub fn pairs(value: &serde_json::Value) -> Vec<(String, String)> {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), shown(v)))
            .collect(),
        _ => Vec::new(),
    }
}

/// A query value: empty means not given; anything else must parse.
pub fn parse_opt<T: FromStr>(value: &Option<String>, field: &str) -> Result<Option<T>, AppError>
where
    T::Err: std::fmt::Display,
{
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|e| AppError::BadRequest {
            message: format!("`{field}`: {e}"),
            extra: serde_json::Value::Null,
        }),
    }
}

/// A non-empty text value.
pub fn text_opt(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Where a list page stands, with the links to the pages beside it (same filters).
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub page: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `page` counted from 1; `fetched` rows were asked for `PAGE_SIZE + 1` to learn whether
    /// another page follows.
    pub fn new(path: &str, query: Option<&str>, page: u64, fetched: usize) -> Pager {
        let link = |p: u64| {
            let mut pairs: Vec<String> = query
                .unwrap_or("")
                .split('&')
                .filter(|kv| !kv.is_empty() && !kv.starts_with("page="))
                .map(str::to_owned)
                .collect();
            pairs.push(format!("page={p}"));
            format!("{path}?{}", pairs.join("&"))
        };
        Pager {
            page,
            prev: (page > 1).then(|| link(page - 1)),
            next: (fetched as u64 > PAGE_SIZE).then(|| link(page + 1)),
        }
    }

    pub fn offset(page: u64) -> u64 {
        page.saturating_sub(1).saturating_mul(PAGE_SIZE)
    }
}

/// A page number from the query (1 when absent).
pub fn page_of(value: &Option<String>) -> Result<u64, AppError> {
    Ok(parse_opt::<u64>(value, "page")?.unwrap_or(1).max(1))
}

/// The outcome of a guarded change in the store: a lost race is 409, `missing` 404, any
/// other refusal 422 with its reason, a store failure 503.
pub fn guarded<T, E: std::fmt::Display>(
    result: Result<Result<T, E>, jiandu_store::StoreError>,
    missing: impl Fn(&E) -> bool,
) -> Result<T, AppError> {
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(refused)) if missing(&refused) => Err(AppError::NotFound(refused.to_string())),
        Ok(Err(refused)) => Err(AppError::refused(refused)),
        Err(err @ jiandu_store::StoreError::Conflict { .. }) => {
            Err(AppError::Conflict(err.to_string()))
        }
        Err(err) => Err(unavailable(err)),
    }
}

/// The CSRF token an API client sends with the session cookie.
pub fn csrf_header(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(crate::auth::session::CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
}

/// Store failures on a read: the database is unavailable.
pub fn unavailable(err: impl std::fmt::Display) -> AppError {
    AppError::Unavailable {
        message: "the database cannot be read (数据库不可用)".into(),
        detail: err.to_string(),
    }
}
