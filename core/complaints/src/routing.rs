//! Routing: which unit handles a complaint or report, and why.
//!
//! 谁审批、谁监管，谁主管、谁监管: the department competent for the supervision item (from the
//! item catalogue, else the item-code prefixes of `rules/routing/table.toml`, else words of
//! the complaint), in the county where the respondent operates (else is domiciled; for a
//! report, where the act took place). Then `rules/routing/route.rhai` may change the choice.
//! Whatever cannot be placed goes to the dispatcher's queue, with the reason.

use std::collections::HashMap;
use std::path::Path;

use jiandu_model::{ComplaintKind, ReferenceRow, Uscc};
use jiandu_rules::{RoutingScript, ScriptRoute};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::envelope::Intake;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub code: String,
    pub name: String,
    /// `county`: county units handle its items; `city`: only the city's unit.
    #[serde(default = "county")]
    pub level: String,
    #[serde(default)]
    pub keywords: Vec<String>,
}

fn county() -> String {
    "county".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemPrefix {
    pub prefix: String,
    pub department: String,
}

/// `rules/routing/table.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingTable {
    pub city_region: String,
    #[serde(default)]
    pub region_aliases: HashMap<String, String>,
    #[serde(default)]
    pub department: Vec<Department>,
    #[serde(default)]
    pub item_prefix: Vec<ItemPrefix>,
}

#[derive(Debug, thiserror::Error)]
pub enum RoutingLoadError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: {reason}")]
    Table { path: String, reason: String },
    #[error(transparent)]
    Script(#[from] jiandu_rules::RuleError),
}

impl RoutingTable {
    pub fn parse(text: &str, path: &str) -> Result<RoutingTable, RoutingLoadError> {
        let table: RoutingTable = toml::from_str(text).map_err(|e| RoutingLoadError::Table {
            path: path.into(),
            reason: e.to_string(),
        })?;
        for prefix in &table.item_prefix {
            if !table.department.iter().any(|d| d.code == prefix.department) {
                return Err(RoutingLoadError::Table {
                    path: path.into(),
                    reason: format!(
                        "item prefix {} names department `{}`, which no [[department]] defines",
                        prefix.prefix, prefix.department
                    ),
                });
            }
        }
        Ok(table)
    }

    fn department(&self, code: &str) -> Option<&Department> {
        self.department.iter().find(|d| d.code == code)
    }
}

/// A unit as routing and notices need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitInfo {
    pub unit_id: String,
    pub name: String,
    pub department_code: Option<String>,
    pub region_code: Option<String>,
    /// The sector code (`sector_profile` of the items it handles), when the unit row gives it.
    pub sector: Option<String>,
    pub email: Option<String>,
    pub is_dispatcher: bool,
}

impl UnitInfo {
    pub fn from_row(row: &ReferenceRow) -> UnitInfo {
        let text = |f: &str| row.text(f).map(str::to_owned).filter(|s| !s.is_empty());
        UnitInfo {
            unit_id: row.key().to_owned(),
            name: text("name").unwrap_or_else(|| row.key().to_owned()),
            department_code: text("department_code"),
            region_code: text("region_code"),
            sector: text("sector"),
            email: text("email"),
            is_dispatcher: row.body().get("is_dispatcher").and_then(|v| v.as_bool()) == Some(true),
        }
    }
}

/// The reference data routing reads: units, the item catalogue, and the regions of the
/// parties in question (looked up one by one by their key, the USCC or ID number, never all
/// loaded).
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub units: Vec<UnitInfo>,
    /// item code → (name, department code)
    pub items: HashMap<String, (String, Option<String>)>,
    /// USCC or id → (operating region, domicile region)
    pub parties: HashMap<String, (Option<String>, Option<String>)>,
}

impl Directory {
    pub fn new(
        units: &[ReferenceRow],
        items: &[ReferenceRow],
        parties: &[ReferenceRow],
    ) -> Directory {
        let text =
            |row: &ReferenceRow, f: &str| row.text(f).map(str::to_owned).filter(|s| !s.is_empty());
        let mut directory = Directory {
            units: units.iter().map(UnitInfo::from_row).collect(),
            items: items
                .iter()
                .map(|row| {
                    (
                        row.key().to_owned(),
                        (
                            text(row, "name").unwrap_or_default(),
                            text(row, "department_code"),
                        ),
                    )
                })
                .collect(),
            parties: HashMap::new(),
        };
        for row in parties {
            directory.add_party(row);
        }
        directory
    }

