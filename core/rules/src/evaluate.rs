//! Evaluating records: choose each rule's version by the act date, call its check in the
//! sandbox, and turn whatever happens into exactly one outcome.

use std::sync::Arc;

use jiandu_model::record::dictionary::dictionary;
use jiandu_model::{Date, Evaluation, Lookup, Outcome, Record, date_of};
use rhai::{CallFnOptions, Dynamic, Engine, EvalAltResult, Scope};
use serde_json::{Map, Value};

use crate::convert::dynamic_to_json;
use crate::host::outcome::RuleOutcome;
use crate::host::record_ref::{RecordRef, set_declared};
use crate::host::unrecorded;
use crate::host::{self, HostContext, Signal};
use crate::meta::{Condition, Version};
use crate::pack::{RUNAWAYS_BEFORE_OFF, Rule, RuleSet};
use crate::profile::Profile;
use crate::{Lookups, engine};

/// Why a version was or was not chosen, for `jiandu explain`.
#[derive(Debug, Clone)]
pub enum VersionChoice {
    /// The rule does not apply to this record type.
    NotForRecordType,
    /// The rule could not be loaded.
    Broken,
    /// A field of `applies_when` holds something else: the rule does not apply.
    Inapplicable { field: String },
    /// A field of `applies_when` is absent: whether the rule applies cannot be told.
    ApplicabilityUnknown { field: String },
    /// The rule has one version for any date.
    Always,
    /// The date in `field` selected the version.
    ByDate { field: String, date: Date },
    /// The field that selects the version is absent or null.
    DateMissing { field: String, null: bool },
    /// No version covers the date.
    NoneInForce { field: String, date: Date },
}

/// One rule considered for one record, with its trace.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub rule_id: String,
    pub title_zh: String,
    pub title_en: String,
    pub choice: VersionChoice,
    pub version: Option<Version>,
    /// The fields the rule declares it reads, with their values on this record (`null` for a
    /// present null); fields the record does not have are listed in `absent`.
    pub values: Vec<(String, Value)>,
    pub absent: Vec<String>,
    pub trace: Vec<String>,
    pub evaluation: Option<Evaluation>,
}

impl Explanation {
    /// Which version was chosen and why, as `jiandu explain` and the record page say it;
    /// `None` when the rule does not apply to the record type.
    pub fn why_version(&self) -> Option<String> {
        let label = self.version.as_ref().map(|v| (v.label(), v.range()));
        Some(match (&self.choice, label) {
            (VersionChoice::NotForRecordType, _) => return None,
            (VersionChoice::Always, Some((label, _))) => {
                format!("version: {label} (the rule has one version for any date)")
            }
            (VersionChoice::ByDate { field, date }, Some((label, range))) => {
                format!("version: {label} ({field} = {date} falls in {range})")
            }
            (VersionChoice::Always | VersionChoice::ByDate { .. }, None) => "version: none".into(),
            (VersionChoice::DateMissing { field, null }, _) => format!(
                "version: none ({field}, which selects the law, is {})",
                if *null { "null" } else { "absent" }
            ),
            (VersionChoice::NoneInForce { field, date }, _) => {
                format!("version: none in force on {date} ({field})")
            }
            (VersionChoice::Broken, _) => "the rule cannot be loaded".into(),
            (VersionChoice::Inapplicable { field }, _) => {
                format!("version: none (the rule does not apply, by {field})")
            }
            (VersionChoice::ApplicabilityUnknown { field }, _) => {
                format!("version: none (whether the rule applies depends on {field}, not recorded)")
            }
        })
    }
}

/// Evaluates records against a rule set. Holds its own engine: make one per thread.
pub struct Evaluator<'s> {
    set: &'s RuleSet,
    engine: Engine,
    host: crate::host::HostRef,
    scope: Scope<'static>,
}

