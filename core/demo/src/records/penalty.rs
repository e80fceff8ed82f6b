//! Generated penalties (行政处罚), each following an inspection, under the law of its date.

use jiandu_model::{Date, Money};
use serde_json::{Value, json};

use super::inspection::Generated;
use super::{Defect, Gen, defect};

/// 行政处罚法 2021 in force.
fn new_law(date: Date) -> bool {
    date >= Date::from_ymd(2021, 7, 15).expect("valid date")
}

const ONE_OFFICER: Defect = defect("pen.one_officer", "PEN-OFFICERS-2", 0.03);
const EXPIRED_CERT: Defect = defect("pen.expired_cert", "PEN-OFFICERS-2", 0.015);
const SUMMARY_OVER_LIMIT: Defect = defect("pen.summary_over_limit", "PEN-SUMMARY-LIMIT", 0.04);
const NO_PRIOR_NOTICE: Defect = defect("pen.no_prior_notice", "PEN-PRIOR-NOTICE", 0.02);
const LATE_DECISION: Defect = defect("pen.late_decision", "PEN-DEADLINE-90D", 0.04);
const HEARING_NOT_INFORMED: Defect = defect("pen.hearing_not_informed", "PEN-HEARING-RIGHT", 0.04);
const NO_LEGAL_REVIEW: Defect = defect("pen.no_legal_review", "PEN-LEGAL-REVIEW", 0.03);
const LATE_SERVICE: Defect = defect("pen.late_service", "PEN-SERVICE-7WD", 0.05);
const LATE_PUBLICITY: Defect = defect("pen.late_publicity", "PUB-DECISION-7WD", 0.06);
const HEAVIER_AFTER_DEFENCE: Defect = defect("pen.heavier_after_defence", "PEN-DEFENCE", 0.01);
const PAID_TO_AGENCY: Defect = defect("pen.paid_to_agency", "PEN-COLLECTION-SEPARATION", 0.01);
const MINOR_PARTY: Defect = defect("pen.minor_party", "PEN-MINOR-AGE", 0.01);
const DOUBLE_FINE: Defect = defect("pen.double_fine", "PEN-DOUBLE-FINE", 0.005);

pub(crate) const DEFECTS: &[Defect] = &[
    ONE_OFFICER,
    EXPIRED_CERT,
    SUMMARY_OVER_LIMIT,
    NO_PRIOR_NOTICE,
    LATE_DECISION,
    HEARING_NOT_INFORMED,
    NO_LEGAL_REVIEW,
    LATE_SERVICE,
    LATE_PUBLICITY,
    HEAVIER_AFTER_DEFENCE,
    PAID_TO_AGENCY,
    MINOR_PARTY,
    DOUBLE_FINE,
];

/// Summary-procedure ceilings in yuan: (natural person, organisation).
fn summary_ceilings(date: Date) -> (i64, i64) {
    if new_law(date) {
        (200, 3000)
    } else {
        (50, 1000)
    }
}

fn is_person(nature: &str) -> bool {
    matches!(nature, "natural_person" | "individual_business")
}

