//! `coverage`: whether each unit's behaviour data arrives (数据归集监测, 主要任务三) — records per
//! month, the latest record, key fields filled, records failing the DATA-* rules, the share of
//! the items it claims that have records (监管行为数据覆盖率), what went to the provincial
//! centre and how soon — with an early warning for a unit gone silent or sending far less than
//! it used to.

use std::collections::{BTreeMap, BTreeSet};

use jiandu_model::record::dictionary::dictionary;
use jiandu_model::{Date, FindingStatus, Lookup, ReferenceKind};
use jiandu_store::FindingFilter;

use crate::chart::{Chart, ChartKind};
use crate::context::{
    BEHAVIOUR, Context, ReportError, Request, UnitInfo, Units, median, month_of, months,
};
use crate::document::{Alert, Cell, Section, Table};

#[derive(Default)]
struct Flow {
    /// Records per month, over the trailing months and the period.
    per_month: BTreeMap<String, u64>,
    records: u64,
    key_filled: u64,
    key_total: u64,
    items: BTreeMap<String, (u64, Option<Date>)>,
    failing_data: u64,
    judged: u64,
}

/// An item of the catalogue: code, name, department, listed range.
struct Item {
    code: String,
    name: String,
    department: String,
    listed_from: Option<Date>,
    listed_to: Option<Date>,
}

/// The items a unit claims: those it lists itself (`item_codes`), else the listed items of its
/// department, in the period.
fn claimed<'a>(unit: &UnitInfo, items: &'a [Item], request: &Request) -> Vec<&'a Item> {
    items
        .iter()
        .filter(|i| match &unit.item_codes {
            Some(codes) => codes.contains(&i.code),
            None => i.department == unit.department_code,
        })
        .filter(|i| i.listed_from.is_none_or(|d| d <= request.to))
        .filter(|i| i.listed_to.is_none_or(|d| d >= request.from))
        .collect()
}

/// The last month wholly inside the period: the period's own last month when it ends on that
/// month's last day, else the month before.
fn last_full_month(to: Date) -> Date {
    if to.succ().month() != to.month() {
        to
    } else {
        Date::from_ymd(to.year(), to.month(), 1).map_or(to, |first| first.add_days(-1))
    }
}

/// The first day of the month `n` months before `date`'s month.
fn months_back(date: Date, n: u32) -> Date {
    let index = date.year() * 12 + date.month() as i32 - 1 - n as i32;
    Date::from_ymd(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1).unwrap_or(date)
}

