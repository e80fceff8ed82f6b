//! `jiandu rules <test|check|list|catalogue|definitions|replay>`: for the people who write
//! rules.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use jiandu_rules::testing::{TestReport, run_cases};

use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every test case of every rule (or of rules whose id starts with --only).
    Test {
        /// Rules directory (default: the configured one).
        dir: Option<PathBuf>,
        #[arg(long)]
        only: Option<String>,
    },
    /// Check that every rule is complete: metadata, unique ids, versions with a basis, cases.
    Check { dir: Option<PathBuf> },
    /// List the rules: id, titles, record types, versions.
    List { dir: Option<PathBuf> },
    /// Write the rule catalogue (Markdown generated from the rule files).
    Catalogue {
        dir: Option<PathBuf>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Evaluate a changed rules directory over every stored record, writing nothing, and
    /// show per rule the findings it would add, remove and change.
    Replay {
        dir: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: super::Format,
    },
    /// Write Rhai definition files of the host API for editor completion.
    Definitions {
        #[arg(long, default_value = ".rhai/definitions")]
        out: PathBuf,
    },
}

pub fn run(settings: &Settings, profile: &str, command: Command) -> Result<()> {
    match command {
        Command::Test { dir, only } => {
            let set = settings.rule_set(dir.as_deref(), profile)?;
            let report = run_cases(&set, only.as_deref());
            print_report(&report);
            if !report.ok() {
                return Err(BadInput("some rule tests failed".into()).into());
            }
            Ok(())
        }
        Command::Check { dir } => {
            let set = settings.rule_set(dir.as_deref(), profile)?;
            let problems = jiandu_rules::validate::check(&set);
            for problem in &problems {
                println!("{}: {}", problem.file, problem.message);
            }
            if problems.is_empty() {
                println!(
                    "{} rules in {}: all complete",
                    set.rules.len(),
                    set.dir.display()
                );
                Ok(())
            } else {
                Err(BadInput(format!(
                    "{} problems in {} rules",
                    problems.len(),
                    set.rules.len()
                ))
                .into())
            }
        }
        Command::List { dir } => {
            let set = settings.rule_set(dir.as_deref(), profile)?;
            for rule in &set.rules {
                let types: Vec<&str> = rule.meta.record_types.iter().map(|t| t.as_str()).collect();
                let versions: Vec<String> = rule.meta.versions.iter().map(|v| v.label()).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}{}",
                    rule.meta.id,
                    rule.meta.title_zh,
                    rule.meta.title_en,
                    types.join(","),
                    versions.join(","),
                    if rule.problem.is_some() {
                        "\tBROKEN"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        Command::Catalogue { dir, out } => {
            let set = settings.rule_set(dir.as_deref(), profile)?;
            let text = jiandu_rules::catalogue::markdown(&set);
            match out {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    println!(
                        "wrote the catalogue of {} rules to {}",
                        set.rules.len(),
                        path.display()
                    );
                }
                None => print!("{text}"),
            }
            Ok(())
        }
        Command::Replay { dir, format } => {
            crate::runtime()?.block_on(replay(settings, profile, &dir, format))
        }
        Command::Definitions { out } => {
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            jiandu_rules::write_definitions(&out)
                .with_context(|| format!("cannot write definitions into {}", out.display()))?;
            println!("wrote Rhai definition files into {}", out.display());
            Ok(())
        }
    }
}

async fn replay(
    settings: &Settings,
    profile: &str,
    dir: &std::path::Path,
    format: super::Format,
) -> Result<()> {
    let set = std::sync::Arc::new(settings.rule_set(Some(dir), profile)?);
    super::check::report_broken(&set);
    let store = settings.open_store().await?;
    let bar = super::records_bar("replaying");
    let report = jiandu_sweep::replay(&store, set, 1000, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    store.close().await;
    let report = report.context("the replay did not finish")?;
    if format == super::Format::Json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "replayed {} over {} stored records ({} rule evaluations), against the current findings:",
        dir.display(),
        report.records,
        report.evaluations
    );
    println!(
        "{:<28} {:>7} {:>8} {:>8} {:>10}  examples",
        "rule", "added", "removed", "changed", "unchanged"
    );
    let mut totals = [0u64; 4];
    for (rule, delta) in &report.rules {
        totals[0] += delta.added;
        totals[1] += delta.removed;
        totals[2] += delta.changed;
        totals[3] += delta.unchanged;
        if delta.added + delta.removed + delta.changed == 0 {
            continue;
        }
        let examples: Vec<String> = [
            ("+", &delta.examples_added),
            ("-", &delta.examples_removed),
            ("~", &delta.examples_changed),
        ]
        .iter()
        .flat_map(|(sign, ids)| ids.iter().take(2).map(move |id| format!("{sign}{id}")))
        .collect();
        println!(
            "{:<28} {:>7} {:>8} {:>8} {:>10}  {}",
            rule,
            delta.added,
            delta.removed,
            delta.changed,
            delta.unchanged,
            examples.join(" ")
        );
    }
    println!(
        "{:<28} {:>7} {:>8} {:>8} {:>10}",
        "total", totals[0], totals[1], totals[2], totals[3]
    );
    println!("nothing was written; run `jiandu sweep` with these rules to apply them");
    Ok(())
}

fn print_report(report: &TestReport) {
    for problem in &report.problems {
        println!("ERROR {problem}");
    }
    for result in report.results.iter().filter(|r| !r.passed()) {
        println!(
            "FAIL {} case {}: {}",
            result.rule_id, result.number, result.why
        );
        println!("  {}", result.failure.as_deref().unwrap_or_default());
        println!("  record:   {}", result.record);
        println!(
            "  expected: {}{}",
            result.expected,
            result
                .expected_version
                .as_ref()
                .map(|v| format!(" (version {v})"))
                .unwrap_or_default()
        );
        if let Some(actual) = &result.actual {
            println!(
                "  actual:   {} (version {}) {} / {}",
                actual.outcome,
                actual.version.as_deref().unwrap_or("none"),
                actual.message,
                actual.message_en
            );
        }
    }
    for (rule, version) in &report.uncovered_versions {
        println!("UNCOVERED {rule}: no case exercises version {version}");
    }
    let n_rules = report
        .results
        .iter()
        .map(|r| r.rule_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    println!(
        "{} cases of {} rules: {} passed, {} failed; {} uncovered versions; {} problems",
        report.results.len(),
        n_rules,
        report.results.len() - report.n_failed(),
        report.n_failed(),
        report.uncovered_versions.len(),
        report.problems.len()
    );
}