pub(crate) fn generate(mk: &mut Gen<'_>, inspection: &Generated<'_>) -> Value {
    let reference = mk.reference;
    let unit = &reference.units[inspection.unit_idx];
    let party = &reference.parties[inspection.party_idx];
    let mut planted = Vec::new();
    let summary = mk.rng.chance(0.22);
    let check_date = inspection.check_date;
    let record_id = mk.next_id(unit, "CF", check_date);

    // The case runs for months: its officers' certificates must hold until it closes.
    let case_end = check_date.add_days(200);
    let same_officers = inspection.officers.len() >= 2
        && inspection
            .officers
            .iter()
            .all(|o| !o.is_auxiliary && case_end <= o.valid_until);
    let mut officers: Vec<Value> = if same_officers {
        inspection.officers.iter().map(|o| o.on_record()).collect()
    } else {
        mk.officers_valid(inspection.unit_idx, check_date, case_end, 2)
            .iter()
            .map(|o| o.on_record())
            .collect()
    };
    // The old summary procedure set no headcount: no officer defect to plant there.
    let headcount_applies = !summary || new_law(check_date);
    if headcount_applies && mk.plant(ONE_OFFICER, &mut planted) {
        officers.truncate(1);
    } else if headcount_applies && mk.plant(EXPIRED_CERT, &mut planted) {
        match mk.expired_officer(inspection.unit_idx, check_date) {
            Some(expired) if officers.len() >= 2 => {
                officers.truncate(2);
                officers[1] = expired.on_record();
            }
            _ => mk.unplant(EXPIRED_CERT, &mut planted),
        }
    }

    let mut party_value = mk.party_on_record(party, &mut planted);
    if party.nature == "natural_person" && mk.plant(MINOR_PARTY, &mut planted) {
        party_value["birth_date"] = json!(check_date.add_days(-365 * 13));
    }
    let region_code = mk.region_code(unit, party, check_date, &mut planted);
    let mut record = json!({
        "record_id": record_id,
        "record_type": "penalty",
        "agency": unit.agency(),
        "party": party_value,
        "officers": officers,
        "cert_shown": true,
        "inquiry_record_ids": [format!("{record_id}-XW1")],
        "supervision_item_code": mk.item_code(unit, "处罚"),
        "check_action_code": inspection.record["record_id"],
        "act_id": format!("ACT-{}", inspection.record["record_id"].as_str().unwrap_or_default()),
        "region_code": region_code,
        "violation_date": check_date.add_days(-mk.rng.range(0, 60)),
        "discovery_date": check_date,
        "sector_profile": unit.department.sector,
    });
    if summary {
        summary_fields(mk, &mut record, party.nature, check_date, &mut planted);
    } else {
        ordinary_fields(mk, &mut record, party.nature, check_date, &mut planted);
    }
    if mk.plant(PAID_TO_AGENCY, &mut planted) && record["payment"].is_object() {
        record["payment"]["paid_to"] = json!("agency_account");
    }
    let decided = record["decision_date"]
        .as_str()
        .and_then(|d| Date::parse(d).ok())
        .unwrap_or(check_date);
    super::shared(mk, &mut record, decided);
    super::fill_known(
        &mut record,
        &[
            ("evidence_hold_date", Value::Null),
            ("minor", json!(false)),
            ("first_violation", json!(false)),
            ("harm_minor", json!(false)),
            ("corrected_promptly", json!(false)),
            ("no_fault_proven", json!(false)),
            ("harmful_consequence", json!(false)),
            ("involves_life_health_or_finance", json!(false)),
            ("late_fee_charged", Value::Null),
            ("deferral", Value::Null),
            ("evidence_source", json!("on_site")),
            ("decision_changed_date", Value::Null),
            ("gsxt_removed_date", Value::Null),
            ("gsxt_published_date", Value::Null),
            ("hearing_requested_date", Value::Null),
            ("hearing_held", json!(false)),
            ("hearing_date", Value::Null),
            ("complex_or_major", json!(false)),
            ("publish_required", json!(!summary)),
            ("recusal_application", json!(false)),
            ("confiscation_value", Value::Null),
            ("special_law_exemption", json!(false)),
            ("extensions", Value::Null),
            ("excluded_periods", Value::Null),
            (
                "remedy_notice",
                json!({"review_bodies": remedy_bodies(decided), "review_days": 60,
                       "suit_months": if decided >= Date::from_ymd(2015, 5, 1).expect("valid date") { 6 } else { 3 }}),
            ),
            (
                "process_records",
                json!({"start": true, "investigation": true, "review": true, "decision": true, "service": true, "execution": true}),
            ),
        ],
    );
    record["demo_defects"] = json!(planted);
    record
}

