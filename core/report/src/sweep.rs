//! `sweep`: what the sweeps of a period found — by outcome, rule and unit, new against
//! resolved, month by month, the records with the most violations, the rules that failed,
//! and the head of the audit chain that seals it all.

use std::collections::BTreeMap;

use jiandu_model::{FindingStatus, Outcome};
use jiandu_store::{FindingFilter, FindingRow};

use crate::chart::{Chart, ChartKind};
use crate::context::{Context, ReportError, Request, Units, month_of, months};
use crate::document::{Cell, Section, Table};

/// A finding nobody has closed: still produced, not dismissed, not rectified.
pub(crate) fn is_open(status: FindingStatus) -> bool {
    matches!(status, FindingStatus::Open | FindingStatus::Confirmed)
}

#[derive(Default, Clone, Copy)]
struct Tally {
    new: u64,
    resolved: u64,
    open: u64,
}

impl Tally {
    fn add(&mut self, finding: &FindingRow, request: &Request) {
        let in_period = |d: jiandu_model::Date| d >= request.from && d <= request.to;
        if in_period(finding.first_seen_at.date()) {
            self.new += 1;
        }
        if finding.status == FindingStatus::ResolvedByData
            && finding.resolved_at.is_some_and(|m| in_period(m.date()))
        {
            self.resolved += 1;
        }
        if is_open(finding.status) {
            self.open += 1;
        }
    }

    fn cells(self) -> [Cell; 3] {
        [
            Cell::count(self.new),
            Cell::count(self.resolved),
            Cell::count(self.open),
        ]
    }
}

const TALLY_HEADINGS: [&str; 3] = [
    "本期新发现 / new in period",
    "本期数据消除 / resolved by data",
    "当前未结 / open now",
];

fn headings<'a>(first: &[&'a str]) -> Vec<&'a str> {
    first.iter().copied().chain(TALLY_HEADINGS).collect()
}

