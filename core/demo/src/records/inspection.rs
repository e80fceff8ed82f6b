//! Generated inspections (行政检查), some of which lead to penalties.

use jiandu_model::Date;
use serde_json::{Value, json};

use super::{Defect, Gen, defect};
use crate::reference::Officer;

const ONE_OFFICER: Defect = defect("ins.one_officer", "INS-OFFICERS-2", 0.03);
const CERT_NOT_SHOWN: Defect = defect("ins.cert_not_shown", "INS-OFFICERS-2", 0.02);
const AUXILIARY: Defect = defect("ins.auxiliary_officer", "INS-SUBJECT", 0.015);
const LATE_PUBLICITY: Defect = defect("ins.late_result_publicity", "PUB-INSPECTION-20WD", 0.05);
const NO_DRAW: Defect = defect("ins.random_without_draw", "INS-RANDOM", 0.03);
const REPORTED_BEFORE_CHECK: Defect = defect("data.reported_before_check", "DATA-DATE-ORDER", 0.01);
/// Not a random draw: two catalogue items joined the published list in 2022, so inspections
/// of them before then are unlisted. Tallied, not rolled.
const UNLISTED_ITEM: Defect = defect("ins.unlisted_item", "INS-ITEM-LISTED", 0.0);

pub(crate) const DEFECTS: &[Defect] = &[
    ONE_OFFICER,
    CERT_NOT_SHOWN,
    AUXILIARY,
    LATE_PUBLICITY,
    NO_DRAW,
    REPORTED_BEFORE_CHECK,
    UNLISTED_ITEM,
];

/// An inspection and what a penalty that follows it needs to know.
pub(crate) struct Generated<'a> {
    pub record: Value,
    pub unit_idx: usize,
    pub party_idx: usize,
    pub officers: Vec<&'a Officer>,
    pub check_date: Date,
}

pub(crate) fn generate<'a>(mk: &mut Gen<'a>, found_violation: bool) -> Generated<'a> {
    let unit_idx = mk.unit_for("检查");
    let reference = mk.reference;
    let unit = &reference.units[unit_idx];
    let party_idx = mk.party_for(unit);
    let party = &reference.parties[party_idx];
    let check_date = mk.act_date();
    let mut planted = Vec::new();

    let n_officers = if mk.rng.chance(0.2) { 3 } else { 2 };
    let mut officers = mk.officers_for(unit_idx, check_date, n_officers);
    // Defects are planted only where the rule they break was in force on the check date.
    let since = |y, m, d| check_date >= Date::from_ymd(y, m, d).expect("valid date");
    if since(2021, 7, 15) && mk.plant(ONE_OFFICER, &mut planted) {
        officers.truncate(1);
    } else if since(2025, 1, 3) && mk.plant(AUXILIARY, &mut planted) {
        match mk.auxiliary_officer(unit_idx) {
            Some(aux) => officers.push(aux),
            None => mk.unplant(AUXILIARY, &mut planted),
        }
    }
    let cert_shown = !(since(2021, 7, 15) && mk.plant(CERT_NOT_SHOWN, &mut planted));

    let kind = *mk
        .rng
        .pick(&["random", "random", "random", "key", "complaint", "special"]);
    let record_id = mk.next_id(unit, "JC", check_date);
    let check_time = mk.moment(check_date, 9, 16);
    let published = if mk.plant(LATE_PUBLICITY, &mut planted) {
        mk.wd_in(check_date, 21, 35)
    } else {
        mk.wd_in(check_date, 2, 18)
    };
    let reported_at = if mk.plant(REPORTED_BEFORE_CHECK, &mut planted) {
        check_time.add_seconds(-mk.rng.range(2, 30) * 3600)
    } else {
        check_time.add_seconds(mk.rng.range(2, 96) * 3600)
    };
    let created = reported_at.date();
    let party_value = mk.party_on_record(party, &mut planted);
    let region_code = mk.region_code(unit, party, check_date, &mut planted);
    let mut record = json!({
        "record_id": record_id,
        "record_type": "inspection",
        "agency": unit.agency(),
        "entrusted_org": Value::Null,
        "party": party_value,
        "officers": officers.iter().map(|o| o.on_record()).collect::<Vec<_>>(),
        "cert_shown": cert_shown,
        "inspection_record_id": format!("{record_id}-BL"),
        "supervision_item_code": mk.item_code(unit, "检查"),
        "check_impl_list_code": format!("{}3{:06}", unit.uscc, mk.rng.range(1, 999)),
        "check_action_code": record_id,
        "region_code": region_code,
        "inspection_kind": kind,
        "check_date": check_date,
        "check_time": check_time,
        "check_form": if mk.rng.chance(0.8) { "现场检查" } else { "书面检查" },
        "check_result": if found_violation { "发现违法行为，已立案查处" } else { *mk.rng.pick(&["未发现问题", "未发现问题", "发现问题已责令整改"]) },
        "result_date": check_date,
        "result_published_date": published,
        "reported_at": reported_at,
        "created_at": created,
        "shared_at": mk.wd_in(created, 1, 12),
    });
    if kind == "random" {
        record["plan_id"] = json!(format!(
            "SSJ-{}-{:03}",
            check_date.year(),
            mk.rng.range(1, 40)
        ));
        record["object_draw_log_id"] = if since(2020, 1, 1) && mk.plant(NO_DRAW, &mut planted) {
            Value::Null
        } else {
            json!(format!("CQ-O-{}", mk.rng.range(10000, 99999)))
        };
        record["inspector_draw_log_id"] = json!(format!("CQ-I-{}", mk.rng.range(10000, 99999)));
    }
    let item = record["supervision_item_code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    mk.tally(
        UNLISTED_ITEM,
        reference
            .items
            .iter()
            .any(|i| i.code == item && i.listed_from > check_date),
        &mut planted,
    );
    record["major_decision"] = json!(false);
    record["demo_defects"] = json!(planted);
    Generated {
        record,
        unit_idx,
        party_idx,
        officers,
        check_date,
    }
}
