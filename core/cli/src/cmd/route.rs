//! `jiandu complaints route-eval` and `jiandu complaints route-model`: how well routing reads
//! messages, measured on labelled items, and what the dispatchers' re-routings teach it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;
use jiandu_complaints::routing::evaluate::{self, Evaluation};
use jiandu_complaints::{Complaints, Directory, LearnedModel, Router};
use jiandu_model::{ReferenceKind, ReferenceRow, clock};

use super::{Format, actor, pad};
use crate::BadInput;
use crate::settings::Settings;

/// The seed `jiandu demo` makes its city with (its units are the shipped set's).
const DEMO_SEED: u64 = 2026;

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Labelled items, one JSON object a line (see rules/routing/eval/README.md); without
    /// it, the shipped evaluation set.
    pub file: Option<PathBuf>,
    /// Route against the database's units, items and learned model instead of the demo
    /// city's units (the shipped set is written for the demo city).
    #[arg(long)]
    pub store: bool,
    /// How many of the worst mistakes to show.
    #[arg(long, default_value_t = 10)]
    pub mistakes: usize,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Train a model on every dispatcher's re-routing and put it in use.
    Train {
        /// The person training (default: $JIANDU_ACTOR, else $USER).
        #[arg(long)]
        actor: Option<String>,
        /// Only when the labels or the lexicon changed since the model in use (for cron).
        #[arg(long)]
        if_changed: bool,
    },
    /// The model in use: its examples and the words it learned for each department.
    Show {
        #[arg(long, default_value_t = 8)]
        words: usize,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Write the labelled examples (complainants left out) as an evaluation file.
    Export {
        #[arg(long)]
        out: PathBuf,
    },
}

fn demo_directory() -> Result<Directory> {
    let units = jiandu_demo::units(DEMO_SEED)
        .into_iter()
        .map(|u| {
            ReferenceRow::from_json(ReferenceKind::Unit, u)
                .map_err(|e| anyhow::anyhow!("a demo unit does not check: {e:?}"))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Directory::new(&units, &[], &[]))
}

fn share(part: f64) -> String {
    format!("{:.1}%", part * 100.0)
}

/// `route-eval`: the store is opened only with `--store`.
pub async fn eval(settings: &Settings, profile: &str, args: EvalArgs) -> Result<()> {
    let file = match &args.file {
        Some(file) => file.clone(),
        None => settings
            .data_file("routing/eval/evaluation.jsonl")
            .ok_or_else(|| BadInput("no shipped evaluation set: expected routing/eval/evaluation.jsonl in the rules directory".into()))?,
    };
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let items = evaluate::read_items(&text, &file.display().to_string())
        .map_err(|e| BadInput(e.to_string()))?;
    let (router, directory, units_from, learned) = if args.store {
        let store = settings.open_store().await?;
        let service = settings.complaints(store.clone(), profile)?;
        service.refresh_routing_model().await?;
        let directory = service.directory().await?;
        let learned = service.router.learned_id();
        store.close().await;
        (service.router, directory, "the database's", learned)
    } else {
        let profile = settings.profile(profile)?;
        (
            settings.router(&profile)?,
            demo_directory()?,
            "the demo city's",
            None,
        )
    };
    let evaluation = evaluate::evaluate(&router, &directory, &items);
    match args.format {
        Format::Json => {
            let mistakes: Vec<_> = evaluation.mistakes(args.mistakes);
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "file": file.display().to_string(),
                    "items": evaluation.items,
                    "department_accuracy": evaluation.department_accuracy,
                    "unit_accuracy": evaluation.unit_accuracy,
                    "dispatcher_share": evaluation.dispatcher_share,
                    "confusion": evaluation.confusion,
                    "mistakes": mistakes,
                    "units": units_from,
                    "learned_model": learned,
                }))?
            );
        }
        Format::Text => print_eval(
            &file,
            &evaluation,
            &router,
            units_from,
            learned,
            args.mistakes,
        ),
    }
    Ok(())
}

fn count(evaluation: &Evaluation, right: impl Fn(&evaluate::Outcome) -> bool) -> usize {
    evaluation.outcomes.iter().filter(|o| right(o)).count()
}