impl<'s> Evaluator<'s> {
    pub fn new(set: &'s RuleSet, lookups: Arc<Lookups>) -> Evaluator<'s> {
        Evaluator::with_profile(set, set.profile.clone(), lookups)
    }

    /// An evaluator whose rules read another profile (test cases that try another reading).
    pub fn with_profile(
        set: &'s RuleSet,
        profile: Profile,
        lookups: Arc<Lookups>,
    ) -> Evaluator<'s> {
        let host = Arc::new(HostContext {
            calendar: set.calendar.clone(),
            profile,
            regions: set.regions.clone(),
            lookups,
        });
        Evaluator {
            set,
            engine: engine::sandboxed(host.clone()),
            host,
            scope: Scope::new(),
        }
    }

    /// Every rule that applies to the record's type, in rule-id order, one outcome each.
    pub fn evaluate(&mut self, record: &Record) -> Vec<Evaluation> {
        let value = record_value(record);
        let set = self.set;
        set.rules_for(record.record_type())
            .iter()
            .map(|&idx| self.run(idx, record, &value, false).0)
            .collect()
    }

    /// One rule on one record.
    pub fn evaluate_rule(&mut self, rule_id: &str, record: &Record) -> Option<Evaluation> {
        let idx = self.set.rules.iter().position(|r| r.meta.id == rule_id)?;
        let value = record_value(record);
        Some(self.run(idx, record, &value, false).0)
    }

    /// Every rule of the set considered for the record, with the version choice and trace.
    pub fn explain(&mut self, record: &Record) -> Vec<Explanation> {
        let value = record_value(record);
        let set = self.set;
        set.rules
            .iter()
            .enumerate()
            .map(|(idx, rule)| {
                if !rule.applies_to(record.record_type()) {
                    return Explanation {
                        rule_id: rule.meta.id.clone(),
                        title_zh: rule.meta.title_zh.clone(),
                        title_en: rule.meta.title_en.clone(),
                        choice: VersionChoice::NotForRecordType,
                        version: None,
                        values: Vec::new(),
                        absent: Vec::new(),
                        trace: Vec::new(),
                        evaluation: None,
                    };
                }
                let (evaluation, choice, mut trace) = self.run(idx, record, &value, true);
                trace.dedup();
                let (values, absent) = declared_values(rule, record);
                let version = match &choice {
                    VersionChoice::Always | VersionChoice::ByDate { .. } => {
                        choose_version(rule, &choice).cloned()
                    }
                    _ => None,
                };
                Explanation {
                    rule_id: rule.meta.id.clone(),
                    title_zh: rule.meta.title_zh.clone(),
                    title_en: rule.meta.title_en.clone(),
                    choice,
                    version,
                    values,
                    absent,
                    trace,
                    evaluation: Some(evaluation),
                }
            })
            .collect()
    }

