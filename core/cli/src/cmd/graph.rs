//! `jiandu graph <export|analyse>`: the case graph drawn or analysed.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use jiandu_cases::CaseGraph;
use jiandu_cases::analysis::{self, InspectionCap};
use jiandu_rules::RuleSet;

use super::Format;
use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Dot,
    Json,
    Svg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Analysis {
    /// The same rule broken repeatedly by one officer or unit in a year.
    Repeats,
    /// One act fined by two or more units.
    DoubleFines,
    /// One party inspected by one unit more often in a year than the profile's cap.
    InspectionCap,
    All,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the graph as DOT, JSON or SVG (SVG: at most --max-nodes without --around).
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Only the neighbourhood of this node: `kind:id` (unit:441802-scjg, case:3,
        /// record:…, officer:CERT, party:USCC, item:CODE, finding:N) or a bare id.
        #[arg(long, value_name = "NODE")]
        around: Option<String>,
        /// How many edges away from --around to go.
        #[arg(long, default_value_t = 2)]
        depth: usize,
        /// The most nodes an SVG of the whole graph shows.
        #[arg(long, default_value_t = 400)]
        max_nodes: usize,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Repeat patterns, double fines and inspections over the yearly cap.
    Analyse {
        #[arg(value_enum, default_value = "all")]
        analysis: Analysis,
        /// The fewest findings that make a repeat pattern.
        #[arg(long, default_value_t = 3)]
        min: usize,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

pub async fn run(settings: &Settings, profile: &str, command: Command) -> Result<()> {
    let store = settings.open_existing_store().await?;
    let data = jiandu_cases::load(&store).await;
    store.close().await;
    let graph = CaseGraph::build(&data.context("cannot read the case graph from the store")?);
    match command {
        Command::Export {
            format,
            around,
            depth,
            max_nodes,
            out,
        } => {
            let graph = match &around {
                Some(query) => {
                    let centre = graph.find(query).ok_or_else(|| {
                        BadInput(format!(
                            "no node `{query}` in the case graph; write kind:id, e.g. unit:441802-scjg or case:1"
                        ))
                    })?;
                    graph.neighbourhood(centre, depth)
                }
                None if format == ExportFormat::Svg => graph.overview(max_nodes),
                None => graph,
            };
            let text = match format {
                ExportFormat::Dot => jiandu_cases::export::dot(&graph),
                ExportFormat::Json => {
                    serde_json::to_string_pretty(&jiandu_cases::export::json(&graph))? + "\n"
                }
                ExportFormat::Svg => jiandu_cases::export::svg(&graph),
            };
            match out {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "wrote {} nodes and {} edges to {}",
                        graph.node_count(),
                        graph.edge_count(),
                        path.display()
                    );
                }
                None => print!("{text}"),
            }
            Ok(())
        }
        Command::Analyse {
            analysis,
            min,
            format,
        } => {
            let set = settings.rule_set(None, profile)?;
            analyse(&graph, &inspection_cap(&set), analysis, min, format)
        }
    }
}

/// The cap INS-FREQ-CAP applies, from the profile, counted from its first version's date.
pub fn inspection_cap(set: &RuleSet) -> InspectionCap {
    let profile = &set.profile;
    let cap = profile
        .get("inspection_yearly_cap", None)
        .and_then(toml::Value::as_integer)
        .unwrap_or(2)
        .max(0) as usize;
    let kinds = profile
        .get("inspection_cap_kinds", None)
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let since = set
        .rules
        .iter()
        .find(|r| r.meta.id == "INS-FREQ-CAP")
        .and_then(|r| r.meta.versions.iter().filter_map(|v| v.from).min());
    InspectionCap { cap, kinds, since }
}

fn analyse(
    graph: &CaseGraph,
    cap: &InspectionCap,
    which: Analysis,
    min: usize,
    format: Format,
) -> Result<()> {
    let wants = |a: Analysis| which == a || which == Analysis::All;
    let repeats = wants(Analysis::Repeats).then(|| analysis::repeat_patterns(graph, min));
    let doubles = wants(Analysis::DoubleFines).then(|| analysis::double_fines(graph));
    let over = wants(Analysis::InspectionCap).then(|| analysis::inspections_over_cap(graph, cap));
    if format == Format::Json {
        let value = serde_json::json!({
            "repeat_patterns": repeats,
            "double_fines": doubles,
            "inspections_over_cap": over,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    if let Some(repeats) = repeats {
        println!(
            "重复问题 repeat patterns (≥ {min} findings of one rule in one year): {}",
            repeats.len()
        );
        for p in &repeats {
            println!(
                "  {} {:<16} {} {:<26} {}  ×{}  e.g. {}",
                super::pad(p.subject.chinese(), 8),
                p.subject_id,
                super::pad(&p.subject_label, 34),
                p.rule_id,
                p.period,
                p.count,
                p.records.join(", ")
            );
        }
    }
    if let Some(doubles) = doubles {
        println!("一事两罚 one act fined by two units: {}", doubles.len());
        for d in &doubles {
            let fines: Vec<String> = d
                .fines
                .iter()
                .map(|f| {
                    format!(
                        "{} by {} ({} 元)",
                        f.record_id,
                        f.unit_label.as_deref().unwrap_or("?"),
                        f.amount.as_deref().unwrap_or("?")
                    )
                })
                .collect();
            println!("  {}: {}", d.act_id, fines.join("; "));
        }
    }
    if let Some(over) = over {
        println!(
            "检查超频 inspections over the yearly cap of {} ({}){}: {}",
            cap.cap,
            cap.kinds.join(", "),
            cap.since.map(|d| format!(", from {d}")).unwrap_or_default(),
            over.len()
        );
        for o in &over {
            println!(
                "  {} {} by {} in {}: {} inspections ({})",
                o.party_id,
                o.party_label,
                o.unit_label,
                o.year,
                o.count,
                o.inspections.join(", ")
            );
        }
    }
    Ok(())
}
