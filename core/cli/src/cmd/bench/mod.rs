//! `jiandu bench`: generated records at a province's scale through every costly path (the
//! engine in memory, sweeps on SQLite and PostgreSQL, incremental sweeps, listing, the case
//! graph, importing, complaint intake), each against a baseline measured in the same run:
//! native Rust twins of ten catalogue rules and SQL queries over the same table. Prints a
//! table and writes it as JSON under `--out`.

// The bench reads JSON it wrote itself (sweep summaries, the demo's envelopes) and the
// native twins' fixed law dates: a panic there is a bug in the bench, never a user's input.
#![allow(clippy::indexing_slicing, clippy::expect_used)]

mod child;
mod intake;
mod native;
mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use jiandu_model::Record;
use jiandu_rules::{Lookups, RuleSet, evaluate_all};

use crate::settings::Settings;

pub use native::{Native, RULES as NATIVE_RULES};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 100,000 records only, no PostgreSQL workers and smaller intake runs: under ten minutes.
    #[arg(long)]
    pub quick: bool,
    /// Store sizes to measure, comma-separated (default 100000,1000000; --quick 100000).
    #[arg(long, value_delimiter = ',', value_name = "N,…")]
    pub records: Vec<usize>,
    /// Also measure on this PostgreSQL database (a schema `jiandu_bench` is made in it and
    /// dropped afterwards); else `JIANDU_BENCH_POSTGRES_URL` if set.
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
    /// Where the bench's databases and its results (`bench-*.json`) go.
    #[arg(long, default_value = "target/bench")]
    pub out: PathBuf,
    /// Seed of the generator.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Complaint pushes per load level (default 4,000; --quick 1,000).
    #[arg(long, value_name = "N")]
    pub pushes: Option<usize>,
}

/// One measured line of the table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub section: &'static str,
    pub what: String,
    pub backend: String,
    pub records: usize,
    pub seconds: f64,
    /// Records (or pushes) per second.
    pub per_second: f64,
    /// Rule evaluations per second, where rules ran.
    pub evals_per_second: Option<f64>,
    pub peak_mb: Option<f64>,
    /// The ratio, split or count that goes with the line.
    pub note: String,
}

pub struct Bench {
    pub rows: Vec<Row>,
    pub out: PathBuf,
}

impl Bench {
    fn push(&mut self, row: Row) {
        println!("{}", line(&row));
        self.rows.push(row);
    }
}

fn line(row: &Row) -> String {
    format!(
        "{:<9} {:<44} {:<10} {:>9} {:>9.3} {:>10.0} {:>11} {:>8}  {}",
        row.section,
        row.what,
        row.backend,
        row.records,
        row.seconds,
        row.per_second,
        row.evals_per_second
            .map_or_else(|| "-".to_owned(), |e| format!("{e:.0}")),
        row.peak_mb
            .map_or_else(|| "-".to_owned(), |m| format!("{m:.0}")),
        row.note
    )
}

