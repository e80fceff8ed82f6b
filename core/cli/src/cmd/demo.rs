//! `jiandu demo`: a fresh SQLite database in a directory, filled with generated Qingyuan data
//! through the same import path a user's files take.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use jiandu_ingest::{Mapping, ReadOptions};
use jiandu_store::Store;
use serde_json::Value;

use super::import::{Plan, What, check_file, store_checked};
use crate::BadInput;
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
    /// Make exactly N records instead of the demo's 6,600 or so (for measuring: a party per
    /// three records, the records written and imported in files of one round each).
    #[arg(long, value_name = "N")]
    pub records: Option<usize>,
}

pub async fn run(settings: Settings, profile: &str, args: Args) -> Result<()> {
    let dir = prepare_dir(&args.dir)?;
    let calendar = settings.calendar()?;
    let data_dir = dir.join("data");
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let (data, record_files) = generate(&data_dir, args.seed, &calendar, args.records)?;
    let files = [
        (What::Units, "units.jsonl", &data.units),
        (What::Officers, "officers.jsonl", &data.officers),
        (What::Parties, "parties.jsonl", &data.parties),
        (What::Items, "items.jsonl", &data.items),
    ];
    for (_, name, rows) in &files {
        write_jsonl(&data_dir.join(name), rows)?;
    }

    let db_path = dir.join("jiandu.db");
    let database_url = format!("sqlite://{}", db_path.display());
    let store = Store::open(&database_url)
        .await
        .with_context(|| format!("cannot create the demo database {}", db_path.display()))?;
    let to_import = files
        .iter()
        .map(|(what, name, _)| (*what, data_dir.join(name)))
        .chain(record_files.into_iter().map(|path| (What::Records, path)));
    for (what, path) in to_import {
        let checked = check_file(what, &path, &ReadOptions::default(), &Mapping::default())?;
        let outcome = store_checked(
            Some(&store),
            checked,
            Plan {
                skip_invalid: false,
                dry_run: false,
                last_wins: false,
            },
        )
        .await?;
        if let Some(reject) = outcome.rejects.first() {
            bail!(
                "internal: the generated demo data has invalid rows: {}",
                reject.describe()
            );
        }
    }

    let envelopes: Vec<Value> = data
        .complaints
        .items
        .iter()
        .map(|c| c.envelope.clone())
        .collect();
    write_jsonl(&data_dir.join("complaints.jsonl"), &envelopes)?;
    let handled = run_complaints(&settings, profile, &store, &data.complaints).await?;

    let config = ConfigFile {
        database_url: Some(database_url.clone()),
        rules_dir: settings.rules_dir.clone(),
        ..ConfigFile::default()
    };
    std::fs::write(dir.join(CONFIG_FILE), toml::to_string(&config)?)
        .with_context(|| format!("cannot write {}", dir.join(CONFIG_FILE).display()))?;

    print_summary(&store, &dir, &data).await?;
    println!(
        "complaints: {} pushes ({} rejected as malformed), {} assigned by routing, {} left to the dispatcher, {} actions taken by units and the dispatcher up to {}; the deadline watch then urged {} and supervised {}",
        data.complaints.items.len(),
        handled.rejected,
        handled.routed,
        handled.queued,
        handled.actions,
        data.complaints.end,
        handled.watch.urged,
        handled.watch.supervised
    );
    let options = jiandu_sweep::SweepOptions {
        worker: "demo".into(),
        ..jiandu_sweep::SweepOptions::default()
    };
    let (report, set) = super::sweep::sweep_with_bar(&settings, profile, &store, &options).await?;
    println!();
    super::sweep::print_text(&report);
    print_findings(&store, &data).await?;
    println!();
    demo_reports(&super::report::Loaded::from_rules(set), &store, &dir, &data).await?;
    println!();
    demo_users(&store).await?;
    println!();
    println!("next, in {}:", dir.display());
    println!(
        "  jiandu serve                                     then open http://127.0.0.1:8080/login"
    );
    println!("  jiandu findings list --rule PEN-DEADLINE-90D     the findings of one rule");
    println!("  jiandu cases list                                the units' supervision cases");
    println!(
        "  jiandu gaps --by field                           what the rules could not judge, and why"
    );
    println!(
        "  jiandu graph analyse                             repeat patterns, double fines, inspections over the cap"
    );
    println!("  jiandu graph export --format svg --out graph.svg the case graph as a picture");
    store.close().await;
    Ok(())
}

