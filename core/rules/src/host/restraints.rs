//! The maximum period of a seizure or a freeze (行政强制法 第二十五条、第三十二条): 30 days from the
//! start, plus the testing periods notified in writing, plus an extension of at most 30 days
//! approved by the head before the period ran out. Shared by the seizure and freeze rules so
//! they all count the same way.

use rhai::plugin::*;
use rhai::{Dynamic, Map};

use super::record::{Found, find};
use super::{HostRef, host, no_calendar, trace};

fn restraint_end(
    host: &HostRef,
    start: jiandu_model::Date,
    days: i64,
) -> Result<jiandu_calendar::Span, Box<EvalAltResult>> {
    let roll =
        host.profile
            .bool("restraint_duration_roll")
            .ok_or_else(|| -> Box<EvalAltResult> {
                "profile setting `restraint_duration_roll` is missing".into()
            })?;
    host.calendar
        .add_days_span(start, days, jiandu_calendar::Roll::from_flag(roll))
        .map_err(no_calendar)
}

fn date_of(value: &Dynamic, path: &str) -> Option<jiandu_model::Date> {
    match find(value, path) {
        Found::Value(v) => v.try_cast::<jiandu_model::Date>(),
        _ => None,
    }
}

// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod restraints_api {
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    use super::{Dynamic, Found, Map, date_of, find, host, restraint_end, trace};
    use crate::host::span::{on_or_before, to_dynamic};

    pub type Date = jiandu_model::Date;

    /// The last lawful day of a seizure or freeze that began on `start`:
    /// `#{limit, base_limit, testing_days, testing_not_notified_days, testing, extension_days, extension}`.
    /// `limit` and `base_limit` are a `Date`, or a `DateSpan` while a notice is missing.
    /// `testing` is `"none"`, `"counted"` or `"unrecorded"` (the periods, or whether one was
    /// notified in writing, are not recorded); `extension` is `"none"`, `"counted"`, `"late"`
    /// (approved after the period ran out), `"not_by_head"`, `"too_long"` (more than 30 days)
    /// or `"unrecorded"` (the extension, its date, its length or who approved it is absent);
    /// `missing` names the first absent field the limit would need (`()` when none).
    #[rhai_fn(return_raw)]
    pub fn restraint_limit(
        ctx: NativeCallContext,
        r: Dynamic,
        start: Date,
    ) -> Result<Map, Box<EvalAltResult>> {
        let host = host(&ctx)?;
        let mut testing_days = 0i64;
        let mut not_notified = 0i64;
        let mut testing = "none";
        // The first piece of information the limit needed and the record lacks.
        let mut missing: Option<&str> = None;
        match find(&r, "testing_periods") {
            Found::Absent => {
                testing = "unrecorded";
                missing = Some("testing_periods");
            }
            Found::Null => {}
            Found::Value(periods) => {
                for p in &periods.into_array().unwrap_or_default() {
                    let (Some(from), Some(to)) = (date_of(p, "start"), date_of(p, "end")) else {
                        testing = "unrecorded";
                        missing.get_or_insert("testing_periods[].start");
                        continue;
                    };
                    let days = (from.days_until(to) + 1).max(0);
                    match find(p, "notified_in_writing") {
                        Found::Value(v) if v.as_bool() == Ok(true) => {
                            testing_days += days;
                            if testing == "none" {
                                testing = "counted";
                            }
                        }
                        Found::Absent => {
                            testing = "unrecorded";
                            missing.get_or_insert("testing_periods[].notified_in_writing");
                        }
                        _ => not_notified += days,
                    }
                }
            }
        }
        let base = restraint_end(&host, start, 30 + testing_days)?;
        let mut limit = base.clone();
        let mut extension_days = 0i64;
        let mut extension_missing: Option<&str> = None;
        let state = match find(&r, "extension") {
            Found::Absent => {
                extension_missing = Some("extension");
                "unrecorded"
            }
            Found::Null => "none",
            Found::Value(ext) => {
                let approved = date_of(&ext, "approved_date");
                let days = match find(&ext, "days") {
                    Found::Value(v) => v.as_int().ok(),
                    _ => None,
                };
                let role = match find(&ext, "approved_by_role") {
                    Found::Value(v) => v.into_immutable_string().ok().map(|s| s.to_string()),
                    _ => None,
                };
                match (approved, days, role) {
                    (None, _, _) => {
                        extension_missing = Some("extension.approved_date");
                        "unrecorded"
                    }
                    (Some(a), _, _) if !on_or_before(a, &base)? => "late",
                    (_, _, Some(role)) if role != "head" && role != "collective" => "not_by_head",
                    (_, None, _) => {
                        extension_missing = Some("extension.days");
                        "unrecorded"
                    }
                    (_, _, None) => {
                        extension_missing = Some("extension.approved_by_role");
                        "unrecorded"
                    }
                    (_, Some(days), _) if days > 30 => "too_long",
                    (_, Some(days), _) => {
                        extension_days = days;
                        limit = restraint_end(&host, start, 30 + testing_days + days)?;
                        "counted"
                    }
                }
            }
        };
        trace(|| {
            format!(
                "restraint_limit(start {start}) = {limit} (testing {testing_days} d, extension {extension_days} d: {state})"
            )
        });
        let mut out = Map::new();
        out.insert("limit".into(), to_dynamic(limit));
        out.insert("base_limit".into(), to_dynamic(base));
        out.insert("testing_days".into(), testing_days.into());
        out.insert("testing_not_notified_days".into(), not_notified.into());
        out.insert("testing".into(), testing.into());
        // What to ask for when the limit is open: the extension first, then the testing periods.
        let missing = extension_missing.or(missing);
        out.insert(
            "missing".into(),
            missing.map_or(Dynamic::UNIT, |m| Dynamic::from(m.to_owned())),
        );
        out.insert("extension_days".into(), extension_days.into());
        out.insert("extension".into(), state.into());
        Ok(out)
    }
}
