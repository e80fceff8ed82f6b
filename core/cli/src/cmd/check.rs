//! `jiandu check FILE`: evaluate records from a file against the rules, without a database.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use jiandu_ingest::{Mapping, Notice, ReadOptions, Reject};
use jiandu_model::{Evaluation, Outcome, Record};
use jiandu_rules::{Lookups, RuleSet, evaluate_all};

use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per outcome.
    Jsonl,
    /// Aligned columns for reading.
    Table,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Records: a JSON array, JSONL, CSV (UTF-8, GBK) or XLSX/XLS/ODS file.
    pub file: PathBuf,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Print every outcome, `pass` and `not_applicable` included.
    #[arg(long)]
    pub all: bool,
    /// The supervision-item catalogue (as for `jiandu import items`) for INS-ITEM-LISTED;
    /// without it that rule answers `unknown`.
    #[arg(long, value_name = "FILE")]
    pub items: Option<PathBuf>,
    /// A mapping file renaming and translating the source's fields, as for `jiandu import`.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    #[command(flatten)]
    pub source: super::import::SourceArgs,
    #[command(flatten)]
    pub only: Only,
}

/// `--rule ID` and `--outcome OUTCOME`: which judgements to show.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Only {
    /// Show only this rule (repeatable).
    #[arg(long = "rule", id = "only_rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Show only this outcome: violation, warning, hint, pass, not_applicable, unknown or
    /// error (repeatable).
    #[arg(long = "outcome", id = "only_outcome", value_name = "OUTCOME")]
    pub outcomes: Vec<Outcome>,
}

impl Only {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.outcomes.is_empty()
    }

    /// Whether a judgement of `rule` with `outcome` (`None`: not judged) is shown.
    pub fn shows(&self, rule: &str, outcome: Option<Outcome>) -> bool {
        (self.rules.is_empty() || self.rules.iter().any(|r| r == rule))
            && (self.outcomes.is_empty() || outcome.is_some_and(|o| self.outcomes.contains(&o)))
    }

    /// Refuses a rule id the rule set does not have (a typo would show nothing).
    pub fn check_rules(&self, set: &RuleSet) -> Result<()> {
        for id in &self.rules {
            if set.rule(id).is_none() {
                return Err(BadInput(format!(
                    "--rule {id}: no rule of that id in {} (see `jiandu rules list`)",
                    set.dir.display()
                ))
                .into());
            }
        }
        Ok(())
    }
}

/// Reads a supervision-item catalogue file; any invalid row refuses the file.
pub fn read_items(path: &std::path::Path) -> Result<Vec<jiandu_model::ReferenceRow>> {
    let source = jiandu_ingest::read_file(path, &ReadOptions::default())?;
    let parsed = jiandu_ingest::parse_reference(
        jiandu_model::ReferenceKind::Item,
        &source,
        &Mapping::default(),
    );
    if let Some(reject) = parsed.rejects.first() {
        return Err(BadInput(format!(
            "the item catalogue is not valid: {}",
            reject.describe()
        ))
        .into());
    }
    Ok(parsed.good)
}

/// Prints a file's notices (fields no rule reads) on standard error.
pub fn print_notices(notices: &[Notice]) {
    for notice in notices {
        eprintln!("notice: {}", notice.describe());
    }
}

/// Loads `--mapping FILE`, or the identity mapping.
pub fn load_mapping(path: Option<&std::path::Path>) -> Result<Mapping> {
    Ok(match path {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    })
}

/// Reads and checks the records of a file; any syntax error refuses the whole file. Fields
/// no rule reads are named on standard error.
pub fn read_records(
    path: &std::path::Path,
    options: &ReadOptions,
    mapping: &Mapping,
) -> Result<Vec<Record>> {
    let source = super::import::read_source(path, options, mapping)?;
    let parsed = jiandu_ingest::parse_records(&source, mapping);
    let file = source.to_string();
    print_notices(&parsed.notices);
    if !parsed.rejects.is_empty() {
        let lines: Vec<String> = parsed
            .rejects
            .iter()
            .take(20)
            .map(Reject::describe)
            .collect();
        return Err(BadInput(format!(
            "{} of the records in {file} are not valid:\n  {}",
            parsed.rejects.len(),
            lines.join("\n  ")
        ))
        .into());
    }
    Ok(parsed.good)
}

/// Reports rules that could not be loaded; returns whether there were any.
pub fn report_broken(set: &RuleSet) -> bool {
    let mut any = false;
    for (rule, problem) in set.problems() {
        eprintln!(
            "error: rule {} cannot be loaded, its outcomes are `error`: {problem}",
            rule.id()
        );
        any = true;
    }
    any
}

pub fn run(settings: &Settings, profile: &str, args: Args) -> Result<()> {
    let mapping = load_mapping(args.mapping.as_deref())?;
    let records = read_records(&args.file, &args.source.options(&mapping), &mapping)?;
    let set = settings.rule_set(None, profile)?;
    args.only.check_rules(&set)?;
    let broken = report_broken(&set);
    let mut lookups = Lookups::from_records(&records);
    if let Some(items) = &args.items {
        lookups = lookups.with_items(&read_items(items)?);
    }
    let lookups = Arc::new(lookups);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let results = evaluate_all(&set, &records, lookups, threads);
    let shown: Vec<&Evaluation> = results
        .iter()
        .flatten()
        .filter(|e| {
            if args.only.outcomes.is_empty() {
                (args.all || e.outcome.is_finding()) && args.only.shows(&e.rule_id, Some(e.outcome))
            } else {
                args.only.shows(&e.rule_id, Some(e.outcome))
            }
        })
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Jsonl => {
            for evaluation in &shown {
                writeln!(out, "{}", evaluation.to_json())?;
            }
        }
        Format::Table => write_table(&mut out, &shown)?,
    }
    out.flush()?;
    let gaps = results
        .iter()
        .flatten()
        .filter(|e| e.outcome.is_gap())
        .count();
    if !args.all && args.only.outcomes.is_empty() && gaps > 0 {
        eprintln!(
            "note: {gaps} judgements could not be made (unknown or error, 无法判断); --all shows them with the field each lacks"
        );
    }
    if broken {
        anyhow::bail!("some rules could not be loaded (see above); the other rules ran");
    }
    Ok(())
}

fn write_table(out: &mut impl Write, evaluations: &[&Evaluation]) -> std::io::Result<()> {
    let id_width = evaluations
        .iter()
        .map(|e| e.record_id.as_str().len())
        .max()
        .unwrap_or(9)
        .max(9);
    let rule_width = evaluations
        .iter()
        .map(|e| e.rule_id.len())
        .max()
        .unwrap_or(7)
        .max(7);
    writeln!(
        out,
        "{:<id_width$}  {:<rule_width$}  {:<10}  {:<14}  message",
        "record_id", "rule_id", "version", "outcome"
    )?;
    for e in evaluations {
        writeln!(
            out,
            "{:<id_width$}  {:<rule_width$}  {:<10}  {:<14}  {}",
            e.record_id.as_str(),
            e.rule_id,
            e.version.as_deref().unwrap_or("-"),
            e.outcome.as_str(),
            e.message
        )?;
    }
    Ok(())
}
