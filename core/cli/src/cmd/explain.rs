//! `jiandu explain RECORD_ID [--file FILE]`: every rule considered for one record, the
//! version chosen and why, the values compared and the outcome. The record comes from the
//! database, or from a file (with the other records of the file for its look-ups).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use jiandu_model::Record;
use jiandu_rules::{Evaluator, Explanation, Lookups, VersionChoice};

use super::check::{Only, load_mapping, read_records};
use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The record to explain.
    pub record_id: String,
    /// Read the record (and the others its rules look up) from this file instead of the
    /// database.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// With --file: a mapping file, as for `jiandu import`.
    #[arg(long, value_name = "FILE", requires = "file")]
    pub mapping: Option<PathBuf>,
    #[command(flatten)]
    pub source: super::import::SourceArgs,
    #[command(flatten)]
    pub only: Only,
}

/// The record and the look-ups its rules need.
fn from_file(
    file: &std::path::Path,
    mapping: Option<&std::path::Path>,
    source: &super::import::SourceArgs,
    id: &str,
) -> Result<(Record, Lookups)> {
    let mapping = load_mapping(mapping)?;
    let records = read_records(file, &source.options(&mapping), &mapping)?;
    let record = records
        .iter()
        .find(|r| r.id().as_str() == id)
        .cloned()
        .ok_or_else(|| {
            BadInput(format!(
                "{} has no record with record_id `{id}`",
                file.display()
            ))
        })?;
    Ok((record, Lookups::from_records(&records)))
}

/// The stored record, with the records and the item catalogue a sweep would give it.
async fn from_store(settings: &Settings, id: &str) -> Result<(Record, Lookups)> {
    let store = settings.open_existing_store().await?;
    let record = store
        .load_records(&[id.to_owned()])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            BadInput(format!(
                "{} has no record with record_id `{id}`; import it, or pass --file FILE",
                store.url()
            ))
        })?;
    let lookups = jiandu_sweep::lookups_for(&store, &record).await?;
    Ok((record, lookups))
}

pub async fn run(settings: &Settings, profile: &str, args: Args) -> Result<()> {
    let (record, lookups) = match &args.file {
        Some(file) => from_file(file, args.mapping.as_deref(), &args.source, &args.record_id)?,
        None => from_store(settings, &args.record_id).await?,
    };
    let record = &record;
    let set = settings.rule_set(None, profile)?;
    args.only.check_rules(&set)?;
    let mut evaluator = Evaluator::new(&set, Arc::new(lookups));
    let explanations = evaluator.explain(record);
    println!(
        "record {} ({} {}), act date {}",
        record.id(),
        record.record_type(),
        record.record_type().chinese(),
        record
            .act_date()
            .map(|d| d.to_string())
            .unwrap_or_else(|| "unknown".into())
    );
    println!(
        "rules: {} (profile {})",
        set.dir.display(),
        set.profile.name
    );
    let mut not_for_type = Vec::new();
    let mut hidden = 0usize;
    for explanation in &explanations {
        if matches!(explanation.choice, VersionChoice::NotForRecordType) {
            not_for_type.push(explanation.rule_id.as_str());
            continue;
        }
        let outcome = explanation.evaluation.as_ref().map(|e| e.outcome);
        if !args.only.shows(&explanation.rule_id, outcome) {
            hidden += 1;
            continue;
        }
        print_one(explanation);
    }
    if hidden > 0 {
        println!();
        println!("{hidden} other rules were judged and are not shown (--rule / --outcome)");
    }
    if !not_for_type.is_empty() && args.only.is_empty() {
        println!();
        println!(
            "{} other rules do not apply to {} records: {}",
            not_for_type.len(),
            record.record_type(),
            not_for_type.join(", ")
        );
    }
    Ok(())
}

fn print_one(e: &Explanation) {
    println!();
    println!("{} {} / {}", e.rule_id, e.title_zh, e.title_en);
    if let Some(why) = e.why_version() {
        println!("  {why}");
    }
    if let Some(v) = &e.version {
        println!("  basis: {}", v.basis);
    }
    for (field, value) in &e.values {
        let shown = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        println!("  read {field} = {shown}");
    }
    if !e.absent.is_empty() && e.evaluation.is_some() {
        println!("  not recorded: {}", e.absent.join(", "));
    }
    for line in &e.trace {
        println!("  {line}");
    }
    if let Some(evaluation) = &e.evaluation {
        println!(
            "  outcome: {} {}",
            evaluation.outcome,
            evaluation.outcome.chinese()
        );
        if !evaluation.message.is_empty() {
            println!("  {}", evaluation.message);
        }
        if !evaluation.message_en.is_empty() {
            println!("  {}", evaluation.message_en);
        }
        if !evaluation.evidence.is_empty() {
            println!(
                "  evidence: {}",
                serde_json::Value::Object(evaluation.evidence.clone())
            );
        }
    }
}
