//! Enforcement records: a JSON object with `record_id`, `record_type` and the catalogue's fields.
//!
//! A record keeps every field it came with. The fields the dictionary types
//! ([`dictionary`]) are checked and normalised when the record is built — dates, amounts,
//! yes/no, and the codes of closed vocabularies, whose Chinese labels are accepted and
//! turned into codes — so that everything downstream can trust them. An *absent* field and
//! a field that is present and `null` stay distinct: the first means "not recorded", the
//! second "known not to have happened" (DESIGN §4).

pub mod dictionary;
pub mod keys;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Date, Moment, Money};
use dictionary::{Field, Vocabulary, dictionary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    Inspection,
    Penalty,
    CompulsoryMeasure,
    CompulsoryExecution,
    Complaint,
    Report,
}

impl RecordType {
    pub const ALL: [RecordType; 6] = [
        RecordType::Inspection,
        RecordType::Penalty,
        RecordType::CompulsoryMeasure,
        RecordType::CompulsoryExecution,
        RecordType::Complaint,
        RecordType::Report,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Inspection => "inspection",
            RecordType::Penalty => "penalty",
            RecordType::CompulsoryMeasure => "compulsory_measure",
            RecordType::CompulsoryExecution => "compulsory_execution",
            RecordType::Complaint => "complaint",
            RecordType::Report => "report",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            RecordType::Inspection => "行政检查",
            RecordType::Penalty => "行政处罚",
            RecordType::CompulsoryMeasure => "行政强制措施",
            RecordType::CompulsoryExecution => "行政强制执行",
            RecordType::Complaint => "投诉",
            RecordType::Report => "举报",
        }
    }

    /// Fields that give the date of the act, in order of preference. The first one present
    /// is the record's act date (used for ordering, region validity and reports; each rule
    /// names its own version-selecting field).
    pub fn act_date_fields(self) -> &'static [&'static str] {
        match self {
            RecordType::Inspection => &["check_date", "check_time"],
            RecordType::Penalty => &["decision_date", "filing_date"],
            RecordType::CompulsoryMeasure => &["measure_start", "freeze_date"],
            RecordType::CompulsoryExecution => &[
                "execution_decision.date",
                "execution_start",
                "execution_date",
            ],
            RecordType::Complaint | RecordType::Report => &["received_date"],
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown record_type `{0}`; expected one of inspection, penalty, compulsory_measure, compulsory_execution, complaint, report"
)]
pub struct UnknownRecordType(pub String);

impl FromStr for RecordType {
    type Err = UnknownRecordType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownRecordType(s.to_owned()))
    }
}

/// A record's identity in its source system: non-empty, at most 128 characters, no
/// surrounding spaces.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecordId(String);

impl RecordId {
    pub fn parse(input: &str) -> Result<RecordId, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("record_id is empty".into());
        }
        if trimmed.chars().count() > 128 {
            return Err("record_id is longer than 128 characters".into());
        }
        crate::check_identifier("record_id", trimmed)?;
        Ok(RecordId(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RecordId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        RecordId::parse(&value)
    }
}

impl From<RecordId> for String {
    fn from(id: RecordId) -> String {
        id.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordId({})", self.0)
    }
}

/// How a field's values are checked and normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Date,
    Moment,
    /// A date, or a moment when the source has the time.
    DateOrMoment,
    Money,
    Bool,
    Integer,
    /// One code of a closed vocabulary (its Chinese label is accepted and becomes the code).
    Enum(&'static Vocabulary),
    /// A list of strings, each a code of the vocabulary when there is one; a string is split
    /// on `;`.
    List(Option<&'static Vocabulary>),
    /// A GB/T 2260 code (shape and province); reference data only; in records a bad code
    /// is a data-quality finding, not a syntax error.
    RegionCode,
    /// A 14-digit supervision-item code; reference data only, as above.
    ItemCode,
}

/// What a record holds at a path: the distinction the missing-field policy rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lookup<'a> {
    /// The key is missing: "not recorded".
    Absent,
    /// The key is present with `null`: "known not to have happened".
    Null,
    Value(&'a Value),
}

/// One field that failed its syntax check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`: {}", self.field, self.reason)
    }
}

/// A checked record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    id: RecordId,
    record_type: RecordType,
    /// Shared so that rules, look-ups and the store can hold the record without copying it.
    body: Arc<Map<String, Value>>,
}

