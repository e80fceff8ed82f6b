//! A complaint as a record (`record_type` complaint or report), rewritten at every event, so
//! that the `CPL-*` rules judge how it was handled in the same sweep as every other record
//! and its handovers appear in the case graph.
//!
//! Field mapping (CATALOGUE §2.6): `received_date` is the day the current unit received it
//! (the latest assign or transfer); `accept_decision_date`, `accepted`, `nonaccept_ground`
//! and `complainant_informed_date` come from the unit's accept or not-accept (the platform
//! tells the complainant when the decision is recorded); for a report the same decision is
//! the `filing_decision_date`, and a real-name reporter is told with it; a complaint's
//! `resolve` ends the mediation (`mediation_end_date`); with no decision in the log the
//! decision fields are null (not yet decided). The item's `sector_profile` is the handling
//! unit's sector. The complainant's identity is not copied into the record.

use jiandu_model::{ActionKind, ComplaintKind, Moment, Record};
use serde_json::{Map, Value, json};

use crate::envelope::Intake;

/// One event as the record shows it.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub action: ActionKind,
    pub at: Moment,
    pub unit: Option<String>,
    pub from_unit: Option<String>,
    pub to_unit: Option<String>,
    pub reason: Option<String>,
    pub details: Value,
}

/// Where things are, for CPL-ROUTING-PRINCIPLE: the respondent's operating and domicile
/// regions (complaints), the place of the act (reports), the handling unit's region.
#[derive(Debug, Clone, Default)]
pub struct Places {
    pub operating: Option<String>,
    pub domicile: Option<String>,
    pub act: Option<String>,
    pub handling_unit: Option<String>,
    /// The handling unit's sector: the item's `sector_profile`.
    pub sector: Option<String>,
}

fn put(map: &mut Map<String, Value>, key: &str, value: impl Into<Value>) {
    map.insert(key.to_owned(), value.into());
}

/// The record of a complaint after `log`.
pub fn mirror(
    complaint_id: &str,
    intake: &Intake,
    received_at: Moment,
    region: Option<&str>,
    places: &Places,
    log: &[LogEntry],
) -> Result<Record, String> {
    let mut body = Map::new();
    put(&mut body, "record_id", complaint_id);
    put(&mut body, "record_type", intake.kind.as_str());
    put(&mut body, "task_no", intake.task_no.as_str());
    let current = log
        .iter()
        .rposition(|e| matches!(e.action, ActionKind::Assign | ActionKind::Transfer));
    let received = current
        .and_then(|i| log.get(i))
        .map_or(received_at, |e| e.at)
        .date();
    put(&mut body, "received_date", received.to_string());
    if let Some(code) = &intake.item_code {
        put(&mut body, "supervision_item_code", code.as_str());
    }
    if let Some(region) = region {
        put(&mut body, "region_code", region);
    }
    let mut party = Map::new();
    if let Some(name) = &intake.respondent.name {
        put(&mut party, "name", name.as_str());
    }
    if let Some(code) = &intake.respondent.cert_code {
        let field = if code.len() == 18 && !code.chars().all(|c| c.is_ascii_digit() || c == 'X') {
            "uscc"
        } else {
            "id"
        };
        put(&mut party, field, code.as_str());
    }
    if !party.is_empty() {
        put(&mut body, "party", Value::Object(party));
    }
    let mut respondent = Map::new();
    for (key, value) in [
        ("operating_region", &places.operating),
        ("domicile_region", &places.domicile),
    ] {
        if let Some(v) = value {
            put(&mut respondent, key, v.as_str());
        }
    }
    if !respondent.is_empty() {
        put(&mut body, "respondent", Value::Object(respondent));
    }
    if let Some(place) = &places.act {
        put(&mut body, "act_region", place.as_str());
    }
    if let Some(place) = &places.handling_unit {
        put(&mut body, "handling_unit_region", place.as_str());
    }
    if let Some(sector) = &places.sector {
        put(&mut body, "sector_profile", sector.as_str());
    }
    if let Some(date) = intake.dispute_date {
        put(&mut body, "dispute_date", date.to_string());
    }
    let handover: Vec<Value> = log
        .iter()
        .map(|e| {
            let mut entry = Map::new();
            put(&mut entry, "action", e.action.as_str());
            put(&mut entry, "at", e.at.to_string());
            for (key, value) in [
                ("unit", &e.unit),
                ("from_unit", &e.from_unit),
                ("to_unit", &e.to_unit),
                ("reason", &e.reason),
            ] {
                if let Some(v) = value {
                    put(&mut entry, key, v.as_str());
                }
            }
            for key in ["ground", "result", "suggestion", "level"] {
                if let Some(v) = e.details.get(key).filter(|v| !v.is_null()) {
                    entry.insert(key.to_owned(), v.clone());
                }
            }
            Value::Object(entry)
        })
        .collect();
    put(&mut body, "handover_log", handover);

    // Decisions of the current assignment only: an earlier unit's are history.
    let since = current.map_or(0, |i| i + 1);
    let decision = log
        .iter()
        .skip(since)
        .find(|e| matches!(e.action, ActionKind::Accept | ActionKind::NotAccept));
    if let Some(d) = decision {
        let day = d.at.date().to_string();
        let accepted = d.action == ActionKind::Accept;
        match intake.kind {
            ComplaintKind::Complaint => {
                put(&mut body, "accept_decision_date", day.as_str());
                put(&mut body, "accepted", accepted);
                put(&mut body, "complainant_informed_date", day.as_str());
                if let Some(ground) = d.details.get("ground").and_then(Value::as_str) {
                    put(&mut body, "nonaccept_ground", ground);
                }
                if !accepted {
                    // Not accepted: there is no mediation to end.
                    body.insert("mediation_end_date".into(), Value::Null);
                }
            }
            ComplaintKind::Report => {
                put(&mut body, "filing_decision_date", day.as_str());
                put(&mut body, "accepted", accepted);
                // Whether the report was made in one's own name is the push's to say; when it
                // does not, CPL-REPORT-NOTIFY-5WD cannot know whether it applies.
                if let Some(real_name) = intake.complainant.real_name {
                    put(&mut body, "reporter_real_name", real_name);
                    if real_name {
                        put(&mut body, "reporter_informed_date", day.as_str());
                    }
                }
            }
        }
    } else {
        // The log is the whole handling: no decision in it means none was made yet.
        put(&mut body, "accepted", Value::Null);
        let field = match intake.kind {
            ComplaintKind::Complaint => "accept_decision_date",
            ComplaintKind::Report => "filing_decision_date",
        };
        put(&mut body, field, Value::Null);
    }
    // What the units stated, later statements over earlier ones.
    for e in log {
        if let Some(Value::Object(facts)) = e.details.get("facts") {
            for (key, value) in facts {
                body.insert(key.clone(), value.clone());
            }
        }
    }
    put(&mut body, "channel", "platform");
    if intake.kind == ComplaintKind::Complaint
        && let Some(resolved) = log
            .iter()
            .skip(since)
            .find(|e| e.action == ActionKind::Resolve)
    {
        put(
            &mut body,
            "mediation_end_date",
            resolved.at.date().to_string(),
        );
    }
    Record::from_json(Value::Object(body)).map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.reason))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// The intake as kept with the complaint. The complainant's contact stays in the store for
