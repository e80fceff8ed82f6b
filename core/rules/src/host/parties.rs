//! Questions about the people in a record that several rules ask the same way: is the party
//! a natural person for the thresholds, which officers are qualified on a date.

use rhai::plugin::*;
use rhai::{Array, Dynamic, Map};

use super::record::{Found, find};
use super::{Signal, host, throw, trace};

fn text_of(value: &Dynamic, path: &str) -> Option<String> {
    match find(value, path) {
        Found::Value(v) => v.into_immutable_string().ok().map(|s| s.trim().to_string()),
        _ => None,
    }
}

fn bool_of(value: &Dynamic, path: &str) -> Option<bool> {
    match find(value, path) {
        Found::Value(v) => v.as_bool().ok(),
        _ => None,
    }
}

// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod parties_api {
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    use super::{Array, Dynamic, Found, Map, Signal, bool_of, find, host, text_of, throw, trace};

    pub type Date = jiandu_model::Date;

    /// Whether the party counts as a natural person (公民) for the law's thresholds: a
    /// `natural_person`, or an `individual_business` when the profile's
    /// `individual_business_as_natural_person` says so. `party.nature` absent → `unknown`.
    #[rhai_fn(return_raw)]
    pub fn party_is_person(ctx: NativeCallContext, r: Dynamic) -> Result<bool, Box<EvalAltResult>> {
        let nature = match find(&r, "party.nature") {
            Found::Value(v) => v
                .into_immutable_string()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            _ => {
                return Err(throw(Signal::Absent {
                    field: "party.nature".into(),
                }));
            }
        };
        let person = match nature.as_str() {
            "natural_person" => true,
            "individual_business" => host(&ctx)?
                .profile
                .bool("individual_business_as_natural_person")
                .ok_or_else(|| -> Box<EvalAltResult> {
                    "profile setting `individual_business_as_natural_person` is missing".into()
                })?,
            _ => false,
        };
        trace(|| format!("party.nature = {nature} → treated as natural person: {person}"));
        Ok(person)
    }

    /// Sorts `r.officers` on a date: `#{qualified, expired, auxiliary, no_cert, validity_unknown}`,
    /// each a list of names. Qualified = not auxiliary, with a certificate number, valid on
    /// `on` (`cert_valid_until` on or after it). `officers` absent → `unknown`.
    #[rhai_fn(return_raw)]
    pub fn officers_on(r: Dynamic, on: Date) -> Result<Map, Box<EvalAltResult>> {
        let officers = match find(&r, "officers") {
            Found::Absent => {
                return Err(throw(Signal::Absent {
                    field: "officers".into(),
                }));
            }
            Found::Null => Array::new(),
            Found::Value(v) => v.into_array().map_err(|t| -> Box<EvalAltResult> {
                format!("officers must be a list, not {t}").into()
            })?,
        };
        let mut groups: [(&str, Array); 5] = [
            ("qualified", Array::new()),
            ("expired", Array::new()),
            ("auxiliary", Array::new()),
            ("no_cert", Array::new()),
            ("validity_unknown", Array::new()),
        ];
        for officer in &officers {
            let name: Dynamic = text_of(officer, "name")
                .unwrap_or_else(|| "(no name)".into())
                .into();
            let group = if bool_of(officer, "is_auxiliary") == Some(true) {
                2
            } else if text_of(officer, "cert_no").is_none_or(|c| c.is_empty()) {
                3
            } else {
                match find(officer, "cert_valid_until") {
                    Found::Value(v) => match v.try_cast::<Date>() {
                        Some(until) if until >= on => 0,
                        Some(_) => 1,
                        None => 4,
                    },
                    _ => 4,
                }
            };
            if let Some((_, list)) = groups.get_mut(group) {
                list.push(name);
            }
        }
        trace(|| {
            groups
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.len()))
                .collect::<Vec<_>>()
                .join(", ")
        });
        Ok(groups
            .into_iter()
            .map(|(k, v)| (k.into(), Dynamic::from(v)))
            .collect())
    }
}
