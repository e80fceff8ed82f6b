//! Routing: which unit handles a complaint or report, and why.
//!
//! 谁审批、谁监管，谁主管、谁监管: the department competent for the supervision item (from the
//! item catalogue, else the item-code prefixes of `rules/routing/table.toml`, else what the
//! message says: its words weighed by `lexicon.toml` and by what dispatchers taught the learned
//! model), in the county where the respondent operates (else is domiciled; for a report, where
//! the act took place; else the place names of the message). Then `route.rhai` may change the
//! choice. Whatever cannot be placed goes to the dispatcher's queue, with the reason and, when
//! it is known, the department.

mod directory;
pub mod evaluate;
pub mod learn;
mod lexicon;
mod place;
mod table;
mod text;
mod words;

use std::path::Path;
use std::sync::{Arc, OnceLock, RwLock};

use jiandu_model::{ComplaintKind, Uscc};
use jiandu_rules::{RoutingScript, ScriptRoute};
use serde::Serialize;
use serde_json::json;

pub use directory::{Directory, PartyInfo, UnitInfo};
pub use learn::{Example, Fit, LearnedModel};
pub use lexicon::Lexicon;
pub(crate) use lexicon::sha256_hex;
pub use place::{Gazetteer, GazetteerError, TextPlace};
pub use table::{Department, Level, RoutingLoadError, RoutingTable};
pub use text::{Contribution, DepartmentScore, TextScores};
pub use words::Words;

use crate::envelope::Intake;
use words::Segmenter;

/// How routing reads text, from the profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoutingSettings {
    /// Below this probability the text model's department is not used (the dispatcher decides).
    pub min_confidence: f64,
    /// An item whose department is known but whose place is not goes to the city's unit of the
    /// department (true) or to the dispatcher with the department named (false).
    pub unplaced_to_city: bool,
}

impl Default for RoutingSettings {
    fn default() -> Self {
        RoutingSettings {
            min_confidence: 0.2,
            unplaced_to_city: false,
        }
    }
}

impl RoutingSettings {
    pub fn from_profile(profile: &jiandu_rules::Profile) -> RoutingSettings {
        let default = RoutingSettings::default();
        RoutingSettings {
            min_confidence: profile
                .get("route_min_confidence", None)
                .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
                .filter(|p| (0.0..=1.0).contains(p))
                .unwrap_or(default.min_confidence),
            unplaced_to_city: profile
                .bool("route_unplaced_to_city")
                .unwrap_or(default.unplaced_to_city),
        }
    }
}

/// Where an item goes and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Route {
    /// `None`: the dispatcher's queue.
    pub unit: Option<String>,
    /// The competent department, also when the item waits for the dispatcher.
    pub department: Option<String>,
    pub region: Option<String>,
    /// Every step, in order, Chinese with English beside.
    pub reason: String,
    /// How the text model read the message, when it was asked.
    #[serde(skip)]
    pub text: Option<TextScores>,
}

/// The words a message is read by: what the platform calls its type and service, the task
/// name, the matter itself and the respondent's name, each a sentence of its own.
pub fn message_text(intake: &Intake) -> String {
    [
        intake.category.as_deref(),
        intake.service_type.as_deref(),
        intake.service_name.as_deref(),
        intake.task_name.as_deref(),
        Some(intake.detail.as_str()),
        intake.respondent.name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect::<Vec<_>>()
    .join("。")
}

/// What the registration authority code (the USCC's first two characters) says the
/// respondent is, as a word the model can weigh: `登记:企业`, `登记:民办非企业单位` ….
fn registration_word(uscc: &Uscc) -> Option<&'static str> {
    Some(match uscc.as_str().get(..2)? {
        "11" => "登记:机关",
        "12" => "登记:事业单位",
        "51" => "登记:社会团体",
        "52" => "登记:民办非企业单位",
        "53" => "登记:基金会",
        "91" => "登记:企业",
        "92" => "登记:个体工商户",
        "93" => "登记:农民专业合作社",
        _ => return None,
    })
}

#[derive(Debug)]
pub struct Router {
    table: RoutingTable,
    lexicon: Lexicon,
    gazetteer: Gazetteer,
    script: Option<RoutingScript>,
    settings: RoutingSettings,
    /// The table's department codes, in its order: the classes the text model scores.
    departments: Vec<String>,
    /// Built on first use: loading jieba's dictionary takes a tenth of a second.
    segmenter: OnceLock<Segmenter>,
    /// The learned model in use and its id in the store.
    learned: RwLock<Option<(i64, Arc<LearnedModel>)>>,
}