pub async fn run(settings: Settings, profile: &str, args: Args) -> Result<()> {
    let sizes = match (&args.records[..], args.quick) {
        ([], true) => vec![100_000],
        ([], false) => vec![100_000, 1_000_000],
        (sizes, _) => sizes.to_vec(),
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let out = args.out.canonicalize()?;
    let postgres = args
        .postgres
        .clone()
        .or_else(|| std::env::var("JIANDU_BENCH_POSTGRES_URL").ok());
    let calendar = settings.calendar()?;
    let set = Arc::new(settings.rule_set(None, profile)?);
    if set.problems().next().is_some() {
        bail!("the rules do not load cleanly; run `jiandu rules check` first");
    }
    println!(
        "jiandu bench: {} rules, sizes {:?}, {} core(s), results in {}",
        set.rules.len(),
        sizes,
        threads(),
        out.display()
    );
    println!(
        "{:<9} {:<44} {:<10} {:>9} {:>9} {:>10} {:>11} {:>8}  note",
        "section", "what", "backend", "records", "seconds", "per s", "evals/s", "peak MB"
    );
    let mut bench = Bench {
        rows: Vec::new(),
        out: out.clone(),
    };

    let in_memory = sizes.iter().copied().min().unwrap_or(100_000).min(100_000);
    engine(
        &mut bench, &settings, profile, &set, &calendar, args.seed, in_memory,
    )?;
    for &n in &sizes {
        let sqlite = format!("sqlite://{}", out.join(format!("bench-{n}.db")).display());
        store::measure(&mut bench, &settings, &set, &sqlite, n, args.seed, false).await?;
        if let Some(url) = &postgres {
            let url = store::fresh_postgres(url).await?;
            let workers = !args.quick;
            store::measure(&mut bench, &settings, &set, &url, n, args.seed, workers).await?;
        }
    }
    import_section(&mut bench, &calendar, &out, args.seed, in_memory)?;
    let pushes = args
        .pushes
        .unwrap_or(if args.quick { 1_000 } else { 4_000 });
    intake_section(&mut bench, &calendar, &out, postgres.as_deref(), pushes).await?;
    if let Some(url) = &postgres {
        store::drop_postgres(url).await?;
    }

    let when = jiandu_model::clock::now();
    let file = out.join(format!(
        "bench-{}.json",
        when.to_string().get(..19).unwrap_or("run").replace(':', "")
    ));
    let json = serde_json::json!({
        "at": when.to_string(),
        "cores": threads(),
        "sizes": sizes,
        "rows": bench.rows,
    });
    std::fs::write(&file, serde_json::to_string_pretty(&json)? + "\n")
        .with_context(|| format!("cannot write {}", file.display()))?;
    println!();
    println!("results: {}", file.display());
    Ok(())
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The engine alone, on records in memory: the whole catalogue on one and on all threads, then
/// each native rule against its Rhai twin, then the three SQL-expressible rules together.
fn engine(
    bench: &mut Bench,
    settings: &Settings,
    profile: &str,
    set: &RuleSet,
    calendar: &jiandu_calendar::Calendar,
    seed: u64,
    n: usize,
) -> Result<()> {
    let records = generate_records(seed, calendar, n)?;
    let lookups = Arc::new(Lookups::from_records(&records));
    for threads in [1, threads()] {
        let (seconds, evals) = time_batched(set, &records, &lookups, threads);
        bench.push(Row {
            section: "engine",
            what: format!("whole catalogue, {threads} thread(s)"),
            backend: "memory".into(),
            records: records.len(),
            seconds,
            per_second: records.len() as f64 / seconds,
            evals_per_second: Some(evals as f64 / seconds),
            peak_mb: None,
            note: String::new(),
        });
    }
    let native = Native::new(calendar, &settings.profile(profile)?);
    let mut ratios = Vec::new();
    for rule in NATIVE_RULES {
        let one = Arc::new(rule_subset(settings, profile, set, &[rule])?);
        let (rhai_seconds, rhai) = time(|| evaluate_all(&one, &records, lookups.clone(), 1));
        let (native_seconds, twin) = time(|| {
            records
                .iter()
                .map(|r| native.evaluate(rule, r))
                .collect::<Vec<_>>()
        });
        let mut judged = 0;
        for ((record, rhai), twin) in records.iter().zip(&rhai).zip(&twin) {
            let rhai = rhai.first().map(|e| e.outcome);
            if rhai != *twin {
                bail!(
                    "the native twin of {rule} disagrees on {}: Rhai {rhai:?}, native {twin:?}",
                    record.id()
                );
            }
            judged += usize::from(twin.is_some());
        }
        let ratio = rhai_seconds / native_seconds;
        ratios.push(ratio);
        bench.push(Row {
            section: "native",
            what: format!("{rule}: Rhai / native"),
            backend: "memory".into(),
            records: judged,
            seconds: rhai_seconds,
            per_second: judged as f64 / rhai_seconds,
            evals_per_second: Some(judged as f64 / rhai_seconds),
            peak_mb: None,
            note: format!(
                "native {native_seconds:.4} s, ratio {ratio:.1}×, {judged} outcomes equal"
            ),
        });
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios.get(ratios.len() / 2).copied().unwrap_or(0.0);
    bench.push(Row {
        section: "native",
        what: format!("median Rhai / native of {} rules", ratios.len()),
        backend: "memory".into(),
        records: records.len(),
        seconds: 0.0,
        per_second: 0.0,
        evals_per_second: None,
        peak_mb: None,
        note: format!("{median:.1}× (target at most 4×)"),
    });
    Ok(())
}

/// `n` generated records, as the store would hand them to the rules.
pub fn generate_records(
    seed: u64,
    calendar: &jiandu_calendar::Calendar,
    n: usize,
) -> Result<Vec<Record>> {
    let mut records = Vec::with_capacity(n);
    jiandu_demo::generate_scaled(seed, calendar, n, |round| {
        for value in round {
            let record = Record::from_json(value)
                .map_err(|e| anyhow::anyhow!("internal: a generated record is invalid: {e:?}"))?;
            records.push(record);
        }
        anyhow::Ok(())
    })?;
    Ok(records)
}

/// A rule set of some rules of the catalogue only (a directory with copies of their files).
pub fn rule_subset(
    settings: &Settings,
    profile: &str,
    set: &RuleSet,
    ids: &[&str],
) -> Result<RuleSet> {
    let dir = subset_dir(set, ids)?;
    settings.rule_set(Some(dir.path()), profile)
}

/// A directory holding copies of some rules of `set`.
pub fn subset_dir(set: &RuleSet, ids: &[&str]) -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    for id in ids {
        let rule = set
            .rule(id)
            .with_context(|| format!("rule {id} is not in {}", set.dir.display()))?;
        std::fs::copy(&rule.path, dir.path().join(format!("{id}.rhai")))
            .with_context(|| format!("cannot copy {}", rule.path.display()))?;
    }
    Ok(dir)
}

/// Evaluates in batches of 5,000 keeping only counts, as a sweep does.
fn time_batched(
    set: &RuleSet,
    records: &[Record],
    lookups: &Arc<Lookups>,
    threads: usize,
) -> (f64, usize) {
    let started = Instant::now();
    let mut n_evals = 0;
    for batch in records.chunks(5_000) {
        n_evals += evaluate_all(set, batch, lookups.clone(), threads)
            .iter()
            .map(Vec::len)
            .sum::<usize>();
    }
    (started.elapsed().as_secs_f64(), n_evals)
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let started = Instant::now();
    let result = f();
    (started.elapsed().as_secs_f64(), result)
}

/// `jiandu import records` of a JSONL file of `n` generated records into a fresh SQLite store.
fn import_section(
    bench: &mut Bench,
    calendar: &jiandu_calendar::Calendar,
    out: &std::path::Path,
    seed: u64,
    n: usize,
) -> Result<()> {
    use std::io::Write;
    let file = out.join(format!("bench-import-{n}.jsonl"));
    let mut writer = std::io::BufWriter::new(
        std::fs::File::create(&file).with_context(|| format!("cannot write {}", file.display()))?,
    );
    jiandu_demo::generate_scaled(seed, calendar, n, |round| {
        for value in round {
            writeln!(writer, "{value}")?;
        }
        anyhow::Ok(())
    })?;
    writer.flush()?;
    drop(writer);
    let db = out.join("bench-import.db");
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", db.display())).ok();
    }
    let bytes = std::fs::metadata(&file)?.len();
    let ran = child::jiandu(
        &format!("sqlite://{}", db.display()),
        None,
        &["import", "records", &file.display().to_string()],
        out,
        false,
    )?;
    std::fs::remove_file(&file).ok();
    bench.push(Row {
        section: "import",
        what: "import records, JSONL".into(),
        backend: "SQLite".into(),
        records: n,
        seconds: ran.seconds,
        per_second: n as f64 / ran.seconds,
        evals_per_second: None,
        peak_mb: Some(ran.peak_mb),
        note: format!(
            "{:.0} MB file, {:.1} KB peak memory per record",
            bytes as f64 / 1e6,
            ran.peak_mb * 1024.0 / n as f64
        ),
    });
    Ok(())
}

/// Complaint intake against `jiandu serve` on loopback, SQLite and PostgreSQL.
async fn intake_section(
    bench: &mut Bench,
    calendar: &jiandu_calendar::Calendar,
    out: &std::path::Path,
    postgres: Option<&str>,
    pushes: usize,
) -> Result<()> {
    let templates = intake::templates(calendar);
    let mut backends = vec![format!(
        "sqlite://{}",
        out.join("bench-intake.db").display()
    )];
    if let Some(url) = postgres {
        backends.push(store::fresh_postgres(url).await?);
    }
    for db in backends {
        let backend = store::backend_name(&db);
        let store = store::fresh_store(&db).await?;
        store::import_units(&store).await?;
        store.close().await;
        let server = intake::serve(&db)?;
        let mut expected = 0;
        for (level, clients) in [1usize, 8, 32].into_iter().enumerate() {
            let (bodies, unique) = intake::pushes(&templates, pushes, &format!("{level}"));
            expected += unique;
            let load = intake::load(server.addr, bodies, clients, unique).await?;
            bench.push(Row {
                section: "intake",
                what: format!("pushes, {clients} client(s), 10 % repeats"),
                backend: backend.clone(),
                records: load.pushes,
                seconds: load.seconds,
                per_second: load.pushes as f64 / load.seconds,
                evals_per_second: None,
                peak_mb: server.peak_mb(),
                note: format!(
                    "p50 {:.1} ms, p99 {:.1} ms, {} unique, {} failed",
                    load.p50_ms, load.p99_ms, load.unique, load.failed
                ),
            });
        }
        drop(server);
        let store = jiandu_store::Store::open(&db).await?;
        let stored = store
            .count_complaints(&jiandu_store::ComplaintFilter::default())
            .await?;
        store.close().await;
        bench.push(Row {
            section: "intake",
            what: "complaints stored afterwards".into(),
            backend,
            records: stored as usize,
            seconds: 0.0,
            per_second: 0.0,
            evals_per_second: None,
            peak_mb: None,
            note: format!(
                "{} unique pushes: {}",
                expected,
                if stored as usize == expected {
                    "exactly these"
                } else {
                    "MISMATCH"
                }
            ),
        });
        if stored as usize != expected {
            bail!("{stored} complaints stored for {expected} unique pushes");
        }
    }
    Ok(())
}