/// The reports of the demo data, each over the period its data covers: the records end on
/// the demo's last act date, the sweep ran today.
async fn demo_reports(
    loaded: &super::report::Loaded,
    store: &Store,
    dir: &Path,
    data: &jiandu_demo::DemoData,
) -> Result<()> {
    use jiandu_report::{Format, ReportKind, Request};
    let last = jiandu_demo::last_act_date();
    let year_start =
        |d: jiandu_model::Date| jiandu_model::Date::from_ymd(d.year(), 1, 1).unwrap_or(d);
    let today = jiandu_model::clock::now().date();
    let periods = [
        (ReportKind::Sweep, year_start(today), today),
        (ReportKind::Units, year_start(last), last),
        (
            ReportKind::Complaints,
            year_start(data.complaints.end.date()),
            data.complaints.end.date(),
        ),
        (ReportKind::Coverage, year_start(last), last),
        (ReportKind::Publicity, year_start(last), last),
    ];
    println!("reports (also as .csv beside each; jiandu report KIND --from --to --out FILE):");
    for (kind, from, to) in periods {
        let request = Request {
            kind,
            from,
            to,
            unit: None,
        };
        let report = loaded.build(store, &request).await?;
        for format in [Format::Html, Format::Csv] {
            let ext = if format == Format::Html {
                "html"
            } else {
                "csv"
            };
            let out = dir.join("reports").join(format!("{kind}.{ext}"));
            super::report::write(&report, format, &out)?;
            if format == Format::Html {
                println!("  {:<11} {from} — {to}  {}", kind.as_str(), out.display());
            }
        }
    }
    println!(
        "  (the demo's {} stops sending records after {}: the coverage report warns of it)",
        jiandu_demo::STOPPED_UNIT,
        jiandu_demo::STOPPED_AFTER
    );
    Ok(())
}

/// One user per role, and one more unit user, with passwords printed once: the two unit
/// users belong to the units holding the most open complaints.
async fn demo_users(store: &Store) -> Result<()> {
    let open = store
        .list_complaints(&jiandu_store::ComplaintFilter {
            open: true,
            ..jiandu_store::ComplaintFilter::default()
        })
        .await?;
    let mut per_unit: std::collections::BTreeMap<String, usize> = Default::default();
    for unit in open.iter().filter_map(|c| c.unit_id.clone()) {
        *per_unit.entry(unit).or_insert(0) += 1;
    }
    let mut busiest: Vec<(String, usize)> = per_unit.into_iter().collect();
    busiest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut users: Vec<(&str, jiandu_model::Role)> = vec![
        ("admin", jiandu_model::Role::Admin),
        ("legal", jiandu_model::Role::Legal),
        ("dispatcher", jiandu_model::Role::Dispatcher),
        ("auditor", jiandu_model::Role::Auditor),
    ];
    for (name, (unit_id, _)) in ["unit", "unit2"].into_iter().zip(busiest) {
        users.push((name, jiandu_model::Role::Unit { unit_id }));
    }
    println!("web users (密码只显示这一次 passwords shown once):");
    for (name, role) in users {
        let password = format!("demo-{name}");
        let user: jiandu_model::UserName = name.parse().map_err(BadInput)?;
        super::users::add(store, &user, &role, &password, "demo").await?;
        println!(
            "  {}  {}  {role} ({})",
            super::pad(name, 12),
            super::pad(&password, 16),
            role.chinese()
        );
    }
    Ok(())
}

/// The sweep's findings per rule (with what the generator planted beside) and per unit.
async fn print_findings(store: &Store, data: &jiandu_demo::DemoData) -> Result<()> {
    use std::collections::BTreeMap;
    let rows = store.findings_by_rule_and_unit().await?;
    let mut planted: BTreeMap<&str, u64> = BTreeMap::new();
    for p in data.planted.iter().chain(&data.complaints.planted) {
        for rule in p.rule.split(", ") {
            *planted.entry(rule).or_default() += p.planted;
        }
    }
    // rule → outcome → n, unit → (violations and warnings, all)
    let mut by_rule: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
    let mut by_unit: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for (rule, unit, outcome, n) in &rows {
        *by_rule.entry(rule).or_default().entry(outcome).or_default() += n;
        let entry = by_unit.entry(unit.as_deref().unwrap_or("-")).or_default();
        if matches!(outcome.as_str(), "violation" | "warning") {
            entry.0 += n;
        }
        entry.1 += n;
    }
    println!();
    println!("findings per rule (violation / warning / hint; planted defects beside):");
    for (rule, outcomes) in &by_rule {
        let n = |o: &str| outcomes.get(o).copied().unwrap_or(0);
        let planted = planted
            .get(rule)
            .map(|p| format!("planted {p}"))
            .unwrap_or_default();
        println!(
            "  {:<28} {:>5} / {:>4} / {:>4}  {}",
            rule,
            n("violation"),
            n("warning"),
            n("hint"),
            planted
        );
    }
    let names: BTreeMap<String, String> = store
        .list_reference(jiandu_model::ReferenceKind::Unit)
        .await?
        .iter()
        .map(|u| (u.key().to_owned(), u.text("name").unwrap_or("").to_owned()))
        .collect();
    let mut units: Vec<(&str, (u64, u64))> = by_unit.into_iter().collect();
    units.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(b.0)));
    println!();
    println!("findings per unit (violations and warnings / all findings):");
    for (unit, (serious, all)) in units {
        println!(
            "  {:<16} {} {:>5} / {:<5}",
            unit,
            super::pad(names.get(unit).map(String::as_str).unwrap_or(""), 36),
            serious,
            all
        );
    }
    Ok(())
}