impl Record {
    /// Checks and normalises a JSON object. Every syntax problem is reported, not just the first.
    pub fn from_json(value: Value) -> Result<Record, Vec<FieldError>> {
        let Value::Object(mut body) = value else {
            return Err(vec![FieldError {
                field: "(record)".into(),
                reason: "a record must be a JSON object".into(),
            }]);
        };
        let mut errors = Vec::new();
        let id = match body.get("record_id") {
            Some(Value::String(s)) => RecordId::parse(s)
                .map_err(|reason| errors.push(field_error("record_id", reason)))
                .ok(),
            Some(Value::Number(n)) => RecordId::parse(&n.to_string())
                .map_err(|reason| errors.push(field_error("record_id", reason)))
                .ok(),
            Some(Value::Null) | None => {
                errors.push(field_error(
                    "record_id",
                    "missing: every record needs a record_id".into(),
                ));
                None
            }
            Some(other) => {
                errors.push(field_error(
                    "record_id",
                    format!("must be text, not {other}"),
                ));
                None
            }
        };
        let record_type = match body.get("record_type") {
            Some(Value::String(s)) => record_type_code(s)
                .parse::<RecordType>()
                .map_err(|e| errors.push(field_error("record_type", e.to_string())))
                .ok(),
            None | Some(Value::Null) => {
                errors.push(field_error(
                    "record_type",
                    "missing: every record needs a record_type".into(),
                ));
                None
            }
            Some(other) => {
                errors.push(field_error(
                    "record_type",
                    format!("must be text, not {other}"),
                ));
                None
            }
        };
        errors.extend(normalise_fields(&mut body));
        match (id, record_type) {
            (Some(id), Some(record_type)) if errors.is_empty() => {
                body.insert("record_id".into(), Value::String(id.0.clone()));
                body.insert(
                    "record_type".into(),
                    Value::String(record_type.as_str().to_owned()),
                );
                Ok(Record {
                    id,
                    record_type,
                    body: Arc::new(body),
                })
            }
            _ => Err(errors),
        }
    }

    pub fn id(&self) -> &RecordId {
        &self.id
    }

    pub fn record_type(&self) -> RecordType {
        self.record_type
    }

    pub fn body(&self) -> &Map<String, Value> {
        &self.body
    }

    /// The body behind its shared pointer (no copy).
    pub fn shared_body(&self) -> Arc<Map<String, Value>> {
        self.body.clone()
    }

    pub fn into_body(self) -> Map<String, Value> {
        Arc::unwrap_or_clone(self.body)
    }

    pub fn to_json(&self) -> Value {
        Value::Object((*self.body).clone())
    }

    /// Looks up a dotted path such as `agency.region_code`.
    pub fn lookup(&self, path: &str) -> Lookup<'_> {
        lookup_in(&self.body, path)
    }

    /// The date at `path` when it is present and holds a date or a moment.
    pub fn date_at(&self, path: &str) -> Option<Date> {
        match self.lookup(path) {
            Lookup::Value(Value::String(s)) => date_of(s),
            _ => None,
        }
    }

    pub fn text_at(&self, path: &str) -> Option<&str> {
        match self.lookup(path) {
            Lookup::Value(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// The keys linking this record to others (`keys.rs`).
    pub fn link_keys(&self) -> keys::LinkKeys {
        keys::LinkKeys::of(&self.body)
    }

    /// The party across records: USCC, else id, else name (`uscc:9144…`).
    pub fn party_key(&self) -> Option<String> {
        self.link_keys().party
    }

    /// The agency across records: unit id, else USCC, else name.
    pub fn agency_key(&self) -> Option<String> {
        self.link_keys().agency
    }

    /// The act across records (`act_id`, trimmed).
    pub fn act_key(&self) -> Option<String> {
        keys::text(&self.body, keys::ACT_ID)
    }

    /// The inspection behind this record (`check_action_code`, trimmed).
    pub fn check_action_key(&self) -> Option<String> {
        keys::text(&self.body, keys::CHECK_ACTION_CODE)
    }

    /// The unit answerable for the record: the agency's unit id (or USCC, or name); for a
    /// complaint or report, the unit it was last assigned or transferred to.
    pub fn unit_id(&self) -> Option<String> {
        if matches!(self.record_type, RecordType::Complaint | RecordType::Report)
            && let Some(Value::Array(log)) = self.body.get("handover_log")
            && let Some(unit) = log.iter().rev().find_map(|e| {
                matches!(
                    e.get("action").and_then(Value::as_str),
                    Some("assign" | "transfer")
                )
                .then(|| e.get("to_unit").and_then(Value::as_str))
                .flatten()
            })
        {
            return Some(unit.to_owned());
        }
        ["unit_id", "uscc", "name"].iter().find_map(|field| {
            match lookup_in(&self.body, &format!("agency.{field}")) {
                Lookup::Value(Value::String(s)) if !s.trim().is_empty() => {
                    Some(s.trim().to_owned())
                }
                _ => None,
            }
        })
    }

    /// The date of the act under review (see [`RecordType::act_date_fields`]).
    pub fn act_date(&self) -> Option<Date> {
        self.record_type
            .act_date_fields()
            .iter()
            .find_map(|field| self.date_at(field))
    }
}

/// A date field's value, or the Beijing date of a moment field's value.
pub fn date_of(text: &str) -> Option<Date> {
    Date::parse(text)
        .ok()
        .or_else(|| Moment::parse(text).ok().map(Moment::date))
}

/// Looks up a dotted path in a JSON object.
pub fn lookup_in<'a>(body: &'a Map<String, Value>, path: &str) -> Lookup<'a> {
    let mut segments = path.split('.');
    let first = segments.next().unwrap_or_default();
    let mut current = match body.get(first) {
        None => return Lookup::Absent,
        Some(v) => v,
    };
    for segment in segments {
        current = match current {
            Value::Object(map) => match map.get(segment) {
                None => return Lookup::Absent,
                Some(v) => v,
            },
            // `"extension": null` means the whole thing did not happen, so its parts are null too.
            Value::Null => return Lookup::Null,
            _ => return Lookup::Absent,
        };
    }
    match current {
        Value::Null => Lookup::Null,
        v => Lookup::Value(v),
    }
}

