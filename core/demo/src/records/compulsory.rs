//! Generated compulsory measures (行政强制措施): seal-ups and seizures of property.

use jiandu_model::Date;
use serde_json::{Value, json};

use super::{Defect, Gen, defect};

const OVER_30_DAYS: Defect = defect(
    "cmp.over_30_days",
    "CMP-SEIZURE-30D, CMP-SEIZURE-DISPOSAL",
    0.04,
);
const LATE_EXTENSION: Defect = defect(
    "cmp.late_extension",
    "CMP-SEIZURE-30D, CMP-SEIZURE-DISPOSAL",
    0.15,
);
const APPROVAL_AFTER_START: Defect =
    defect("cmp.approval_after_start", "CMP-APPROVAL-BEFORE", 0.03);
const EMERGENCY_REPORT_LATE: Defect =
    defect("cmp.emergency_report_late", "CMP-EMERGENCY-24H", 0.08);
const ONE_OFFICER: Defect = defect("cmp.one_officer", "CMP-OFFICERS-2", 0.02);
const NO_ONSITE_RECORD: Defect = defect("cmp.no_onsite_record", "CMP-ONSITE-RECORD", 0.015);
const DAILY_NECESSITY: Defect = defect("cmp.daily_necessity", "CMP-SEIZURE-SCOPE", 0.008);
const NO_AV_RECORD: Defect = defect("cmp.no_av_record", "PUB-AV-RECORD", 0.02);

pub(crate) const DEFECTS: &[Defect] = &[
    OVER_30_DAYS,
    LATE_EXTENSION,
    APPROVAL_AFTER_START,
    EMERGENCY_REPORT_LATE,
    ONE_OFFICER,
    NO_ONSITE_RECORD,
    DAILY_NECESSITY,
    NO_AV_RECORD,
];

const GOODS: &[&str] = &[
    "涉案食品",
    "不合格产品",
    "计量器具",
    "运输车辆",
    "生产设备",
    "户外广告设施",
    "占道经营物品",
    "排污设备",
];

pub(crate) fn generate(mk: &mut Gen<'_>) -> Value {
    let unit_idx = mk.unit_for("强制");
    let reference = mk.reference;
    let unit = &reference.units[unit_idx];
    let party_idx = mk.party_for(unit);
    let party = &reference.parties[party_idx];
    let day = mk.act_date();
    let mut planted = Vec::new();
    let start = mk.moment(day, 9, 17);
    let emergency = mk.rng.chance(0.15);
    let record_id = mk.next_id(unit, "QZ", day);

    let mut officers: Vec<Value> = mk
        .officers_for(unit_idx, day, 2)
        .iter()
        .map(|o| o.on_record())
        .collect();
    if mk.plant(ONE_OFFICER, &mut planted) {
        officers.truncate(1);
    }
    let mut record = json!({
        "record_id": record_id,
        "record_type": "compulsory_measure",
        "measure_type": if mk.rng.chance(0.5) { "seal_up" } else { "seize" },
        "agency": unit.agency(),
        "entrusted_org": Value::Null,
        "officers": officers,
        "cert_shown": true,
        "supervision_item_code": mk.item_code(unit, "强制"),
        "measure_start": start,
        "emergency_on_site": emergency,
        "party_notified_to_attend": true,
        "rights_informed_on_site": true,
        "statement_heard": true,
        "inventory_delivered": true,
        "decision_doc": {"delivered_on_site": true, "party": true, "reasons": true, "basis": true, "duration": true,
                         "items": true, "remedies": true, "agency": true, "seal": true, "date": true},
    });
    if emergency {
        let report_hours = if mk.plant(EMERGENCY_REPORT_LATE, &mut planted) {
            mk.rng.range(25, 50)
        } else {
            mk.rng.range(1, 20)
        };
        let report = start.add_seconds(report_hours * 3600);
        record["head_report_time"] = json!(report);
        record["head_approval_time"] = json!(report.add_seconds(mk.rng.range(0, 3) * 3600));
        record["head_disapproved"] = json!(false);
    } else {
        let offset = if mk.plant(APPROVAL_AFTER_START, &mut planted) {
            mk.rng.range(2, 30)
        } else {
            -mk.rng.range(1, 48)
        };
        record["head_approval_time"] = json!(start.add_seconds(offset * 3600));
    }
    let exists = !mk.plant(NO_ONSITE_RECORD, &mut planted);
    record["onsite_record"] = json!({"exists": exists, "signed_by_party": exists, "refusal_noted": false,
                                     "party_present": true, "witness_signed": false, "signed_by_officers": exists});
    let n_items = mk.rng.range(1, 3);
    let mut items: Vec<Value> = (0..n_items)
        .map(|_| json!({"name": mk.rng.pick(GOODS), "related_to_case": true, "daily_necessity": false, "already_sealed_by_other": false}))
        .collect();
    if mk.plant(DAILY_NECESSITY, &mut planted) {
        items[0]["daily_necessity"] = json!(true);
        items[0]["name"] = json!("生活必需品（炊具、被褥）");
    }
    record["items"] = json!(items);
    duration_fields(mk, &mut record, start.date(), &mut planted);
    super::fill_known(
        &mut record,
        &[
            ("testing_periods", Value::Null),
            ("released_date", Value::Null),
            ("property_returned_date", Value::Null),
            ("disposal_decision_date", Value::Null),
        ],
    );

    let av: Vec<String> = if mk.plant(NO_AV_RECORD, &mut planted) {
        vec![]
    } else {
        vec![format!("{record_id}-AV1")]
    };
    record["av_recording_ids"] = json!(av);
    record["av_gaps"] = json!([]);
    record["transferred_to_judiciary"] = json!(false);
    super::shared(mk, &mut record, day);
    let party_value = mk.party_on_record(party, &mut planted);
    record["party"] = party_value;
    record["region_code"] = json!(mk.region_code(unit, party, day, &mut planted));
    record["demo_defects"] = json!(planted);
    record
}

/// The 30 (+30) days of 行政强制法 第二十五条, with extensions, testing periods and release.
fn duration_fields(
    mk: &mut Gen<'_>,
    record: &mut Value,
    start: Date,
    planted: &mut Vec<&'static str>,
) {
    let release = if mk.plant(OVER_30_DAYS, planted) {
        record["extension"] = Value::Null;
        start.add_days(mk.rng.range(31, 45))
    } else if mk.rng.chance(0.12) {
        let approved = if mk.plant(LATE_EXTENSION, planted) {
            start.add_days(mk.rng.range(31, 34))
        } else {
            start.add_days(mk.rng.range(20, 29))
        };
        record["extension"] = json!({"approved_date": approved, "approved_by_role": "head", "days": 30,
                                     "written_notice_date": mk.wd_in(approved, 0, 2),
                                     "reasons": "案情复杂，需进一步调查取证"});
        start.add_days(mk.rng.range(35, 58))
    } else if mk.rng.chance(0.08) {
        let test_start = start.add_days(mk.rng.range(3, 10));
        let test_days = mk.rng.range(10, 25);
        record["testing_periods"] = json!([{"start": test_start, "end": test_start.add_days(test_days), "notified_in_writing": true}]);
        record["extension"] = Value::Null;
        start.add_days(mk.rng.range(20, 28) + test_days)
    } else {
        record["extension"] = Value::Null;
        start.add_days(mk.rng.range(3, 29))
    };
    if mk.rng.chance(0.6) {
        record["released_date"] = json!(release);
        record["property_returned_date"] = json!(release);
    } else {
        record["disposal_decision_date"] = json!(release);
    }
}