fn summary_fields(
    mk: &mut Gen<'_>,
    record: &mut Value,
    nature: &str,
    date: Date,
    planted: &mut Vec<&'static str>,
) {
    let (person_cap, org_cap) = summary_ceilings(date);
    let cap = if is_person(nature) {
        person_cap
    } else {
        org_cap
    };
    let warning_only = mk.rng.chance(0.2);
    let mut fine = mk.rng.range(cap / 5, cap);
    if !warning_only && mk.plant(SUMMARY_OVER_LIMIT, planted) {
        fine = cap + mk.rng.range(50, cap);
    }
    let on_spot_cap = if new_law(date) { 100 } else { 20 };
    let on_spot = !warning_only && fine <= on_spot_cap && mk.rng.chance(0.5);
    record["procedure"] = json!("summary");
    record["decision_date"] = json!(date);
    record["prior_notice_date"] = json!(date);
    record["prior_notice"] =
        json!({"penalty": true, "facts": true, "reasons": true, "basis": true, "rights": true});
    record["statement_waived"] = json!(false);
    record["defence_submitted"] = json!(false);
    record["defence_reviewed"] = json!(true);
    record["party_present_at_announcement"] = json!(true);
    record["service_date"] = json!(date);
    record["service_method"] = json!("direct");
    record["delivered_on_spot"] = json!(true);
    record["form_no"] = json!(format!("JY{}{:06}", date.year(), mk.rng.range(1, 999_999)));
    record["filed_with_agency_date"] = json!(mk.wd_in(date, 1, 3));
    if warning_only {
        record["penalty_types"] = json!(["warning"]);
        record["fine_amount"] = json!(0);
        record["noticed_penalty"] = json!({"types": ["warning"], "amount": 0});
        record["decided_penalty"] = json!({"types": ["warning"], "amount": 0});
        record["payment"] = Value::Null;
        return;
    }
    record["penalty_types"] = json!(["fine"]);
    record["fine_amount"] = Money::from_yuan(fine).to_json();
    record["noticed_penalty"] =
        json!({"types": ["fine"], "amount": Money::from_yuan(fine).to_json()});
    record["decided_penalty"] =
        json!({"types": ["fine"], "amount": Money::from_yuan(fine).to_json()});
    record["decision_received_date"] = json!(date);
    record["due_date"] = json!(date.add_days(15));
    let paid = if on_spot {
        date
    } else {
        date.add_days(mk.rng.range(0, 12))
    };
    record["paid_date"] = json!(paid);
    record["payment"] = if on_spot {
        json!({"paid_to": "on_spot", "receipt_no": format!("粤财{:08}", mk.rng.range(1, 99_999_999)),
               "collected_date": date, "handed_to_agency_date": mk.wd(date, 1), "banked_date": mk.wd(date, 2)})
    } else {
        json!({"paid_to": "bank"})
    };
}

