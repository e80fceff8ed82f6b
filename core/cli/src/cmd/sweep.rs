//! `jiandu sweep` and `jiandu worker`: evaluate the stored records and keep the findings.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use jiandu_sweep::{SweepOptions, SweepReport};

use super::Format;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Evaluate every record, not only those changed since the last completed sweep.
    #[arg(long)]
    pub full: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Records per batch (one checkpoint each).
    #[arg(long, default_value_t = 500)]
    pub batch_size: usize,
    /// Batches processed at once (default: twice the number of cores). 0, on PostgreSQL: plan the
    /// sweep and wait while `jiandu worker` processes do the batches.
    #[arg(long)]
    pub parallel: Option<usize>,
    /// Give up the running sweep (one that failed or was killed, with rules no longer wanted)
    /// instead of resuming it; recorded in the audit log. The next sweep judges every record.
    #[arg(long, conflicts_with = "full")]
    pub abandon: bool,
    /// Why the sweep is given up, for the audit log (with --abandon).
    #[arg(long, requires = "abandon")]
    pub reason: Option<String>,
    /// Mail the sweep report and the coverage warnings to this address through the outbox
    /// (repeatable; `jiandu serve` sends it).
    #[arg(long, value_name = "ADDR")]
    pub report_to: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// Process the running sweep (if any) and exit, instead of waiting for the next.
    #[arg(long)]
    pub once: bool,
    /// Seconds between looks for a running sweep.
    #[arg(long, default_value_t = 5)]
    pub poll: u64,
    #[arg(long)]
    pub parallel: Option<usize>,
}

fn options(full: bool, batch_size: usize, parallel: Option<usize>, worker: String) -> SweepOptions {
    let defaults = SweepOptions::default();
    SweepOptions {
        full,
        batch_size,
        parallel: parallel.unwrap_or(defaults.parallel),
        worker,
    }
}

fn host_tag() -> String {
    format!(
        "{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into()),
        std::process::id()
    )
}

pub async fn run(settings: &Settings, profile: &str, args: Args) -> Result<()> {
    let store = settings.open_store().await?;
    if args.abandon {
        let reason = args
            .reason
            .as_deref()
            .unwrap_or("given up with jiandu sweep --abandon");
        let actor = format!("sweep@{}", host_tag());
        match store
            .abandon_sweep(&actor, reason, jiandu_model::clock::now())
            .await?
        {
            Some(info) => println!(
                "sweep {} abandoned (放弃) after {} of its batches; the next sweep judges every record",
                info.sweep_id,
                store.sweep_totals(info.sweep_id).await?.batches_done
            ),
            None => println!("no sweep is running; nothing to abandon"),
        }
        store.close().await;
        return Ok(());
    }
    let options = options(
        args.full,
        args.batch_size,
        args.parallel,
        format!("sweep@{}", host_tag()),
    );
    let (report, set) = sweep_with_bar(settings, profile, &store, &options).await?;
    match args.format {
        Format::Json => println!("{}", summary_json(&report)),
        Format::Text => print_text(&report),
    }
    if !args.report_to.is_empty() {
        // The rules the sweep ran with give the report its titles, calendar and profile.
        let loaded = super::report::Loaded::from_rules(set);
        let ctx = loaded.context(&store);
        let queued =
            jiandu_report::digest::queue(&ctx, report.sweep_id, ctx.now.date(), &args.report_to)
                .await?;
        if args.format == Format::Text {
            println!("sweep report queued for {queued} address(es) in the outbox");
        }
    }
    store.close().await;
    Ok(())
}

/// Loads the rules (reporting broken ones) and runs a sweep with a progress bar; returns the
/// rules with the report, for whatever follows the sweep.
pub async fn sweep_with_bar(
    settings: &Settings,
    profile: &str,
    store: &jiandu_store::Store,
    options: &SweepOptions,
) -> Result<(SweepReport, Arc<jiandu_rules::RuleSet>)> {
    let set = Arc::new(settings.rule_set(None, profile)?);
    super::check::report_broken(&set);
    let bar = super::records_bar("sweeping");
    let report = jiandu_sweep::sweep(store, set.clone(), options, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .context("the sweep did not finish");
    bar.finish_and_clear();
    Ok((report?, set))
}

/// The summary object of `jiandu sweep --format json`.
pub fn summary_json(report: &SweepReport) -> serde_json::Value {
    let t = &report.totals;
    serde_json::json!({
        "sweep_id": report.sweep_id,
        "records_evaluated": t.records_evaluated,
        "rule_evaluations": t.rule_evaluations,
        "findings_new": t.findings_new,
        "findings_reopened": t.findings_reopened,
        "findings_resolved": t.findings_resolved,
        "findings_unchanged": t.findings_unchanged,
        "errors": t.errors,
        "unknown": report.gaps.unknown,
        "rule_errors": report.gaps.errors,
        "seconds": (report.seconds * 1000.0).round() / 1000.0,
        "task_seconds": report.phases,
        "full": report.full,
        "reason": report.reason,
        "resumed": report.resumed,
        "cases_opened": report.cases_opened,
        "rules_switched_off": report.rules_switched_off.iter()
            .map(|(rule, n)| serde_json::json!({"rule_id": rule, "errors": n}))
            .collect::<Vec<_>>(),
    })
}

pub fn print_text(report: &SweepReport) {
    let t = &report.totals;
    println!(
        "sweep {}{} ({}): {} records, {} rule evaluations in {:.1} s",
        report.sweep_id,
        if report.resumed { ", resumed" } else { "" },
        report.reason,
        t.records_evaluated,
        t.rule_evaluations,
        report.seconds
    );
    println!(
        "findings: {} new, {} reopened, {} resolved by the data, {} unchanged",
        t.findings_new, t.findings_reopened, t.findings_resolved, t.findings_unchanged
    );
    if report.cases_opened > 0 || report.findings_added_to_cases > 0 {
        println!(
            "cases: {} opened, {} findings added to units' cases",
            report.cases_opened, report.findings_added_to_cases
        );
    }
    println!(
        "not judged: {} unknown (无法判断, see `jiandu gaps --by field`), {} rule errors (规则出错)",
        report.gaps.unknown, t.errors
    );
    for e in &report.gaps.errors {
        println!(
            "  error: {} on {} records: {}",
            e.rule_id, e.records, e.message
        );
    }
    for (rule, n) in &report.rules_switched_off {
        println!(
            "  switched off (已停用): {rule} failed on {n} records and was not run on the rest of this sweep"
        );
    }
}

pub async fn worker(settings: &Settings, profile: &str, args: WorkerArgs) -> Result<()> {
    let store = settings.open_store().await?;
    let set = Arc::new(settings.rule_set(None, profile)?);
    let options = options(false, 500, args.parallel, format!("worker@{}", host_tag()));
    let n = jiandu_sweep::work(
        &store,
        set,
        &options,
        args.once,
        Duration::from_secs(args.poll),
    )
    .await
    .context("the worker stopped")?;
    println!("worker processed {n} batches");
    Ok(())
}
