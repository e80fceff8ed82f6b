//! `jiandu rules check`: is every rule complete and consistent? Metadata filled in, ids
//! unique and well formed, versions ordered and non-overlapping with a basis each, every
//! setting a rule reads present in the profile, every field it reads a path of the field
//! dictionary (and every field its script names among them), its applicability conditions
//! codes of the field's vocabulary, at least three test cases beside every rule, one of them
//! leaving a field out to show what the rule does when it is not recorded.

use std::collections::HashMap;

use jiandu_model::record::dictionary::{FieldType, dictionary};

use crate::RuleSet;
use crate::meta::{Condition, RuleMeta};
use crate::pack::Rule;
use crate::testing::load_cases;

/// The fewest test cases a rule may have (pass, a finding, and `unknown` at least).
pub const MIN_CASES: usize = 3;

/// One thing wrong with a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub message: String,
}

fn valid_id(id: &str) -> bool {
    let mut parts = id.split('-');
    parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_uppercase()))
        && id.contains('-')
        && parts.all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

pub fn check(set: &RuleSet) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for rule in &set.rules {
        let file = rule.shown.clone();
        let mut problem = |message: String| {
            problems.push(Problem {
                file: file.clone(),
                message,
            })
        };
        if let Some(load) = &rule.problem {
            problem(load.to_string());
            continue;
        }
        let meta = &rule.meta;
        if let Some(other) = seen.insert(&meta.id, &rule.shown) {
            problem(format!("id {} is also used by {other}", meta.id));
        }
        if !valid_id(&meta.id) {
            problem(format!(
                "id `{}` is not of the form PACK-NAME (capitals, digits, hyphens)",
                meta.id
            ));
        }
        if meta.title_zh.trim().is_empty() || meta.title_en.trim().is_empty() {
            problem("title_zh and title_en must both be filled in".into());
        }
        if meta.record_types.is_empty() {
            problem("record_types is empty".into());
        }
        if meta.versions.is_empty() {
            problem("the rule has no version".into());
        }
        if meta.versions.len() > 1 && meta.date_field.is_none() {
            problem(
                "a rule with several versions needs a date_field to choose between them".into(),
            );
        }
        for (i, version) in meta.versions.iter().enumerate() {
            let label = version.label();
            if version.basis.trim().is_empty() {
                problem(format!("version {label} has no legal basis"));
            }
            if let (Some(from), Some(to)) = (version.from, version.to)
                && from > to
            {
                problem(format!("version {label} ends ({to}) before it starts"));
            }
            for other in meta.versions.iter().skip(i + 1) {
                let overlap = version
                    .from
                    .is_none_or(|af| other.to.is_none_or(|bt| af <= bt))
                    && other
                        .from
                        .is_none_or(|bf| version.to.is_none_or(|at| bf <= at));
                if overlap {
                    problem(format!("versions {label} and {} overlap", other.label()));
                }
            }
            if version.check.is_none() && version.note.is_none() {
                problem(format!(
                    "version {label} has no check; give a note saying why the law of that period has none"
                ));
            }
        }
        for setting in &meta.settings {
            if !set.profile.has(setting) {
                problem(format!(
                    "reads setting `{setting}`, which profile `{}` does not have",
                    set.profile.name
                ));
            }
        }
        for interpretation in &meta.interpretations {
            if !set.profile.has(&interpretation.setting) {
                problem(format!(
                    "its interpretation names setting `{}`, which profile `{}` does not have",
                    interpretation.setting, set.profile.name
                ));
            }
        }
        for message in field_problems(meta) {
            problem(message);
        }
        for message in script_reads(rule) {
            problem(message);
        }
        match load_cases(rule) {
            Ok(cases) if cases.len() < MIN_CASES => problem(format!(
                "has {} test cases; every rule needs at least {MIN_CASES}",
                cases.len()
            )),
            Ok(cases) => {
                if !meta.reads.is_empty() && !cases.iter().any(|c| !c.absent.is_empty()) {
                    problem(
                        "no test case leaves a field out (`\"absent\": [\"field\"]`): show what the rule does when a field it reads is not recorded".into(),
                    );
                }
                for case in &cases {
                    for path in &case.absent {
                        if !meta.reads.contains(path) && !meta.applies_when.contains_key(path) {
                            problem(format!(
                                "a case leaves out `{path}`, which the rule does not read"
                            ));
                        }
                    }
                }
            }
            Err(e) => problem(e.to_string()),
        }
    }
    problems
}

