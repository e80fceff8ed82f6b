//! `jiandu records list|show`: what jiandu stored from a user's files, and from which row.

use anyhow::Result;
use jiandu_model::{Date, RecordId, RecordType};
use jiandu_store::RecordFilter;
use serde_json::Value;

use super::{pad, width};
use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Find records by type, unit, act date or part of the id.
    List(ListArgs),
    /// One record as stored, with every import that wrote it (file, row, time).
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// inspection, penalty, compulsory_measure, compulsory_execution, complaint or report.
    #[arg(long = "type", value_name = "TYPE")]
    pub record_type: Option<RecordType>,
    /// The unit responsible (its id).
    #[arg(long, value_name = "UNIT_ID")]
    pub unit: Option<String>,
    /// Acts on or after this date (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<Date>,
    /// Acts on or before this date.
    #[arg(long)]
    pub to: Option<Date>,
    /// Records whose id contains this text.
    #[arg(long, value_name = "TEXT")]
    pub id: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
    /// 1-based page of `--limit` records.
    #[arg(long, default_value_t = 1)]
    pub page: u64,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    pub record_id: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

pub async fn run(settings: &Settings, command: Command) -> Result<()> {
    match command {
        Command::List(args) => list(settings, args).await,
        Command::Show(args) => show(settings, args).await,
    }
}

async fn list(settings: &Settings, args: ListArgs) -> Result<()> {
    if args.page == 0 || args.limit == 0 {
        return Err(BadInput("--page and --limit start at 1".into()).into());
    }
    let store = settings.open_existing_store().await?;
    let filter = RecordFilter {
        record_type: args.record_type,
        unit_id: args.unit,
        from: args.from,
        to: args.to,
        id_contains: args.id,
        limit: args.limit,
        offset: (args.page - 1) * args.limit,
    };
    let (records, total) = store.list_records(&filter).await?;
    if args.format == Format::Json {
        let out = serde_json::json!({ "total": total, "page": args.page, "records": records });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let column_width = |texts: &mut dyn Iterator<Item = &str>, min: usize| {
        texts.map(width).max().unwrap_or(min).max(min)
    };
    let id_width = column_width(&mut records.iter().map(|r| r.record_id.as_str()), 9);
    let unit_width = column_width(
        &mut records.iter().map(|r| r.unit_id.as_deref().unwrap_or("-")),
        4,
    );
    println!(
        "{}  {:<20}  {:<10}  {}  source",
        pad("record_id", id_width),
        "record_type",
        "act_date",
        pad("unit", unit_width)
    );
    for r in &records {
        println!(
            "{}  {:<20}  {:<10}  {}  {}",
            pad(&r.record_id, id_width),
            r.record_type,
            r.act_date.as_deref().unwrap_or("-"),
            pad(r.unit_id.as_deref().unwrap_or("-"), unit_width),
            r.source
        );
    }
    let first = filter.offset + 1;
    let last = filter.offset + records.len() as u64;
    if records.is_empty() {
        println!("no records match (共 {total} 条)");
    } else {
        println!("{first}–{last} of {total} records (共 {total} 条)");
    }
    Ok(())
}

/// `a.b[0].c = value` lines for a JSON value.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, v, out);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), v, out);
            }
        }
        Value::Array(items) => out.push((
            prefix.to_owned(),
            items.iter().map(scalar).collect::<Vec<_>>().join("; "),
        )),
        other => out.push((prefix.to_owned(), scalar(other))),
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

async fn show(settings: &Settings, args: ShowArgs) -> Result<()> {
    let id = RecordId::parse(&args.record_id).map_err(BadInput)?;
    let store = settings.open_existing_store().await?;
    let Some(stored) = store.get_record(&id).await? else {
        return Err(BadInput(format!(
            "{} has no record with record_id `{id}` (see `jiandu records list --id {id}`)",
            store.url()
        ))
        .into());
    };
    let history = store.record_history(&id).await?;
    let mut body = stored.record.to_json();
    if matches!(
        stored.record.record_type(),
        RecordType::Complaint | RecordType::Report
    ) {
        jiandu_model::personal::mask_complainant(&mut body, false);
    }
    // A natural person's data is not needed to read a record's handling: masked as on the page.
    if let serde_json::Value::Object(fields) = &mut body {
        jiandu_model::personal::mask_record(fields);
    }
    if args.format == Format::Json {
        let out = serde_json::json!({
            "record": body,
            "revision": stored.revision,
            "imported_at": stored.imported_at,
            "updated_at": stored.updated_at,
            "imports": history,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let mut lines = Vec::new();
    flatten("", &body, &mut lines);
    let key_width = lines
        .iter()
        .map(|(k, _)| width(k))
        .max()
        .unwrap_or(0)
        .min(40);
    for (key, value) in &lines {
        println!("{}  {value}", pad(key, key_width));
    }
    println!();
    println!(
        "first imported {}, last changed {} (revision {})",
        stored.imported_at, stored.updated_at, stored.revision
    );
    if history.is_empty() {
        println!(
            "import history (导入记录): none kept (stored before jiandu kept import history, or written by a complaint)"
        );
    } else {
        println!("import history (导入记录):");
        for entry in &history {
            println!(
                "  batch {} {} {}: {}",
                entry.batch_id, entry.at, entry.change, entry.place
            );
        }
    }
    Ok(())
}