fn ordinary_fields(
    mk: &mut Gen<'_>,
    record: &mut Value,
    nature: &str,
    check_date: Date,
    planted: &mut Vec<&'static str>,
) {
    let person = is_person(nature);
    let filing = check_date.add_days(mk.rng.range(1, 7));
    let mut decision = filing.add_days(mk.rng.range(25, 80));
    let fine = if person {
        mk.rng.range(5, 400) * 100
    } else {
        mk.rng.range(20, 1500) * 100
    };
    let suspend = mk.rng.chance(0.04);
    // The defence may end in a heavier fine (a planted defect): eligibility follows the decision.
    let heavier = mk.plant(HEAVIER_AFTER_DEFENCE, planted);
    let decided_fine = if heavier { fine + fine / 5 } else { fine };
    // 较大数额 per the profile default: 10,000 for persons, 100,000 for organisations.
    let hearing_eligible = suspend || decided_fine >= if person { 10_000 } else { 100_000 };
    let mut types = vec!["fine"];
    if suspend {
        types.push("suspend_business");
    }
    // Gains below every 较大数额 threshold, so that they never make a hearing due.
    record["confiscation_value"] = if mk.rng.chance(0.15) {
        types.push("confiscate_illegal_gains");
        Money::from_yuan(mk.rng.range(5, 80) * 100).to_json()
    } else {
        Value::Null
    };
    record["procedure"] = json!("ordinary");
    record["filing_date"] = json!(filing);
    record["penalty_types"] = json!(types);
    record["fine_amount"] = Money::from_yuan(fine).to_json();
    record["complex_or_major"] = json!(false);
    record["major_public_interest"] = json!(false);
    record["complex_case"] = json!(false);
    record["law_requires_review"] = json!(false);

    let mut hearing_held = false;
    if hearing_eligible {
        let informed = !mk.plant(HEARING_NOT_INFORMED, planted);
        record["hearing_right_informed"] = json!(informed);
        if informed && mk.rng.chance(0.35) {
            let notice = filing.add_days(mk.rng.range(15, 30));
            let requested = mk.wd_in(notice, 1, 4);
            let hearing_notice = mk.wd_in(requested, 1, 3);
            let hearing = mk.wd_in(hearing_notice, 7, 10);
            hearing_held = true;
            decision = decision.max(mk.wd_in(hearing, 3, 8));
            record["hearing_right_notice_date"] = json!(notice);
            record["hearing_requested_date"] = json!(requested);
            record["hearing_notice_date"] = json!(hearing_notice);
            record["hearing_date"] = json!(hearing);
            record["hearing_host_id"] = json!(format!("HOST-{}", mk.rng.range(100, 999)));
            record["investigator_ids"] = json!([record["officers"][0]["cert_no"].clone()]);
            record["hearing_public"] = json!(true);
            record["hearing_record_signed"] = json!(true);
        }
    }
    record["hearing_held"] = json!(hearing_held);

    let market = record["sector_profile"] == "market_regulation";
    let limit = filing.add_days(90);
    if new_law(filing) && mk.plant(LATE_DECISION, planted) {
        decision = filing.add_days(mk.rng.range(95, 130));
    } else if decision > limit {
        if market {
            record["extensions"] = json!([{"approved_date": filing.add_days(85), "approver_role": "head", "days": 30, "collective": false}]);
        } else {
            decision = limit.add_days(-mk.rng.range(1, 5));
        }
    }
    let defence_wd = if market { 5 } else { 3 };
    record["defence_period_wd"] = json!(defence_wd);
    let notice_wd = defence_wd + mk.rng.range(1, 6);
    let notice = mk.wd(decision, -notice_wd).max(filing.add_days(1));
    if mk.plant(NO_PRIOR_NOTICE, planted) {
        record["prior_notice_date"] = Value::Null;
    } else {
        record["prior_notice_date"] = json!(notice);
        record["prior_notice"] =
            json!({"penalty": true, "facts": true, "reasons": true, "basis": true, "rights": true});
    }
    record["statement_waived"] = json!(false);
    record["defence_submitted"] = json!(mk.rng.chance(0.3));
    record["defence_reviewed"] = json!(true);
    let noticed = Money::from_yuan(fine);
    let decided = Money::from_yuan(decided_fine);
    record["noticed_penalty"] = json!({"types": types, "amount": noticed.to_json()});
    record["decided_penalty"] = json!({"types": types, "amount": decided.to_json()});
    record["fine_amount"] = decided.to_json();

    let review_required = hearing_held || !new_law(decision);
    let review_era = decision >= Date::from_ymd(2018, 1, 1).expect("valid date");
    if review_era && review_required && mk.plant(NO_LEGAL_REVIEW, planted) {
        record["legal_review_date"] = Value::Null;
    } else {
        record["legal_review_date"] = json!(decision.add_days(-mk.rng.range(1, 5)));
        record["legal_review_passed"] = json!(true);
        record["reviewer"] = json!({"first_time": false, "has_legal_qualification": true});
    }
    record["decision_date"] = json!(decision);
    record["decision_doc"] = json!({"party": true, "facts_evidence": true, "type_basis": true, "performance": true,
                                    "remedies": true, "agency": true, "date": true, "seal": true});

    let present = mk.rng.chance(0.45);
    record["party_present_at_announcement"] = json!(present);
    let service = if present {
        decision
    } else if mk.plant(LATE_SERVICE, planted) {
        if new_law(decision) {
            mk.wd_in(decision, 8, 14)
        } else {
            // Past the 7 days even when their last day rolls forward to a working day.
            let due = mk
                .calendar
                .add_days(decision, 7, jiandu_calendar::Roll::NextWorkingDay)
                .unwrap_or_else(|_| decision.add_days(7));
            due.add_days(mk.rng.range(1, 7))
        }
    } else {
        let days = mk.rng.range(1, 6);
        if new_law(decision) {
            mk.wd(decision, days)
        } else {
            decision.add_days(days)
        }
    };
    record["service_date"] = json!(service);
    record["service_method"] = json!(if present {
        "direct"
    } else {
        *mk.rng.pick(&["direct", "mail", "left_at_residence"])
    });

    if decision >= Date::from_ymd(2019, 1, 3).expect("valid date") {
        let published = if mk.plant(LATE_PUBLICITY, planted) {
            mk.wd_in(decision, 8, 20)
        } else {
            mk.wd_in(decision, 1, 6)
        };
        record["published_date"] = json!(published);
        record["publish_channel"] = json!("清远市人民政府门户网站");
        if market {
            record["gsxt_published_date"] = json!(mk.wd_in(decision, 3, 18));
            record["publicity_notice_at_service"] = json!(true);
        }
    }
    record["decision_received_date"] = json!(service);
    record["due_date"] = json!(service.add_days(15));
    record["paid_date"] = json!(service.add_days(mk.rng.range(1, 14)));
    record["payment"] = json!({"paid_to": "bank"});
    record["closed_date"] = json!(service.add_days(mk.rng.range(15, 40)));
}

