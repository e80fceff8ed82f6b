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
) -> Result<jiandu_model::Date, Box<EvalAltResult>> {
    let roll =
        host.profile
            .bool("restraint_duration_roll")
            .ok_or_else(|| -> Box<EvalAltResult> {
                "profile setting `restraint_duration_roll` is missing".into()
            })?;
    host.calendar
        .add_days(start, days, jiandu_calendar::Roll::from_flag(roll))
        .map_err(no_calendar)
}

fn date_of(value: &Dynamic, path: &str) -> Option<jiandu_model::Date> {
    match find(value, path) {
        Found::Value(v) => v.try_cast::<jiandu_model::Date>(),
        _ => None,
    }
}

#[export_module]
pub mod restraints_api {
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    use super::{Dynamic, Found, Map, date_of, find, host, restraint_end, trace};

    pub type Date = jiandu_model::Date;

    /// The last lawful day of a seizure or freeze that began on `start`:
    /// `#{limit, testing_days, extension_days, extension, testing_not_notified}`.
    /// `extension` is `"none"`, `"counted"`, `"late"` (approved after the period ran out),
    /// `"not_by_head"`, `"too_long"` (more than 30 days) or `"unrecorded"` (field absent).
    #[rhai_fn(return_raw)]
    pub fn restraint_limit(
        ctx: NativeCallContext,
        r: Dynamic,
        start: Date,
    ) -> Result<Map, Box<EvalAltResult>> {
        let host = host(&ctx)?;
        let mut testing_days = 0i64;
        let mut not_notified = 0i64;
        if let Found::Value(periods) = find(&r, "testing_periods")
            && let Ok(periods) = periods.into_array()
        {
            for p in &periods {
                let (Some(from), Some(to)) = (date_of(p, "start"), date_of(p, "end")) else {
                    continue;
                };
                let days = from.days_until(to) + 1;
                let notified = matches!(find(p, "notified_in_writing"), Found::Value(v) if v.as_bool() == Ok(true));
                if notified {
                    testing_days += days.max(0);
                } else {
                    not_notified += days.max(0);
                }
            }
        }
        let base = restraint_end(&host, start, 30 + testing_days)?;
        let mut limit = base;
        let mut extension_days = 0i64;
        let state = match find(&r, "extension") {
            Found::Absent => "unrecorded",
            Found::Null => "none",
            Found::Value(ext) => {
                let approved = date_of(&ext, "approved_date");
                let days = match find(&ext, "days") {
                    Found::Value(v) => v.as_int().unwrap_or(0),
                    _ => 0,
                };
                let by_head = matches!(find(&ext, "approved_by_role"), Found::Value(v) if v.clone().into_immutable_string().is_ok_and(|s| s == "head"));
                match approved {
                    None => "unrecorded",
                    Some(a) if a > base => "late",
                    Some(_) if !by_head => "not_by_head",
                    Some(_) if days > 30 => "too_long",
                    Some(_) => {
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
        out.insert("limit".into(), Dynamic::from(limit));
        out.insert("base_limit".into(), Dynamic::from(base));
        out.insert("testing_days".into(), testing_days.into());
        out.insert("testing_not_notified_days".into(), not_notified.into());
        out.insert("extension_days".into(), extension_days.into());
        out.insert("extension".into(), state.into());
        Ok(out)
    }
}