fn read(path: &Path) -> Result<String, RoutingLoadError> {
    std::fs::read_to_string(path).map_err(|e| RoutingLoadError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

impl Router {
    pub fn new(
        table: RoutingTable,
        lexicon: Lexicon,
        gazetteer: Gazetteer,
        script: Option<RoutingScript>,
        settings: RoutingSettings,
    ) -> Router {
        Router {
            departments: table.department.iter().map(|d| d.code.clone()).collect(),
            table,
            lexicon,
            gazetteer,
            script,
            settings,
            segmenter: OnceLock::new(),
            learned: RwLock::new(None),
        }
    }

    /// `table.toml`, `lexicon.toml` and, if present, `route.rhai` from a routing directory,
    /// and the place names from `places`.
    pub fn load(
        dir: &Path,
        places: &Path,
        profile: jiandu_rules::Profile,
        calendar: jiandu_calendar::Calendar,
        regions: jiandu_model::RegionTable,
    ) -> Result<Router, RoutingLoadError> {
        let path = dir.join("table.toml");
        let table = RoutingTable::parse(&read(&path)?, &path.display().to_string())?;
        let path = dir.join("lexicon.toml");
        let lexicon = Lexicon::parse(&read(&path)?, &path.display().to_string(), &table)?;
        let gazetteer =
            Gazetteer::parse(&read(places)?, &places.display().to_string()).map_err(|e| {
                RoutingLoadError::Table {
                    path: e.path.clone(),
                    reason: format!("line {}: {}", e.line, e.reason),
                }
            })?;
        let script_path = dir.join("route.rhai");
        let settings = RoutingSettings::from_profile(&profile);
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
        Ok(Router::new(table, lexicon, gazetteer, script, settings))
    }

    pub fn table(&self) -> &RoutingTable {
        &self.table
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    pub fn settings(&self) -> RoutingSettings {
        self.settings
    }

    /// The departments the text model chooses among, in the table's order.
    pub fn departments(&self) -> &[String] {
        &self.departments
    }

    fn segmenter(&self) -> &Segmenter {
        self.segmenter
            .get_or_init(|| Segmenter::new(&self.lexicon, self.gazetteer.names()))
    }

    /// Puts a learned model in use (`None`: none).
    pub fn set_learned(&self, model: Option<(i64, Arc<LearnedModel>)>) {
        if let Ok(mut slot) = self.learned.write() {
            *slot = model;
        }
    }

    /// The id of the learned model in use.
    pub fn learned_id(&self) -> Option<i64> {
        self.learned
            .read()
            .ok()
            .and_then(|m| m.as_ref().map(|(id, _)| *id))
    }

    fn learned(&self) -> Option<Arc<LearnedModel>> {
        self.learned
            .read()
            .ok()
            .and_then(|m| m.as_ref().map(|(_, model)| Arc::clone(model)))
    }

    /// The words of an item as the text model reads them: the message, the respondent's name,
    /// its industry in the party data and the kind of registration its USCC says.
    pub fn words_of(&self, intake: &Intake, directory: &Directory) -> Words {
        let mut text = message_text(intake);
        if let Some(industry) = directory
            .respondent(intake)
            .and_then(|p| p.industry.as_deref())
        {
            text.push('。');
            text.push_str(industry);
        }
        let mut words = self.segmenter().words(&text);
        if let Some(word) = intake
            .respondent
            .cert_code
            .as_deref()
            .and_then(|c| Uscc::parse(c).ok())
            .as_ref()
            .and_then(registration_word)
        {
            words.add(word);
        }
        words
    }

    /// The lexicon's score of each department for `words`, in the table's order (the offsets
    /// the learned model is trained on).
    pub fn lexicon_scores(&self, words: &Words) -> Vec<f64> {
        text::sums(&text::lexicon_parts(
            &self.lexicon,
            self.departments(),
            words,
        ))
    }

    /// How the lexicon and the learned model in use read `words`.
    pub fn text_scores(&self, words: &Words) -> TextScores {
        let learned = self.learned();
        text::score(&self.lexicon, learned.as_deref(), self.departments(), words)
    }

    /// Fits a learned model to `examples` over this router's lexicon.
    pub fn train(&self, examples: &[Example], fit: Fit) -> LearnedModel {
        learn::train(
            examples,
            self.departments(),
            &|w| self.lexicon_scores(w),
            &self.lexicon.hash,
            fit,
        )
    }

    fn percent(p: f64) -> String {
        format!("{:.0}%", (p * 100.0).clamp(0.0, 100.0))
    }

    /// `废气 +3.0、污染+环境 +2.0、电单车 +1.4（学）`: what decided, largest first.
    fn decided_by(score: &DepartmentScore) -> (String, String) {
        let shown: Vec<&Contribution> = score.contributions.iter().take(6).collect();
        let zh: Vec<String> = shown
            .iter()
            .map(|c| {
                format!(
                    "{} {:+.1}{}",
                    c.label,
                    c.weight,
                    if c.learned { "（学）" } else { "" }
                )
            })
            .collect();
        let en: Vec<String> = shown
            .iter()
            .map(|c| {
                format!(
                    "{} {:+.1}{}",
                    c.label,
                    c.weight,
                    if c.learned { " learned" } else { "" }
                )
            })
            .collect();
        (zh.join("、"), en.join(", "))
    }

    /// The department the message's words point to, and why.
    fn department_from_text(&self, scores: &TextScores) -> (Option<String>, String) {
        let Some(best) = scores.best().filter(|_| scores.has_evidence()) else {
            return (
                None,
                "未给出监管事项，内容中也没有可判断主管部门的词语 / no item given, and no word of the message tells the department".into(),
            );
        };
        let label = self.table.department_label(&best.department);
        let (zh, en) = Self::decided_by(best);
        let p = Self::percent(best.probability);
        let runner = scores
            .runner_up()
            .filter(|r| r.probability >= best.probability / 4.0 && r.probability >= 0.05);
        let (runner_zh, runner_en) = runner.map_or((String::new(), String::new()), |r| {
            let (words_zh, words_en) = Self::decided_by(r);
            let words_zh = if words_zh.is_empty() {
                String::new()
            } else {
                format!("：{words_zh}")
            };
            let words_en = if words_en.is_empty() {
                String::new()
            } else {
                format!(": {words_en}")
            };
            (
                format!(
                    "；次选{}（{}）{words_zh}",
                    self.table.department_label(&r.department),
                    Self::percent(r.probability)
                ),
                format!(
                    "; runner-up {} ({}){words_en}",
                    r.department,
                    Self::percent(r.probability)
                ),
            )
        });
        let tied = runner.is_some_and(|r| r.score == best.score);
        if tied {
            return (
                None,
                format!(
                    "未给出监管事项，内容同样像{label}和{}，无法取舍：{zh}{runner_zh} / no item given; the words point equally to {} and {}: {en}{runner_en}",
                    runner.map_or_else(String::new, |r| self.table.department_label(&r.department)),
                    best.department,
                    runner.map_or("", |r| r.department.as_str()),
                ),
            );
        }
        if best.probability >= self.settings.min_confidence {
            (
                Some(best.department.clone()),
                format!(
                    "未给出监管事项，按内容判断为{label}（把握 {p}）：{zh}{runner_zh} / no item given; the words point to {} ({p}): {en}{runner_en}",
                    best.department
                ),
            )
        } else {
            let floor = Self::percent(self.settings.min_confidence);
            (
                None,
                format!(
                    "未给出监管事项，内容最像{label}，但把握只有 {p}，低于设定的 {floor}：{zh}{runner_zh} / no item given; the words look most like {} but only {p}, below the profile's {floor}: {en}{runner_en}",
                    best.department
                ),
            )
        }
    }

    /// The competent department and why, and the text model's reading when it was asked.
    fn department(
        &self,
        intake: &Intake,
        directory: &Directory,
    ) -> (Option<String>, String, Option<TextScores>) {
        if let Some(code) = &intake.item_code {
            if let Some((name, Some(dept))) = directory.items.get(code) {
                return (
                    Some(dept.clone()),
                    format!(
                        "监管事项 {code}（{name}）由{}主管 / item {code} belongs to {dept}",
                        self.table.department_label(dept)
                    ),
                    None,
                );
            }
            if let Some(p) = self
                .table
                .item_prefix
                .iter()
                .filter(|p| code.starts_with(&p.prefix))
                .max_by_key(|p| p.prefix.len())
            {
                return (
                    Some(p.department.clone()),
                    format!(
                        "监管事项编码 {code} 以 {} 开头，属{} / item code prefix {} → {}",
                        p.prefix,
                        self.table.department_label(&p.department),
                        p.prefix,
                        p.department
                    ),
                    None,
                );
            }
        }
        let scores = self.text_scores(&self.words_of(intake, directory));
        let (department, why) = self.department_from_text(&scores);
        (department, why, Some(scores))
    }

    /// The region that decides, and every step that looked for it.
    fn region(
        &self,
        intake: &Intake,
        directory: &Directory,
        steps: &mut Vec<String>,
    ) -> Option<String> {
        let territory = intake.respondent.territory.clone();
        if intake.kind == ComplaintKind::Report
            && let Some(t) = &territory
        {
            steps.push(format!(
                "举报按违法行为发生地 {t} / a report goes where the act took place ({t})"
            ));
            return Some(t.clone());
        }
        let known = directory.respondent(intake);
        if let Some(operating) = known.and_then(|p| p.operating_region.clone()) {
            steps.push(format!(
                "被投诉人经营地 {operating}（主体信息） / the respondent operates in {operating} (party data)"
            ));
            return Some(operating);
        }
        if let Some(domicile) = known.and_then(|p| p.domicile_region.clone()) {
            steps.push(format!(
                "被投诉人住所地 {domicile}（主体信息） / the respondent is domiciled in {domicile} (party data)"
            ));
            return Some(domicile);
        }
        if let Some(t) = &territory {
            steps.push(format!("平台所报属地 {t} / the platform places it in {t}"));
            return Some(t.clone());
        }
        // The USCC's characters 3–8 are the registering authority's region: the domicile.
        let registered = intake
            .respondent
            .cert_code
            .as_deref()
            .and_then(|c| Uscc::parse(c).ok())
            .and_then(|u| u.as_str().get(2..8).map(str::to_owned));
        let county_registered = registered
            .as_deref()
            .filter(|r| self.table.in_city(r) && *r != self.table.city_region);
        let by_uscc = |region: &str| {
            format!(
                "按统一社会信用代码中的登记机关代码 {region}（住所地） / the USCC's registering authority {region} (domicile)"
            )
        };
        if let Some(region) = county_registered {
            steps.push(by_uscc(region));
            return Some(region.to_owned());
        }
        // Place names: the respondent's own name first (某某（英德）有限公司), then the message.
        let named = intake
            .respondent
            .name
            .as_deref()
            .map(|n| self.gazetteer.place(n))
            .filter(|p| matches!(p, TextPlace::County { .. }));
        match named.unwrap_or_else(|| self.gazetteer.place(&message_text(intake))) {
            TextPlace::County { region, names } => {
                let county = self
                    .gazetteer
                    .county_name(&region)
                    .unwrap_or(&region)
                    .to_owned();
                steps.push(format!(
                    "内容提到{}，属{county}（{region}） / the text names {}, in {county} ({region})",
                    names.join("、"),
                    names.join(", ")
                ));
                return Some(region);
            }
            TextPlace::Unclear(why) => steps.push(why),
            TextPlace::None => {}
        }
        if let Some(region) = registered {
            steps.push(by_uscc(&region));
            return Some(region);
        }
        None
    }

    /// Routes one item.
    pub fn route(&self, intake: &Intake, directory: &Directory) -> Route {
        let mut steps: Vec<String> = Vec::new();
        let (department, why, text) = self.department(intake, directory);
        steps.push(match &department {
            Some(_) => why,
            None => format!("{why}；无法确定主管部门 / the competent department cannot be told"),
        });
        let region = self.region(intake, directory, &mut steps).map(|code| {
            let normal = self.table.normalise_region(&code);
            if normal != code
                && let Some(last) = steps.last_mut()
            {
                last.push_str(&format!(
                    "（{code} 现为 {normal} / {code} is now {normal}）"
                ));
            }
            normal
        });
        let mut route = Route {
            unit: None,
            department: department.clone(),
            region: region.clone(),
            reason: String::new(),
            text,
        };
        if let Some(dept) = &department {
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
            steps.push(match &route.department {
                Some(dept) => format!(
                    "转派单员人工派单（已预选{}） / left to the dispatcher, {dept} preselected",
                    self.table.department_label(dept)
                ),
                None => "转派单员人工派单 / left to the dispatcher".into(),
            });
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
        let label = self.table.department_label(department);
        if !directory
            .units
            .iter()
            .any(|u| !u.is_dispatcher && u.department_code.as_deref() == Some(department))
        {
            steps.push(format!(
                "本市单位名录中没有{label}的执法单位 / no unit of {department} in the city's unit list"
            ));
            return None;
        }
        let city_level = self
            .table
            .department(department)
            .is_some_and(|d| d.level == Level::City);
        let Some(region) = region else {
            steps.push("无法确定属地 / the place cannot be told".into());
            if self.settings.unplaced_to_city
                && let Some(unit) = directory.unit_of(department, city)
            {
                steps.push(format!(
                    "按设定（route_unplaced_to_city）由市级办理：{} / the profile sends it to the city's unit",
                    unit.name
                ));
                return Some(unit.unit_id.clone());
            }
            return None;
        };
        if !self.table.in_city(region) {
            steps.push(format!(
                "属地 {region} 不在本市 / {region} is outside this city"
            ));
            return None;
        }
        if !city_level
            && region != city
            && let Some(unit) = directory.unit_of(department, region)
        {
            steps.push(format!("由{}办理 / handled by {}", unit.name, unit.unit_id));
            return Some(unit.unit_id.clone());
        }
        match directory.unit_of(department, city) {
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
                    "本市没有{label}的市级执法单位 / no city-level unit of {department}"
                ));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
