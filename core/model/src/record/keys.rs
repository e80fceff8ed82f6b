//! The keys that link records to one another, defined once: the store keeps them in columns
//! to find related records, the look-ups index by them, the rules' look-up functions ask by
//! them, and the case graph draws edges by them. A key is trimmed text; an empty one is none.

use serde_json::{Map, Value};

use super::{Lookup, lookup_in};

/// One act (违法行为) across records: penalties with the same `act_id`.
pub const ACT_ID: &str = "act_id";
/// The inspection behind a penalty or measure.
pub const CHECK_ACTION_CODE: &str = "check_action_code";
/// The party across records: the first of these that is recorded.
pub const PARTY_FIELDS: [&str; 3] = ["uscc", "id", "name"];
/// The agency across records.
pub const AGENCY_FIELDS: [&str; 3] = ["unit_id", "uscc", "name"];

/// Every link key of one record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkKeys {
    pub act_id: Option<String>,
    /// `uscc:9144…`, `id:…` or `name:…`.
    pub party: Option<String>,
    pub agency: Option<String>,
    pub check_action_code: Option<String>,
}

impl LinkKeys {
    pub fn of(body: &Map<String, Value>) -> LinkKeys {
        LinkKeys {
            act_id: text(body, ACT_ID),
            party: prefixed(body, "party", &PARTY_FIELDS),
            agency: prefixed(body, "agency", &AGENCY_FIELDS),
            check_action_code: text(body, CHECK_ACTION_CODE),
        }
    }
}

/// The trimmed text at `path`, or `None` when it is absent, null, not text or blank.
pub fn text(body: &Map<String, Value>, path: &str) -> Option<String> {
    match lookup_in(body, path) {
        Lookup::Value(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

fn prefixed(body: &Map<String, Value>, object: &str, fields: &[&str]) -> Option<String> {
    fields.iter().find_map(|field| {
        text(body, &format!("{object}.{field}")).map(|value| format!("{field}:{value}"))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::LinkKeys;

    #[test]
    fn keys_are_trimmed_and_blank_is_none() {
        let body = json!({"act_id": " A1 ", "party": {"uscc": " ", "name": "某公司"},
                          "agency": {"unit_id": "U1"}, "check_action_code": ""});
        let keys = LinkKeys::of(body.as_object().unwrap());
        assert_eq!(
            keys,
            LinkKeys {
                act_id: Some("A1".into()),
                party: Some("name:某公司".into()),
                agency: Some("unit_id:U1".into()),
                check_action_code: None,
            }
        );
    }
}
