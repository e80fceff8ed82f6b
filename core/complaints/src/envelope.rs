//! The national platform's push: a task number and a `complaintInfo` (投诉) or `tipInfo`
//! (举报) block (CATALOGUE §3.1), read leniently as to where the blocks sit and strictly as
//! to what must be there.
//!
//! Accepted shapes: `taskNo` at the top or in `taskInfo`; the info block at the top, in
//! `basisData`, or in `taskInfo.superviseObjects[0].basisData`. An optional `complainant`
//! block (`name`, `phone`, `realName`) is kept for the handling unit's records and never
//! exported.

use jiandu_model::{ComplaintKind, Date, Moment};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why a push could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("the body is JSON but not an object")]
    NotObject,
    #[error("no task number: expected `taskNo` at the top or in `taskInfo`")]
    MissingTaskNo,
    #[error("the task number `{0}` is empty or longer than 100 characters")]
    BadTaskNo(String),
    #[error("{0}")]
    BadTaskChars(String),
    #[error(
        "neither `complaintInfo` nor `tipInfo` found (at the top, in `basisData`, or in `taskInfo.superviseObjects[0].basisData`)"
    )]
    NoInfoBlock,
    #[error("both `complaintInfo` and `tipInfo` are present; a push carries one")]
    BothInfoBlocks,
    #[error("`{field}`: {reason}")]
    Field { field: String, reason: String },
}

/// The respondent (被投诉人 / 被举报人).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Respondent {
    pub name: Option<String>,
    /// USCC or ID number.
    pub cert_code: Option<String>,
    /// The region code the push gives (complaintTerritory / tipTerritory).
    pub territory: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complainant {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub real_name: Option<bool>,
}

/// A push, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intake {
    pub task_no: String,
    pub kind: ComplaintKind,
    /// `taskStartTime`, when given.
    pub started_at: Option<Moment>,
    pub task_name: Option<String>,
    pub initiator: Option<String>,
    pub item_code: Option<String>,
    pub respondent: Respondent,
    /// complaintType / tipType.
    pub category: Option<String>,
    pub service_type: Option<String>,
    pub service_name: Option<String>,
    pub dispute_date: Option<Date>,
    pub detail: String,
    /// Left out where the item is kept without its complainant (routing examples).
    #[serde(default)]
    pub complainant: Complainant,
}

impl Intake {
    /// `TS-…` for a complaint (投诉), `JB-…` for a report (举报).
    pub fn complaint_id(&self) -> String {
        let prefix = match self.kind {
            ComplaintKind::Complaint => "TS",
            ComplaintKind::Report => "JB",
        };
        format!("{prefix}-{}", self.task_no)
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A platform time: RFC 3339, epoch milliseconds, or a wall-clock time meaning Beijing
/// time (`YYYY-MM-DD HH:MM:SS`, `2019/4/24 16:03:40`, `2019-04-24 16:03`).
fn moment(field: &str, value: Option<&Value>) -> Result<Option<Moment>, EnvelopeError> {
    let Some(raw) = text(value) else {
        return Ok(None);
    };
    Moment::parse_beijing(&raw)
        .map(Some)
        .map_err(|_| EnvelopeError::Field {
            field: field.into(),
            reason: format!(
                "`{raw}` is not a time (RFC 3339, epoch milliseconds, or YYYY-MM-DD HH:MM:SS / YYYY/M/D HH:MM:SS in Beijing time)"
            ),
        })
}

fn date(field: &str, value: Option<&Value>) -> Result<Option<Date>, EnvelopeError> {
    let Some(raw) = text(value) else {
        return Ok(None);
    };
    if let Ok(moment) = Moment::parse_beijing(&raw) {
        return Ok(Some(moment.date()));
    }
    let day = raw.get(..10).unwrap_or(&raw);
    Date::parse(day)
        .or_else(|e| slashed_date(raw.trim()).ok_or(e))
        .map(Some)
        .map_err(|e| EnvelopeError::Field {
            field: field.into(),
            reason: e.to_string(),
        })
}

/// `2019/4/24`.
fn slashed_date(text: &str) -> Option<Date> {
    let mut parts = text.split('/').map(|p| p.trim().parse::<u32>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() {
        return None;
    }
    Date::from_ymd(i32::try_from(y).ok()?, m, d)
}

fn find_info<'a>(root: &'a Value, name: &str) -> Option<&'a Value> {
    root.get(name)
        .or_else(|| root.get("basisData").and_then(|b| b.get(name)))
        .or_else(|| {
            root.get("taskInfo")
                .and_then(|t| t.get("superviseObjects"))
                .and_then(|o| o.get(0))
                .and_then(|o| o.get("basisData"))
                .and_then(|b| b.get(name))
        })
        .filter(|v| v.is_object())
}

/// Reads a push. Returns the intake and the parsed JSON (stored as received).
pub fn parse(body: &[u8]) -> Result<(Intake, Value), EnvelopeError> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| EnvelopeError::NotJson(e.to_string()))?;
    let intake = read(&root)?;
    Ok((intake, root))
}