/// the handling unit; notices, exports and the mirror record never carry it.
pub fn details(intake: &Intake) -> Value {
    json!(intake)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope;

    fn at(s: &str) -> Moment {
        Moment::parse(s).unwrap()
    }

    fn entry(action: ActionKind, when: &str) -> LogEntry {
        LogEntry {
            action,
            at: at(when),
            unit: Some("441802-scjg".into()),
            from_unit: None,
            to_unit: None,
            reason: None,
            details: json!({}),
        }
    }

    #[test]
    fn the_record_carries_what_the_cpl_rules_read() {
        let intake = envelope::read(&json!({"taskNo": "9", "complaintInfo": {
            "complaintObject": "某公司", "complaintObjectCertCode": "914418020JR4G3BG98", "complaintDetail": "x"},
            "complainant": {"name": "张三", "phone": "138"}}))
        .unwrap();
        let mut assign = entry(ActionKind::Assign, "2025-09-26T16:00:00+08:00");
        assign.unit = None;
        assign.from_unit = Some("441800-12345".into());
        assign.to_unit = Some("441802-scjg".into());
        let log = [
            assign,
            entry(ActionKind::Acknowledge, "2025-09-28T09:00:00+08:00"),
            entry(ActionKind::Accept, "2025-10-09T10:00:00+08:00"),
        ];
        let record = mirror(
            "TS-9",
            &intake,
            at("2025-09-26T15:00:00+08:00"),
            Some("441802"),
            &Places::default(),
            &log,
        )
        .unwrap();
        let body = record.body();
        assert_eq!(body["received_date"], "2025-09-26");
        assert_eq!(body["accept_decision_date"], "2025-10-09");
        assert_eq!(body["accepted"], true);
        assert_eq!(body["party"]["uscc"], "914418020JR4G3BG98");
        assert_eq!(body["handover_log"][0]["to_unit"], "441802-scjg");
        assert_eq!(record.unit_id().as_deref(), Some("441802-scjg"));
        assert!(
            !record.to_json().to_string().contains("张三"),
            "no complainant identity"
        );
    }
}