#[derive(Debug, Default)]
struct Handled {
    rejected: u64,
    routed: u64,
    queued: u64,
    actions: u64,
    watch: jiandu_complaints::Watch,
}

/// Pushes the generated complaints through the complaint service as the platform would, then
/// takes the planned actions at their times, then lets the deadline watch look at the end.
async fn run_complaints(
    settings: &Settings,
    profile: &str,
    store: &Store,
    demo: &jiandu_demo::complaints::DemoComplaints,
) -> Result<Handled> {
    use jiandu_demo::complaints::By;
    use jiandu_model::Actor;
    let service = settings.complaints(store.clone(), profile)?;
    let directory = service.directory().await?;
    let mut handled = Handled::default();
    let mut items: Vec<_> = demo.items.iter().collect();
    items.sort_by_key(|c| c.pushed_at);
    for item in items {
        let body = item.envelope.to_string();
        let done = match service
            .ingest(body.as_bytes(), "demo", &directory, item.pushed_at)
            .await
        {
            Ok(done) => done,
            Err(jiandu_complaints::ComplaintError::Malformed { .. }) => {
                handled.rejected += 1;
                continue;
            }
            Err(other) => return Err(other.into()),
        };
        let mut row = done.complaint;
        if row.unit_id.is_some() {
            handled.routed += 1;
        } else {
            handled.queued += 1;
        }
        for step in &item.plan {
            let actor = match (step.by, &row.unit_id) {
                (By::Dispatcher, _) => Actor::Dispatcher {
                    name: "12345派单员".into(),
                },
                (By::CurrentUnit, Some(unit)) => Actor::Unit {
                    unit_id: unit.clone(),
                    name: "承办人".into(),
                },
                // Left to the dispatcher: the units have nothing to do yet.
                (By::CurrentUnit, None) => break,
            };
            let facts = step.facts.as_object().cloned().unwrap_or_default();
            row = service
                .act_in(
                    &row.complaint_id,
                    step.action.clone(),
                    actor,
                    None,
                    &facts,
                    step.at,
                    &directory,
                )
                .await
                .with_context(|| {
                    format!(
                        "internal: the demo's plan for {} was refused",
                        row.complaint_id
                    )
                })?;
            handled.actions += 1;
        }
    }
    handled.watch = service
        .watch(demo.end)
        .await
        .context("the deadline watch failed")?;
    Ok(handled)
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

/// Generates the demo and writes its records: one file, or with `--records` one file per
/// round of the generator, so that neither generating nor importing holds them all.
fn generate(
    data_dir: &Path,
    seed: u64,
    calendar: &jiandu_calendar::Calendar,
    records: Option<usize>,
) -> Result<(jiandu_demo::DemoData, Vec<PathBuf>)> {
    // Files of an earlier run with another size would be imported too.
    for entry in std::fs::read_dir(data_dir)
        .with_context(|| format!("cannot read {}", data_dir.display()))?
    {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("records") && name.ends_with(".jsonl") {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    let Some(n) = records else {
        let data = jiandu_demo::generate(seed, calendar);
        let path = data_dir.join("records.jsonl");
        write_jsonl(&path, &data.records)?;
        return Ok((data, vec![path]));
    };
    let mut files = Vec::new();
    let data = jiandu_demo::generate_scaled(seed, calendar, n, |round| {
        let path = data_dir.join(format!("records-{:04}.jsonl", files.len() + 1));
        write_jsonl(&path, &round)?;
        files.push(path);
        anyhow::Ok(())
    })?;
    Ok((data, files))
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
    Ok(())
}