/// Reads a push already parsed as JSON.
pub fn read(root: &Value) -> Result<Intake, EnvelopeError> {
    if !root.is_object() {
        return Err(EnvelopeError::NotObject);
    }
    let task = root.get("taskInfo").unwrap_or(&Value::Null);
    let task_no = text(root.get("taskNo"))
        .or_else(|| text(task.get("taskNo")))
        .ok_or(EnvelopeError::MissingTaskNo)?;
    if task_no.chars().count() > 100 {
        return Err(EnvelopeError::BadTaskNo(task_no));
    }
    jiandu_model::check_identifier("the task number", &task_no)
        .map_err(EnvelopeError::BadTaskChars)?;
    let (kind, info) = match (find_info(root, "complaintInfo"), find_info(root, "tipInfo")) {
        (Some(_), Some(_)) => return Err(EnvelopeError::BothInfoBlocks),
        (Some(info), None) => (ComplaintKind::Complaint, info),
        (None, Some(info)) => (ComplaintKind::Report, info),
        (None, None) => return Err(EnvelopeError::NoInfoBlock),
    };
    let (object, code, category, territory, detail) = match kind {
        ComplaintKind::Complaint => (
            "complaintObject",
            "complaintObjectCertCode",
            "complaintType",
            "complaintTerritory",
            "complaintDetail",
        ),
        ComplaintKind::Report => (
            "tipObject",
            "enterpriseCreditCode",
            "tipType",
            "tipTerritory",
            "tipDetail",
        ),
    };
    let detail_text = text(info.get(detail)).ok_or_else(|| EnvelopeError::Field {
        field: detail.into(),
        reason: "missing: the matter complained of or reported is required".into(),
    })?;
    let territory = text(info.get(territory));
    if let Some(t) = &territory
        && !(t.len() == 6 && t.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(EnvelopeError::Field {
            field: "complaintTerritory/tipTerritory".into(),
            reason: format!("`{t}` is not a 6-digit region code (GB/T 2260)"),
        });
    }
    let complainant = root.get("complainant").unwrap_or(&Value::Null);
    Ok(Intake {
        kind,
        started_at: moment("taskInfo.taskStartTime", task.get("taskStartTime"))?,
        task_name: text(task.get("taskName")),
        initiator: text(task.get("initiateUnitName")),
        item_code: text(task.get("supervisionMatterCode"))
            .or_else(|| text(root.get("supervisionMatterCode"))),
        respondent: Respondent {
            name: text(info.get(object)),
            cert_code: text(info.get(code)),
            territory,
        },
        category: text(info.get(category)),
        service_type: text(info.get("serviceType")),
        service_name: text(info.get("serviceName")),
        dispute_date: date("disputeDate", info.get("disputeDate"))?,
        detail: detail_text,
        complainant: Complainant {
            name: text(complainant.get("name")),
            phone: text(complainant.get("phone")),
            real_name: complainant.get("realName").and_then(Value::as_bool),
        },
        task_no,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_complaint_with_the_blocks_where_the_catalogue_puts_them() {
        let body = json!({
            "taskInfo": {"taskNo": "QY2025092600017", "taskStartTime": "2025-09-26 15:30:00",
                          "supervisionMatterCode": "44011000000100", "initiateUnitName": "国家市场监督管理总局"},
            "basisData": {"complaintInfo": {"complaintObject": "清远市某某食品有限公司",
                "complaintObjectCertCode": "914418020JR4G3BG98", "complaintType": "食品安全",
                "complaintTerritory": "441802", "disputeDate": "2025-09-20", "complaintDetail": "购买的月饼已过期"}},
            "complainant": {"name": "张三", "phone": "13800000000", "realName": true}
        });
        let (intake, _) = parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(intake.kind, ComplaintKind::Complaint);
        assert_eq!(intake.complaint_id(), "TS-QY2025092600017");
        assert_eq!(
            intake.started_at.unwrap().to_string(),
            "2025-09-26T15:30:00+08:00"
        );
        assert_eq!(intake.respondent.territory.as_deref(), Some("441802"));
        assert_eq!(intake.item_code.as_deref(), Some("44011000000100"));
        assert_eq!(intake.complainant.real_name, Some(true));
    }

    #[test]
    fn reads_a_report_at_the_top() {
        let body = json!({"taskNo": 20250001, "tipInfo": {"tipObject": "某加油站", "tipDetail": "夜间偷排",
                          "tipTerritory": "441881"}});
        let (intake, _) = parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(intake.kind, ComplaintKind::Report);
        assert_eq!(intake.complaint_id(), "JB-20250001");
    }

    #[test]
    fn says_what_is_wrong() {
        assert!(matches!(
            parse(b"{not json"),
            Err(EnvelopeError::NotJson(_))
        ));
        assert_eq!(parse(b"[1]").unwrap_err(), EnvelopeError::NotObject);
        assert_eq!(
            parse(br#"{"complaintInfo": {"complaintDetail": "x"}}"#).unwrap_err(),
            EnvelopeError::MissingTaskNo
        );
        assert_eq!(
            parse(br#"{"taskNo": "1"}"#).unwrap_err(),
            EnvelopeError::NoInfoBlock
        );
        for bad in [r#""QY\u0000001""#, r#""../../etc""#, r#""a\nb""#] {
            let body =
                format!(r#"{{"taskNo": {bad}, "complaintInfo": {{"complaintDetail": "x"}}}}"#);
            assert!(
                matches!(parse(body.as_bytes()), Err(EnvelopeError::BadTaskChars(_))),
                "{bad}"
            );
        }
        let no_detail = parse(br#"{"taskNo": "1", "complaintInfo": {"complaintObject": "x"}}"#);
        assert!(
            no_detail
                .unwrap_err()
                .to_string()
                .contains("complaintDetail"),
            "names the field"
        );
        let bad_region = parse(
            r#"{"taskNo": "1", "complaintInfo": {"complaintDetail": "x", "complaintTerritory": "清城区"}}"#.as_bytes(),
        );
        assert!(matches!(bad_region, Err(EnvelopeError::Field { .. })));
    }
}
