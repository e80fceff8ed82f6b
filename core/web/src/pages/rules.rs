//! The rules in force (`GET /rules`, `GET /rules/{id}`): each rule's versions with their
//! legal basis and dates, its interpretations and the settings it reads with the profile's
//! values, its open findings, and (on a rule's page) its test cases run now.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use jiandu_model::{Access, Area};
use jiandu_rules::{Rule, RuleSet};
use serde::Serialize;

use super::{Layout, PageResult, render, unavailable};
use crate::auth::Viewer;
use crate::{AppError, AppState};

#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    pub label: String,
    pub range: String,
    pub basis: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub rule_id: String,
    pub title_zh: String,
    pub title_en: String,
    pub pack: String,
    pub file: String,
    pub record_types: Vec<String>,
    pub versions: Vec<VersionView>,
    pub interpretations: Vec<(String, String)>,
    /// (setting, the profile's value)
    pub settings: Vec<(String, String)>,
    pub problem: Option<String>,
    pub open_findings: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub number: usize,
    pub why: String,
    pub expected: String,
    pub actual: Option<String>,
    pub passed: bool,
    pub failure: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RulesPage {
    pub profile: String,
    pub profile_description: Option<String>,
    pub rules_dir: String,
    pub rules: Vec<RuleView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RulePage {
    pub rule: RuleView,
    pub cases: Vec<CaseView>,
    pub cases_problem: Option<String>,
}

fn rule_set(state: &AppState) -> Result<&RuleSet, AppError> {
    state.rules.as_deref().ok_or_else(|| AppError::Unavailable {
        message: "the rules could not be loaded when the server started (规则未加载)".into(),
        detail: String::new(),
    })
}

fn rule_view(set: &RuleSet, rule: &Rule, open: u64) -> RuleView {
    let meta = &rule.meta;
    RuleView {
        rule_id: meta.id.clone(),
        title_zh: meta.title_zh.clone(),
        title_en: meta.title_en.clone(),
        pack: rule.pack.clone(),
        file: rule.shown.clone(),
        record_types: meta
            .record_types
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect(),
        versions: meta
            .versions
            .iter()
            .map(|v| VersionView {
                label: v.label(),
                range: v.range(),
                basis: v.basis.clone(),
                note: v.note.clone(),
            })
            .collect(),
        interpretations: meta
            .interpretations
            .iter()
            .map(|i| (i.setting.clone(), i.note.clone()))
            .collect(),
        settings: meta
            .settings
            .iter()
            .map(|s| {
                let value = set
                    .profile
                    .get(s, None)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "（未设置 not set）".into());
                (s.clone(), value)
            })
            .collect(),
        problem: rule.problem.as_ref().map(|p| p.to_string()),
        open_findings: open,
    }
}

/// Open findings per rule, of the viewer's unit only for a unit's user.
async fn open_counts(
    state: &AppState,
    viewer: &Viewer,
) -> Result<std::collections::HashMap<String, u64>, AppError> {
    let mut counts = std::collections::HashMap::new();
    for (rule, unit, _outcome, n) in state
        .store
        .findings_by_rule_and_unit()
        .await
        .map_err(unavailable)?
    {
        if viewer.role().sees_unit(unit.as_deref()) {
            *counts.entry(rule).or_insert(0) += n;
        }
    }
    Ok(counts)
}

pub async fn list_view(state: &AppState, viewer: &Viewer) -> Result<RulesPage, AppError> {
    viewer.require(Area::Rules, Access::Read)?;
    let set = rule_set(state)?;
    let counts = open_counts(state, viewer).await?;
    Ok(RulesPage {
        profile: set.profile.name.clone(),
        profile_description: set.profile.description.clone(),
        rules_dir: set.dir.display().to_string(),
        rules: set
            .rules
            .iter()
            .map(|r| rule_view(set, r, counts.get(r.id()).copied().unwrap_or(0)))
            .collect(),
    })
}

pub async fn rule_view_of(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<RulePage, AppError> {
    viewer.require(Area::Rules, Access::Read)?;
    let set = rule_set(state)?;
    let rule = set
        .rule(id)
        .ok_or_else(|| AppError::NotFound(format!("rule {id} not found (未找到)")))?;
    let counts = open_counts(state, viewer).await?;
    let report = jiandu_rules::testing::run_cases(set, Some(id));
    Ok(RulePage {
        rule: rule_view(set, rule, counts.get(id).copied().unwrap_or(0)),
        cases: report
            .results
            .iter()
            .filter(|r| r.rule_id == id)
            .map(|r| CaseView {
                number: r.number,
                why: r.why.clone(),
                expected: r.expected.as_str().to_owned(),
                actual: r.actual.as_ref().map(|a| a.outcome.as_str().to_owned()),
                passed: r.passed(),
                failure: r.failure.clone(),
            })
            .collect(),
        cases_problem: report.problems.first().map(|p| p.to_string()),
    })
}

#[derive(Template)]
#[template(path = "pages/rules.html")]
struct ListPage {
    layout: Layout,
    page: RulesPage,
}

#[derive(Template)]
#[template(path = "pages/rule.html")]
struct DetailPage {
    layout: Layout,
    page: RulePage,
}

pub async fn list_page(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let page = list_view(&state, &viewer).await?;
    render(&ListPage {
        layout: Layout::new(&viewer, "规则 Rules", "/rules"),
        page,
    })
}

pub async fn detail_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let page = rule_view_of(&state, &viewer, &id).await?;
    render(&DetailPage {
        layout: Layout::new(&viewer, format!("规则 {id}"), "/rules"),
        page,
    })
}

pub async fn list_api(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<RulesPage>, AppError> {
    Ok(Json(list_view(&state, &viewer).await?))
}
