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
mod moment;
mod money;
mod outcome;
pub mod personal;
pub mod record;
mod reference;
mod region;
mod secret;
mod sweep;
mod uscc;

pub use case::CaseState;
pub use complaint::{
    Action, ActionKind, Actor, ComplaintKind, ComplaintState, NonAcceptGround, Refusal, Standing,
};
pub use date::{Date, DateParseError};
pub use finding::{Change, FindingState, FindingStatus, StatusRefusal, reconcile};
pub use item_code::{ItemCode, ItemCodeError};
pub use moment::{Moment, MomentParseError, china_offset};
pub use money::{Money, MoneyParseError};
pub use outcome::{Evaluation, Outcome};
pub use record::{FieldError, FieldKind, Lookup, Record, RecordId, RecordType, date_of};
pub use reference::{ReferenceKind, ReferenceRow};
pub use region::{
    RegionCode, RegionCodeError, RegionEntry, RegionTable, RegionTableError, RegionValidity,
};
pub use secret::redact_url;
pub use sweep::SweepStatus;
pub use uscc::{Uscc, UsccError, org_code_check};
