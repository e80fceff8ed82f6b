//! `jiandu import <units|officers|parties|items|records> FILE`: one file is one atomic batch,
//! with a report of what it gave (`--report FILE` as JSON) and `--dry-run` to see it first.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use jiandu_ingest::report::{ImportReport, StoreCounts, repeated_keys};
use jiandu_ingest::{Encoding, Format, Mapping, Parsed, ReadOptions, Reject, Source};
use jiandu_model::{ReferenceKind, clock};
use jiandu_store::{ImportSummary, RecordBatch, Store};

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

/// How to read a file: `--encoding`, `--sheet`, `--header-row`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SourceArgs {
    /// A text file's encoding: utf-8, gbk (also gb2312, gb18030) or utf-16. Detected when
    /// not given (UTF-8, else GBK when the bytes read as Chinese text).
    #[arg(long)]
    pub encoding: Option<Encoding>,
    /// The worksheet, by name or 1-based position (default: the first).
    #[arg(long, value_name = "NAME|N")]
    pub sheet: Option<String>,
    /// The row holding the column names (a line of a CSV file, a row number of a sheet).
    /// Default: the first row, or the first with two or more cells below title rows.
    #[arg(long, value_name = "N")]
    pub header_row: Option<usize>,
}

impl SourceArgs {
    /// The options, the command line's winning over the mapping's.
    pub fn options(&self, mapping: &Mapping) -> ReadOptions {
        ReadOptions {
            format: None,
            encoding: self.encoding.or(mapping.encoding),
            sheet: self.sheet.clone().or_else(|| mapping.sheet.clone()),
            header_row: self.header_row.or(mapping.header_row),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What the file holds.
    #[arg(value_enum)]
    pub what: What,
    /// A .csv (UTF-8, GBK or UTF-16), .json (one array of objects), .jsonl, .xlsx, .xls or .ods file.
    pub file: PathBuf,
    /// A mapping file renaming and parsing source columns, e.g.
    /// rules/mappings/internet-plus-penalty.toml or rules/mappings/yuezhifa-penalty-ledger.toml.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// The file's format when its extension does not say (csv, json, jsonl, xlsx, xls, ods).
    #[arg(long)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub source: SourceArgs,
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
    /// Read, check and compare with the store, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the import report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// When two different rows give the same record_id, keep the later one (default: refuse
    /// the file).
    #[arg(long)]
    pub last_wins: bool,
}

/// What the store is asked to do with a checked file.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub skip_invalid: bool,
    pub dry_run: bool,
    pub last_wins: bool,
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
        mapping
            .add_default(field.trim(), value.trim())
            .map_err(BadInput)?;
    }
    let plan = Plan {
        skip_invalid: args.skip_invalid,
        dry_run: args.dry_run,
        last_wins: args.last_wins,
    };
    // The file is read and checked before the store is opened, so that a file jiandu
    // cannot read leaves no empty database behind.
    let options = ReadOptions {
        format: args.format,
        ..args.source.options(&mapping)
    };
    let reading = ProgressBar::new_spinner();
    reading.set_message(format!("reading {}", args.file.display()));
    reading.enable_steady_tick(std::time::Duration::from_millis(200));
    let checked = check_file(args.what, &args.file, &options, &mapping);
    reading.finish_and_clear();
    let checked = checked?;
    let store = if args.dry_run && !settings.store_exists() {
        None
    } else {
        Some(settings.open_store().await?)
    };
    let outcome = store_checked(store.as_ref(), checked, plan).await?;
    for line in outcome.report.lines() {
        println!("{line}");
    }
    if let Some(path) = &args.report {
        let json = serde_json::to_string_pretty(&outcome.report)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write the report {}", path.display()))?;
    }
    let file = args.file.display().to_string();
    if !outcome.rejects.is_empty() && args.skip_invalid && !args.dry_run {
        let path = args
            .rejects
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{file}.rejects.jsonl")));
        write_rejects(&path, &file, &outcome.rejects)?;
        println!(
            "{} rows rejected; they and their reasons are in {}",
            outcome.rejects.len(),
            path.display()
        );
    }
    if let Some(refusal) = outcome.refusal {
        return Err(BadInput(refusal).into());
    }
    match (&outcome.summary, store.as_ref()) {
        (Some(summary), Some(store)) if !args.dry_run => println!(
            "imported {file} into {}: {} {} rows: {} new, {} updated, {} unchanged (batch {})",
            store.url(),
            summary.n_rows,
            args.what.name(),
            summary.n_inserted,
            summary.n_updated,
            summary.n_unchanged,
            summary.batch_id
        ),
        _ if args.dry_run => println!("dry run (试运行): nothing was written"),
        _ => {}
    }
    Ok(())
}

/// A file read, mapped and parsed, not yet stored.
pub enum Checked {
    Records(Source, Parsed<jiandu_model::Record>),
    Reference(ReferenceKind, Source, Parsed<jiandu_model::ReferenceRow>),
}

/// Reads a file and checks its columns against the mapping, before any row is parsed.
pub fn read_source(path: &Path, options: &ReadOptions, mapping: &Mapping) -> Result<Source> {
    let source = jiandu_ingest::read_file(path, options)?;
    mapping.check_columns(&source)?;
    Ok(source)
}