    /// A party's regions, under its key and its USCC and id.
    pub fn add_party(&mut self, row: &ReferenceRow) {
        let text = |f: &str| row.text(f).map(str::to_owned).filter(|s| !s.is_empty());
        let regions = (text("operating_region"), text("domicile_region"));
        self.parties.insert(row.key().to_owned(), regions.clone());
        for field in ["uscc", "id"] {
            if let Some(code) = text(field) {
                self.parties.insert(code, regions.clone());
            }
        }
    }

    pub fn unit(&self, id: &str) -> Option<&UnitInfo> {
        self.units.iter().find(|u| u.unit_id == id)
    }

    /// The unified receiving body (统一受理机构), if the units name one.
    pub fn dispatcher(&self) -> Option<&UnitInfo> {
        self.units.iter().find(|u| u.is_dispatcher)
    }
}

/// Where an item goes and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// `None`: the dispatcher's queue.
    pub unit: Option<String>,
    pub department: Option<String>,
    pub region: Option<String>,
    /// Every step, in order, Chinese with English beside.
    pub reason: String,
}

#[derive(Debug)]
pub struct Router {
    table: RoutingTable,
    script: Option<RoutingScript>,
}

impl Router {
    pub fn new(table: RoutingTable, script: Option<RoutingScript>) -> Router {
        Router { table, script }
    }

