//! `jiandu demo`: a fresh SQLite database in a directory, filled with generated Qingyuan data
//! through the same import path a user's files take.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use jiandu_ingest::Mapping;
use jiandu_store::Store;
use serde_json::Value;

use super::import::{What, import_file};
use crate::settings::{CONFIG_FILE, ConfigFile, Settings};

/// Marks a directory as made by `jiandu demo`, so a re-run may replace its database.
const MARKER: &str = ".jiandu-demo";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory for the demo database, its data files and its jiandu.toml (created if needed).
    #[arg(long, default_value = "jiandu-demo")]
    pub dir: PathBuf,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

pub async fn run(settings: Settings, args: Args) -> Result<()> {
    let dir = prepare_dir(&args.dir)?;
    let calendar = settings.calendar()?;
    let data = jiandu_demo::generate(args.seed, &calendar);

    let data_dir = dir.join("data");
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let files = [
        (What::Units, "units.jsonl", &data.units),
        (What::Officers, "officers.jsonl", &data.officers),
        (What::Parties, "parties.jsonl", &data.parties),
        (What::Items, "items.jsonl", &data.items),
        (What::Records, "records.jsonl", &data.records),
    ];
    for (_, name, rows) in &files {
        write_jsonl(&data_dir.join(name), rows)?;
    }

    let db_path = dir.join("jiandu.db");
    let database_url = format!("sqlite://{}", db_path.display());
    let store = Store::open(&database_url)
        .await
        .with_context(|| format!("cannot create the demo database {}", db_path.display()))?;
    for (what, name, _) in &files {
        let outcome = import_file(
            &store,
            *what,
            &data_dir.join(name),
            None,
            &Mapping::default(),
            false,
        )
        .await?;
        if let Some(reject) = outcome.rejects.first() {
            bail!(
                "internal: the generated demo data has invalid rows: {}",
                reject.describe(name)
            );
        }
    }

    let config = ConfigFile {
        database_url: Some(database_url.clone()),
        rules_dir: settings.rules_dir.clone(),
    };
    std::fs::write(dir.join(CONFIG_FILE), toml::to_string(&config)?)
        .with_context(|| format!("cannot write {}", dir.join(CONFIG_FILE).display()))?;

    print_summary(&store, &dir, &data).await?;
    store.close().await;
    Ok(())
}

/// Creates the directory, or clears a previous demo's database in it. A database that a
/// demo did not make is never deleted.
fn prepare_dir(dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", dir.display()))?;
    let db = dir.join("jiandu.db");
    if db.exists() {
        if !dir.join(MARKER).exists() {
            bail!(
                "{} already holds a database that `jiandu demo` did not make; choose another --dir",
                dir.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let path = PathBuf::from(format!("{}{suffix}", db.display()));
            if path.exists() {
                std::fs::remove_file(&path).with_context(|| {
                    format!("cannot remove the old demo database {}", path.display())
                })?;
            }
        }
    }
    std::fs::write(
        dir.join(MARKER),
        "made by jiandu demo; its jiandu.db may be replaced by the next demo run\n",
    )
    .with_context(|| format!("cannot write {}", dir.join(MARKER).display()))?;
    Ok(dir)
}

fn write_jsonl(path: &Path, rows: &[Value]) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for row in rows {
        writeln!(out, "{row}")?;
    }
    out.flush()?;
    Ok(())
}

async fn print_summary(store: &Store, dir: &Path, data: &jiandu_demo::DemoData) -> Result<()> {
    println!("jiandu demo: 清远市 enforcement data (generated)");
    println!("  database   {}", store.url());
    println!("  data files {}", dir.join("data").display());
    println!("  config     {}", dir.join(CONFIG_FILE).display());
    println!();
    println!(
        "reference data: {} units (city and 8 counties/districts × 6 departments, plus the 12345 dispatcher), {} officers, {} parties, {} supervision items",
        data.units.len(),
        data.officers.len(),
        data.parties.len(),
        data.items.len()
    );
    let total = store.count_records().await?;
    println!("records: {total}");
    for (record_type, n) in store.count_records_by_type().await? {
        println!(
            "  {:<22} {:>6}  {}",
            record_type.as_str(),
            n,
            record_type.chinese()
        );
    }
    println!();
    println!("planted procedural defects (the rule each should trip; planted / eligible records):");
    for planted in &data.planted {
        println!(
            "  {:<28} {:<26} {:>4} / {:<5} (rate {:.1}%)",
            planted.id,
            planted.rule,
            planted.planted,
            planted.eligible,
            planted.rate * 100.0
        );
    }
    println!();
    println!(
        "next: cd {} && jiandu calendar day 2025-10-11",
        dir.display()
    );
    Ok(())
}
