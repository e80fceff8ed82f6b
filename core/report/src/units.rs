//! `units`: a scorecard per unit — its records by act type, the share judged without any
//! violation, open and long-open findings, the median time to correct the data, complaint
//! timeliness, and its rank among the units of its department.

use std::collections::{BTreeMap, BTreeSet};

use jiandu_model::{FindingStatus, Outcome};
use jiandu_store::FindingFilter;

use crate::chart::{Chart, ChartKind};
use crate::complaints::{Timeliness, timeliness};
use crate::context::{BEHAVIOUR, Context, ReportError, Request, UnitInfo, Units, median};
use crate::document::{Cell, Section, Table};
use crate::handling::handled;
use crate::sweep::is_open;

#[derive(Default)]
struct Card {
    by_type: [u64; 4],
    records: u64,
    /// Records a completed sweep has judged as they are now.
    judged: u64,
    clean: u64,
    open: u64,
    long_open: u64,
    correction_days: Vec<f64>,
}

pub(crate) async fn build(
    ctx: &Context<'_>,
    request: &Request,
    units: &Units,
) -> Result<Vec<Section>, ReportError> {
    let long_open_days = ctx.setting("rectification_days", 30);
    let findings = ctx
        .store
        .list_findings(&FindingFilter {
            from: Some(request.from),
            to: Some(request.to),
            ..FindingFilter::default()
        })
        .await?;
    // Records with a violation that stands (not dismissed, still produced by the data).
    let violated: BTreeSet<&str> = findings
        .iter()
        .filter(|f| {
            f.outcome == Outcome::Violation
                && !matches!(
                    f.status,
                    FindingStatus::Dismissed | FindingStatus::ResolvedByData
                )
        })
        .map(|f| f.record_id.as_str())
        .collect();
    let judged_through = ctx.judged_through().await?;
    let mut cards: BTreeMap<String, Card> = units
        .values()
        .filter(|u| !u.is_dispatcher)
        .map(|u| (u.unit_id.clone(), Card::default()))
        .collect();
    ctx.visit_records(&BEHAVIOUR, request.from, request.to, |r| {
        let Some(unit) = r.unit_id.as_ref() else {
            return;
        };
        if units.get(unit).is_some_and(|u| u.is_dispatcher)
            || request.unit.as_deref().is_some_and(|u| u != unit)
        {
            return;
        }
        // A unit the reference data does not list still has its records counted.
        let card = cards.entry(unit.clone()).or_default();
        let idx = BEHAVIOUR
            .iter()
            .position(|t| *t == r.stored.record.record_type())
            .unwrap_or(0);
        if let Some(n) = card.by_type.get_mut(idx) {
            *n += 1;
        }
        card.records += 1;
        if judged_through.is_some_and(|rev| r.stored.revision <= rev) {
            card.judged += 1;
            card.clean += u64::from(!violated.contains(r.stored.record.id().as_str()));
        }
    })
    .await?;
    let rectified: BTreeMap<i64, jiandu_model::Moment> =
        ctx.store.rectified_at().await?.into_iter().collect();
    for f in &findings {
        let Some(card) = f.unit_id.as_ref().and_then(|u| cards.get_mut(u)) else {
            continue;
        };
        if is_open(f.status) {
            card.open += 1;
            if f.first_seen_at.date().add_days(long_open_days) < request.to {
                card.long_open += 1;
            }
        }
        let corrected = match f.status {
            FindingStatus::ResolvedByData => f.resolved_at,
            FindingStatus::Rectified => rectified.get(&f.finding_id).copied(),
            _ => None,
        };
        if let Some(at) = corrected {
            card.correction_days
                .push(f.first_seen_at.seconds_until(at) as f64 / 86_400.0);
        }
    }
    let complaint_items = handled(ctx, request.to).await?;
    let complaints: BTreeMap<String, Timeliness> = timeliness(&complaint_items, request, false)
        .into_iter()
        .map(|((unit, _), t)| (unit, t))
        .collect();

    // Rank within the department: more records judged clean first, then fewer open findings.
    let score = |c: &Card| (c.clean * 1000).checked_div(c.judged).unwrap_or(0);
    let mut ranks: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut departments: BTreeMap<&str, Vec<(&String, &Card)>> = BTreeMap::new();
    for (unit, card) in &cards {
        let dept = units.get(unit).map_or("", |u| u.department_code.as_str());
        departments.entry(dept).or_default().push((unit, card));
    }
    for peers in departments.values_mut() {
        peers.sort_by(|a, b| {
            score(b.1)
                .cmp(&score(a.1))
                .then(a.1.open.cmp(&b.1.open))
                .then(a.0.cmp(b.0))
        });
        let n = peers.len();
        for (idx, (unit, _)) in peers.iter().enumerate() {
            ranks.insert((*unit).clone(), (idx + 1, n));
        }
    }

    let mut table = Table::new(&[
        "单位 / unit",
        "部门 / department",
        "检查 / inspections",
        "处罚 / penalties",
        "强制措施 / measures",
        "强制执行 / executions",
        "已评判 / judged",
        "无违法占比 / judged without violation",
        "未结问题 / open findings",
        "超期未整改 / open over limit",
        "整改中位天数 / median days to rectify",
        "部门内排名 / rank in department",
    ]);
    let mut handling = Table::new(&[
        "单位 / unit",
        "派单 / assigned",
        "按时签收率 / signed in time",
        "按时受理率 / decided in time",
        "按时办结率 / resolved in time",
        "退回 / returns",
        "转办 / transfers",
    ]);
    for (unit, card) in cards.iter_mut() {
        if request.unit.as_deref().is_some_and(|u| u != unit) {
            continue;
        }
        let info = units.get(unit);
        let name = info.map_or_else(|| UnitInfo::unlisted(unit).name, |u| u.name.clone());
        let t = complaints.get(unit).copied().unwrap_or_default();
        let (rank, peers) = ranks.get(unit).copied().unwrap_or((0, 0));
        let mut row = vec![
            Cell::text(name.clone()),
            Cell::text(info.map_or(String::new(), |u| u.department.clone())),
        ];
        row.extend(card.by_type.iter().map(|n| Cell::count(*n)));
        row.extend([
            Cell::count(card.judged),
            Cell::share(card.clean, card.judged),
            Cell::count(card.open),
            Cell::count(card.long_open),
            Cell::days(median(&mut card.correction_days)),
            Cell::text(format!("{rank}/{peers}")),
        ]);
        table.push(row);
        handling.push(vec![
            Cell::text(name),
            Cell::count(t.assigned),
            Cell::share(t.signed.0, t.signed.1),
            Cell::share(t.decided.0, t.decided.1),
            Cell::share(t.resolved.0, t.resolved.1),
            Cell::count(t.returns),
            Cell::count(t.transfers),
        ]);
    }
    let chart = Chart::of_table(
        ChartKind::Stacked,
        "各单位执法记录 Records by unit and act type",
        &table,
        0,
        &[2, 3, 4, 5],
        60,
    );
    Ok(vec![
        Section::new("scorecards", "单位评分表 Unit scorecards", table)
            .note(&format!(
                "按执法日期统计本期记录。已评判：最近一次完成的巡查已按现状评判的记录（其后导入或变更的尚未评判）。无违法占比：已评判记录中没有成立的违法问题（未被驳回、数据未消除）的比例。超期未整改：发现超过 {long_open_days} 日仍未结的问题（配置 rectification_days）。整改中位天数：问题从发现到单位整改（标记为已整改）或记录纠正后被巡查消除的天数。排名在同一部门的单位之间，先比无违法占比，再比未结问题。 Ranked among the units of the same department."
            ))
            .chart(chart),
        Section::new("complaints", "投诉举报办理时效 Complaint timeliness", handling).note(
            "本期派给该单位的投诉举报：签收、受理（或立案）决定、办结是否在期限内（法定工作日历）。分母为已完成或已到期的环节。 Steps done or past due in the period.",
        ),
    ])
}
