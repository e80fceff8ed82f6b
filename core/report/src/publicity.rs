//! `publicity`: the penalty decisions to publish (行政执法公示) — agency, party, item, facts,
//! basis, decision, date — with natural persons' data masked (`model::personal::mask_record`,
//! names to 张某 / 欧阳某, documents, phones, addresses and bank accounts, also inside the free
//! text) and organisations and 个体工商户 by their registered names; decisions whose
//! publication period (PUB-GSXT-PERIOD) has ended by the period's last day are left out.

use std::collections::BTreeMap;

use jiandu_model::personal::mask_record;
use jiandu_model::record::dictionary::dictionary;
use jiandu_model::{Date, Money, RecordType, ReferenceKind};
use serde_json::{Map, Value};

use crate::chart::{Chart, ChartKind};
use crate::context::{Context, ReportError, Request, month_of, months};
use crate::document::{Cell, Section, Table};

/// When the publication of a decision ends (《市场监督管理行政处罚信息公示规定》第十三条, as
/// PUB-GSXT-PERIOD reads it): 3 months after it went up when the penalties are only 通报批评
/// and/or a fine at or below the low-fine threshold, else 3 years; an earlier removal ends it.
pub(crate) fn publication_ends(body: &Map<String, Value>, threshold_yuan: Money) -> Option<Date> {
    let date = |field: &str| {
        body.get(field)
            .and_then(Value::as_str)
            .and_then(|d| Date::parse(d).ok())
    };
    let start = date("gsxt_published_date")
        .or_else(|| date("published_date"))
        .or_else(|| date("decision_date"))?;
    let types: Vec<&str> = body
        .get("penalty_types")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fine = body
        .get("fine_amount")
        .and_then(|v| Money::from_json(v).ok());
    let threshold = body
        .get("low_fine_threshold")
        .and_then(|v| Money::from_json(v).ok())
        .unwrap_or(threshold_yuan);
    let only_light = !types.is_empty()
        && types
            .iter()
            .all(|t| matches!(*t, "public_criticism" | "fine"))
        && (!types.contains(&"fine") || fine.is_some_and(|f| f <= threshold));
    let end = if only_light {
        start.add_months(3)
    } else {
        start.add_months(36)
    };
    Some(date("gsxt_removed_date").map_or(end, |removed| removed.min(end)))
}

