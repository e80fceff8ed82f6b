//! The rule catalogue as Markdown, generated from the rule files themselves so that the
//! documentation cannot drift from them (`jiandu rules catalogue`, `docs/user/rule-catalogue.md`).

use std::fmt::Write;

use crate::RuleSet;

const PACK_TITLES: &[(&str, &str)] = &[
    ("penalty", "行政处罚 Penalties"),
    ("compulsory", "行政强制措施 Compulsory measures"),
    ("execution", "行政强制执行 Compulsory execution"),
    ("inspection", "行政检查 Inspections"),
    ("publicity", "公示 Publicity"),
    ("complaint", "投诉举报 Complaints and reports"),
    ("data", "数据质量 Data quality"),
];

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Markdown listing every rule by pack: titles, record types, date field, versions with their
/// basis and status, the profile settings read and the readings taken.
pub fn markdown(set: &RuleSet) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Rule catalogue");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Generated from the rule files by `jiandu rules catalogue --out docs/user/rule-catalogue.md`; \
         do not edit by hand (a test fails when this file and the rules disagree). \
         {} rules. The legal source material is `CATALOGUE.md`; how to write a rule is in \
         [writing-rules.md](writing-rules.md).",
        set.rules.len()
    );
    let mut packs: Vec<&str> = PACK_TITLES.iter().map(|(p, _)| *p).collect();
    for rule in &set.rules {
        if !packs.contains(&rule.pack.as_str()) {
            packs.push(&rule.pack);
        }
    }
    for pack in packs {
        let rules: Vec<_> = set.rules.iter().filter(|r| r.pack == pack).collect();
        if rules.is_empty() {
            continue;
        }
        let title = PACK_TITLES
            .iter()
            .find(|(p, _)| *p == pack)
            .map(|(_, t)| *t)
            .unwrap_or(pack);
        let _ = writeln!(out);
        let _ = writeln!(out, "## {title} (`rules/{pack}/`, {} rules)", rules.len());
        for rule in rules {
            let meta = &rule.meta;
            let _ = writeln!(out);
            let _ = writeln!(out, "### {}", meta.id);
            let _ = writeln!(out);
            let _ = writeln!(out, "{} — {}", meta.title_zh, meta.title_en);
            let _ = writeln!(out);
            let types: Vec<&str> = meta.record_types.iter().map(|t| t.as_str()).collect();
            let _ = writeln!(out, "- record types: {}", types.join(", "));
            if let Some(field) = &meta.date_field {
                let _ = writeln!(
                    out,
                    "- version chosen by: {}",
                    field.fields().join(", then ")
                );
            }
            if !meta.settings.is_empty() {
                let _ = writeln!(out, "- profile settings: {}", meta.settings.join(", "));
            }
            if let Some(problem) = &rule.problem {
                let _ = writeln!(
                    out,
                    "- **cannot be loaded**: {}",
                    cell(&problem.to_string())
                );
            }
            let _ = writeln!(out);
            let _ = writeln!(out, "| in force | basis | status | note |");
            let _ = writeln!(out, "|---|---|---|---|");
            for version in &meta.versions {
                let range = match (version.from, version.to) {
                    (None, None) => "always".to_owned(),
                    _ => version.range(),
                };
                let note = match (&version.check, &version.note) {
                    (None, Some(note)) => format!("no requirement in that period. {note}"),
                    (_, Some(note)) => note.clone(),
                    (_, None) => String::new(),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    cell(&range),
                    cell(&version.basis),
                    cell(version.status.as_deref().unwrap_or("")),
                    cell(&note)
                );
            }
            for interpretation in &meta.interpretations {
                let _ = writeln!(out);
                let _ = writeln!(
                    out,
                    "Reading taken (`{}`): {}",
                    interpretation.setting, interpretation.note
                );
            }
        }
    }
    out
}
