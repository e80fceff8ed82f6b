//! `jiandu import <units|officers|parties|items|records> FILE`: one file is one atomic batch.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use jiandu_ingest::{Format, Mapping, Notice, Parsed, Reject};
use jiandu_model::{ReferenceKind, clock};
use jiandu_store::{ImportSummary, Store};

use super::check::print_notices;
use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Units,
    Officers,
    Parties,
    Items,
    Records,
}

impl What {
    fn reference_kind(self) -> Option<ReferenceKind> {
        match self {
            What::Units => Some(ReferenceKind::Unit),
            What::Officers => Some(ReferenceKind::Officer),
            What::Parties => Some(ReferenceKind::Party),
            What::Items => Some(ReferenceKind::Item),
            What::Records => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            What::Units => "units",
            What::Officers => "officers",
            What::Parties => "parties",
            What::Items => "items",
            What::Records => "records",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What the file holds.
    #[arg(value_enum)]
    pub what: What,
    /// A .csv, .json (one array of objects) or .jsonl file.
    pub file: PathBuf,
    /// A mapping file renaming source fields, e.g. rules/mappings/internet-plus-supervision.toml.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// The file's format when its extension does not say.
    #[arg(long)]
    pub format: Option<Format>,
    /// Set FIELD to VALUE on every row that lacks it (e.g. --default record_type=penalty).
    #[arg(long = "default", value_name = "FIELD=VALUE")]
    pub defaults: Vec<String>,
    /// Import the good rows and write the rejected ones with their reasons to a file,
    /// instead of refusing the whole batch.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where rejected rows go with --skip-invalid (default: FILE.rejects.jsonl).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
}

pub async fn run(settings: &Settings, args: Args) -> Result<()> {
    let mut mapping = match &args.mapping {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    };
    for default in &args.defaults {
        let (field, value) = default
            .split_once('=')
            .ok_or_else(|| BadInput(format!("--default `{default}` must be FIELD=VALUE")))?;
        mapping.add_default(field.trim(), value.trim());
    }
    let store = settings.open_store().await?;
    let file = args.file.display().to_string();
    let outcome = import_file(
        &store,
        args.what,
        &args.file,
        args.format,
        &mapping,
        args.skip_invalid,
    )
    .await?;
    let Outcome {
        summary,
        rejects,
        notices,
    } = outcome;
    print_notices(&file, &notices);
    if !rejects.is_empty() && !args.skip_invalid {
        let shown: Vec<String> = rejects.iter().take(20).map(|r| r.describe(&file)).collect();
        let more = rejects.len().saturating_sub(shown.len());
        let mut message = format!(
            "{} of the rows in {file} are not valid, so nothing was imported:\n  {}",
            rejects.len(),
            shown.join("\n  ")
        );
        if more > 0 {
            message.push_str(&format!("\n  … and {more} more"));
        }
        message.push_str("\nFix these rows, or pass --skip-invalid to import the others and keep the rejects in a file.");
        return Err(BadInput(message).into());
    }
    let summary = summary.context("internal: an accepted batch has a summary")?;
    println!(
        "imported {file} into {}: {} {} rows: {} new, {} updated, {} unchanged (batch {})",
        store.url(),
        summary.n_rows,
        args.what.name(),
        summary.n_inserted,
        summary.n_updated,
        summary.n_unchanged,
        summary.batch_id
    );
    if summary.n_superseded_in_batch > 0 {
        println!(
            "note: {} rows repeated a key that appears again later in the file; the later row was kept",
            summary.n_superseded_in_batch
        );
    }
    if !rejects.is_empty() {
        let path = args
            .rejects
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{file}.rejects.jsonl")));
        write_rejects(&path, &file, &rejects)?;
        println!(
            "{} rows rejected; they and their reasons are in {}",
            rejects.len(),
            path.display()
        );
    }
    Ok(())
}

/// What importing one file did: the batch summary, or `None` when rows were rejected and
/// `skip_invalid` was off, in which case nothing was written.
pub struct Outcome {
    pub summary: Option<ImportSummary>,
    pub rejects: Vec<Reject>,
    /// Fields of the file no rule reads (records only).
    pub notices: Vec<Notice>,
}

/// Reads, checks and stores one file as one atomic batch.
pub async fn import_file(
    store: &Store,
    what: What,
    path: &Path,
    format: Option<Format>,
    mapping: &Mapping,
    skip_invalid: bool,
) -> Result<Outcome> {
    let rows = jiandu_ingest::read_file(path, format)?;
    let source = path.display().to_string();
    let now = clock::now();
    match what.reference_kind() {
        None => {
            let parsed = jiandu_ingest::parse_records(rows, mapping);
            store_batch(
                parsed,
                skip_invalid,
                &source,
                async |good, n_rejected, progress| {
                    store
                        .import_records(good, &source, n_rejected, now, progress)
                        .await
                },
            )
            .await
        }
        Some(kind) => {
            let parsed = jiandu_ingest::parse_reference(kind, rows, mapping);
            store_batch(
                parsed,
                skip_invalid,
                &source,
                async |good, n_rejected, progress| {
                    store
                        .import_reference(kind, good, &source, n_rejected, now, progress)
                        .await
                },
            )
            .await
        }
    }
}

/// Writes the good rows unless some were rejected and the user did not allow skipping them.
async fn store_batch<T>(
    parsed: Parsed<T>,
    skip_invalid: bool,
    source: &str,
    write: impl AsyncFnOnce(
        &[T],
        u64,
        &(dyn Fn(u64) + Sync),
    ) -> Result<ImportSummary, jiandu_store::StoreError>,
) -> Result<Outcome> {
    let Parsed {
        good,
        rejects,
        notices,
    } = parsed;
    if !rejects.is_empty() && !skip_invalid {
        return Ok(Outcome {
            summary: None,
            rejects,
            notices,
        });
    }
    let bar = progress_bar(good.len() as u64, source);
    let summary = write(&good, rejects.len() as u64, &|n| bar.set_position(n)).await;
    bar.finish_and_clear();
    Ok(Outcome {
        summary: Some(summary.context("the batch was not imported")?),
        rejects,
        notices,
    })
}

fn progress_bar(len: u64, source: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(format!("importing {source}"));
    bar
}

fn write_rejects(path: &Path, source: &str, rejects: &[Reject]) -> Result<()> {
    let mut file = std::fs::File::create(path)
        .with_context(|| format!("cannot write the rejects file {}", path.display()))?;
    for reject in rejects {
        let line = serde_json::json!({
            "file": source,
            "line": reject.line,
            "data_row": reject.row_number,
            "reasons": reject.errors,
            "row": reject.row,
        });
        writeln!(file, "{line}")?;
    }
    Ok(())
}