pub(crate) async fn build(
    ctx: &Context<'_>,
    request: &Request,
    units: &Units,
) -> Result<Vec<Section>, ReportError> {
    let unit_name = |id: &Option<String>| {
        id.as_ref()
            .map(|id| units.get(id).map_or(id.clone(), |u| u.name.clone()))
            .unwrap_or_else(|| "（未识别单位）".into())
    };
    let findings = ctx
        .store
        .list_findings(&FindingFilter {
            unit_id: request.unit.clone(),
            ..FindingFilter::default()
        })
        .await?;
    let mut sections = Vec::new();

    // The sweeps themselves.
    let sweeps = ctx.store.sweeps_between(request.from, request.to).await?;
    let mut table = Table::new(&[
        "巡查 / sweep",
        "开始 / started",
        "方式 / kind",
        "状态 / status",
        "记录 / records",
        "规则评估 / evaluations",
        "新发现 / new",
        "重新出现 / reopened",
        "数据消除 / resolved",
        "规则错误 / rule errors",
    ]);
    let mut errors = Table::new(&[
        "巡查 / sweep",
        "规则 / rule",
        "名称 / title",
        "出错记录 / records",
        "错误 / error",
    ]);
    for sweep in &sweeps {
        let totals = ctx.store.sweep_totals(sweep.sweep_id).await?;
        table.push(vec![
            Cell::text(format!("#{}", sweep.sweep_id)),
            Cell::text(sweep.started_at.to_string()),
            Cell::text(if sweep.full {
                "全量 full"
            } else {
                "增量 incremental"
            }),
            Cell::text(sweep.status.as_str()),
            Cell::count(totals.records_evaluated),
            Cell::count(totals.rule_evaluations),
            Cell::count(totals.findings_new),
            Cell::count(totals.findings_reopened),
            Cell::count(totals.findings_resolved),
            Cell::count(totals.errors),
        ]);
        for failed in ctx.store.sweep_gaps(sweep.sweep_id).await?.errors {
            errors.push(vec![
                Cell::text(format!("#{}", sweep.sweep_id)),
                Cell::text(failed.rule_id.clone()),
                Cell::text(ctx.rule_title(&failed.rule_id)),
                Cell::count(failed.records),
                Cell::text(failed.message),
            ]);
        }
    }
    sections.push(
        Section::new("sweeps", "本期巡查 Sweeps in the period", table).note(
            "每次巡查评估自上次以来新增或变更的记录；规则集变更时评估全部记录。 Each sweep judges the records new or changed since the last one; all of them when the rule set changed.",
        ),
    );

    // By outcome (the severity: 违法 above 警示 above 提示).
    let mut by_outcome: BTreeMap<u8, Tally> = BTreeMap::new();
    let mut by_rule: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut by_unit: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_month: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut by_record: BTreeMap<&str, (String, [u64; 3])> = BTreeMap::new();
    let severity = |o: Outcome| match o {
        Outcome::Violation => 0u8,
        Outcome::Warning => 1,
        _ => 2,
    };
    for f in &findings {
        by_outcome
            .entry(severity(f.outcome))
            .or_default()
            .add(f, request);
        by_rule.entry(&f.rule_id).or_default().add(f, request);
        by_unit
            .entry(unit_name(&f.unit_id))
            .or_default()
            .add(f, request);
        let seen = f.first_seen_at.date();
        if seen >= request.from && seen <= request.to {
            by_month.entry(month_of(seen)).or_default().0 += 1;
        }
        if let (FindingStatus::ResolvedByData, Some(at)) = (f.status, f.resolved_at)
            && at.date() >= request.from
            && at.date() <= request.to
        {
            by_month.entry(month_of(at.date())).or_default().1 += 1;
        }
        if is_open(f.status) {
            let entry = by_record
                .entry(&f.record_id)
                .or_insert_with(|| (unit_name(&f.unit_id), [0; 3]));
            if let Some(n) = entry.1.get_mut(usize::from(severity(f.outcome))) {
                *n += 1;
            }
        }
    }
    let mut table = Table::new(&headings(&["结论 / outcome"]));
    for (sev, outcome) in [
        (0, Outcome::Violation),
        (1, Outcome::Warning),
        (2, Outcome::Hint),
    ] {
        let tally = by_outcome.get(&sev).copied().unwrap_or_default();
        let mut row = vec![Cell::text(format!(
            "{} {}",
            outcome.chinese(),
            outcome.as_str()
        ))];
        row.extend(tally.cells());
        table.push(row);
    }
    let chart = Chart::of_table(
        ChartKind::Bar,
        "按结论 By outcome",
        &table,
        0,
        &[1, 2, 3],
        3,
    );
    sections.push(
        Section::new("by_outcome", "按结论与严重程度 By outcome and severity", table)
            .note("违法 violation 最重，警示 warning 为较严格解释下可能违法，提示 hint 为需人工判断的裁量事项。")
            .chart(chart),
    );

    let mut rules: Vec<(&str, Tally)> = by_rule.into_iter().collect();
    rules.sort_by(|a, b| {
        b.1.open
            .cmp(&a.1.open)
            .then(b.1.new.cmp(&a.1.new))
            .then(a.0.cmp(b.0))
    });
    let mut table = Table::new(&headings(&["规则 / rule", "名称 / title"]));
    for (rule, tally) in &rules {
        let mut row = vec![Cell::text(*rule), Cell::text(ctx.rule_title(rule))];
        row.extend(tally.cells());
        table.push(row);
    }
    let chart = Chart::of_table(
        ChartKind::Bar,
        "未结问题最多的规则 Rules with the most open findings",
        &table,
        0,
        &[4],
        15,
    );
    sections.push(Section::new("by_rule", "按规则 By rule", table).chart(chart));

    let mut units_tally: Vec<(String, Tally)> = by_unit.into_iter().collect();
    units_tally.sort_by(|a, b| b.1.open.cmp(&a.1.open).then(a.0.cmp(&b.0)));
    let mut table = Table::new(&headings(&["单位 / unit"]));
    for (unit, tally) in &units_tally {
        let mut row = vec![Cell::text(unit.clone())];
        row.extend(tally.cells());
        table.push(row);
    }
    let chart = Chart::of_table(
        ChartKind::Stacked,
        "各单位问题 Findings by unit",
        &table,
        0,
        &[1, 3],
        20,
    );
    sections.push(Section::new("by_unit", "按单位 By unit", table).chart(chart));

    let mut table = Table::new(&[
        "月份 / month",
        "新发现 / new",
        "数据消除 / resolved by data",
    ]);
    for month in months(request.from, request.to) {
        let (new, resolved) = by_month.get(&month).copied().unwrap_or_default();
        table.push(vec![
            Cell::text(month),
            Cell::count(new),
            Cell::count(resolved),
        ]);
    }
    let chart = Chart::of_table(
        ChartKind::Line,
        "逐月趋势 Month by month",
        &table,
        0,
        &[1, 2],
        60,
    );
    sections.push(Section::new("trend", "逐月趋势 Trend by month", table).chart(chart));

    let mut records: Vec<(&str, (String, [u64; 3]))> = by_record.into_iter().collect();
    records.sort_by(|a, b| (b.1.1).cmp(&a.1.1).then(a.0.cmp(b.0)));
    let mut table = Table::new(&[
        "记录 / record",
        "单位 / unit",
        "违法 / violations",
        "警示 / warnings",
        "提示 / hints",
    ]);
    for (record, (unit, [v, w, h])) in records.into_iter().take(10) {
        table.push(vec![
            Cell::text(record),
            Cell::text(unit),
            Cell::count(v),
            Cell::count(w),
            Cell::count(h),
        ]);
    }
    sections.push(Section::new(
        "top_records",
        "未结问题最多的十条记录 The ten records with the most open findings",
        table,
    ));

    sections.push(
        Section::new("rule_errors", "规则错误 Rule errors", errors).note(
            "规则脚本出错的记录未被评判，巡查照常继续；请规则作者修正。 Records a rule failed on were not judged; the sweep went on.",
        ),
    );

    let anchor = ctx.store.audit_anchor().await?;
    let mut table = Table::new(&["审计事件 / last event", "链头哈希 / chain head"]);
    table.push(vec![
        Cell::count(anchor.event_id.max(0) as u64),
        Cell::text(anchor.hash),
    ]);
    sections.push(
        Section::new("audit", "审计链 Audit chain", table).note(
            "每次状态变更都写入哈希链；保存此链头，日后可用 jiandu audit verify --anchor 证明此前记录未被篡改。 Keep this head: jiandu audit verify --anchor proves nothing before it was changed.",
        ),
    );
    Ok(sections)
}