    /// `table.toml` and, if present, `route.rhai` from a routing directory.
    pub fn load(
        dir: &Path,
        profile: jiandu_rules::Profile,
        calendar: jiandu_calendar::Calendar,
        regions: jiandu_model::RegionTable,
    ) -> Result<Router, RoutingLoadError> {
        let path = dir.join("table.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| RoutingLoadError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let table = RoutingTable::parse(&text, &path.display().to_string())?;
        let script_path = dir.join("route.rhai");
        let script = if script_path.exists() {
            Some(RoutingScript::load(
                &script_path,
                profile,
                calendar,
                regions,
            )?)
        } else {
            None
        };
        Ok(Router { table, script })
    }

    pub fn table(&self) -> &RoutingTable {
        &self.table
    }

    fn normalise_region(&self, code: &str) -> String {
        self.table
            .region_aliases
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    }

    /// The competent department and why.
    fn department(&self, intake: &Intake, directory: &Directory) -> Option<(String, String)> {
        if let Some(code) = &intake.item_code {
            if let Some((name, Some(dept))) = directory.items.get(code) {
                return Some((
                    dept.clone(),
                    format!(
                        "监管事项 {code}（{name}）由{}主管 / item {code} belongs to {dept}",
                        self.dept_name(dept)
                    ),
                ));
            }
            if let Some(p) = self
                .table
                .item_prefix
                .iter()
                .filter(|p| code.starts_with(&p.prefix))
                .max_by_key(|p| p.prefix.len())
            {
                return Some((
                    p.department.clone(),
                    format!(
                        "监管事项编码 {code} 以 {} 开头，属{} / item code prefix {} → {}",
                        p.prefix,
                        self.dept_name(&p.department),
                        p.prefix,
                        p.department
                    ),
                ));
            }
        }
        let text = [
            intake.category.as_deref(),
            intake.service_type.as_deref(),
            intake.service_name.as_deref(),
            intake.task_name.as_deref(),
            Some(intake.detail.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let mut best: Option<(&Department, &str, usize)> = None;
        for dept in &self.table.department {
            let hits: Vec<&String> = dept
                .keywords
                .iter()
                .filter(|k| text.contains(k.as_str()))
                .collect();
            if let Some(first) = hits.first()
                && best.is_none_or(|(_, _, n)| hits.len() > n)
            {
                best = Some((dept, first.as_str(), hits.len()));
            }
        }
        best.map(|(dept, word, _)| {
            (
                dept.code.clone(),
                format!(
                    "未给出监管事项，按内容“{word}”归{} / no item given; the word “{word}” points to {}",
                    dept.name, dept.code
                ),
            )
        })
    }

    fn dept_name(&self, code: &str) -> String {
        self.table
            .department(code)
            .map(|d| format!("{}部门", d.name))
            .unwrap_or_else(|| code.to_owned())
    }

    /// The region that decides, and why.
    fn region(&self, intake: &Intake, directory: &Directory) -> Option<(String, String)> {
        let territory = intake.respondent.territory.clone();
        if intake.kind == ComplaintKind::Report
            && let Some(t) = &territory
        {
            return Some((
                t.clone(),
                format!("举报按违法行为发生地 {t} / a report goes where the act took place ({t})"),
            ));
        }
        let known = intake
            .respondent
            .cert_code
            .as_ref()
            .and_then(|code| directory.parties.get(code));
        if let Some((Some(operating), _)) = known {
            return Some((
                operating.clone(),
                format!("被投诉人经营地 {operating} / the respondent operates in {operating}"),
            ));
        }
        if let Some((None, Some(domicile))) = known {
            return Some((
                domicile.clone(),
                format!("被投诉人住所地 {domicile} / the respondent is domiciled in {domicile}"),
            ));
        }
        if let Some(t) = &territory {
            return Some((
                t.clone(),
                format!("平台所报属地 {t} / the platform places it in {t}"),
            ));
        }
        // The USCC's characters 3–8 are the registering authority's region: the domicile.
        let uscc = intake
            .respondent
            .cert_code
            .as_deref()
            .and_then(|c| Uscc::parse(c).ok())?;
        let region = uscc.as_str().get(2..8)?.to_owned();
        Some((
            region.clone(),
            format!(
                "按统一社会信用代码中的登记机关代码 {region}（住所地） / the USCC's registering authority {region} (domicile)"
            ),
        ))
    }

    /// Routes one item.
    pub fn route(&self, intake: &Intake, directory: &Directory) -> Route {
        let mut steps: Vec<String> = Vec::new();
        let department = self.department(intake, directory);
        let region = self.region(intake, directory).map(|(code, why)| {
            let normal = self.normalise_region(&code);
            if normal != code {
                steps.push(format!(
                    "{why}（{code} 现为 {normal} / {code} is now {normal}）"
                ));
            } else {
                steps.push(why);
            }
            normal
        });
        let mut route = Route {
            unit: None,
            department: department.as_ref().map(|(d, _)| d.clone()),
            region: region.clone(),
            reason: String::new(),
        };
        match &department {
            Some((_, why)) => steps.insert(0, why.clone()),
            None => steps.insert(
                0,
                "无法确定主管部门 / the competent department cannot be told".into(),
            ),
        }
        if let Some((dept, _)) = &department {
            route.unit = self.unit_for(dept, region.as_deref(), directory, &mut steps);
        }
        if let Some(script) = &self.script {
            let input = json!({
                "kind": intake.kind.as_str(),
                "item_code": intake.item_code,
                "department": route.department,
                "region": route.region,
                "respondent": intake.respondent,
                "type": intake.category.clone().unwrap_or_default(),
                "service": intake.service_name.clone().or(intake.service_type.clone()).unwrap_or_default(),
                "detail": intake.detail,
                "suggestion": route.unit.as_ref().map(|u| json!({"unit": u, "reason": steps.join("；")})),
            });
            match script.route(&input) {
                Ok(None) => {}
                Ok(Some(ScriptRoute::Unit { unit_id, reason })) => {
                    if directory.unit(&unit_id).is_some() {
                        route.unit = Some(unit_id);
                        steps.push(reason);
                    } else {
                        steps.push(format!("{} 指定的单位 {unit_id} 不存在，未采用 / the script chose unknown unit {unit_id}; ignored", script.file()));
                    }
                }
                Ok(Some(ScriptRoute::Dispatcher { reason })) => {
                    route.unit = None;
                    steps.push(reason);
                }
                Err(error) => {
                    tracing::warn!(%error, "the routing script failed");
                    steps.push(format!("路由脚本出错，按目录派单 / the routing script failed ({error}); the table's choice stands"));
                }
            }
        }
        if route.unit.is_none() {
            steps.push("转派单员人工派单 / left to the dispatcher".into());
        }
        route.reason = steps.join("；");
        route
    }

    fn unit_for(
        &self,
        department: &str,
        region: Option<&str>,
        directory: &Directory,
        steps: &mut Vec<String>,
    ) -> Option<String> {
        let city = self.table.city_region.as_str();
        let candidates = |r: &str| {
            directory.units.iter().find(|u| {
                !u.is_dispatcher
                    && u.department_code.as_deref() == Some(department)
                    && u.region_code.as_deref() == Some(r)
            })
        };
        let city_level = self
            .table
            .department(department)
            .is_some_and(|d| d.level == "city");
        let Some(region) = region else {
            steps.push("无法确定属地 / the place cannot be told".into());
            return None;
        };
        let in_city = region.get(..4) == city.get(..4);
        if !in_city {
            steps.push(format!(
                "属地 {region} 不在本市 / {region} is outside this city"
            ));
            return None;
        }
        if !city_level
            && region != city
            && let Some(unit) = candidates(region)
        {
            steps.push(format!("由{}办理 / handled by {}", unit.name, unit.unit_id));
            return Some(unit.unit_id.clone());
        }
        match candidates(city) {
            Some(unit) => {
                let why = if city_level {
                    "该部门事项由市级办理 / this department's items are handled by the city"
                } else if region == city {
                    "属地为市本级 / the place is the city itself"
                } else {
                    "该县（区）无此部门的执法单位，由市级办理 / no unit of this department in the county; the city's handles it"
                };
                steps.push(format!("{why}：{}", unit.name));
                Some(unit.unit_id.clone())
            }
            None => {
                steps.push(format!(
                    "本市没有 {department} 部门的执法单位 / no unit of {department} in this city"
                ));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope;
    use jiandu_model::ReferenceKind;

    fn table() -> RoutingTable {
        RoutingTable::parse(
            include_str!("../../../rules/routing/table.toml"),
            "rules/routing/table.toml",
        )
        .unwrap()
    }

    fn row(kind: ReferenceKind, value: serde_json::Value) -> ReferenceRow {
        ReferenceRow::from_json(kind, value).unwrap()
    }

    fn directory() -> Directory {
        let units = [
            json!({"unit_id": "441800-12345", "name": "清远市12345热线", "department_code": "scjg", "region_code": "441800", "is_dispatcher": true}),
            json!({"unit_id": "441800-scjg", "name": "清远市市场监督管理局", "department_code": "scjg", "region_code": "441800"}),
            json!({"unit_id": "441802-scjg", "name": "清城区市场监督管理局", "department_code": "scjg", "region_code": "441802"}),
            json!({"unit_id": "441803-scjg", "name": "清新区市场监督管理局", "department_code": "scjg", "region_code": "441803"}),
            json!({"unit_id": "441800-sthj", "name": "清远市生态环境局", "department_code": "sthj", "region_code": "441800"}),
        ]
        .map(|u| row(ReferenceKind::Unit, u));
        let items = [json!({"item_code": "44011000000100", "name": "对食品生产经营者的监督检查", "department_code": "scjg"})]
            .map(|i| row(ReferenceKind::Item, i));
        let parties = [json!({"party_id": "914418020JR4G3BG98", "name": "某食品公司", "uscc": "914418020JR4G3BG98", "operating_region": "441803", "domicile_region": "441802"})]
            .map(|p| row(ReferenceKind::Party, p));
        Directory::new(&units, &items, &parties)
    }

    fn intake(value: serde_json::Value) -> Intake {
        envelope::read(&value).unwrap()
    }

    #[test]
    fn the_item_gives_the_department_and_the_operating_place_the_county() {
        let router = Router::new(table(), None);
        let route = router.route(
            &intake(json!({"taskNo": "1", "supervisionMatterCode": "44011000000100",
                "complaintInfo": {"complaintObjectCertCode": "914418020JR4G3BG98", "complaintTerritory": "441802", "complaintDetail": "月饼过期"}})),
            &directory(),
        );
        assert_eq!(
            route.unit.as_deref(),
            Some("441803-scjg"),
            "{}",
            route.reason
        );
        assert!(route.reason.contains("经营地 441803"), "{}", route.reason);
        assert!(route.reason.contains("对食品生产经营者的监督检查"));
    }

    #[test]
    fn reports_go_where_the_act_took_place_and_old_codes_are_mapped() {
        let router = Router::new(table(), None);
        let route = router.route(
            &intake(json!({"taskNo": "2", "tipInfo": {"enterpriseCreditCode": "914418020JR4G3BG98", "tipTerritory": "441827", "tipDetail": "销售过期食品"}})),
            &directory(),
        );
        assert_eq!(
            route.unit.as_deref(),
            Some("441803-scjg"),
            "{}",
            route.reason
        );
        assert!(
            route.reason.contains("441827 现为 441803"),
            "{}",
            route.reason
        );
    }

    #[test]
    fn a_county_without_the_department_falls_to_the_city_and_the_unplaceable_to_the_queue() {
        let router = Router::new(table(), None);
        let route = router.route(
            &intake(json!({"taskNo": "3", "complaintInfo": {"complaintTerritory": "441802", "complaintDetail": "工厂夜间偷排废水"}})),
            &directory(),
        );
        assert_eq!(
            route.unit.as_deref(),
            Some("441800-sthj"),
            "{}",
            route.reason
        );
        let nowhere = router.route(
            &intake(json!({"taskNo": "4", "complaintInfo": {"complaintDetail": "邻居吵架"}})),
            &directory(),
        );
        assert_eq!(nowhere.unit, None);
        assert!(nowhere.reason.contains("dispatcher"), "{}", nowhere.reason);
        let elsewhere = router.route(
            &intake(json!({"taskNo": "5", "complaintInfo": {"complaintTerritory": "440106", "complaintDetail": "月饼过期"}})),
            &directory(),
        );
        assert_eq!(elsewhere.unit, None, "{}", elsewhere.reason);
    }

    #[test]
    fn a_prefix_must_name_a_department() {
        let bad =
            "city_region = \"441800\"\n[[item_prefix]]\nprefix = \"44\"\ndepartment = \"nope\"\n";
        assert!(RoutingTable::parse(bad, "t.toml").is_err());
    }
}
