//! jiandu's domain vocabulary: the values every other part speaks in.
//!
//! Codes and quantities are newtypes whose only constructor checks them ("parse, don't
//! validate"): a [`Date`] is a real day, a [`Uscc`] has the right check character, a
//! [`Money`] is exact integer fen. Records keep the distinction between an absent field and
//! a `null` one, because the missing-field policy of the rules depends on it.
//!
//! ```
//! use jiandu_model::{Date, Money, Uscc};
//! assert!(Uscc::parse("91110108551385082Q").is_ok());
//! assert_eq!(Money::parse("200").unwrap(), Money::from_yuan(200));
//! assert_eq!(Date::parse("2025-03-03").unwrap().add_days(90).to_string(), "2025-06-01");
//! ```
//!
//! No IO and no async here.

mod case;
pub mod clock;
pub mod complaint;
mod date;
pub mod finding;
mod item_code;
mod markup;
mod moment;
mod money;
mod outcome;
pub mod personal;
pub mod record;
mod reference;
mod region;
mod route_label;
mod secret;
mod sweep;
mod uscc;
pub mod user;

pub use case::CaseState;
pub use complaint::{
    Action, ActionKind, Actor, ComplaintKind, ComplaintState, DueKind, NonAcceptGround, Refusal,
    Standing,
};
pub use date::{Date, DateParseError};
pub use finding::{Change, FindingState, FindingStatus, StatusRefusal, reconcile};
pub use item_code::{ItemCode, ItemCodeError};
pub use markup::escape_xml;
pub use moment::{Moment, MomentParseError, china_offset};
pub use money::{Money, MoneyParseError};
pub use outcome::{Evaluation, Outcome};
pub use record::{FieldError, FieldKind, Lookup, Record, RecordId, RecordType, date_of};
pub use reference::{ReferenceKind, ReferenceRow};
pub use region::{
    RegionCode, RegionCodeError, RegionEntry, RegionTable, RegionTableError, RegionValidity,
};
pub use route_label::{LabelSource, label_source};
pub use secret::redact_url;
pub use sweep::SweepStatus;
pub use uscc::{Uscc, UsccError, org_code_check};
pub use user::{Access, Area, Role, UserName};

/// An identifier that names something across files, URLs and mails (a record id, a task
/// number) may not hold control characters (NUL among them) or path separators: they would
/// cut it short in C APIs, split it in paths, or forge lines in logs and mails.
pub fn check_identifier(what: &str, text: &str) -> Result<(), String> {
    match text
        .chars()
        .find(|c| c.is_control() || matches!(c, '/' | '\\'))
    {
        Some(c) => Err(format!(
            "{what} `{}` holds {}, which an identifier may not",
            text.escape_debug(),
            match c {
                '/' | '\\' => format!("the path separator `{c}`"),
                _ => format!("the control character U+{:04X}", u32::from(c)),
            }
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn identifiers_refuse_control_characters_and_separators() {
        assert!(super::check_identifier("record_id", "PEN-2024-001（清城）").is_ok());
        for bad in ["a\0b", "a/b", "a\\b", "a\nb", "a\u{1b}[31m"] {
            let err = super::check_identifier("record_id", bad).unwrap_err();
            assert!(err.contains("may not"), "{err}");
        }
    }
}
