//! The bench's store sections: loading N generated records, full, unchanged and incremental
//! sweeps (as the `jiandu` a user runs, in a child process), the SQL baseline against the
//! engine running the same three rules, listing findings and a graph neighbourhood.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use jiandu_model::{ReferenceKind, ReferenceRow, clock};
use jiandu_store::{BaselineRule, Store};
use serde_json::Value;

use super::child::{Ran, jiandu};
use super::{Bench, Row};
use crate::settings::Settings;

const SCHEMA: &str = "jiandu_bench";

pub async fn fresh_postgres(base_url: &str) -> Result<String> {
    jiandu_store::fresh_postgres_schema(base_url, SCHEMA)
        .await
        .context("cannot make the bench schema on PostgreSQL")
}

pub async fn drop_postgres(base_url: &str) -> Result<()> {
    Ok(jiandu_store::drop_postgres_schema(base_url, SCHEMA).await?)
}

pub fn backend_name(url: &str) -> String {
    if url.starts_with("sqlite:") {
        "SQLite".into()
    } else {
        "PostgreSQL".into()
    }
}

/// A store with nothing in it: a SQLite file removed first (PostgreSQL schemas come fresh).
pub async fn fresh_store(url: &str) -> Result<Store> {
    if let Some(file) = Store::sqlite_file(url) {
        for suffix in ["", "-wal", "-shm"] {
            let path = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
            if path.exists() {
                std::fs::remove_file(&path)?;
            }
        }
    }
    Ok(Store::open(url).await?)
}

pub async fn import_units(store: &Store) -> Result<()> {
    let rows = rows(ReferenceKind::Unit, jiandu_demo::units(2026))?;
    store
        .import_reference_batch(
            ReferenceKind::Unit,
            &rows,
            "bench",
            0,
            clock::now(),
            false,
            &|_| {},
        )
        .await?;
    Ok(())
}

fn rows(kind: ReferenceKind, values: Vec<Value>) -> Result<Vec<ReferenceRow>> {
    values
        .into_iter()
        .map(|v| {
            ReferenceRow::from_json(kind, v)
                .map_err(|e| anyhow::anyhow!("internal: generated reference row: {e:?}"))
        })
        .collect()
}

