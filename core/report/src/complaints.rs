//! `complaints`: the 12345-style monthly figures per unit — volume, 按时签收率, 按时办结率,
//! 退回率, transfers, overdue items still open, 催办 and 督办, and how often routing had to be
//! corrected (items re-routed after their first assignment).

use std::collections::BTreeMap;

use crate::chart::{Chart, ChartKind};
use crate::context::{Context, ReportError, Request, Units, month_of, months};
use crate::document::{Cell, Section, Table};
use crate::handling::{Handled, handled};

/// The counts of one unit (in one month, or over the period).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Timeliness {
    pub assigned: u64,
    pub signed: (u64, u64),
    pub decided: (u64, u64),
    pub resolved: (u64, u64),
    pub returns: u64,
    pub transfers: u64,
    pub urged: u64,
    pub supervised: u64,
}

fn add((a, b): &mut (u64, u64), (x, y): (u64, u64)) {
    *a += x;
    *b += y;
}

/// Each unit's timeliness over `from..=to` (`None` as the key: the period's month is not
/// split), or per month when `by_month`.
pub(crate) fn timeliness(
    items: &[Handled],
    request: &Request,
    by_month: bool,
) -> BTreeMap<(String, String), Timeliness> {
    let mut out: BTreeMap<(String, String), Timeliness> = BTreeMap::new();
    let in_period = |d: jiandu_model::Date| d >= request.from && d <= request.to;
    let key = |unit: &str, day: jiandu_model::Date| {
        (
            unit.to_owned(),
            if by_month {
                month_of(day)
            } else {
                String::new()
            },
        )
    };
    for item in items {
        for a in item.assignments.iter().filter(|a| in_period(a.on)) {
            let t = out.entry(key(&a.unit, a.on)).or_default();
            t.assigned += 1;
            add(&mut t.signed, a.sign.tally());
            add(&mut t.decided, a.decide.tally());
            add(&mut t.resolved, a.resolve.tally());
        }
        for (unit, day) in item.returns.iter().filter(|(_, d)| in_period(*d)) {
            out.entry(key(unit, *day)).or_default().returns += 1;
        }
        for (unit, day) in item.transfers_away.iter().filter(|(_, d)| in_period(*d)) {
            out.entry(key(unit, *day)).or_default().transfers += 1;
        }
        for (unit, level, day) in item.escalations.iter().filter(|(_, _, d)| in_period(*d)) {
            let t = out.entry(key(unit, *day)).or_default();
            if *level >= 2 {
                t.supervised += 1;
            } else {
                t.urged += 1;
            }
        }
    }
    out
}

pub(crate) async fn build(
    ctx: &Context<'_>,
    request: &Request,
    units: &Units,
) -> Result<Vec<Section>, ReportError> {
    let name = |id: &str| units.get(id).map_or(id.to_owned(), |u| u.name.clone());
    let items = handled(ctx, request.to).await?;
    let wanted = |unit: &str| request.unit.as_deref().is_none_or(|u| u == unit);
    let mut sections = Vec::new();

    let headings = [
        "派单量 / assigned",
        "按时签收率 / signed in time",
        "按时受理率 / decided in time",
        "按时办结率 / resolved in time",
        "退回 / returns",
        "退回率 / returned",
        "转办 / transferred away",
        "催办 / urged",
        "督办 / supervised",
    ];
    let cells = |t: &Timeliness| {
        vec![
            Cell::count(t.assigned),
            Cell::share(t.signed.0, t.signed.1),
            Cell::share(t.decided.0, t.decided.1),
            Cell::share(t.resolved.0, t.resolved.1),
            Cell::count(t.returns),
            Cell::share(t.returns, t.assigned),
            Cell::count(t.transfers),
            Cell::count(t.urged),
            Cell::count(t.supervised),
        ]
    };

    let mut overdue: BTreeMap<String, u64> = BTreeMap::new();
    for item in items.iter().filter(|i| i.overdue) {
        if let Some(unit) = &item.holder {
            *overdue.entry(unit.clone()).or_default() += 1;
        }
    }
    let totals = timeliness(&items, request, false);
    let mut table = Table::new(
        &["单位 / unit"]
            .into_iter()
            .chain(headings)
            .chain(["超期未办结 / overdue open"])
            .collect::<Vec<_>>(),
    );
    for ((unit, _), t) in totals.iter().filter(|((u, _), _)| wanted(u)) {
        let mut row = vec![Cell::text(name(unit))];
        row.extend(cells(t));
        row.push(Cell::count(overdue.get(unit).copied().unwrap_or(0)));
        table.push(row);
    }
    let chart = Chart::of_table(
        ChartKind::Bar,
        "各单位派单量与退回 Assigned and returned by unit",
        &table,
        0,
        &[1, 5],
        20,
    );
    sections.push(
        Section::new("by_unit", "各单位办理时效 Timeliness by unit", table)
            .note("按时率的分母为已到期或已完成的环节；未到期、或在到期前已转走的环节不计。期限按法定工作日历计算：签收按配置的工作日数，受理七个工作日，举报核查十五个工作日（经批准延长十五个），投诉调解四十五个工作日。 Rates count the steps done or past due; steps not yet due, or left when the item moved on, are not counted.")
            .chart(chart),
    );

    let monthly = timeliness(&items, request, true);
    let mut table = Table::new(
        &["月份 / month", "单位 / unit"]
            .into_iter()
            .chain(headings)
            .collect::<Vec<_>>(),
    );
    let mut by_month: Vec<(&(String, String), &Timeliness)> =
        monthly.iter().filter(|((u, _), _)| wanted(u)).collect();
    by_month
        .sort_by(|a, b| (a.0.1.as_str(), a.0.0.as_str()).cmp(&(b.0.1.as_str(), b.0.0.as_str())));
    for ((unit, month), t) in by_month {
        let mut row = vec![Cell::text(month.clone()), Cell::text(name(unit))];
        row.extend(cells(t));
        table.push(row);
    }
    sections.push(Section::new(
        "monthly",
        "逐月各单位 Month by month, per unit",
        table,
    ));

    let mut table = Table::new(&[
        "月份 / month",
        "首次派单 / first assigned",
        "改派 / re-routed",
        "派单准确率 / routing accuracy",
    ]);
    let mut routing: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for item in &items {
        let (Some(first), Some(a)) = (&item.first_unit, item.assignments.first()) else {
            continue;
        };
        if a.on < request.from || a.on > request.to || !wanted(first) {
            continue;
        }
        let entry = routing.entry(month_of(a.on)).or_default();
        entry.0 += 1;
        entry.1 += u64::from(item.rerouted());
    }
    for month in months(request.from, request.to) {
        let (first, rerouted) = routing.get(&month).copied().unwrap_or_default();
        table.push(vec![
            Cell::text(month),
            Cell::count(first),
            Cell::count(rerouted),
            Cell::share(first - rerouted, first),
        ]);
    }
    let chart = Chart::of_table(
        ChartKind::Line,
        "逐月派单与改派 Assigned and re-routed by month",
        &table,
        0,
        &[1, 2],
        60,
    );
    sections.push(
        Section::new("routing", "派单准确率 Routing accuracy", table)
            .note("改派：首次派单后又派往其他单位（退回后重派或转办）。 Re-routed: sent to another unit after the first assignment.")
            .chart(chart),
    );
    Ok(sections)
}