/// Reads and parses a file; an error here means the file as a whole cannot be read.
pub fn check_file(
    what: What,
    path: &Path,
    options: &ReadOptions,
    mapping: &Mapping,
) -> Result<Checked> {
    let source = read_source(path, options, mapping)?;
    Ok(match what.reference_kind() {
        None => {
            let parsed = jiandu_ingest::parse_records(&source, mapping);
            Checked::Records(source, parsed)
        }
        Some(kind) => {
            let parsed = jiandu_ingest::parse_reference(kind, &source, mapping);
            Checked::Reference(kind, source, parsed)
        }
    })
}

/// What importing one file did.
pub struct Outcome {
    /// The batch summary, or `None` when nothing was compared or written.
    pub summary: Option<ImportSummary>,
    pub rejects: Vec<Reject>,
    /// The report, with the fields of the file no rule reads.
    pub report: ImportReport,
    /// Why the batch was refused (nothing written), if it was.
    pub refusal: Option<String>,
}

fn refusal_of(
    report: &ImportReport,
    rejects: &[Reject],
    good: usize,
    plan: Plan,
) -> Option<String> {
    if !rejects.is_empty() && !plan.skip_invalid {
        let shown: Vec<String> = rejects.iter().take(20).map(Reject::describe).collect();
        let more = rejects.len().saturating_sub(shown.len());
        let mut message = format!(
            "{} of the rows in {} are not valid, so nothing was imported:\n  {}",
            rejects.len(),
            report.file,
            shown.join("\n  ")
        );
        if more > 0 {
            message.push_str(&format!("\n  … and {more} more"));
        }
        message.push_str("\nFix these rows, or pass --skip-invalid to import the others and keep the rejects in a file.");
        return Some(message);
    }
    if good == 0 && !rejects.is_empty() {
        return Some(format!(
            "every row of {} was rejected ({} rows), so nothing was imported (所有行均被拒收)",
            report.file,
            rejects.len()
        ));
    }
    if !report.repeated_keys.is_empty() && !plan.last_wins {
        let shown: Vec<String> = report
            .repeated_keys
            .iter()
            .take(10)
            .map(|k| format!("{} at {}", k.record_id, k.places.join(", ")))
            .collect();
        return Some(format!(
            "{} record_ids are given to rows with different content, so nothing was imported:\n  {}\n\
             If the later rows are corrections, pass --last-wins; if they are different acts, make the record_id from more columns.",
            report.repeated_keys.len(),
            shown.join("\n  ")
        ));
    }
    None
}

/// Stores a checked file as one atomic batch (or, on a dry run, only compares it).
pub async fn store_checked(store: Option<&Store>, checked: Checked, plan: Plan) -> Result<Outcome> {
    let now = clock::now();
    match checked {
        Checked::Records(source, parsed) => {
            let mut report = ImportReport::new(&source, &parsed.rejects, &parsed.notices);
            report.repeated_keys = repeated_keys(&parsed.good, &parsed.origins);
            let places: Vec<String> = parsed.origins.iter().map(|o| o.place.clone()).collect();
            let file = source.file.clone();
            // The rows as read are not needed once parsed and reported: freed before the
            // store builds its statements, so a batch is held once, not twice.
            drop(source);
            finish(
                store,
                report,
                parsed,
                plan,
                async |store, good, n_rejected, progress| {
                    let batch = RecordBatch {
                        records: good,
                        places: &places,
                        source: &file,
                        n_rejected,
                        now,
                        dry_run: plan.dry_run,
                    };
                    store.import_record_batch(batch, progress).await
                },
            )
            .await
        }
        Checked::Reference(kind, source, parsed) => {
            let report = ImportReport::new(&source, &parsed.rejects, &parsed.notices);
            let file = source.file.clone();
            drop(source);
            finish(
                store,
                report,
                parsed,
                plan,
                async |store, good, n_rejected, progress| {
                    store
                        .import_reference_batch(
                            kind,
                            good,
                            &file,
                            n_rejected,
                            now,
                            plan.dry_run,
                            progress,
                        )
                        .await
                },
            )
            .await
        }
    }
}

async fn finish<T>(
    store: Option<&Store>,
    mut report: ImportReport,
    parsed: Parsed<T>,
    plan: Plan,
    write: impl AsyncFnOnce(
        &Store,
        &[T],
        u64,
        &(dyn Fn(u64) + Sync),
    ) -> Result<ImportSummary, jiandu_store::StoreError>,
) -> Result<Outcome> {
    let Parsed { good, rejects, .. } = parsed;
    report.dry_run = plan.dry_run;
    let refusal = refusal_of(&report, &rejects, good.len(), plan);
    let summary = match (store, &refusal) {
        (Some(store), None) => {
            let bar = progress_bar(good.len() as u64, &report.file);
            let summary = write(store, &good, rejects.len() as u64, &|n| bar.set_position(n)).await;
            bar.finish_and_clear();
            Some(summary.context("the batch was not imported")?)
        }
        _ => None,
    };
    report.store = match (&summary, store) {
        (Some(s), _) => Some(StoreCounts {
            new: s.n_inserted,
            updated: s.n_updated,
            unchanged: s.n_unchanged,
        }),
        // A dry run against a database that does not exist yet: every row would be new.
        (None, None) if refusal.is_none() => Some(StoreCounts {
            new: good.len() as u64,
            ..StoreCounts::default()
        }),
        _ => None,
    };
    report.batch_id = summary
        .as_ref()
        .filter(|_| !plan.dry_run)
        .map(|s| s.batch_id);
    Ok(Outcome {
        summary,
        rejects,
        report,
        refusal,
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
            "place": reject.place,
            "line": reject.line,
            "data_row": reject.row_number,
            "reasons": reject.errors,
            "row": reject.row,
        });
        writeln!(file, "{line}")?;
    }
    Ok(())
}