    fn run(
        &mut self,
        idx: usize,
        record: &Record,
        value: &Dynamic,
        keep_trace: bool,
    ) -> (Evaluation, VersionChoice, Vec<String>) {
        let set = self.set;
        let Some(rule) = set.rules.get(idx) else {
            return (lost_rule(record, idx), VersionChoice::Broken, Vec::new());
        };
        let mut evaluation = Evaluation {
            record_id: record.id().clone(),
            rule_id: rule.meta.id.clone(),
            version: None,
            outcome: Outcome::Error,
            basis: None,
            message: String::new(),
            message_en: String::new(),
            evidence: Map::new(),
            act_date: None,
        };
        if let Some(problem) = &rule.problem {
            evaluation.message = format!("规则无法加载：{problem}");
            evaluation.message_en = format!("the rule cannot be loaded: {problem}");
            return (evaluation, VersionChoice::Broken, Vec::new());
        }
        match applicability(rule, record) {
            Applicability::Applies => {}
            Applicability::Not {
                field,
                message,
                message_en,
            } => {
                evaluation.outcome = Outcome::NotApplicable;
                evaluation.message = message;
                evaluation.message_en = message_en;
                return (
                    evaluation,
                    VersionChoice::Inapplicable { field },
                    Vec::new(),
                );
            }
            Applicability::Unknown { field } => {
                evaluation.outcome = Outcome::Unknown;
                let label = field_label(&field);
                evaluation.message = format!("无法判断本规则是否适用：{label}未记录");
                evaluation.message_en =
                    format!("cannot tell whether the rule applies: {field} is not recorded");
                evaluation
                    .evidence
                    .insert("absent_field".into(), Value::String(field.clone()));
                return (
                    evaluation,
                    VersionChoice::ApplicabilityUnknown { field },
                    Vec::new(),
                );
            }
        }
        let choice = version_choice(rule, record);
        let version = match (&choice, choose_version(rule, &choice)) {
            (_, Some(version)) => version,
            (VersionChoice::DateMissing { field, null: true }, _) => {
                // Every date that would say when the act took place is known not to exist: the
                // act under review has not happened, so there is nothing to judge.
                evaluation.outcome = Outcome::NotApplicable;
                evaluation.message = format!("{field} 为空：所审查的行为尚未发生");
                evaluation.message_en =
                    format!("{field} is null: the act under review has not happened");
                return (evaluation, choice, Vec::new());
            }
            (VersionChoice::DateMissing { field, .. }, _) => {
                evaluation.outcome = Outcome::Unknown;
                evaluation.message = format!("选择适用法律版本所需的字段 {field} 未记录，无法判断");
                evaluation.message_en =
                    format!("{field}, which selects the law that applies, is absent");
                evaluation.evidence.insert(
                    "absent_field".into(),
                    Value::String(field.split(" / ").next().unwrap_or_default().to_owned()),
                );
                return (evaluation, choice, Vec::new());
            }
            (VersionChoice::NoneInForce { field, date }, _) => {
                evaluation.outcome = Outcome::NotApplicable;
                evaluation.act_date = Some(*date);
                evaluation.message = format!("{field} 为 {date}，该日无有效版本");
                evaluation.message_en = format!("no version is in force on {date} ({field})");
                return (evaluation, choice, Vec::new());
            }
            _ => {
                evaluation.message = "规则没有适用版本".into();
                evaluation.message_en = "the rule has no version".into();
                return (evaluation, choice, Vec::new());
            }
        };
        evaluation.version = Some(version.label());
        evaluation.basis = Some(version.basis.clone());
        if let VersionChoice::ByDate { date, .. } = &choice {
            evaluation.act_date = Some(*date);
        }
        let Some(check) = &version.check else {
            evaluation.outcome = Outcome::NotApplicable;
            let note = version.note.clone().unwrap_or_default();
            evaluation.message = format!("该期间法律无此要求。{note}").trim().to_owned();
            evaluation.message_en = "the law of that period has no such requirement".into();
            return (evaluation, choice, Vec::new());
        };
        if set.switched_off(idx) {
            evaluation.message = format!(
                "{}：本次运行中出错过多（上限 {} 条记录，或 {RUNAWAYS_BEFORE_OFF} 次超出运算、时间或内存上限），已停用至本次运行结束",
                rule.shown, set.error_limit
            );
            evaluation.message_en = format!(
                "{}: switched off for the rest of this run after failing too often (limit {} records, or {RUNAWAYS_BEFORE_OFF} runaways)",
                rule.shown, set.error_limit
            );
            return (evaluation, choice, Vec::new());
        }
        let Some(ast) = rule.ast.as_ref() else {
            evaluation.message = "规则没有已编译的脚本".into();
            evaluation.message_en = "the rule has no compiled script".into();
            return (evaluation, choice, Vec::new());
        };
        if keep_trace {
            host::start_trace();
        }
        set_declared(rule.declared.clone());
        unrecorded::forget();
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        engine::arm();
        // A panic in a host function or in Rhai itself is this record's `error`, not the
        // process's end; the engine and scope are rebuilt, since a panic may leave them
        // half-changed.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.engine.call_fn_with_options::<Dynamic>(
                options,
                &mut self.scope,
                ast,
                check,
                (value.clone(),),
            )
        }));
        engine::disarm();
        let trace = if keep_trace {
            host::take_trace()
        } else {
            Vec::new()
        };
        let result = match result {
            Ok(result) => result,
            Err(panic) => {
                let what = panic_text(panic.as_ref());
                self.engine = engine::sandboxed(self.host.clone());
                self.scope = Scope::new();
                set.count_error(idx, false);
                evaluation.message =
                    format!("规则执行时内部出错（{}，fn {check}）：{what}", rule.shown);
                evaluation.message_en = format!(
                    "the rule crashed the engine ({}, fn {check}): {what}",
                    rule.shown
                );
                return (evaluation, choice, trace);
            }
        };
        match result {
            Ok(returned) => match returned.try_cast::<RuleOutcome>() {
                Some(outcome) => {
                    evaluation.outcome = outcome.outcome;
                    evaluation.message = outcome.message_zh;
                    evaluation.message_en = outcome.message_en;
                    evaluation.evidence = outcome
                        .evidence
                        .iter()
                        .map(|(k, v)| (k.to_string(), dynamic_to_json(v)))
                        .collect();
                }
                None => {
                    set.count_error(idx, false);
                    evaluation.message = format!(
                        "{}: 检查函数 {check} 未返回结果（应返回 pass()、violation(…) 等）",
                        rule.shown
                    );
                    evaluation.message_en = format!(
                        "{}: check function `{check}` returned no outcome (it must return pass(), violation(…) …)",
                        rule.shown
                    );
                }
            },
            Err(err) => self.failure(idx, rule, check, &err, &mut evaluation),
        }
        (evaluation, choice, trace)
    }

    /// Turns a failed call into an outcome: absent fields and missing calendar years into
    /// `unknown`, everything else into `error` with the script position.
    fn failure(
        &mut self,
        idx: usize,
        rule: &Rule,
        check: &str,
        err: &EvalAltResult,
        evaluation: &mut Evaluation,
    ) {
        let inner = err.unwrap_inner();
        if let EvalAltResult::ErrorRuntime(value, _) = inner
            && let Some(signal) = value.clone().try_cast::<Signal>()
        {
            evaluation.outcome = Outcome::Unknown;
            match signal {
                Signal::Absent { field } => absent(evaluation, &read_path(rule, &field)),
                Signal::NoCalendar { year } => {
                    evaluation.message = format!(
                        "期限可能因 {year} 年节假日调休而变动，{year} 年国务院放假安排尚未收录，行为日期落在期限可能的区间内，无法判断；收录该年安排（jiandu calendar add-year {year} FILE）后即可判断"
                    );
                    evaluation.message_en = format!(
                        "the {year} State Council holiday notice is not in the calendar, and the act falls inside the days the deadline can end on; add the notice (jiandu calendar add-year {year} FILE) to decide"
                    );
                    evaluation
                        .evidence
                        .insert("calendar_missing_year".into(), Value::from(year));
                }
            }
            return;
        }
        if let EvalAltResult::ErrorPropertyNotFound(name, _) = inner
            && rule.declared.contains(name.as_str())
        {
            evaluation.outcome = Outcome::Unknown;
            absent(evaluation, &read_path(rule, name));
            return;
        }
        // An `if`, `&&` or loop on a value `get` found not recorded: Rhai names only its type.
        if inner.to_string().contains("Unrecorded")
            && let Some(field) = unrecorded::last()
        {
            evaluation.outcome = Outcome::Unknown;
            absent(evaluation, &read_path(rule, &field));
            return;
        }
        let runaway = engine::Runaway::of(inner);
        self.set.count_error(idx, runaway.is_some());
        let position = inner.position();
        // Rhai gives no position for some errors (the operation limit): name the function.
        let location = match (position.line(), position.position()) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", rule.shown),
            (Some(line), None) => format!("{}:{line}", rule.shown),
            _ => format!(
                "{}:{} (fn {check})",
                rule.shown,
                rule.fn_lines.get(check).copied().unwrap_or(1)
            ),
        };
        let what = match inner {
            _ if let Some(runaway) = runaway => runaway.describe(),
            EvalAltResult::ErrorPropertyNotFound(name, _) => format!(
                "the record has no field `{name}` and the rule does not declare it in `reads` (a typo?)"
            ),
            other => other.to_string(),
        };
        evaluation.outcome = Outcome::Error;
        evaluation.message = format!("规则执行出错 {location}: {what}");
        evaluation.message_en = format!("rule failed at {location}: {what}");
    }
}

