//! Routing scripts (`rules/routing/*.rhai`): what a routing table cannot say.
//!
//! A script defines `fn route(c)`. It receives the complaint as a map — its `kind`
//! (`complaint` or `report`), `item_code`, `department`, `region`, `respondent`, `type`,
//! `detail` and the table's `suggestion` (`#{unit, reason}` or `()`) — and returns `()` to
//! keep the table's choice, `#{unit: "…", reason: "…"}` to send the item to that unit, or
//! `#{dispatcher: true, reason: "…"}` to leave it in the dispatcher's queue. Scripts run in
//! the same sandbox as rules, with the same limits and host API.

use std::path::Path;
use std::sync::Arc;

use jiandu_calendar::Calendar;
use jiandu_model::RegionTable;
use rhai::{AST, Dynamic, Engine, Map, Scope};
use serde_json::Value;

use crate::convert::{dynamic_to_json, json_to_dynamic};
use crate::engine::sandboxed;
use crate::host::HostContext;
use crate::{Location, Lookups, Profile, RuleError};

/// What a script decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptRoute {
    Unit { unit_id: String, reason: String },
    Dispatcher { reason: String },
}

pub struct RoutingScript {
    engine: Engine,
    ast: AST,
    file: String,
}

impl std::fmt::Debug for RoutingScript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoutingScript")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl RoutingScript {
    pub fn load(
        path: &Path,
        profile: Profile,
        calendar: Calendar,
        regions: RegionTable,
    ) -> Result<RoutingScript, RuleError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RuleError::Read {
            path: file.clone(),
            reason: e.to_string(),
        })?;
        let engine = sandboxed(Arc::new(HostContext {
            calendar,
            profile,
            regions,
            lookups: Arc::new(Lookups::empty()),
        }));
        let ast = engine.compile(&text).map_err(|err| RuleError::Syntax {
            location: Location {
                file: file.clone(),
                line: err.position().line().unwrap_or(0),
                column: err.position().position().unwrap_or(0),
            },
            message: err.err_type().to_string(),
        })?;
        if !ast
            .iter_functions()
            .any(|f| f.name == "route" && f.params.len() == 1)
        {
            return Err(RuleError::Invalid {
                file,
                reason: "a routing script needs `fn route(c)`".into(),
            });
        }
        Ok(RoutingScript { engine, ast, file })
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    /// Runs `route(c)`; `Ok(None)` keeps the table's choice. An error names the file.
    pub fn route(&self, complaint: &Value) -> Result<Option<ScriptRoute>, String> {
        let arg = json_to_dynamic(complaint);
        let result: Dynamic = self
            .engine
            .call_fn(&mut Scope::new(), &self.ast, "route", (arg,))
            .map_err(|e| format!("{}: {e}", self.file))?;
        if result.is_unit() {
            return Ok(None);
        }
        let Some(map) = result.clone().try_cast::<Map>() else {
            return Err(format!(
                "{}: route(c) must return () or a map, not {}",
                self.file,
                result.type_name()
            ));
        };
        let text = |key: &str| -> Option<String> {
            map.get(key)
                .map(dynamic_to_json)
                .and_then(|v| v.as_str().map(str::to_owned))
                .filter(|s| !s.trim().is_empty())
        };
        let reason = text("reason")
            .ok_or_else(|| format!("{}: route(c) must give a reason with its choice", self.file))?;
        if map
            .get("dispatcher")
            .is_some_and(|d| d.as_bool().unwrap_or(false))
        {
            return Ok(Some(ScriptRoute::Dispatcher { reason }));
        }
        match text("unit") {
            Some(unit_id) => Ok(Some(ScriptRoute::Unit { unit_id, reason })),
            None => Err(format!(
                "{}: route(c) returned a map without `unit` or `dispatcher: true`",
                self.file
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(text: &str) -> Result<RoutingScript, RuleError> {
        let dir = std::env::temp_dir().join(format!("jiandu-routing-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.rhai", text.len()));
        std::fs::write(&path, text).unwrap();
        RoutingScript::load(
            &path,
            Profile::builtin(),
            Calendar::builtin(),
            RegionTable::builtin(),
        )
    }

    #[test]
    fn a_script_keeps_overrides_or_queues() {
        let s = script(
            r#"fn route(c) {
                if c.kind == "report" && c.type.contains("跨区域") { return #{unit: "441800-scjg", reason: "跨区域举报由市局处理"}; }
                if c.region == () { return #{dispatcher: true, reason: "无法确定属地"}; }
                ()
            }"#,
        )
        .unwrap();
        let c = |kind: &str, ty: &str, region: Value| serde_json::json!({"kind": kind, "type": ty, "region": region});
        assert_eq!(
            s.route(&c("report", "跨区域经营", "441802".into()))
                .unwrap(),
            Some(ScriptRoute::Unit {
                unit_id: "441800-scjg".into(),
                reason: "跨区域举报由市局处理".into()
            })
        );
        assert!(matches!(
            s.route(&c("complaint", "", Value::Null)).unwrap(),
            Some(ScriptRoute::Dispatcher { .. })
        ));
        assert_eq!(s.route(&c("complaint", "", "441802".into())).unwrap(), None);
    }

    #[test]
    fn a_runaway_or_reasonless_script_is_an_error_not_a_hang() {
        let s = script("fn route(c) { loop {} }").unwrap();
        assert!(s.route(&serde_json::json!({})).is_err());
        let s = script("fn route(c) { #{unit: \"X\"} }").unwrap();
        assert!(
            s.route(&serde_json::json!({}))
                .unwrap_err()
                .contains("reason")
        );
        assert!(script("fn other(c) { () }").is_err());
    }
}
