//! Reference data: units (执法单位), officers (执法人员), parties (监管对象) and the
//! supervision-item catalogue (监管事项目录).
//!
//! Each row is a JSON object with a key field and typed fields checked like a record's.
//! Reference data is what records point at, so its syntax is held to the same standard.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::record::{FieldError, FieldKind, lookup_in, normalise_value};
use crate::{Date, Lookup};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    Unit,
    Officer,
    Party,
    Item,
}

impl ReferenceKind {
    pub const ALL: [ReferenceKind; 4] = [
        ReferenceKind::Unit,
        ReferenceKind::Officer,
        ReferenceKind::Party,
        ReferenceKind::Item,
    ];

    /// The plural used on the command line and as the table name.
    pub fn plural(self) -> &'static str {
        match self {
            ReferenceKind::Unit => "units",
            ReferenceKind::Officer => "officers",
            ReferenceKind::Party => "parties",
            ReferenceKind::Item => "items",
        }
    }

    /// The field that identifies a row.
    pub fn key_field(self) -> &'static str {
        match self {
            ReferenceKind::Unit => "unit_id",
            ReferenceKind::Officer => "cert_no",
            ReferenceKind::Party => "party_id",
            ReferenceKind::Item => "item_code",
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            ReferenceKind::Unit => &["unit_id", "name"],
            ReferenceKind::Officer => &["cert_no", "name"],
            ReferenceKind::Party => &["party_id", "name"],
            ReferenceKind::Item => &["item_code", "name"],
        }
    }

    #[allow(clippy::expect_used, reason = "compiled-in data, checked by the tests")]
    fn fields(self) -> Vec<(&'static str, FieldKind)> {
        let d = crate::record::dictionary::dictionary();
        let natures = d
            .vocabulary("party_natures")
            .expect("the dictionary defines party natures");
        let sectors = d
            .vocabulary("sectors")
            .expect("the dictionary defines sectors");
        match self {
            ReferenceKind::Unit => vec![
                ("region_code", FieldKind::RegionCode),
                ("is_dispatcher", FieldKind::Bool),
                ("sector", FieldKind::Enum(sectors)),
            ],
            ReferenceKind::Officer => vec![
                ("cert_valid_from", FieldKind::Date),
                ("cert_valid_until", FieldKind::Date),
                ("is_auxiliary", FieldKind::Bool),
                ("has_legal_qualification", FieldKind::Bool),
            ],
            ReferenceKind::Party => vec![
                ("nature", FieldKind::Enum(natures)),
                ("birth_date", FieldKind::Date),
                ("operating_region", FieldKind::RegionCode),
                ("domicile_region", FieldKind::RegionCode),
            ],
            ReferenceKind::Item => vec![
                ("item_code", FieldKind::ItemCode),
                ("listed_from", FieldKind::Date),
                ("listed_to", FieldKind::Date),
            ],
        }
    }
}

impl fmt::Display for ReferenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.plural())
    }
}

impl FromStr for ReferenceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReferenceKind::ALL
            .into_iter()
            .find(|k| k.plural() == s || k.plural().trim_end_matches('s') == s)
            .ok_or_else(|| {
                format!("unknown reference kind `{s}`; expected units, officers, parties or items")
            })
    }
}

/// A checked reference row.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceRow {
    kind: ReferenceKind,
    key: String,
    body: Map<String, Value>,
}

impl ReferenceRow {
    pub fn from_json(kind: ReferenceKind, value: Value) -> Result<ReferenceRow, Vec<FieldError>> {
        let Value::Object(mut body) = value else {
            return Err(vec![FieldError {
                field: "(row)".into(),
                reason: "a row must be a JSON object".into(),
            }]);
        };
        let mut errors = Vec::new();
        for field in kind.required() {
            let present = match body.get(*field) {
                Some(Value::String(s)) => !s.trim().is_empty(),
                Some(Value::Number(_)) => true,
                _ => false,
            };
            if !present {
                errors.push(FieldError {
                    field: (*field).into(),
                    reason: format!("missing: every {} row needs {field}", kind.plural()),
                });
            }
        }
        for (field, field_kind) in kind.fields() {
            if let Some(value) = body.get_mut(field) {
                if value.is_null() {
                    continue;
                }
                match normalise_value(field_kind, value) {
                    Ok(normalised) => *value = normalised,
                    Err(reason) => errors.push(FieldError {
                        field: field.into(),
                        reason,
                    }),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let key = match body.get(kind.key_field()).unwrap_or(&Value::Null) {
            Value::String(s) => s.trim().to_owned(),
            other => other.to_string(),
        };
        body.insert(kind.key_field().into(), Value::String(key.clone()));
        Ok(ReferenceRow { kind, key, body })
    }

    pub fn kind(&self) -> ReferenceKind {
        self.kind
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn body(&self) -> &Map<String, Value> {
        &self.body
    }

    pub fn to_json(&self) -> Value {
        Value::Object(self.body.clone())
    }

    pub fn lookup(&self, path: &str) -> Lookup<'_> {
        lookup_in(&self.body, path)
    }

    pub fn text(&self, field: &str) -> Option<&str> {
        self.body.get(field).and_then(Value::as_str)
    }

    pub fn date(&self, field: &str) -> Option<Date> {
        self.text(field).and_then(|s| Date::parse(s).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn checks_keys_and_typed_fields() {
        let officer = ReferenceRow::from_json(
            ReferenceKind::Officer,
            json!({"cert_no": " 44180012345 ", "name": "李四", "cert_valid_until": "2027-06-30"}),
        )
        .unwrap();
        assert_eq!(officer.key(), "44180012345");
        assert_eq!(
            officer.date("cert_valid_until"),
            Date::parse("2027-06-30").ok()
        );

        let errors = ReferenceRow::from_json(
            ReferenceKind::Item,
            json!({"item_code": "123", "name": "x"}),
        )
        .unwrap_err();
        assert_eq!(errors[0].field, "item_code");

        let errors =
            ReferenceRow::from_json(ReferenceKind::Unit, json!({"name": "清远市市场监督管理局"}))
                .unwrap_err();
        assert_eq!(errors[0].field, "unit_id");
    }

    #[test]
    fn parses_kind_names() {
        assert_eq!("parties".parse::<ReferenceKind>(), Ok(ReferenceKind::Party));
        assert_eq!("unit".parse::<ReferenceKind>(), Ok(ReferenceKind::Unit));
        assert!("records".parse::<ReferenceKind>().is_err());
    }
}
