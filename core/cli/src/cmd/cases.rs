//! `jiandu cases <list|show|set-state>`: supervision cases (监督案件), one per unit and round
//! of rectification.

use anyhow::Result;
use clap::Subcommand;
use jiandu_model::{CaseState, ReferenceKind, clock};
use jiandu_store::{CaseMoveError, FindingFilter, Store};

use super::{Format, actor};
use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List cases, optionally of one unit or in one state.
    List {
        /// The unit: its id or its name.
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        state: Option<CaseState>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// One case: its unit, state, findings and history.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Move a case on: open → notified → rectifying → closed (or closed from any state).
    SetState {
        id: i64,
        state: CaseState,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        actor: Option<String>,
    },
}

pub async fn run(settings: &Settings, command: Command) -> Result<()> {
    let store = settings.open_existing_store().await?;
    let result = match command {
        Command::List {
            unit,
            state,
            format,
        } => {
            let unit = super::units::resolve_opt(&store, unit).await?;
            list(&store, unit.as_deref(), state, format).await
        }
        Command::Show { id, format } => show(&store, id, format).await,
        Command::SetState {
            id,
            state,
            note,
            actor: who,
        } => {
            let who = actor(who);
            match store
                .set_case_state(id, state, note.as_deref(), &who, clock::now())
                .await?
            {
                Ok(from) => {
                    println!("case {id}: {from} → {state} (by {who})");
                    Ok(())
                }
                Err(
                    refused @ (CaseMoveError::NoSuchCase(_) | CaseMoveError::NotAllowed { .. }),
                ) => Err(BadInput(refused.to_string()).into()),
            }
        }
    };
    store.close().await;
    result
}

async fn unit_name(store: &Store, unit_id: &str) -> String {
    match store.get_reference(ReferenceKind::Unit, unit_id).await {
        Ok(Some(row)) => row.text("name").unwrap_or(unit_id).to_owned(),
        _ => unit_id.to_owned(),
    }
}

async fn list(
    store: &Store,
    unit: Option<&str>,
    state: Option<CaseState>,
    format: Format,
) -> Result<()> {
    let cases = store.list_cases(unit, state).await?;
    if format == Format::Json {
        for case in &cases {
            println!("{}", serde_json::to_string(case)?);
        }
        return Ok(());
    }
    println!(
        "{:>5}  {:<16} {} {} {:>8} {:>6}  opened",
        "case",
        "unit",
        super::pad("", 36),
        super::pad("state", 18),
        "current",
        "total"
    );
    for c in &cases {
        println!(
            "{:>5}  {:<16} {} {} {:>8} {:>6}  {}",
            c.case_id,
            c.unit_id,
            super::pad(&unit_name(store, &c.unit_id).await, 36),
            super::pad(&format!("{} {}", c.state, c.state.chinese()), 18),
            c.n_current,
            c.n_total,
            c.opened_at
        );
    }
    println!("{} cases", cases.len());
    Ok(())
}

async fn show(store: &Store, id: i64, format: Format) -> Result<()> {
    let case = store
        .get_case(id)
        .await?
        .ok_or_else(|| BadInput(format!("there is no case {id}")))?;
    let findings = store
        .list_findings(&FindingFilter {
            case_id: Some(id),
            ..FindingFilter::default()
        })
        .await?;
    let history = store.audit_events_of("case", &id.to_string()).await?;
    if format == Format::Json {
        let value = serde_json::json!({"case": case, "findings": findings, "history": history});
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    println!(
        "监督案件 case {} — {} {}",
        case.case_id,
        case.unit_id,
        unit_name(store, &case.unit_id).await
    );
    println!("  state     {} ({})", case.state, case.state.chinese());
    println!("  opened    {}", case.opened_at);
    println!("  updated   {}", case.updated_at);
    if let Some(closed) = &case.closed_at {
        println!("  closed    {closed}");
    }
    if let Some(note) = &case.note {
        println!("  note      {note}");
    }
    println!("  findings  {} current of {}", case.n_current, case.n_total);
    for f in &findings {
        println!(
            "    {:>7}  {:<26} {:<10} {:<17} {:<28} {}",
            f.finding_id,
            f.rule_id,
            f.outcome.as_str(),
            f.status.as_str(),
            f.record_id,
            f.message
        );
    }
    println!("  history");
    for event in &history {
        println!(
            "    {}  {:<10} {:<8} {}",
            event.at, event.actor, event.action, event.details
        );
    }
    Ok(())
}