/// The outcome for a rule index the set does not hold (never reached: indexes come from the
/// set itself), so that even that is an `error`, not a panic.
fn lost_rule(record: &Record, idx: usize) -> Evaluation {
    Evaluation {
        record_id: record.id().clone(),
        rule_id: format!("#{idx}"),
        version: None,
        outcome: Outcome::Error,
        basis: None,
        message: "规则不存在".into(),
        message_en: "no such rule in the set".into(),
        evidence: Map::new(),
        act_date: None,
    }
}

/// What a caught panic said.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// The declared reads of a rule as found on a record.
fn declared_values(rule: &Rule, record: &Record) -> (Vec<(String, Value)>, Vec<String>) {
    let mut values = Vec::new();
    let mut absent = Vec::new();
    for path in &rule.meta.reads {
        match record.lookup(path) {
            Lookup::Absent => absent.push(path.clone()),
            Lookup::Null => values.push((path.clone(), Value::Null)),
            Lookup::Value(v) => values.push((path.clone(), v.clone())),
        }
    }
    (values, absent)
}

/// The field as the dictionary names it, with its Chinese name: `extensions[].approver_role（延长批准人）`.
fn field_label(path: &str) -> String {
    match dictionary().field(path) {
        Some(field) => format!("{path}（{}）", field.zh),
        None => path.to_owned(),
    }
}