fn print_eval(
    file: &Path,
    evaluation: &Evaluation,
    router: &Router,
    units_from: &str,
    learned: Option<i64>,
    mistakes: usize,
) {
    let n = evaluation.items;
    println!(
        "routing evaluation 派单评测: {} ({n} items), {units_from} units, learned model: {}",
        file.display(),
        learned.map_or_else(|| "none".to_owned(), |id| format!("#{id}"))
    );
    println!(
        "  department accuracy  部门正确率    {:>6}  ({}/{n})",
        share(evaluation.department_accuracy),
        count(evaluation, evaluate::Outcome::department_right)
    );
    println!(
        "  unit accuracy        单位正确率    {:>6}  ({}/{n})",
        share(evaluation.unit_accuracy),
        count(evaluation, evaluate::Outcome::unit_right)
    );
    println!(
        "  dispatcher share     转派单员比例  {:>6}  ({}/{n})",
        share(evaluation.dispatcher_share),
        count(evaluation, |o| o.unit.is_none())
    );
    println!();
    println!(
        "confusion by department 部门混淆表 (rows: right 正确, columns: routed 派往; — none 无)"
    );
    let mut columns: Vec<String> = evaluation
        .confusion
        .values()
        .flat_map(|row| row.keys().cloned())
        .collect();
    columns.sort();
    columns.dedup();
    let width = 6;
    print!("  {}", pad("", 8));
    for column in &columns {
        print!("{}", pad(column, width));
    }
    println!("  right");
    for (expected, row) in &evaluation.confusion {
        print!("  {}", pad(expected, 8));
        for column in &columns {
            let cell = row
                .get(column)
                .map_or_else(|| ".".to_owned(), ToString::to_string);
            print!("{}", pad(&cell, width));
        }
        let total: usize = row.values().sum();
        let right = row.get(expected).copied().unwrap_or(0);
        println!("  {right}/{total}");
    }
    let worst = evaluation.mistakes(mistakes);
    if worst.is_empty() {
        return;
    }
    println!();
    println!("worst mistakes 主要错误");
    let shown =
        |d: Option<&str>| d.map_or_else(|| "—".to_owned(), |d| router.table().department_label(d));
    for o in worst {
        println!(
            "  {}  right {} {}, routed {} {}{}",
            o.id,
            shown(o.expected_department.as_deref()),
            o.expected_unit.as_deref().unwrap_or("(dispatcher)"),
            shown(o.department.as_deref()),
            o.unit.as_deref().unwrap_or("(dispatcher)"),
            o.confidence
                .map(|p| format!(" ({:.0}%)", p * 100.0))
                .unwrap_or_default()
        );
        let text: String = o.text.chars().take(60).collect();
        println!("      {text}");
        println!("      {}", o.reason);
    }
}

/// `route-model …` over an open service.
pub async fn model(service: &Complaints, command: ModelCommand) -> Result<()> {
    match command {
        ModelCommand::Train {
            actor: who,
            if_changed,
        } => {
            let started = std::time::Instant::now();
            let trained = if if_changed {
                match service
                    .retrain_if_changed(&actor(who), clock::now())
                    .await?
                {
                    Some(trained) => trained,
                    None => {
                        if service.store.count_routing_examples().await? == 0 {
                            println!("routing model: no labelled examples yet; not trained");
                        } else {
                            println!(
                                "routing model: nothing changed since the model in use; not trained"
                            );
                        }
                        return Ok(());
                    }
                }
            } else {
                service.train_routing(&actor(who), clock::now()).await?
            };
            let m = &trained.model;
            println!(
                "trained routing model #{} on {} examples in {:.1} s{}",
                trained.model_id,
                m.examples,
                started.elapsed().as_secs_f64(),
                if trained.skipped > 0 {
                    format!(" ({} without a known department left out)", trained.skipped)
                } else {
                    String::new()
                }
            );
            println!(
                "  examples right by the lexicon alone {}, with the model {}",
                share(m.lexicon_accuracy),
                share(m.training_accuracy)
            );
            for (department, n) in &m.per_department {
                println!(
                    "  {} {n}",
                    pad(&service.router.table().department_label(department), 24)
                );
            }
            Ok(())
        }
        ModelCommand::Show { words, format } => {
            let Some(stored) = service.store.latest_routing_model().await? else {
                println!(
                    "no routing model is trained yet ({} labelled examples); `jiandu complaints route-model train` trains one",
                    service.store.count_routing_examples().await?
                );
                return Ok(());
            };
            let model: LearnedModel = serde_json::from_value(stored.body.clone())
                .context("the stored routing model cannot be read")?;
            if format == Format::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "model_id": stored.model_id,
                        "trained_at": stored.trained_at,
                        "model": model,
                    }))?
                );
                return Ok(());
            }
            let stale = model.lexicon_hash != service.router.lexicon().hash;
            println!(
                "routing model #{} trained {} on {} examples{}",
                stored.model_id,
                stored.trained_at,
                model.examples,
                if stale {
                    " (the lexicon changed since: train again)"
                } else {
                    ""
                }
            );
            println!(
                "  examples right by the lexicon alone {}, with the model {}",
                share(model.lexicon_accuracy),
                share(model.training_accuracy)
            );
            let top = model.top_words(words);
            for department in &model.departments {
                let n = model.per_department.get(department).copied().unwrap_or(0);
                let learned = top
                    .get(department)
                    .map(|ws| {
                        ws.iter()
                            .map(|(w, x)| format!("{w} {x:+.1}"))
                            .collect::<Vec<_>>()
                            .join("、")
                    })
                    .unwrap_or_default();
                if n > 0 || !learned.is_empty() {
                    println!(
                        "  {} {:>4} examples  {learned}",
                        pad(&service.router.table().department_label(department), 24),
                        n
                    );
                }
            }
            Ok(())
        }
        ModelCommand::Export { out } => {
            let items = service.export_examples().await?;
            let mut text = String::new();
            for item in &items {
                text.push_str(&serde_json::to_string(item)?);
                text.push('\n');
            }
            std::fs::write(&out, text)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "wrote {} labelled examples to {} (complainants left out)",
                items.len(),
                out.display()
            );
            Ok(())
        }
    }
}
