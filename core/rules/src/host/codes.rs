//! Code checks for scripts: USCC (GB 32100 / GB 11714), region codes (GB/T 2260 on a date),
//! supervision-item codes.

use jiandu_model::{RegionCode, RegionValidity, Uscc, UsccError, org_code_check};
use rhai::plugin::*;
use rhai::{Dynamic, Map};

use super::host;

fn uscc_report(code: &str) -> Map {
    let mut map = Map::new();
    let (valid, reason, expected) = match Uscc::parse(code) {
        Ok(_) => (true, String::new(), Dynamic::UNIT),
        Err(UsccError::CheckCharacter { expected, .. }) => (
            false,
            format!("校验码应为{expected} (the check character should be {expected})"),
            Dynamic::from(expected.to_string()),
        ),
        Err(e) => (false, e.to_string(), Dynamic::UNIT),
    };
    let upper = code.trim().to_ascii_uppercase();
    let org_ok = upper.len() == 18 && upper.is_ascii() && org_code_check(&upper[8..17]);
    map.insert("valid".into(), valid.into());
    map.insert("reason".into(), reason.into());
    map.insert("expected".into(), expected);
    map.insert("org_ok".into(), org_ok.into());
    map
}

// The plugin macro unwraps the argument casts it generates itself.
#[allow(clippy::unwrap_used)]
#[export_module]
pub mod codes_api {
    use super::{RegionCode, RegionValidity, host, uscc_report};
    #[allow(unused_imports)]
    use rhai::{FLOAT, INT};

    pub type Date = jiandu_model::Date;

    /// Checks a 统一社会信用代码: `#{valid, reason, expected, org_ok}`; `org_ok` is the GB 11714
    /// check of the embedded organisation code (a warning-level check).
    pub fn uscc_check(code: &str) -> rhai::Map {
        uscc_report(code)
    }

    /// What GB/T 2260 says of `code` on `on`: `"valid"`, `"not_in_force"` (listed, but not
    /// on that date), `"unlisted"` (inside the covered area, unknown), `"not_covered"` (outside
    /// the area the table judges; shape checked only) or `"malformed"`.
    #[rhai_fn(return_raw)]
    pub fn region_validity(
        ctx: NativeCallContext,
        code: &str,
        on: Date,
    ) -> Result<String, Box<EvalAltResult>> {
        let Ok(region) = RegionCode::parse(code.trim()) else {
            return Ok("malformed".into());
        };
        Ok(match host(&ctx)?.regions.validity(region, on) {
            RegionValidity::Valid { .. } => "valid",
            RegionValidity::NotInForce { .. } => "not_in_force",
            RegionValidity::Unlisted => "unlisted",
            RegionValidity::NotCovered => "not_covered",
        }
        .into())
    }

    /// Why a region code is wrong, in words (for messages).
    #[rhai_fn(return_raw)]
    pub fn region_problem(code: &str) -> Result<String, Box<EvalAltResult>> {
        Ok(match RegionCode::parse(code.trim()) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        })
    }

    /// Whether `code` is a 14-digit 监管事项目录编码.
    pub fn item_code_ok(code: &str) -> bool {
        jiandu_model::ItemCode::parse(code.trim()).is_ok()
    }
}