/// The path in the rule's `reads` that a name read inside the script stands for: a script
/// reading `e.approver_role` of an element of `extensions` has read
/// `extensions[].approver_role`.
fn read_path(rule: &Rule, name: &str) -> String {
    let wanted: Vec<&str> = name.split('.').collect();
    let matches = |read: &str| {
        let segments: Vec<&str> = read.split('.').map(|s| s.trim_end_matches("[]")).collect();
        segments.len() >= wanted.len() && segments.ends_with(&wanted)
    };
    rule.meta
        .reads
        .iter()
        .find(|read| read.as_str() == name)
        .or_else(|| rule.meta.reads.iter().find(|read| matches(read)))
        .cloned()
        .unwrap_or_else(|| name.to_owned())
}

/// Whether the rule applies to the record at all, by its `applies_when` fields.
enum Applicability {
    Applies,
    Not {
        field: String,
        message: String,
        message_en: String,
    },
    Unknown {
        field: String,
    },
}

fn applicability(rule: &Rule, record: &Record) -> Applicability {
    let mut unknown = None;
    for (path, condition) in &rule.meta.applies_when {
        let value = match record.lookup(path) {
            Lookup::Absent => {
                unknown.get_or_insert_with(|| path.clone());
                continue;
            }
            Lookup::Null => None,
            Lookup::Value(v) => Some(v),
        };
        let holds = match (condition, value) {
            (_, None) => false,
            (Condition::Flag(flag), Some(v)) => v.as_bool() == Some(*flag),
            (condition, Some(Value::Array(items))) => items.iter().any(|item| {
                item.as_str()
                    .is_some_and(|s| condition.codes().contains(&s))
            }),
            (condition, Some(v)) => v.as_str().is_some_and(|s| condition.codes().contains(&s)),
        };
        if !holds {
            let (message, message_en) = not_applicable_words(path, condition, value);
            return Applicability::Not {
                field: path.clone(),
                message,
                message_en,
            };
        }
    }
    match unknown {
        Some(field) => Applicability::Unknown { field },
        None => Applicability::Applies,
    }
}

