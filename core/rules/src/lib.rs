//! jiandu's rule engine: rule files that carry their legal metadata, versions chosen by the
//! date of the act, a Rhai sandbox with a host API for legal time, and one outcome per rule
//! per record.
//!
//! ```no_run
//! use std::sync::Arc;
//! use jiandu_rules::{Evaluator, Lookups, Profile, RuleSet};
//! # fn demo(records: Vec<jiandu_model::Record>) -> Result<(), jiandu_rules::RuleError> {
//! let set = RuleSet::load(
//!     "rules".as_ref(),
//!     Profile::builtin(),
//!     jiandu_calendar::Calendar::builtin(),
//!     jiandu_model::RegionTable::builtin(),
//! )?;
//! let mut evaluator = Evaluator::new(&set, Arc::new(Lookups::from_records(&records)));
//! for record in &records {
//!     for evaluation in evaluator.evaluate(record) {
//!         println!("{} {} {}", evaluation.rule_id, evaluation.outcome, evaluation.message);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Pure: records in, outcomes out. The rules never touch the store.

pub mod catalogue;
mod convert;
mod engine;
mod error;
mod evaluate;
pub mod fields;
mod host;
mod lookups;
mod meta;
mod meter;
mod pack;
mod parallel;
mod profile;
mod routing;
pub mod testing;
pub mod validate;

#[cfg(test)]
mod tests;

pub use engine::{LIMITS, Limits};
pub use error::{Location, RuleError};
pub use evaluate::{Evaluator, Explanation, VersionChoice};
pub use lookups::{ItemListing, Lookups, Summary};
pub use meta::{Condition, DateField, Interpretation, RuleMeta, Version, parse_front_matter};
pub use pack::{DEFAULT_ERROR_LIMIT, RUNAWAYS_BEFORE_OFF, Rule, RuleSet};
pub use parallel::evaluate_all;
pub use profile::{DEFAULT_PROFILE, Profile};
pub use routing::{RoutingScript, ScriptRoute};

/// Lower-case hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes Rhai definition files describing the host API into `dir`, so that an editor with
/// the Rhai language server completes and documents it.
pub fn write_definitions(dir: &std::path::Path) -> std::io::Result<()> {
    let host = std::sync::Arc::new(host::HostContext {
        calendar: jiandu_calendar::Calendar::builtin(),
        profile: Profile::builtin(),
        regions: jiandu_model::RegionTable::builtin(),
        lookups: std::sync::Arc::new(Lookups::empty()),
    });
    engine::sandboxed(host).definitions().write_to_dir(dir)
}
