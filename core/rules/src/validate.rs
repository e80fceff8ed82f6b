//! `jiandu rules check`: is every rule complete and consistent? Metadata filled in, ids
//! unique and well formed, versions ordered and non-overlapping with a basis each, every
//! setting a rule reads present in the profile, at least three test cases beside every rule.

use std::collections::HashMap;

use crate::RuleSet;
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
            for other in &meta.versions[i + 1..] {
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
        match load_cases(rule) {
            Ok(cases) if cases.len() < MIN_CASES => problem(format!(
                "has {} test cases; every rule needs at least {MIN_CASES}",
                cases.len()
            )),
            Ok(_) => {}
            Err(e) => problem(e.to_string()),
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_the_catalogue() {
        assert!(valid_id("PEN-DEADLINE-90D"));
        assert!(valid_id("DATA-SHARE-20WD"));
        assert!(!valid_id("pen-x"));
        assert!(!valid_id("PEN"));
        assert!(!valid_id("PEN--X"));
    }
}