/// 不适用：处罚程序为「简易程序」，本规则只适用于：普通程序.
fn not_applicable_words(
    path: &str,
    condition: &Condition,
    value: Option<&Value>,
) -> (String, String) {
    let d = dictionary();
    let field = d.field(path);
    let name = field.map_or(path, |f| f.zh.as_str());
    let vocabulary = field.and_then(|f| d.vocabulary_of(f));
    let label = |code: &str| {
        vocabulary
            .and_then(|v| v.label(code))
            .map_or_else(|| code.to_owned(), str::to_owned)
    };
    let shown = match value {
        None => "无 / null".to_owned(),
        Some(Value::Array(items)) if items.is_empty() => "无".to_owned(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| label(i.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("、"),
        Some(Value::Bool(b)) => (if *b { "是" } else { "否" }).to_owned(),
        Some(Value::String(s)) => label(s),
        Some(other) => other.to_string(),
    };
    let wanted = match condition {
        Condition::Flag(flag) => (if *flag { "是" } else { "否" }).to_owned(),
        other => other
            .codes()
            .iter()
            .map(|c| label(c))
            .collect::<Vec<_>>()
            .join("、"),
    };
    (
        format!("不适用：{name}为「{shown}」，本规则只适用于：{wanted}"),
        format!(
            "not applicable: {path} is {}; the rule applies only to {}",
            match value {
                Some(v) => v.to_string(),
                None => "null".to_owned(),
            },
            match condition {
                Condition::Flag(flag) => flag.to_string(),
                other => other.codes().join(", "),
            }
        ),
    )
}

fn absent(evaluation: &mut Evaluation, field: &str) {
    let label = field_label(field);
    evaluation.message = format!("所需字段 {label} 未记录，无法判断");
    evaluation.message_en = format!("{field} is absent (not recorded), so the rule cannot decide");
    evaluation
        .evidence
        .insert("absent_field".into(), Value::String(field.to_owned()));
}

/// The record as one shared Rhai value: every rule gets a reference, none a copy.
pub(crate) fn record_value(record: &Record) -> Dynamic {
    Dynamic::from(RecordRef(record.shared_body()))
}

fn version_choice(rule: &Rule, record: &Record) -> VersionChoice {
    let Some(date_field) = &rule.meta.date_field else {
        return VersionChoice::Always;
    };
    let fields = date_field.fields();
    let mut all_null = true;
    for field in &fields {
        match record.lookup(field) {
            Lookup::Absent => all_null = false,
            Lookup::Null => {}
            Lookup::Value(value) => {
                all_null = false;
                let Some(date) = value.as_str().and_then(date_of) else {
                    continue;
                };
                return if rule.meta.versions.iter().any(|v| v.covers(date)) {
                    VersionChoice::ByDate {
                        field: (*field).to_owned(),
                        date,
                    }
                } else {
                    VersionChoice::NoneInForce {
                        field: (*field).to_owned(),
                        date,
                    }
                };
            }
        }
    }
    VersionChoice::DateMissing {
        field: fields.join(" / "),
        null: all_null,
    }
}

fn choose_version<'r>(rule: &'r Rule, choice: &VersionChoice) -> Option<&'r Version> {
    match choice {
        VersionChoice::Always => rule.meta.versions.first(),
        VersionChoice::ByDate { date, .. } => rule.meta.versions.iter().find(|v| v.covers(*date)),
        _ => None,
    }
}