pub(crate) async fn build(
    ctx: &Context<'_>,
    request: &Request,
    units: &Units,
) -> Result<Vec<Section>, ReportError> {
    let silent_wd = ctx.setting("coverage_silent_wd", 20);
    let drop_percent = ctx.setting("coverage_drop_percent", 50).clamp(0, 100) as u64;
    let trailing = ctx.setting("coverage_trailing_months", 3).clamp(1, 24) as u32;
    let min_monthly = ctx.setting("coverage_drop_min_monthly", 3).max(0) as u64;
    let items: Vec<Item> = ctx
        .store
        .list_reference(ReferenceKind::Item)
        .await?
        .iter()
        .map(|row| Item {
            code: row.key().to_owned(),
            name: row.text("name").unwrap_or_default().to_owned(),
            department: row.text("department_code").unwrap_or_default().to_owned(),
            listed_from: row.date("listed_from"),
            listed_to: row.date("listed_to"),
        })
        .collect();
    let reference_month = last_full_month(request.to);
    let trailing_start = months_back(reference_month, trailing);
    let scan_from = trailing_start.min(request.from);

    let failing: BTreeSet<String> = ctx
        .store
        .list_findings(&FindingFilter {
            from: Some(request.from),
            to: Some(request.to),
            ..FindingFilter::default()
        })
        .await?
        .into_iter()
        .filter(|f| f.rule_id.starts_with("DATA-") && f.status != FindingStatus::ResolvedByData)
        .map(|f| f.record_id)
        .collect();
    let judged_through = ctx.judged_through().await?;
    let d = dictionary();
    let mut flows: BTreeMap<String, Flow> = BTreeMap::new();
    ctx.visit_records(&BEHAVIOUR, scan_from, request.to, |r| {
        let (Some(unit), Some(act)) = (r.unit_id.clone(), r.act_date) else {
            return;
        };
        if request.unit.as_deref().is_some_and(|u| u != unit) {
            return;
        }
        let flow = flows.entry(unit).or_default();
        *flow.per_month.entry(month_of(act)).or_default() += 1;
        if act < request.from {
            return;
        }
        let record = &r.stored.record;
        flow.records += 1;
        let kind = record.record_type().as_str();
        for field in d
            .fields
            .iter()
            .filter(|f| f.key && (f.group == "common" || f.group == kind))
        {
            flow.key_total += 1;
            flow.key_filled += u64::from(matches!(record.lookup(&field.path), Lookup::Value(_)));
        }
        if let Some(code) = record
            .body()
            .get("supervision_item_code")
            .and_then(|v| v.as_str())
        {
            let entry = flow.items.entry(code.to_owned()).or_default();
            entry.0 += 1;
            entry.1 = entry.1.max(Some(act));
        }
        if judged_through.is_some_and(|rev| r.stored.revision <= rev) {
            flow.judged += 1;
            flow.failing_data += u64::from(failing.contains(record.id().as_str()));
        }
    })
    .await?;
    let last_dates: BTreeMap<String, Date> = ctx
        .store
        .last_act_dates(&BEHAVIOUR, request.to)
        .await?
        .into_iter()
        .collect();
    let mut exported: BTreeMap<String, (u64, Vec<f64>)> = BTreeMap::new();
    for x in ctx.store.exported_records(request.from, request.to).await? {
        let (Some(unit), Some(act)) = (x.unit_id, x.act_date) else {
            continue;
        };
        let entry = exported.entry(unit).or_default();
        entry.0 += 1;
        if let Ok(wd) = ctx
            .calendar
            .working_days_between(act, x.first_exported_at.date())
        {
            entry.1.push(wd as f64);
        }
    }

    let mut alerts = Vec::new();
    let mut table = Table::new(&[
        "单位 / unit",
        "本期记录 / records",
        "最近记录 / latest act",
        "距期末工作日 / working days since",
        "关键字段填充率 / key fields filled",
        "DATA规则不通过 / failing DATA rules",
        "认领事项 / items claimed",
        "有记录事项 / items with records",
        "数据覆盖率 / coverage",
        "已报送省平台 / exported",
        "报送时效中位工作日 / median WD to export",
    ]);
    let mut item_table = Table::new(&[
        "单位 / unit",
        "事项编码 / item",
        "事项名称 / name",
        "本期记录 / records",
        "最近记录 / latest act",
    ]);
    let empty = Flow::default();
    let reference_key = month_of(reference_month);
    let trailing_keys: Vec<String> = months(trailing_start, reference_month)
        .into_iter()
        .filter(|m| *m != reference_key)
        .collect();
    // The listed units, and any unit records name that the list lacks.
    let mut shown: BTreeMap<String, UnitInfo> = units
        .values()
        .filter(|u| !u.is_dispatcher)
        .map(|u| (u.unit_id.clone(), u.clone()))
        .collect();
    for id in flows.keys().chain(last_dates.keys()) {
        if !units.contains_key(id) {
            shown
                .entry(id.clone())
                .or_insert_with(|| UnitInfo::unlisted(id));
        }
    }
    for unit in shown.values() {
        if request.unit.as_deref().is_some_and(|u| u != unit.unit_id) {
            continue;
        }
        let flow = flows.get(&unit.unit_id).unwrap_or(&empty);
        let claims = claimed(unit, &items, request);
        let with_records = claims
            .iter()
            .filter(|i| flow.items.contains_key(&i.code))
            .count() as u64;
        let last = last_dates.get(&unit.unit_id).copied();
        let since = last.and_then(|d| ctx.calendar.working_days_between(d, request.to).ok());
        let (n_exported, mut delays) = exported.get(&unit.unit_id).cloned().unwrap_or_default();
        table.push(vec![
            Cell::text(unit.name.clone()),
            Cell::count(flow.records),
            Cell::text(last.map_or("—".to_owned(), |d| d.to_string())),
            since.map_or(Cell::text("—"), |n| Cell::count(n.max(0) as u64)),
            Cell::share(flow.key_filled, flow.key_total),
            Cell::share(flow.failing_data, flow.judged),
            Cell::count(claims.len() as u64),
            Cell::count(with_records),
            Cell::share(with_records, claims.len() as u64),
            Cell::count(n_exported),
            Cell::days(median(&mut delays)),
        ]);
        for item in &claims {
            let (n, latest) = flow.items.get(&item.code).copied().unwrap_or_default();
            item_table.push(vec![
                Cell::text(unit.name.clone()),
                Cell::text(item.code.clone()),
                Cell::text(item.name.clone()),
                Cell::count(n),
                Cell::text(latest.map_or("—".to_owned(), |d| d.to_string())),
            ]);
        }
        // Early warnings: one line per unit, the longest silence first.
        let mut reasons: Vec<String> = Vec::new();
        match (last, since) {
            (None, _) => {
                reasons.push("从未报送执法行为数据 / has never sent behaviour records".into())
            }
            (Some(last), Some(n)) if n > silent_wd => reasons.push(format!(
                "最近一条执法记录为 {last}，至 {} 已 {n} 个工作日未报送（阈值 {silent_wd} 个工作日） / no record for {n} working days since {last}",
                request.to
            )),
            _ => {}
        }
        let recent = flow.per_month.get(&reference_key).copied().unwrap_or(0);
        let before: u64 = trailing_keys
            .iter()
            .map(|m| flow.per_month.get(m).copied().unwrap_or(0))
            .sum();
        let n_before = trailing_keys.len() as u64;
        // recent < average × (100 − drop)% , in integers: recent × 100 × n < before × (100 − drop).
        // Too few records to speak of a fall: the unit's average must reach `min_monthly`.
        if n_before > 0
            && before > 0
            && before >= min_monthly * n_before
            && recent * 100 * n_before < before * (100 - drop_percent)
        {
            reasons.push(format!(
                "{reference_key} 记录 {recent} 条，比前 {n_before} 个月月均 {:.1} 条下降超过 {drop_percent}% / {recent} records in {reference_key} against {:.1} a month before",
                before as f64 / n_before as f64,
                before as f64 / n_before as f64
            ));
        }
        if !reasons.is_empty() {
            // Never sent sorts first, then by the working days of silence.
            alerts.push((
                since.map_or(i64::MAX, |n| n),
                Alert {
                    subject: unit.name.clone(),
                    message: reasons.join("；"),
                },
            ));
        }
    }
    let chart = Chart::of_table(
        ChartKind::Bar,
        "各单位数据覆盖率（%） Coverage by unit",
        &table,
        0,
        &[8],
        60,
    );
    let mut section = Section::new("units", "各单位数据归集 Data arriving per unit", table)
        .note(&format!(
            "数据覆盖率 = 本期至少有一条记录的监管事项 ÷ 单位认领的监管事项（单位参考数据的 item_codes，未列明时为本部门在目录中的事项）。关键字段见字段字典。DATA规则不通过：已评判记录中有成立的 DATA-* 问题的比例。预警：最近一条记录距期末超过 {silent_wd} 个工作日（配置 coverage_silent_wd），或 {reference_key} 的记录数比此前 {trailing} 个月的月均下降超过 {drop_percent}%（coverage_drop_percent、coverage_trailing_months）。 Coverage = items with a record in the period ÷ items the unit claims."
        ))
        .chart(chart);
    alerts.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.subject.cmp(&b.1.subject)));
    section.alerts = alerts.into_iter().map(|(_, alert)| alert).collect();

    let mut trend = Table::new(&["月份 / month", "记录 / records", "报送单位 / units sending"]);
    for month in months(request.from, request.to) {
        let records: u64 = flows.values().filter_map(|f| f.per_month.get(&month)).sum();
        let sending = flows
            .iter()
            .filter(|(u, f)| {
                request.unit.as_deref().is_none_or(|w| w == u.as_str())
                    && f.per_month.get(&month).is_some_and(|n| *n > 0)
            })
            .count() as u64;
        trend.push(vec![
            Cell::text(month),
            Cell::count(records),
            Cell::count(sending),
        ]);
    }
    let trend_chart = Chart::of_table(
        ChartKind::Line,
        "逐月记录 Records by month",
        &trend,
        0,
        &[1],
        60,
    );
    Ok(vec![
        section,
        Section::new("monthly", "逐月归集 Records by month", trend).chart(trend_chart),
        Section::new(
            "items",
            "认领事项的记录 Records per claimed item",
            item_table,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_full_month_is_the_period_s_own_only_when_it_ends_on_its_last_day() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(last_full_month(d("2026-06-30")), d("2026-06-30"));
        assert_eq!(last_full_month(d("2026-06-29")), d("2026-05-31"));
        assert_eq!(last_full_month(d("2026-03-01")), d("2026-02-28"));
        assert_eq!(months_back(d("2026-06-30"), 3), d("2026-03-01"));
        assert_eq!(months_back(d("2026-02-28"), 3), d("2025-11-01"));
    }
}
