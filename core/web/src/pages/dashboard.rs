//! 工作台 (`GET /`, `GET /api/v1/dashboard`): what each role opens first. A dispatcher: new,
//! unrouted, due-soon and overdue complaints; a unit: its own open queue with deadlines;
//! legal staff: open findings by rule and unit, the last sweep and its errors; auditors
//! and leaders: the trend of open violations and the units with the most. An admin sees all.

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::extract::State;
use jiandu_model::{Access, Area, Role, clock};
use jiandu_store::{ComplaintFilter, RuleErrors, SweepInfo};
use serde::Serialize;

use super::complaints::{self, ComplaintItem};
use super::{Layout, PageResult, render, unavailable};
use crate::auth::Viewer;
use crate::{AppError, AppState};

/// Months the trend shows.
const TREND_MONTHS: usize = 24;

#[derive(Debug, Clone, Serialize)]
pub struct Counter {
    pub label: &'static str,
    pub n: u64,
    /// The filtered list behind the number.
    pub href: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub label: String,
    pub n: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Dashboard {
    /// Dispatcher: the four counters and the items needing attention first.
    pub complaint_counters: Vec<Counter>,
    pub urgent: Vec<ComplaintItem>,
    /// Unit: its own open items.
    pub queue: Vec<ComplaintItem>,
    /// Legal: (rule, unit, outcome, n), most first.
    pub findings_by_rule_unit: Vec<(String, String, String, u64)>,
    pub last_sweep: Option<SweepInfo>,
    pub sweep_errors: Vec<RuleErrors>,
    pub sweep_unknown: u64,
    /// Leaders: open violations per month of the act, and the units with the most.
    pub trend: Vec<Bar>,
    pub top_units: Vec<(String, u64)>,
    pub show_complaints: bool,
    pub show_queue: bool,
    pub show_findings: bool,
    pub show_trends: bool,
}

fn bars(months: &[(String, u64)]) -> Vec<Bar> {
    let shown: Vec<&(String, u64)> = months
        .iter()
        .skip(months.len().saturating_sub(TREND_MONTHS))
        .collect();
    let max = shown.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    shown
        .iter()
        .enumerate()
        .map(|(i, &(month, n))| {
            let height = u32::try_from(n * 140 / max).unwrap_or(140);
            Bar {
                x: 40 + u32::try_from(i).unwrap_or(0) * 28,
                y: 160 - height,
                height,
                label: month.get(2..).unwrap_or(month).to_owned(),
                n: *n,
            }
        })
        .collect()
}

pub async fn view(state: &AppState, viewer: &Viewer) -> Result<Dashboard, AppError> {
    let role = viewer.role();
    let mut d = Dashboard {
        show_complaints: matches!(role, Role::Admin | Role::Dispatcher)
            && state.complaints.is_some(),
        show_queue: matches!(role, Role::Unit { .. }) && state.complaints.is_some(),
        show_findings: matches!(role, Role::Admin | Role::Legal),
        show_trends: matches!(role, Role::Admin | Role::Auditor | Role::Legal),
        ..Dashboard::default()
    };
    if let (true, Some(service)) = (d.show_complaints, &state.complaints) {
        let today = clock::now().date();
        let soon = service.calendar.add_working_days(today, 1).ok();
        let all = ComplaintFilter::default;
        let counters = [
            (
                "新收 New",
                "/complaints?state=received",
                Some(ComplaintFilter {
                    state: Some(jiandu_model::ComplaintState::Received),
                    ..all()
                }),
            ),
            (
                "未能分派 Unrouted",
                "/complaints?unrouted=1",
                Some(ComplaintFilter {
                    unrouted: true,
                    ..all()
                }),
            ),
            (
                "即将到期 Due soon",
                "/complaints?due_soon=1",
                // Without the next year's notice the horizon is unknown: nothing counted.
                soon.map(|day| ComplaintFilter {
                    due_by: Some(day),
                    ..all()
                }),
            ),
            (
                "已逾期 Overdue",
                "/complaints?overdue=1",
                Some(ComplaintFilter {
                    overdue_on: Some(today),
                    ..all()
                }),
            ),
        ];
        for (label, href, filter) in counters {
            let n = match filter {
                Some(filter) => service
                    .store
                    .count_complaints(&filter)
                    .await
                    .map_err(unavailable)?,
                None => 0,
            };
            d.complaint_counters.push(Counter { label, n, href });
        }
        let query = complaints::ListQuery {
            overdue: Some("1".into()),
            ..complaints::ListQuery::default()
        };
        d.urgent = complaints::list_view(state, viewer, &query, None)
            .await?
            .items;
        d.urgent.truncate(10);
    }
    if d.show_queue {
        let query = complaints::ListQuery {
            open: Some("1".into()),
            ..complaints::ListQuery::default()
        };
        d.queue = complaints::list_view(state, viewer, &query, None)
            .await?
            .items;
    }
    // Legal staff and leaders read the same grouping: fetched once.
    let by_rule_and_unit = if d.show_findings || d.show_trends {
        state
            .store
            .findings_by_rule_and_unit()
            .await
            .map_err(unavailable)?
    } else {
        Vec::new()
    };
    if d.show_findings {
        viewer.require(Area::Findings, Access::Read)?;
        d.findings_by_rule_unit = by_rule_and_unit
            .iter()
            .take(15)
            .cloned()
            .map(|(rule, unit, outcome, n)| (rule, unit.unwrap_or_default(), outcome, n))
            .collect();
        d.last_sweep = state.store.latest_sweep().await.map_err(unavailable)?;
        if let Some(sweep) = &d.last_sweep {
            let gaps = state
                .store
                .sweep_gaps(sweep.sweep_id)
                .await
                .map_err(unavailable)?;
            d.sweep_errors = gaps.errors;
            d.sweep_unknown = gaps.unknown;
        }
    }
    if d.show_trends {
        d.trend = bars(
            &state
                .store
                .violations_by_month()
                .await
                .map_err(unavailable)?,
        );
        let mut per_unit: BTreeMap<String, u64> = BTreeMap::new();
        for (_rule, unit, outcome, n) in &by_rule_and_unit {
            if outcome == "violation" {
                *per_unit
                    .entry(unit.clone().unwrap_or_default())
                    .or_insert(0) += n;
            }
        }
        let mut top: Vec<(String, u64)> = per_unit.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(10);
        d.top_units = top;
    }
    Ok(d)
}

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
struct Page {
    layout: Layout,
    d: Dashboard,
}

pub async fn page(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let d = view(&state, &viewer).await?;
    render(&Page {
        layout: Layout::new(&viewer, "工作台 Dashboard", "/"),
        d,
    })
}

pub async fn api(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Dashboard>, AppError> {
    Ok(Json(view(&state, &viewer).await?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn bars_scale_to_the_largest_month() {
        let bars = super::bars(&[("2025-01".into(), 5), ("2025-02".into(), 10)]);
        assert_eq!(bars.len(), 2);
        assert_eq!((bars[0].height, bars[1].height), (70, 140));
        assert_eq!(bars[1].y, 20);
        assert_eq!(bars[0].label, "25-01");
    }
}
