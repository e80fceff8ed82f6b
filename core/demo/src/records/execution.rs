//! Generated compulsory executions (行政强制执行): money enforcement, demolition and
//! substitute performance.

use jiandu_model::{Date, Moment, Money};
use serde_json::{Value, json};

use super::{Defect, Gen, defect};

const NO_URGING: Defect = defect("exe.no_urging", "EXE-URGE-WRITTEN, EXE-DECISION", 0.02);
const NIGHT: Defect = defect("exe.night", "EXE-NIGHT-HOLIDAY", 0.025);
const HOLIDAY: Defect = defect("exe.holiday", "EXE-NIGHT-HOLIDAY", 0.015);
const LATE_FEE_OVER_CAP: Defect = defect("exe.late_fee_over_cap", "EXE-LATE-FEE-CAP", 0.03);
const UTILITY_CUTOFF: Defect = defect("exe.utility_cutoff", "EXE-NO-UTILITY-CUTOFF", 0.007);
const DEMOLITION_EARLY: Defect = defect("exe.demolition_early", "EXE-DEMOLITION", 0.05);

pub(crate) const DEFECTS: &[Defect] = &[
    NO_URGING,
    NIGHT,
    HOLIDAY,
    LATE_FEE_OVER_CAP,
    UTILITY_CUTOFF,
    DEMOLITION_EARLY,
];

/// A listed statutory day off near `after`, for the holiday defect.
fn holiday_near(mk: &Gen<'_>, after: Date) -> Option<Date> {
    (1..200)
        .map(|n| after.add_days(n))
        .find(|d| mk.calendar.is_listed_day_off(*d).unwrap_or(false))
}

pub(crate) fn generate(mk: &mut Gen<'_>) -> Value {
    let demolition = mk.rng.chance(0.3);
    let unit_idx = if demolition {
        // 城管综合执法 of a county: demolition of illegal buildings.
        let region = crate::vocabulary::REGIONS[mk.rng.range(1, 8) as usize].0;
        mk.unit_index(region, "cgzf")
    } else {
        mk.unit_for("处罚")
    };
    let reference = mk.reference;
    let unit = &reference.units[unit_idx];
    let party = &reference.parties[mk.party_for(unit)];
    let mut planted = Vec::new();
    let urging_date = mk.act_date();
    let urging_deadline = urging_date.add_days(10);
    let decision_date = mk.wd_in(urging_deadline, 1, 10);
    let mut day = mk.wd_in(decision_date, 3, 12);
    let record_id = mk.next_id(unit, "ZX", urging_date);

    let mut record = json!({
        "record_id": record_id,
        "record_type": "compulsory_execution",
        "execution_kind": if demolition { "demolition" } else { "money" },
        "agency": unit.agency(),
        "officers": mk.officers_for(unit_idx, urging_date, 2).iter().map(|o| o.on_record()).collect::<Vec<_>>(),
        "cert_shown": true,
        "supervision_item_code": mk.item_code(unit, "处罚"),
        "urging_statement_reviewed": true,
        "execution_decision": {"date": decision_date, "service_method": "direct", "written": true},
        "immediate_concealment_evidence": false,
        "emergency_flag": false,
        "utility_cutoff": [],
    });
    record["urging"] = if mk.plant(NO_URGING, &mut planted) {
        Value::Null
    } else {
        let mut urging = json!({"date": urging_date, "written": true, "deadline": urging_deadline, "manner": "书面催告",
                                "rights": true, "service_method": "direct", "served_date": urging_date});
        if !demolition {
            urging["amount"] = json!(mk.rng.range(10, 500) * 100);
        }
        urging
    };

    let mut start_hour = (9, 16);
    if mk.plant(NIGHT, &mut planted) {
        start_hour = (22, 23);
    } else if mk.plant(HOLIDAY, &mut planted) {
        match holiday_near(mk, day) {
            Some(holiday) if holiday <= super::last_act_date() => day = holiday,
            _ => mk.unplant(HOLIDAY, &mut planted),
        }
    }
    let start: Moment = mk.moment(day, start_hour.0, start_hour.1);
    record["execution_start"] = json!(start);
    record["execution_end"] = json!(start.add_seconds(mk.rng.range(1, 5) * 3600));
    record["execution_date"] = json!(start.date());

    if demolition {
        let notice = urging_date.add_days(-mk.rng.range(70, 120));
        let self_deadline = notice.add_days(mk.rng.range(10, 30));
        // 复议 60 days / 诉讼 6 months from the decision: the remedy period ends before execution.
        let remedy_end = if mk.plant(DEMOLITION_EARLY, &mut planted) {
            start.date().add_days(mk.rng.range(5, 40))
        } else {
            start.date().add_days(-mk.rng.range(1, 20))
        };
        record["demolition_notice_date"] = json!(notice);
        record["self_demolition_deadline"] = json!(self_deadline);
        record["remedy_period_end"] = json!(remedy_end);
        record["review_or_suit_filed"] = json!(false);
    } else {
        let principal = Money::from_yuan(mk.rng.range(10, 500) * 100);
        let late_start = urging_date.add_days(-mk.rng.range(40, 90));
        let late = if mk.plant(LATE_FEE_OVER_CAP, &mut planted) {
            Money::from_fen(principal.fen() + principal.fen() / 4)
        } else {
            Money::from_fen(principal.fen() * mk.rng.range(30, 100) / 100)
        };
        record["principal_amount"] = principal.to_json();
        record["late_amount_charged"] = late.to_json();
        record["late_rate_notified"] = json!(true);
        record["late_fee_start_date"] = json!(late_start);
        record["second_urging_date"] = json!(urging_date);
        record["enforcement_date"] = json!(start.date());
        if mk.plant(UTILITY_CUTOFF, &mut planted) {
            record["utility_cutoff"] = json!(["water"]);
        }
    }
    record["party"] = mk.party_on_record(party, &mut planted);
    record["region_code"] = json!(mk.region_code(unit, party, urging_date, &mut planted));
    if demolition {
        record["late_amount_charged"] = Value::Null;
        record["av_recording_ids"] = json!([format!("{record_id}-AV1")]);
        record["av_gaps"] = json!([]);
    }
    super::shared(mk, &mut record, decision_date);
    super::fill_known(
        &mut record,
        &[
            ("court_application_date", Value::Null),
            ("substitute", Value::Null),
            ("suspended_date", Value::Null),
        ],
    );
    record["demo_defects"] = json!(planted);
    record
}