/// Every field the metadata names must be a dictionary path of the right kind.
fn field_problems(meta: &RuleMeta) -> Vec<String> {
    let d = dictionary();
    let mut problems = Vec::new();
    let unknown = |path: &str| {
        let candidates = d.resolve_name(path);
        if candidates.len() > 1 || candidates.first().is_some_and(|f| f.path != path) {
            let paths: Vec<&str> = candidates.iter().map(|f| f.path.as_str()).collect();
            format!(
                "reads `{path}`, which is not a field path; write the path: {}",
                paths.join(" or ")
            )
        } else {
            let hint = d
                .suggest(path)
                .map(|f| format!("; did you mean `{}`?", f.path))
                .unwrap_or_default();
            format!(
                "reads `{path}`, which the field dictionary does not have{hint} (add it to core/model/src/record/fields.toml)"
            )
        }
    };
    for path in &meta.reads {
        if d.field(path).is_none() {
            problems.push(unknown(path));
        }
    }
    let date_fields: Vec<&str> = meta.date_field.iter().flat_map(|f| f.fields()).collect();
    for path in date_fields {
        match d.field(path).map(|f| f.field_type) {
            Some(FieldType::Date | FieldType::Moment | FieldType::DateOrMoment) => {}
            Some(other) => problems.push(format!(
                "date_field `{path}` is {other}, not a date or a moment"
            )),
            None => problems.push(unknown(path)),
        }
        if !meta.reads.iter().any(|r| r == path) {
            problems.push(format!("date_field `{path}` is not listed in `reads`"));
        }
    }
    for (path, condition) in &meta.applies_when {
        let Some(field) = d.field(path) else {
            problems.push(unknown(path));
            continue;
        };
        match (condition, field.field_type, d.vocabulary_of(field)) {
            (Condition::Flag(_), FieldType::Bool, _) => {}
            (Condition::Flag(_), other, _) => problems.push(format!(
                "applies_when `{path}` is {other}; a yes/no condition needs a bool field"
            )),
            (condition, FieldType::Enum | FieldType::List, Some(vocabulary)) => {
                for code in condition.codes() {
                    if !vocabulary.contains_code(code) {
                        problems.push(format!(
                            "applies_when `{path}`: `{code}` is not a code of {}; allowed: {}",
                            vocabulary.name,
                            vocabulary.allowed()
                        ));
                    }
                }
            }
            (_, other, _) => problems.push(format!(
                "applies_when `{path}` is {other}; conditions take enum, list or bool fields"
            )),
        }
    }
    problems
}

/// The field names the script spells out (`get(r, "…")`, `need`, `has`, `has_value`,
/// `is_null`, `is_absent`, `get_or`, `first_of`): each must be declared in `reads`, and a
/// `get_or` field must be one whose absence the dictionary gives a meaning.
fn script_reads(rule: &Rule) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(&rule.path) else {
        return Vec::new();
    };
    let script = text.rsplit("---*/").next().unwrap_or_default();
    let d = dictionary();
    let mut problems = Vec::new();
    for (function, path) in named_fields(script) {
        let declared = path
            .split('.')
            .all(|segment| rule.declared.contains(segment));
        if !declared {
            problems.push(format!(
                "its script reads `{path}` ({function}) but `reads` does not declare it"
            ));
            continue;
        }
        if function == "get_or" {
            let meaningful = rule
                .meta
                .reads
                .iter()
                .filter(|r| r.as_str() == path || r.ends_with(&format!(".{path}")))
                .filter_map(|r| d.field(r))
                .any(|f| f.absent.is_some());
            if !meaningful {
                problems.push(format!(
                    "get_or(…, \"{path}\", …) gives an absent field a value, but the field dictionary says nothing of what its absence means; use get() and decide what to do when it is not recorded"
                ));
            }
        }
    }
    problems
}

/// `(function, "field")` for every string literal passed to a field-reading host function.
fn named_fields(script: &str) -> Vec<(&'static str, String)> {
    const READERS: &[&str] = &[
        "get_or",
        "get",
        "need",
        "has_value",
        "has",
        "is_null",
        "is_absent",
        "first_of",
    ];
    let mut found = Vec::new();
    for reader in READERS {
        let pattern = format!("{reader}(");
        let mut rest = script;
        while let Some(pos) = rest.find(&pattern) {
            let before = rest[..pos].chars().last();
            rest = &rest[pos + pattern.len()..];
            // `target_get(` or `.get(` are other functions.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let call = &rest[..rest.find(')').unwrap_or(rest.len())];
            // The first argument is the record or object; the field names are the literals.
            let Some((_, args)) = call.split_once(',') else {
                continue;
            };
            let mut literals = args.split('"').skip(1).step_by(2);
            if *reader == "first_of" {
                found.extend(literals.map(|l| (*reader, l.to_owned())));
            } else if let Some(first) = literals.next() {
                found.push((*reader, first.to_owned()));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_fields_a_script_names() {
        let script = r#"
            let a = get(r, "service_method");
            if has_value(r, "payment.paid_to") && get_or(r, "defence_period_wd", 3) > 0 {}
            let b = first_of(r, ["released_date", "disposal_decision_date"]);
            let c = target_get(x, "nope"); let d = m.get("nope");
        "#;
        assert_eq!(
            named_fields(script),
            vec![
                ("get_or", "defence_period_wd".to_owned()),
                ("get", "service_method".to_owned()),
                ("has_value", "payment.paid_to".to_owned()),
                ("first_of", "released_date".to_owned()),
                ("first_of", "disposal_decision_date".to_owned()),
            ]
        );
    }

    #[test]
    fn ids_look_like_the_catalogue() {
        assert!(valid_id("PEN-DEADLINE-90D"));
        assert!(valid_id("DATA-SHARE-20WD"));
        assert!(!valid_id("pen-x"));
        assert!(!valid_id("PEN"));
        assert!(!valid_id("PEN--X"));
    }
}