/// Checks and normalises the fields of a part of a record (facts a unit states, a mapping's
/// defaults) as [`Record::from_json`] does, without needing an id or a type.
pub fn normalise_fields(body: &mut Map<String, Value>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for check in checks() {
        normalise_at(body, &check.segments, check, &mut errors);
    }
    errors
}

fn field_error(field: &str, reason: String) -> FieldError {
    FieldError {
        field: field.to_owned(),
        reason,
    }
}

/// One dictionary field as the record check walks it.
struct Check {
    field: &'static Field,
    kind: Option<FieldKind>,
    segments: Vec<&'static str>,
}

/// The fields whose values are checked: those with a kind, and those where a null means
/// nothing and is refused.
fn checks() -> &'static [Check] {
    static CHECKS: std::sync::OnceLock<Vec<Check>> = std::sync::OnceLock::new();
    CHECKS.get_or_init(|| {
        let d = dictionary();
        d.fields
            .iter()
            .filter(|f| f.path != "record_id" && f.path != "record_type")
            .map(|field| Check {
                field,
                kind: d.kind_of(field),
                segments: field.path.split('.').collect(),
            })
            .filter(|c| c.kind.is_some() || !c.field.null_allowed())
            .collect()
    })
}

/// `行政处罚` → `penalty`; anything else is left for [`RecordType`] to refuse.
fn record_type_code(text: &str) -> &str {
    dictionary()
        .vocabulary("record_types")
        .and_then(|v| v.resolve(text))
        .map_or(text.trim(), |t| t.code.as_str())
}

fn normalise_at(
    object: &mut Map<String, Value>,
    segments: &[&str],
    check: &Check,
    errors: &mut Vec<FieldError>,
) {
    let Some((head, rest)) = segments.split_first() else {
        return;
    };
    let (key, each) = match head.strip_suffix("[]") {
        Some(key) => (key, true),
        None => (*head, false),
    };
    let Some(value) = object.get_mut(key) else {
        return;
    };
    let full_path = check.field.path.as_str();
    if rest.is_empty() {
        if value.is_null() {
            if !check.field.null_allowed() {
                errors.push(field_error(
                    full_path,
                    format!(
                        "null says nothing for {} ({}): give a value, or leave the field out when it is not recorded",
                        check.field.zh,
                        check.field.field_type
                    ),
                ));
            }
            return;
        }
        if let Some(kind) = check.kind {
            match normalise_value(kind, value) {
                Ok(normalised) => *value = normalised,
                Err(reason) => errors.push(field_error(full_path, reason)),
            }
        }
        return;
    }
    if each {
        match value {
            Value::Array(items) => {
                for (idx, item) in items.iter_mut().enumerate() {
                    if let Value::Object(inner) = item {
                        let mut inner_errors = Vec::new();
                        normalise_at(inner, rest, check, &mut inner_errors);
                        errors.extend(inner_errors.into_iter().map(|e| FieldError {
                            field: e.field.replacen("[]", &format!("[{idx}]"), 1),
                            reason: e.reason,
                        }));
                    }
                }
            }
            Value::Null => {}
            _ => errors.push(field_error(key, "must be a list".into())),
        }
    } else if let Value::Object(inner) = value {
        normalise_at(inner, rest, check, errors);
    }
}