fn text(body: &Map<String, Value>, path: &str) -> String {
    match jiandu_model::record::lookup_in(body, path) {
        jiandu_model::Lookup::Value(Value::String(s)) => s.clone(),
        jiandu_model::Lookup::Value(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

pub(crate) async fn build(
    ctx: &Context<'_>,
    request: &Request,
) -> Result<Vec<Section>, ReportError> {
    let threshold = ctx
        .profile
        .get("gsxt_low_fine_threshold", None)
        .and_then(|v| {
            v.as_integer()
                .and_then(Money::checked_from_yuan)
                .or_else(|| v.as_float().and_then(|f| Money::parse(&f.to_string()).ok()))
        })
        .unwrap_or(Money::from_yuan(20_000));
    let include_summary = ctx
        .profile
        .bool("publicity_includes_summary")
        .unwrap_or(false);
    let items: BTreeMap<String, String> = ctx
        .store
        .list_reference(ReferenceKind::Item)
        .await?
        .iter()
        .map(|r| {
            (
                r.key().to_owned(),
                r.text("name").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let vocabulary = dictionary().vocabulary("penalty_types");
    let mut rows: Vec<(Date, Vec<Cell>, String)> = Vec::new();
    let mut left_out = 0u64;
    ctx.visit_records(&[RecordType::Penalty], request.from, request.to, |r| {
        if request
            .unit
            .as_deref()
            .is_some_and(|u| Some(u) != r.unit_id.as_deref())
        {
            return;
        }
        let mut body = r.stored.record.body().clone();
        let Some(decided) = body
            .get("decision_date")
            .and_then(Value::as_str)
            .and_then(|d| Date::parse(d).ok())
        else {
            return;
        };
        if decided > request.to
            || body.get("publish_required") == Some(&Value::Bool(false))
            || (!include_summary
                && body.get("procedure").and_then(Value::as_str) == Some("summary"))
        {
            return;
        }
        let ends = publication_ends(&body, threshold);
        if ends.is_some_and(|end| end < request.to) {
            left_out += 1;
            return;
        }
        mask_record(&mut body);
        let penalties: Vec<String> = body
            .get("penalty_types")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(Value::as_str)
                    .map(|code| {
                        vocabulary
                            .and_then(|v| v.label(code))
                            .unwrap_or(code)
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default();
        let fine = text(&body, "fine_amount");
        let item_code = text(&body, "supervision_item_code");
        let item = match items.get(&item_code) {
            Some(name) => format!("{name}（{item_code}）"),
            None => item_code,
        };
        let agency = text(&body, "agency.name");
        rows.push((
            decided,
            vec![
                Cell::text(text(&body, "decision_doc_no")),
                Cell::text(agency.clone()),
                Cell::text(text(&body, "party.name")),
                Cell::text(item),
                Cell::text(text(&body, "violation_facts")),
                Cell::text(text(&body, "penalty_basis")),
                Cell::text(if fine.is_empty() {
                    penalties.join("、")
                } else {
                    format!("{}，罚款 {fine} 元", penalties.join("、"))
                }),
                Cell::text(decided.to_string()),
                Cell::text(ends.map_or(String::new(), |d| d.to_string())),
            ],
            agency,
        ));
    })
    .await?;
    rows.sort_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            a.1.first()
                .map(Cell::shown)
                .cmp(&b.1.first().map(Cell::shown))
        })
    });

    let mut by_month: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_agency: BTreeMap<String, u64> = BTreeMap::new();
    let mut table = Table::new(&[
        "决定书文号 / decision no.",
        "实施机关 / agency",
        "当事人 / party",
        "监管事项 / item",
        "违法事实 / facts",
        "处罚依据 / basis",
        "处罚决定 / decision",
        "决定日期 / decided",
        "公示截止 / published until",
    ]);
    for (decided, cells, agency) in rows {
        *by_month.entry(month_of(decided)).or_default() += 1;
        *by_agency.entry(agency).or_default() += 1;
        table.push(cells);
    }
    let mut monthly = Table::new(&["月份 / month", "公示决定 / decisions"]);
    for month in months(request.from, request.to) {
        let n = by_month.get(&month).copied().unwrap_or(0);
        monthly.push(vec![Cell::text(month), Cell::count(n)]);
    }
    let chart = Chart::of_table(
        ChartKind::Bar,
        "逐月公示决定 Decisions by month",
        &monthly,
        0,
        &[1],
        60,
    );
    let mut agencies = Table::new(&["实施机关 / agency", "公示决定 / decisions"]);
    for (agency, n) in &by_agency {
        agencies.push(vec![Cell::text(agency.clone()), Cell::count(*n)]);
    }
    let mut summary = Table::new(&[
        "公示决定 / to publish",
        "公示期满未列 / left out, period ended",
    ]);
    summary.push(vec![
        Cell::count(table.rows.len() as u64),
        Cell::count(left_out),
    ]);
    Ok(vec![
        Section::new("summary", "概况 Summary", summary).note(
            "本期作出的行政处罚决定（普通程序；简易程序按配置 publicity_includes_summary）。自然人当事人姓名显示为“张某”，身份证号、电话、住址、银行账号一律遮蔽，自由文字中亦然；法人、非法人组织和个体工商户显示登记名称。公示期按《市场监督管理行政处罚信息公示规定》第十三条：仅通报批评或较低数额罚款（配置 gsxt_low_fine_threshold）三个月，其他三年；期满者不再列出。 Natural persons are masked; decisions whose publication period has ended are left out.",
        ),
        Section::new("by_month", "逐月 By month", monthly).chart(chart),
        Section::new("by_agency", "按实施机关 By agency", agencies),
        Section::new("items", "公示信息 Information to publish", table),
    ])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ends(body: Value) -> Option<String> {
        publication_ends(body.as_object().unwrap(), Money::from_yuan(20_000)).map(|d| d.to_string())
    }

    #[test]
    fn light_penalties_are_published_three_months_and_others_three_years() {
        assert_eq!(
            ends(
                json!({"decision_date": "2024-01-15", "penalty_types": ["fine"], "fine_amount": 20000})
            ),
            Some("2024-04-15".into())
        );
        assert_eq!(
            ends(
                json!({"decision_date": "2024-01-15", "penalty_types": ["fine"], "fine_amount": 20000.01})
            ),
            Some("2027-01-15".into())
        );
        assert_eq!(
            ends(
                json!({"decision_date": "2024-01-15", "penalty_types": ["public_criticism", "confiscate_illegal_gains"]})
            ),
            Some("2027-01-15".into())
        );
        assert_eq!(
            ends(
                json!({"decision_date": "2024-01-15", "gsxt_published_date": "2024-02-01", "penalty_types": ["public_criticism"], "gsxt_removed_date": "2024-03-01"})
            ),
            Some("2024-03-01".into())
        );
        assert_eq!(ends(json!({"penalty_types": ["fine"]})), None);
    }
}
