//! Profile settings for scripts: `setting("roll_last_day")`, or `setting(r, "name")` for the
//! record's sector (its `sector_profile` field) with the global value as fallback. When a
//! sector section sets the value differently and the record's sector is not recorded, the
//! rule cannot know which applies: its outcome is `unknown`, naming `sector_profile`.

use rhai::plugin::*;
use rhai::{Dynamic, Map};

use super::{Signal, host, throw, trace};
use crate::host::record::{Found, find};

pub(crate) fn to_dynamic(value: &toml::Value) -> Dynamic {
    match value {
        toml::Value::String(s) => s.clone().into(),
        toml::Value::Integer(i) => (*i).into(),
        toml::Value::Float(f) => (*f).into(),
        toml::Value::Boolean(b) => (*b).into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(items) => items.iter().map(to_dynamic).collect::<Vec<_>>().into(),
        toml::Value::Table(table) => table
            .iter()
            .map(|(k, v)| (k.as_str().into(), to_dynamic(v)))
            .collect::<Map>()
            .into(),
    }
}

fn lookup(
    ctx: &NativeCallContext,
    sector: Option<&str>,
    name: &str,
) -> Result<Dynamic, Box<EvalAltResult>> {
    let host = host(ctx)?;
    match host.profile.get(name, sector) {
        Some(value) => {
            let value = to_dynamic(value);
            trace(|| format!("setting {name}{} = {value}", sector.map(|s| format!(" [{s}]")).unwrap_or_default()));
            Ok(value)
        }
        None => Err(format!(
            "profile `{}` has no setting `{name}`; add it to the profile (a rule must not hard-code a reading the profile owns)",
            host.profile.name
        )
        .into()),
    }
}

// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod settings_api {
    use super::{Found, Signal, find, host, lookup, throw};
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    /// A profile setting. A missing setting is an error of the rule or the profile.
    #[rhai_fn(return_raw)]
    pub fn setting(ctx: NativeCallContext, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        lookup(&ctx, None, name)
    }

    /// A profile setting for the record's sector (`sector_profile`), else the global one.
    #[rhai_fn(name = "setting", return_raw)]
    pub fn setting_for(
        ctx: NativeCallContext,
        record: Dynamic,
        name: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let sector = match find(&record, "sector_profile") {
            Found::Value(v) => v.into_immutable_string().ok().map(|s| s.to_string()),
            Found::Absent if host(&ctx)?.profile.varies_by_sector(name) => {
                return Err(throw(Signal::Absent {
                    field: "sector_profile".into(),
                }));
            }
            _ => None,
        };
        lookup(&ctx, sector.as_deref(), name)
    }
}