/// A few acts fined by two units (一事二罚): a copy of a penalty under another unit.
pub(crate) fn double_fines(mk: &mut Gen<'_>, records: &[Value]) -> Vec<Value> {
    let mut extra = Vec::new();
    for record in records
        .iter()
        .filter(|r| r["record_type"] == "penalty" && r["procedure"] == "ordinary")
    {
        let mut planted = Vec::new();
        if !mk.plant(DOUBLE_FINE, &mut planted) {
            continue;
        }
        let unit_idx = mk.unit_for("处罚");
        let unit = &mk.reference.units[unit_idx];
        if record["agency"]["unit_id"] == unit.unit_id.as_str() {
            continue;
        }
        let decision = record["decision_date"]
            .as_str()
            .and_then(|d| Date::parse(d).ok())
            .unwrap_or_else(|| mk.act_date());
        let mut copy = record.clone();
        // The second fine comes later: it is the one that breaks 一事不再罚. The second case's
        // own dates move with it; the violation and its discovery stay.
        let offset = mk.rng.range(5, 40);
        let decision = decision.add_days(offset);
        if let Value::Object(fields) = &mut copy {
            for (field, value) in fields.iter_mut() {
                if matches!(field.as_str(), "violation_date" | "discovery_date") {
                    continue;
                }
                if let Some(day) = value.as_str().and_then(|s| Date::parse(s).ok()) {
                    *value = json!(day.add_days(offset));
                }
            }
        }
        copy["record_id"] = json!(mk.next_id(unit, "CF", decision));
        copy["agency"] = unit.agency();
        copy["officers"] = json!(
            mk.officers_for(unit_idx, decision, 2)
                .iter()
                .map(|o| o.on_record())
                .collect::<Vec<_>>()
        );
        copy["check_action_code"] = Value::Null;
        // The copy keeps the original's own defects and adds the double fine.
        let mut defects: Vec<Value> = record["demo_defects"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        defects.extend(planted.iter().map(|d| json!(d)));
        copy["demo_defects"] = json!(defects);
        extra.push(copy);
    }
    extra
}

/// The review body a decision names: the same-level government from 2024 (行政复议法 2023
/// 第二十四条), before that the choice the old law gave.
fn remedy_bodies(decided: Date) -> Value {
    if decided >= Date::from_ymd(2024, 1, 1).expect("valid date") {
        json!(["same_level_government"])
    } else {
        json!(["same_level_government", "superior_department"])
    }
}