/// A word checked against a vocabulary: its code, or why it is refused.
fn vocabulary_code(vocabulary: &Vocabulary, value: &Value) -> Result<Value, String> {
    let word = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => {
            return Err(format!(
                "expected one of {}, found {other}",
                vocabulary.allowed()
            ));
        }
    };
    match vocabulary.resolve(&word) {
        Some(term) => Ok(Value::String(term.code.clone())),
        None => {
            let hint = vocabulary
                .closest(&word)
                .map(|t| format!(" (did you mean `{}`?)", t.code))
                .unwrap_or_default();
            Err(format!(
                "`{word}` is not an allowed value{hint}; allowed: {}",
                vocabulary.allowed()
            ))
        }
    }
}

/// Checks one value against its kind and returns its normal form.
pub fn normalise_value(kind: FieldKind, value: &Value) -> Result<Value, String> {
    match kind {
        FieldKind::Text => Ok(match value {
            Value::Number(n) => Value::String(n.to_string()),
            other => other.clone(),
        }),
        FieldKind::Date => match value {
            Value::String(s) => Date::parse(s.trim())
                .map(|d| Value::String(d.to_string()))
                .map_err(|e| e.to_string()),
            other => Err(format!("expected a date YYYY-MM-DD, found {other}")),
        },
        FieldKind::Moment => match value {
            Value::String(s) => Moment::parse(s.trim())
                .map(|m| Value::String(m.to_string()))
                .map_err(|e| e.to_string()),
            other => Err(format!("expected an RFC 3339 moment, found {other}")),
        },
        FieldKind::DateOrMoment => match value {
            Value::String(s) => {
                let s = s.trim();
                if let Ok(d) = Date::parse(s) {
                    Ok(Value::String(d.to_string()))
                } else {
                    Moment::parse(s)
                        .map(|m| Value::String(m.to_string()))
                        .map_err(|e| e.to_string())
                }
            }
            other => Err(format!(
                "expected a date or an RFC 3339 moment, found {other}"
            )),
        },
        FieldKind::Money => Money::from_json(value)
            .map(Money::to_json)
            .map_err(|e| e.to_string()),
        FieldKind::Bool => parse_bool(value).map(Value::Bool),
        FieldKind::Integer => match value {
            Value::Number(n) if n.is_i64() => Ok(value.clone()),
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| format!("`{s}` is not a whole number")),
            other => Err(format!("expected a whole number, found {other}")),
        },
        FieldKind::Enum(vocabulary) => vocabulary_code(vocabulary, value),
        FieldKind::List(vocabulary) => {
            let items: Vec<Value> = match value {
                Value::Array(items) => items.clone(),
                Value::String(s) => s
                    .split(';')
                    .map(str::trim)
                    .filter(|part| !part.is_empty())
                    .map(|part| Value::String(part.to_owned()))
                    .collect(),
                other => return Err(format!("expected a list, found {other}")),
            };
            items
                .iter()
                .map(|item| match (vocabulary, item) {
                    (Some(v), item) => vocabulary_code(v, item),
                    (None, Value::Number(n)) => Ok(Value::String(n.to_string())),
                    (None, other) => Ok(other.clone()),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        FieldKind::RegionCode => match value {
            Value::String(s) => crate::RegionCode::parse(s.trim())
                .map(|c| Value::String(c.to_string()))
                .map_err(|e| e.to_string()),
            other => Err(format!("expected a 6-digit region code, found {other}")),
        },
        FieldKind::ItemCode => match value {
            Value::String(s) => crate::ItemCode::parse(s.trim())
                .map(|c| Value::String(c.to_string()))
                .map_err(|e| e.to_string()),
            other => Err(format!("expected a 14-digit item code, found {other}")),
        },
    }
}

fn parse_bool(value: &Value) -> Result<bool, String> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if n.as_i64() == Some(1) => Ok(true),
        Value::Number(n) if n.as_i64() == Some(0) => Ok(false),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "是" => Ok(true),
            "false" | "no" | "n" | "0" | "否" => Ok(false),
            _ => Err(format!("`{s}` is not true/false (是/否)")),
        },
        other => Err(format!("expected true or false, found {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors_of(value: Value) -> Vec<String> {
        match Record::from_json(value) {
            Ok(_) => vec![],
            Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn keeps_absent_and_null_apart() {
        let record = Record::from_json(json!({
            "record_id": "P-1", "record_type": "penalty",
            "legal_review_date": null, "extension": null
        }))
        .unwrap();
        assert_eq!(record.lookup("legal_review_date"), Lookup::Null);
        assert_eq!(record.lookup("collective_discussion_date"), Lookup::Absent);
        assert_eq!(record.lookup("extension.approved_date"), Lookup::Null);
    }

    #[test]
    fn normalises_typed_fields() {
        let record = Record::from_json(json!({
            "record_id": 17, "record_type": "penalty",
            "fine_amount": "200.50", "hearing_held": "否",
            "measure_start": "2025-03-01T01:00:00Z",
            "penalty_types": "warning; fine",
            "officers": [{"name": "张三", "cert_valid_until": "2026-01-01"}]
        }))
        .unwrap();
        assert_eq!(record.id().as_str(), "17");
        assert_eq!(record.body()["fine_amount"], json!(200.5));
        assert_eq!(record.body()["hearing_held"], json!(false));
        assert_eq!(
            record.body()["measure_start"],
            json!("2025-03-01T09:00:00+08:00")
        );
        assert_eq!(record.body()["penalty_types"], json!(["warning", "fine"]));
    }

    #[test]
    fn reports_every_syntax_error_with_its_field() {
        assert_eq!(
            errors_of(json!({"record_type": "penalty", "decision_date": "2024-13-45"})),
            vec![
                "field `record_id`: missing: every record needs a record_id",
                "field `decision_date`: `2024-13-45` is not a date in the form YYYY-MM-DD",
            ]
        );
        assert_eq!(
            errors_of(json!({"record_id": "x", "record_type": "fine",
                "officers": [{}, {"cert_valid_until": "soon"}]})),
            vec![
                "field `record_type`: unknown record_type `fine`; expected one of inspection, penalty, compulsory_measure, compulsory_execution, complaint, report",
                "field `officers[1].cert_valid_until`: `soon` is not a date in the form YYYY-MM-DD",
            ]
        );
        assert_eq!(
            errors_of(json!({"record_id": "x", "record_type": "penalty", "fine_amount": "12.345"}))
                .len(),
            1
        );
    }

    #[test]
    fn closed_vocabularies_refuse_unknown_words_and_take_chinese_labels() {
        let errors = errors_of(json!({"record_id": "x", "record_type": "penalty",
            "extensions": [{"approved_date": "2024-03-01", "approver_role": "agency_head"}]}));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("field `extensions[0].approver_role`: `agency_head` is not an allowed value (did you mean `head`?); allowed: head (行政机关负责人), collective"),
            "{}",
            errors[0]
        );
        let errors = errors_of(json!({"record_id": "x", "record_type": "penalty",
            "penalty_types": ["warning", "revoke_licence"]}));
        assert!(
            errors[0].contains(
                "`revoke_licence` is not an allowed value (did you mean `revoke_license`?)"
            ),
            "{errors:?}"
        );
        let record = Record::from_json(json!({
            "record_id": "x", "record_type": "行政处罚", "procedure": "一般程序",
            "party": {"nature": "法人", "registration_province": "广东省"},
            "penalty_types": "警告;吊销许可证", "channel": "信访", "hearing_held": "否"
        }))
        .unwrap();
        assert_eq!(record.record_type(), RecordType::Penalty);
        let body = record.body();
        assert_eq!(body["record_type"], "penalty");
        assert_eq!(body["procedure"], "ordinary");
        assert_eq!(body["party"]["nature"], "legal_person");
        assert_eq!(body["party"]["registration_province"], "440000");
        assert_eq!(body["penalty_types"], json!(["warning", "revoke_license"]));
        assert_eq!(body["channel"], "petition");
        assert_eq!(body["hearing_held"], false);
    }

    #[test]
    fn a_null_that_says_nothing_is_refused() {
        assert_eq!(
            errors_of(
                json!({"record_id": "x", "record_type": "penalty", "procedure": null, "service_date": null})
            ),
            vec![
                "field `procedure`: null says nothing for 处罚程序 (enum): give a value, or leave the field out when it is not recorded"
            ]
        );
    }

    #[test]
    fn semantic_problems_are_not_syntax_errors() {
        // A wrong USCC check character and dates out of order are for the data-quality rules.
        assert!(
            errors_of(json!({
                "record_id": "x", "record_type": "penalty",
                "party": {"uscc": "91441800MA4UHXXXX0"},
                "filing_date": "2025-05-01", "closed_date": "2025-01-01"
            }))
            .is_empty()
        );
    }

    #[test]
    fn finds_the_act_date() {
        let record = Record::from_json(json!({
            "record_id": "m", "record_type": "compulsory_measure",
            "measure_start": "2025-03-01T23:30:00+08:00"
        }))
        .unwrap();
        assert_eq!(record.act_date(), Date::parse("2025-03-01").ok());
    }
}
