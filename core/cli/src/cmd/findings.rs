//! `jiandu findings <list|show|set-status>`: the findings the sweeps keep, and what people
//! decide about them.

use anyhow::{Context, Result};
use clap::Subcommand;
use jiandu_model::{Date, FindingStatus, Outcome, clock};
use jiandu_store::{FindingFilter, FindingRow, Store};

use super::{Format, actor};
use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List findings, newest rules first within each record (filters combine).
    List {
        #[command(flatten)]
        filter: FilterArgs,
        /// At most this many (0: all).
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// One finding: the record, the rule's message and evidence, its status and history.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Set a finding's status: confirmed, dismissed (with --reason), rectified, or open.
    SetStatus {
        id: i64,
        status: FindingStatus,
        /// Why; required to dismiss a finding.
        #[arg(long)]
        reason: Option<String>,
        /// Who decides (default: $JIANDU_ACTOR, else $USER).
        #[arg(long)]
        actor: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// The responsible unit: its id or its name.
    #[arg(long)]
    pub unit: Option<String>,
    #[arg(long)]
    pub rule: Option<String>,
    #[arg(long)]
    pub outcome: Option<Outcome>,
    #[arg(long)]
    pub status: Option<FindingStatus>,
    /// Acts on or after this date.
    #[arg(long)]
    pub from: Option<Date>,
    /// Acts on or before this date.
    #[arg(long)]
    pub to: Option<Date>,
    #[arg(long)]
    pub record: Option<String>,
    #[arg(long)]
    pub case: Option<i64>,
}

impl FilterArgs {
    fn into_filter(self, limit: u64) -> FindingFilter {
        FindingFilter {
            unit_id: self.unit,
            rule_id: self.rule,
            outcome: self.outcome,
            status: self.status,
            from: self.from,
            to: self.to,
            record_id: self.record,
            case_id: self.case,
            limit: (limit > 0).then_some(limit),
            offset: 0,
            after: None,
        }
    }
}

pub async fn run(settings: &Settings, command: Command) -> Result<()> {
    let store = settings.open_existing_store().await?;
    let result = match command {
        Command::List {
            filter,
            limit,
            format,
        } => {
            let mut filter = filter;
            filter.unit = super::units::resolve_opt(&store, filter.unit).await?;
            list(&store, filter.into_filter(limit), format).await
        }
        Command::Show { id, format } => show(&store, id, format).await,
        Command::SetStatus {
            id,
            status,
            reason,
            actor: who,
        } => set_status(&store, id, status, reason, actor(who)).await,
    };
    store.close().await;
    result
}

/// Lists a page of 1,000 at a time, each printed before the next is read, so that listing a
/// million findings holds a thousand.
async fn list(store: &Store, filter: FindingFilter, format: Format) -> Result<()> {
    use std::io::Write;
    const PAGE: u64 = 1_000;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if format == Format::Text {
        writeln!(
            out,
            "{:>7}  {:<28} {:<26} {:<10} {:<17} {:<10} unit",
            "id", "record", "rule", "outcome", "status", "act date"
        )?;
    }
    let mut listed = 0u64;
    let mut after = None;
    loop {
        let want = filter.limit.map_or(PAGE, |l| (l - listed).min(PAGE));
        if want == 0 {
            break;
        }
        let page = store
            .list_findings(&FindingFilter {
                limit: Some(want),
                after,
                ..filter.clone()
            })
            .await
            .context("cannot list findings")?;
        for f in &page {
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string(f)?)?,
                Format::Text => writeln!(
                    out,
                    "{:>7}  {:<28} {:<26} {:<10} {:<17} {:<10} {}",
                    f.finding_id,
                    f.record_id,
                    f.rule_id,
                    f.outcome.as_str(),
                    f.status.as_str(),
                    f.act_date.map_or("-".into(), |d| d.to_string()),
                    f.unit_id.as_deref().unwrap_or("-"),
                )?,
            }
        }
        listed += page.len() as u64;
        after = page.last().map(|f| f.finding_id);
        if (page.len() as u64) < want {
            break;
        }
    }
    if format == Format::Text {
        let more = filter.limit.is_some_and(|l| listed == l);
        writeln!(
            out,
            "{listed} findings{}",
            if more {
                " (the limit; --limit 0 lists all)"
            } else {
                ""
            }
        )?;
    }
    out.flush()?;
    Ok(())
}

async fn show(store: &Store, id: i64, format: Format) -> Result<()> {
    let finding = store
        .get_finding(id)
        .await?
        .ok_or_else(|| BadInput(format!("there is no finding {id}")))?;
    let history = store.audit_events_of("finding", &id.to_string()).await?;
    match format {
        Format::Json => {
            let value = serde_json::json!({"finding": finding, "history": history});
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        Format::Text => print_finding(&finding, &history),
    }
    Ok(())
}

fn print_finding(f: &FindingRow, history: &[jiandu_store::StoredAuditEvent]) {
    println!(
        "finding {} — {} on {}",
        f.finding_id, f.rule_id, f.record_id
    );
    println!(
        "  outcome   {} ({})",
        f.outcome.as_str(),
        f.outcome.chinese()
    );
    println!(
        "  status    {} ({}){}",
        f.status.as_str(),
        f.status.chinese(),
        f.status_reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default()
    );
    println!("  version   {}", f.version.as_deref().unwrap_or("-"));
    println!("  basis     {}", f.basis.as_deref().unwrap_or("-"));
    println!("  unit      {}", f.unit_id.as_deref().unwrap_or("-"));
    println!(
        "  act date  {}",
        f.act_date.map_or("-".into(), |d| d.to_string())
    );
    println!(
        "  case      {}",
        f.case_id.map_or("-".into(), |c| c.to_string())
    );
    println!("  message   {}", f.message);
    println!("            {}", f.message_en);
    println!("  evidence  {}", f.evidence);
    println!(
        "  seen      first {}, last {}{}",
        f.first_seen_at,
        f.last_seen_at,
        f.resolved_at
            .map(|r| format!(", resolved {r}"))
            .unwrap_or_default()
    );
    println!("  history");
    for event in history {
        println!(
            "    {}  {:<8} {:<10} {}",
            event.at, event.actor, event.action, event.details
        );
    }
}

async fn set_status(
    store: &Store,
    id: i64,
    status: FindingStatus,
    reason: Option<String>,
    actor: String,
) -> Result<()> {
    let reason = reason.filter(|r| !r.trim().is_empty());
    let previous = store
        .set_finding_status(id, status, reason.as_deref(), &actor, clock::now())
        .await?
        .map_err(|refused| BadInput(refused.to_string()))?;
    println!("finding {id}: {previous} → {status} (by {actor})");
    Ok(())
}