/// Generates `n` records into a fresh store, a round at a time (one import batch each).
async fn load(store: &Store, settings: &Settings, n: usize, seed: u64) -> Result<f64> {
    let calendar = settings.calendar()?;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<Value>>(2);
    let generator = tokio::task::spawn_blocking(move || {
        jiandu_demo::generate_scaled(seed, &calendar, n, |round| {
            sender
                .blocking_send(round)
                .map_err(|_| anyhow::anyhow!("the loader stopped"))
        })
    });
    let started = Instant::now();
    while let Some(round) = receiver.recv().await {
        let records = round
            .into_iter()
            .map(|v| {
                jiandu_model::Record::from_json(v)
                    .map_err(|e| anyhow::anyhow!("internal: a generated record is invalid: {e:?}"))
            })
            .collect::<Result<Vec<_>>>()?;
        store
            .import_records(&records, "bench", 0, clock::now(), &|_| {})
            .await?;
    }
    let data = generator.await??;
    for (kind, values) in [
        (ReferenceKind::Unit, data.units),
        (ReferenceKind::Officer, data.officers),
        (ReferenceKind::Party, data.parties),
        (ReferenceKind::Item, data.items),
    ] {
        let rows = rows(kind, values)?;
        store
            .import_reference_batch(kind, &rows, "bench", 0, clock::now(), false, &|_| {})
            .await?;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Every store measurement on one backend and size.
pub async fn measure(
    bench: &mut Bench,
    settings: &Settings,
    set: &jiandu_rules::RuleSet,
    url: &str,
    n: usize,
    seed: u64,
    workers: bool,
) -> Result<()> {
    let backend = backend_name(url);
    let rules_dir = set.dir.as_path();
    let out = bench.out.clone();
    let store = fresh_store(url).await?;
    // The longest silent step: say what is happening (each row prints when its step ends).
    eprintln!("{backend}: generating and storing {n} records …");
    let seconds = load(&store, settings, n, seed).await?;
    let row = |section, what: &str, seconds: f64, per: usize| Row {
        section,
        what: what.to_owned(),
        backend: backend.clone(),
        records: n,
        seconds,
        per_second: per as f64 / seconds,
        evals_per_second: None,
        peak_mb: None,
        note: String::new(),
    };
    bench.push(Row {
        note: "generated and stored a round at a time".into(),
        ..row("load", "generate and store", seconds, n)
    });

    let sweep_row = |what: &str, ran: &Ran| -> Result<Row> {
        let summary: Value = serde_json::from_str(&ran.stdout)
            .with_context(|| format!("the sweep's summary: {}", ran.stdout))?;
        let records = summary["records_evaluated"].as_u64().unwrap_or(0) as usize;
        let evals = summary["rule_evaluations"].as_u64().unwrap_or(0) as f64;
        let t = &summary["task_seconds"];
        let split = |k: &str| t[k].as_f64().unwrap_or(0.0);
        Ok(Row {
            section: "sweep",
            what: what.to_owned(),
            backend: backend.clone(),
            records,
            seconds: ran.seconds,
            per_second: records as f64 / ran.seconds,
            evals_per_second: (evals > 0.0).then(|| evals / ran.seconds),
            peak_mb: Some(ran.peak_mb),
            note: format!(
                "task-seconds reading {:.1}, evaluating {:.1}, writing {:.1}",
                split("reading"),
                split("evaluating"),
                split("writing")
            ),
        })
    };
    let sweep = |extra: &[&str]| -> Result<Ran> {
        let mut args = vec!["sweep", "--format", "json"];
        args.extend_from_slice(extra);
        jiandu(url, Some(rules_dir), &args, &out, true)
    };
    let full = sweep(&["--full"])?;
    bench.push(sweep_row("full sweep, whole catalogue", &full)?);
    let again = sweep(&[])?;
    bench.push(sweep_row("sweep with nothing changed", &again)?);
    for changed in [n / 100, 10_000.min(n)] {
        touch(&store, changed).await?;
        let ran = sweep(&[])?;
        bench.push(sweep_row(
            &format!("incremental, {changed} records changed"),
            &ran,
        )?);
    }
    if workers {
        for n_workers in [1usize, 2] {
            bench.push(sweep_row(
                &format!("full sweep, {n_workers} worker process(es)"),
                &with_workers(url, rules_dir, &out, n_workers)?,
            )?);
        }
    }

    let listed = jiandu(
        url,
        Some(rules_dir),
        &["findings", "list", "--limit", "0", "--format", "json"],
        &out,
        false,
    )?;
    bench.push(Row {
        peak_mb: Some(listed.peak_mb),
        ..row("list", "findings list --format json", listed.seconds, n)
    });
    let centre = store
        .list_findings(&jiandu_store::FindingFilter {
            limit: Some(1),
            ..jiandu_store::FindingFilter::default()
        })
        .await?
        .first()
        .map(|f| format!("record:{}", f.record_id));
    // The neighbourhood is still cut from the whole graph in memory (about 21 KB a record):
    // past this size the machine would run out of memory, so it is not run.
    const GRAPH_LIMIT: usize = 200_000;
    match centre {
        Some(centre) if n <= GRAPH_LIMIT => {
            let graph = jiandu(
                url,
                Some(rules_dir),
                &["graph", "export", "--around", &centre, "--format", "json"],
                &out,
                false,
            )?;
            bench.push(Row {
                peak_mb: Some(graph.peak_mb),
                note: centre,
                ..row("list", "graph export --around a record", graph.seconds, n)
            });
        }
        _ => bench.push(Row {
            note: format!("not run above {GRAPH_LIMIT} records: it loads the whole graph"),
            ..row("list", "graph export --around a record", 0.0, 0)
        }),
    }

    // Last, as it sweeps with another rule set: SQL against the engine on the same table.
    let mut sql_seconds = 0.0;
    let mut counts = Vec::new();
    for rule in BaselineRule::ALL {
        let started = Instant::now();
        counts.push(format!(
            "{} {}",
            rule.rule_id(),
            store.baseline_count(rule).await?
        ));
        sql_seconds += started.elapsed().as_secs_f64();
    }
    bench.push(Row {
        note: format!("flagged (calendar days): {}", counts.join(", ")),
        ..row("sql", "3 SQL queries (calendar-day forms)", sql_seconds, n)
    });
    let three = super::subset_dir(set, &super::native::SQL_RULES)?;
    let ran = jiandu(
        url,
        Some(three.path()),
        &["sweep", "--full", "--format", "json"],
        &out,
        true,
    )?;
    let mut engine = sweep_row("engine sweep of the same 3 rules", &ran)?;
    engine.section = "sql";
    engine.note = format!(
        "{:.2}× the SQL queries (target at most 2×); {}",
        ran.seconds / sql_seconds,
        engine.note
    );
    bench.push(engine);
    store.close().await;
    Ok(())
}

/// Changes `n` stored records in a way no rule reads (a note in `demo_defects`), as a new
/// import would, so the next sweep is incremental.
async fn touch(store: &Store, n: usize) -> Result<()> {
    let ids = store.sample_record_ids(n).await?;
    let mut records = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(stored) = store.get_record(&id).await? else {
            continue;
        };
        let mut body = Value::Object(stored.record.body().clone());
        let touched = body["demo_defects"].as_array().map_or(0, |a| {
            a.iter()
                .filter(|d| d.as_str().is_some_and(|s| s.starts_with("bench")))
                .count()
        });
        body["demo_defects"] = serde_json::json!([format!("bench.touch{}", touched + 1)]);
        records.push(
            jiandu_model::Record::from_json(body)
                .map_err(|e| anyhow::anyhow!("internal: touched record: {e:?}"))?,
        );
    }
    for chunk in records.chunks(5_000) {
        store
            .import_records(chunk, "bench-touch", 0, clock::now(), &|_| {})
            .await?;
    }
    Ok(())
}

/// A full sweep planned by one process (`--parallel 0`) and done by `n` `jiandu worker`s.
fn with_workers(url: &str, rules_dir: &Path, out: &Path, n: usize) -> Result<Ran> {
    let exe = std::env::current_exe()?;
    let started = Instant::now();
    let workers: Vec<std::process::Child> = (0..n)
        .map(|_| {
            std::process::Command::new(&exe)
                .arg("--db")
                .arg(url)
                .arg("--rules")
                .arg(rules_dir)
                .args(["worker", "--parallel", "1", "--poll", "1"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    let ran = jiandu(
        url,
        Some(rules_dir),
        &["sweep", "--full", "--parallel", "0", "--format", "json"],
        out,
        true,
    );
    for mut worker in workers {
        worker.kill().ok();
        worker.wait().ok();
    }
    let mut ran = ran?;
    ran.seconds = started.elapsed().as_secs_f64();
    Ok(ran)
}
