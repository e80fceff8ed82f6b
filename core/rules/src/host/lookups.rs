//! Cross-record look-ups for scripts (see `crate::lookups`). Each returns summaries of other
//! records as maps (`record_id`, `agency`, `decision_date`, `fine_amount` …).

use rhai::plugin::*;
use rhai::{Array, Dynamic};

use super::{host, trace};
use crate::convert::json_to_dynamic;
use crate::host::record::{Found, find};
use crate::host::record_ref::RecordRef;
use crate::lookups::Summary;
use jiandu_model::record::keys::{self, LinkKeys};

/// The link keys of the record a script passed (`jiandu_model::record::keys`, the same
/// definition the store and the look-ups use), with its id.
fn keys_of(record: &Dynamic) -> (LinkKeys, Option<String>) {
    let keys = |body: &serde_json::Map<String, serde_json::Value>| {
        (LinkKeys::of(body), keys::text(body, "record_id"))
    };
    if let Some(r) = record.clone().try_cast::<RecordRef>() {
        return keys(r.json());
    }
    match crate::convert::dynamic_to_json(record) {
        serde_json::Value::Object(body) => keys(&body),
        _ => (LinkKeys::default(), None),
    }
}

fn to_array(list: &[std::sync::Arc<Summary>]) -> Array {
    list.iter()
        .map(|s| json_to_dynamic(&serde_json::Value::Object(s.body.clone())))
        .collect()
}

fn year_of(record: &Dynamic) -> Option<i32> {
    for field in ["check_date", "check_time"] {
        if let Found::Value(v) = find(record, field) {
            if let Some(d) = v.clone().try_cast::<jiandu_model::Date>() {
                return Some(d.year());
            }
            if let Some(m) = v.try_cast::<jiandu_model::Moment>() {
                return Some(m.date().year());
            }
        }
    }
    None
}

// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod lookups_api {
    use super::{host, keys_of, to_array, trace, year_of};
    use jiandu_model::RecordId;
    use rhai::{Array, Dynamic};
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    /// Other penalty records with the same `act_id` as `r` (empty when `r` has none).
    #[rhai_fn(return_raw)]
    pub fn same_act(ctx: NativeCallContext, r: Dynamic) -> Result<Array, Box<EvalAltResult>> {
        let (keys, id) = keys_of(&r);
        let (Some(act), Some(id)) = (keys.act_id, id) else {
            return Ok(Array::new());
        };
        let id = RecordId::parse(&id).map_err(|e| -> Box<EvalAltResult> { e.into() })?;
        let found = host(&ctx)?.lookups.same_act(&act, &id);
        trace(|| format!("same_act({act}) = {} other record(s)", found.len()));
        Ok(to_array(&found))
    }

    /// Inspections of `r`'s party by `r`'s agency in the year of `r`'s check date, `r` included.
    #[rhai_fn(return_raw)]
    pub fn inspections_same_party_year(
        ctx: NativeCallContext,
        r: Dynamic,
    ) -> Result<Array, Box<EvalAltResult>> {
        let keys = keys_of(&r).0;
        let (Some(party), Some(agency), Some(year)) = (keys.party, keys.agency, year_of(&r)) else {
            return Ok(Array::new());
        };
        let found = host(&ctx)?.lookups.inspections(&party, &agency, year);
        trace(|| {
            format!(
                "inspections of {party} by {agency} in {year} = {}",
                found.len()
            )
        });
        Ok(to_array(&found))
    }

    /// Whether the published supervision-item list held `code` on `on`: `"listed"`,
    /// `"not_listed_then"` (in the catalogue, but not on that date), `"not_in_catalogue"`, or
    /// `"no_catalogue"` when none was loaded.
    #[rhai_fn(return_raw)]
    pub fn item_listing(
        ctx: NativeCallContext,
        code: &str,
        on: jiandu_model::Date,
    ) -> Result<String, Box<EvalAltResult>> {
        use crate::lookups::ItemListing;
        let listing = host(&ctx)?.lookups.item_listing(code, on);
        trace(|| format!("item_listing({code}, {on}) = {listing:?}"));
        Ok(match listing {
            ItemListing::Listed => "listed",
            ItemListing::NotYetOrNoLonger => "not_listed_then",
            ItemListing::NotInCatalogue => "not_in_catalogue",
            ItemListing::NoCatalogue => "no_catalogue",
        }
        .into())
    }

    /// The inspection behind `r` (the one whose `check_action_code` is `r`'s), or `()`.
    #[rhai_fn(return_raw)]
    pub fn inspection_behind(
        ctx: NativeCallContext,
        r: Dynamic,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let Some(code) = keys_of(&r).0.check_action_code else {
            return Ok(Dynamic::UNIT);
        };
        let found = host(&ctx)?.lookups.inspection(&code);
        trace(|| {
            format!(
                "inspection_behind({code}) = {}",
                found
                    .as_ref()
                    .map(|s| s.record_id.to_string())
                    .unwrap_or("none".into())
            )
        });
        Ok(found
            .map(|s| super::json_to_dynamic(&serde_json::Value::Object(s.body.clone())))
            .unwrap_or(Dynamic::UNIT))
    }
}
