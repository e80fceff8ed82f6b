//! `jiandu complaints …`: intake from files, the dispatcher's and units' actions, lists,
//! timelines, the deadline watch and the platform feedback.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use jiandu_complaints::{ComplaintError, Complaints, state_label};
use jiandu_model::{
    Action, Actor, ComplaintKind, ComplaintState, Date, Moment, NonAcceptGround, clock,
};
use jiandu_store::ComplaintFilter;

use super::{Format, actor, pad};
use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Who {
    /// Act as this unit, by id or name (签收, 退回, 受理, 办结 are a unit's); without it, as
    /// the dispatcher.
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
    /// The person acting (default: $JIANDU_ACTOR, else $USER).
    #[arg(long)]
    pub actor: Option<String>,
    /// When it happened (RFC 3339; default now), for recording an action taken earlier.
    #[arg(long)]
    pub at: Option<String>,
    /// A fact the unit states with the action, FIELD=VALUE (VALUE as JSON, else text), e.g.
    /// `--fact clue_found_date=null` (no violation clue found) or
    /// `--fact termination_decision_date=2025-10-20`. Repeatable.
    #[arg(long = "fact", value_name = "FIELD=VALUE")]
    pub facts: Vec<String>,
}

fn facts_of(who: &Who) -> Result<serde_json::Map<String, serde_json::Value>> {
    let mut facts = serde_json::Map::new();
    for fact in &who.facts {
        let (key, value) = fact
            .split_once('=')
            .ok_or_else(|| BadInput(format!("--fact {fact}: write FIELD=VALUE")))?;
        let value = serde_json::from_str(value.trim())
            .unwrap_or_else(|_| serde_json::Value::String(value.trim().to_owned()));
        facts.insert(key.trim().to_owned(), value);
    }
    Ok(facts)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Take in platform pushes from a file (a JSON object, a JSON array or JSONL).
    Ingest { file: PathBuf },
    /// Items, oldest first.
    List {
        /// Only open items past their deadline.
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        state: Option<ComplaintState>,
        #[arg(long)]
        kind: Option<ComplaintKind>,
        /// Only the dispatcher's queue (received or returned).
        #[arg(long)]
        queue: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// One item: what it is about, where it is, its deadlines and its timeline.
    Show {
        id: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Where routing would send an item now, and why.
    Route { id: String },
    /// Dispatcher: assign an item (received or returned) to a unit.
    Assign {
        id: String,
        /// The unit: its id or its name.
        #[arg(long, value_name = "UNIT")]
        to: String,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Unit: sign for (签收) an item assigned to it.
    Ack {
        id: String,
        #[command(flatten)]
        who: Who,
    },
    /// Unit: return (退回) an item outside its remit, with the reason.
    Return {
        id: String,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Dispatcher: transfer (转办) an item to another unit. A unit may not.
    Transfer {
        id: String,
        /// The unit: its id or its name.
        #[arg(long, value_name = "UNIT")]
        to: String,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Unit: accept (受理) the item, or refuse it with --not GROUND (第十五条).
    Accept {
        id: String,
        /// Refuse, on one of: outside_remit, handled_elsewhere, not_consumer_dispute,
        /// over_3_years, missing_materials, other_statutory.
        #[arg(long, value_name = "GROUND")]
        not: Option<NonAcceptGround>,
        #[command(flatten)]
        who: Who,
    },
    /// Unit: resolve (办结) an accepted item, with the result.
    Resolve {
        id: String,
        #[arg(long)]
        result: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Dispatcher: urge (催办), then supervise (督办), an item.
    Escalate {
        id: String,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Record the feedback to the platform for one item (ID --suggestion), or write the
    /// platform's feedback envelope for items finished since a date (--since --out).
    Feedback {
        id: Option<String>,
        #[arg(long)]
        suggestion: Option<String>,
        #[arg(long)]
        since: Option<Date>,
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        who: Who,
    },
    /// Look at every deadline once: urge or supervise overdue items, remind items due soon
    /// (`jiandu serve` does this every minute).
    Watch,
    /// Pushes that could not be read, newest first.
    Rejects {
        #[arg(long, default_value_t = 20)]
        limit: u64,
    },
    /// How well routing reads messages: department and unit accuracy, the share left to the
    /// dispatcher, a confusion table and the worst mistakes, on labelled items.
    RouteEval(super::route::EvalArgs),
    /// What the dispatchers' re-routings teach routing: train, show, export.
    RouteModel {
        #[command(subcommand)]
        command: super::route::ModelCommand,
    },
}

fn moment(at: &Option<String>) -> Result<Moment> {
    match at {
        Some(text) => Moment::parse(text).map_err(|e| BadInput(e.to_string()).into()),
        None => Ok(clock::now()),
    }
}

fn actor_of(who: &Who, unit: Option<String>) -> Actor {
    let name = actor(who.actor.clone());
    match unit {
        Some(unit_id) => Actor::Unit { unit_id, name },
        None => Actor::Dispatcher { name },
    }
}

/// Refusals and unknown ids are the user's to fix (exit 2).
fn user_error(err: ComplaintError) -> anyhow::Error {
    match err {
        ComplaintError::Refused(_)
        | ComplaintError::NoSuchComplaint(_)
        | ComplaintError::UnknownUnit(_)
        | ComplaintError::Conflict(_)
        | ComplaintError::UnknownFact(_)
        | ComplaintError::BadFact(_)
        | ComplaintError::Malformed { .. } => BadInput(err.to_string()).into(),
        other => other.into(),
    }
}

pub async fn run(settings: &Settings, profile: &str, command: Command) -> Result<()> {
    // A file that is not there is reported before a database is created for it.
    if let Command::Ingest { file } = &command {
        std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?;
    }
    // The shipped evaluation needs no database.
    let command = match command {
        Command::RouteEval(args) => return super::route::eval(settings, profile, args).await,
        other => other,
    };
    let store = settings.open_store().await?;
    let service = settings.complaints(store.clone(), profile)?;
    let result = dispatch(&service, command).await;
    store.close().await;
    result
}

async fn act(
    service: &Complaints,
    id: &str,
    action: Action,
    who: &Who,
    reason: Option<String>,
) -> Result<()> {
    let label = action.kind();
    let directory = service.directory().await?;
    // Units may be named by name as well as id; the directory just loaded has them.
    let unit = |given: &str| {
        let named = directory
            .units
            .iter()
            .map(|u| (u.unit_id.as_str(), u.name.as_str()));
        super::units::resolve_in(named, given).map_err(BadInput)
    };
    let acting = who.unit.as_deref().map(&unit).transpose()?;
    let action = match action {
        Action::Assign { to_unit } => Action::Assign {
            to_unit: unit(&to_unit)?,
        },
        Action::Transfer { to_unit } => Action::Transfer {
            to_unit: unit(&to_unit)?,
        },
        other => other,
    };
    let row = service
        .act_in(
            id,
            action,
            actor_of(who, acting),
            reason,
            &facts_of(who)?,
            moment(&who.at)?,
            &directory,
        )
        .await
        .map_err(user_error)?;
    println!(
        "{id}: {} {} → {}{}{}",
        label.as_str(),
        label.chinese(),
        state_label(row.state, row.escalation),
        row.unit_id
            .as_deref()
            .map(|u| format!(", with {u}"))
            .unwrap_or_default(),
        row.due_date
            .map(|d| format!(
                ", next deadline {d} ({})",
                row.due_kind.map_or("", jiandu_model::DueKind::as_str)
            ))
            .unwrap_or_default()
    );
    Ok(())
}

fn required(value: Option<String>, what: &str) -> Result<String> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| BadInput(format!("{what} is required")).into())
}

async fn dispatch(service: &Complaints, command: Command) -> Result<()> {
    match command {
        Command::Ingest { file } => ingest(service, &file).await,
        Command::List {
            overdue,
            unit,
            state,
            kind,
            queue,
            format,
        } => {
            let unit = super::units::resolve_opt(&service.store, unit).await?;
            let filter = ComplaintFilter {
                unit_id: unit,
                state,
                kind,
                overdue_on: overdue.then(|| clock::now().date()),
                unassigned: queue,
                ..ComplaintFilter::default()
            };
            list(service, &filter, format).await
        }
        Command::Show { id, format } => show(service, &id, format).await,
        Command::Route { id } => {
            let row = service
                .store
                .get_complaint(&id)
                .await?
                .ok_or_else(|| BadInput(format!("there is no complaint {id}")))?;
            let intake: jiandu_complaints::Intake = serde_json::from_value(row.details.clone())
                .context("the stored complaint cannot be read")?;
            let route = service.route(&intake).await?;
            println!(
                "{id}: {}",
                route
                    .unit
                    .as_deref()
                    .unwrap_or("dispatcher's queue 派单员队列")
            );
            println!(
                "  department {}",
                route.department.as_deref().unwrap_or("?")
            );
            println!("  region     {}", route.region.as_deref().unwrap_or("?"));
            for step in route.reason.split('；') {
                println!("  · {step}");
            }
            Ok(())
        }
        Command::Assign {
            id,
            to,
            reason,
            who,
        } => act(service, &id, Action::Assign { to_unit: to }, &who, reason).await,
        Command::Ack { id, who } => act(service, &id, Action::Acknowledge, &who, None).await,
        Command::Return { id, reason, who } => {
            // The state machine refuses a blank reason with the law's words.
            let reason = reason.unwrap_or_default();
            act(service, &id, Action::Return { reason }, &who, None).await
        }
        Command::Transfer {
            id,
            to,
            reason,
            who,
        } => act(service, &id, Action::Transfer { to_unit: to }, &who, reason).await,
        Command::Accept { id, not, who } => {
            let action = match not {
                Some(ground) => Action::NotAccept { ground },
                None => Action::Accept,
            };
            act(service, &id, action, &who, None).await
        }
        Command::Resolve { id, result, who } => {
            let result = result.unwrap_or_default();
            act(service, &id, Action::Resolve { result }, &who, None).await
        }
        Command::Escalate { id, reason, who } => {
            act(service, &id, Action::Escalate, &who, reason).await
        }
        Command::Feedback {
            id,
            suggestion,
            since,
            out,
            who,
        } => match (id, since) {
            (Some(id), None) => {
                let suggestion = required(suggestion, "--suggestion (反馈意见)")?;
                act(service, &id, Action::Feedback { suggestion }, &who, None).await
            }
            (None, Some(since)) => {
                let out =
                    out.ok_or_else(|| BadInput("--out FILE is required with --since".into()))?;
                let envelope = service
                    .feedback_export(since, moment(&who.at)?)
                    .await
                    .map_err(user_error)?;
                let n = envelope
                    .pointer("/supervisionProcess/taskDetails")
                    .and_then(serde_json::Value::as_array)
                    .map_or(0, Vec::len);
                std::fs::write(&out, serde_json::to_string_pretty(&envelope)? + "\n")
                    .with_context(|| format!("cannot write {}", out.display()))?;
                println!(
                    "wrote the feedback of {n} items finished since {since} to {}",
                    out.display()
                );
                Ok(())
            }
            _ => Err(BadInput(
                "give an item and --suggestion, or --since DATE --out FILE for the platform export"
                    .into(),
            )
            .into()),
        },
        Command::Watch => {
            let watch = service.watch(clock::now()).await.map_err(user_error)?;
            println!(
                "deadline watch: {} urged (催办), {} supervised (督办), {} reminders queued",
                watch.urged, watch.supervised, watch.due_soon_mails
            );
            Ok(())
        }
        Command::RouteEval(_) => Err(anyhow::anyhow!(
            "route-eval runs before the store is opened"
        )),
        Command::RouteModel { command } => super::route::model(service, command).await,
        Command::Rejects { limit } => {
            for (id, at, source, reason, body) in service.store.intake_rejects(limit).await? {
                let preview: String = body.chars().take(100).collect();
                println!("{id:>5}  {at}  {source}  {reason}\n       {preview}");
            }
            Ok(())
        }
    }
}

/// A file of pushes: one JSON object, a JSON array of them, or JSON Lines.
fn pushes(text: &str) -> Vec<(usize, String)> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[')
        && let Ok(serde_json::Value::Array(items)) = serde_json::from_str(trimmed)
    {
        return items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i + 1, v.to_string()))
            .collect();
    }
    if trimmed.starts_with('{') && serde_json::from_str::<serde_json::Value>(trimmed).is_ok() {
        return vec![(1, trimmed.to_owned())];
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect()
}

async fn ingest(service: &Complaints, file: &std::path::Path) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let directory = service.directory().await?;
    let source = format!("file {}", file.display());
    let (mut created, mut known, mut routed, mut rejected) = (0, 0, 0, 0);
    for (number, push) in pushes(&text) {
        match service
            .ingest(push.as_bytes(), &source, &directory, clock::now())
            .await
        {
            Ok(done) if done.created => {
                created += 1;
                if done.complaint.unit_id.is_some() {
                    routed += 1;
                }
            }
            Ok(_) => known += 1,
            Err(ComplaintError::Malformed { error, reject_id }) => {
                rejected += 1;
                eprintln!(
                    "{}:{number}: {error} (kept as rejected push {reject_id})",
                    file.display()
                );
            }
            Err(other) => return Err(other.into()),
        }
    }
    println!(
        "{}: {created} new ({routed} assigned to a unit, {} left to the dispatcher), {known} already known, {rejected} rejected",
        file.display(),
        created - routed
    );
    Ok(())
}

async fn list(service: &Complaints, filter: &ComplaintFilter, format: Format) -> Result<()> {
    let rows = service.store.list_complaints(filter).await?;
    if format == Format::Json {
        for row in &rows {
            println!("{}", serde_json::to_string(row)?);
        }
        return Ok(());
    }
    let today = clock::now().date();
    println!(
        "{} {} {} {} next deadline",
        pad("item", 24),
        pad("state", 30),
        pad("unit", 14),
        pad("received", 26)
    );
    for row in &rows {
        let late = row
            .due_date
            .filter(|d| *d < today && row.state.is_open())
            .map(|_| "  OVERDUE 超期")
            .unwrap_or("");
        println!(
            "{} {} {} {} {}{}",
            pad(&row.complaint_id, 24),
            pad(&state_label(row.state, row.escalation), 30),
            pad(row.unit_id.as_deref().unwrap_or("-"), 14),
            pad(&row.received_at.to_string(), 26),
            row.due_date
                .map(|d| {
                    format!(
                        "{d} {}",
                        row.due_kind.map_or("", jiandu_model::DueKind::as_str)
                    )
                })
                .unwrap_or_else(|| "-".into()),
            late
        );
    }
    println!("{} items", rows.len());
    Ok(())
}

async fn show(service: &Complaints, id: &str, format: Format) -> Result<()> {
    let timeline = service.timeline(id).await.map_err(user_error)?;
    if format == Format::Json {
        // The store masked the complainant and hid a reporter when it built the row.
        let value = serde_json::to_value(&timeline)?;
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    let c = &timeline.complaint;
    let d = &c.details;
    let text = |v: Option<&serde_json::Value>| {
        v.and_then(serde_json::Value::as_str)
            .unwrap_or("-")
            .to_owned()
    };
    println!(
        "{} {}件 — task {}",
        c.complaint_id,
        c.kind.chinese(),
        c.task_no
    );
    println!("  state      {}", state_label(c.state, c.escalation));
    println!(
        "  with       {}",
        c.unit_id
            .as_deref()
            .unwrap_or("dispatcher's queue 派单员队列")
    );
    println!("  received   {}", c.received_at);
    println!(
        "  respondent {} {}",
        text(d.pointer("/respondent/name")),
        text(d.pointer("/respondent/cert_code"))
    );
    println!("  item       {}", text(d.get("item_code")));
    println!("  matter     {}", text(d.get("detail")));
    if c.kind == ComplaintKind::Report {
        println!("  reporter   （举报人信息保密 / confidential）");
    }
    println!("  routing    {}", c.route_reason);
    println!("  deadlines");
    let today = clock::now().date();
    for m in &timeline.milestones {
        let status = match m.done {
            Some(done) if done <= m.due => format!("met {done}"),
            Some(done) => format!("LATE, done {done}"),
            None if c.state.is_open() && m.due < today => "OVERDUE 超期".into(),
            None => "open".into(),
        };
        println!(
            "    {} {} by {} (from {}) — {}  [{}]",
            pad(m.kind.chinese(), 10),
            m.kind.as_str(),
            m.due,
            m.from,
            status,
            m.basis
        );
    }
    println!("  timeline");
    for e in &timeline.events {
        let target = e
            .to_unit
            .as_deref()
            .map(|u| format!(" → {u}"))
            .unwrap_or_default();
        let extra = [
            e.reason.clone(),
            e.details
                .get("result")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            e.details
                .get("suggestion")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("；");
        println!(
            "    {}  {} {}  by {}{target}{}",
            e.at,
            pad(e.action.chinese(), 10),
            pad(e.action.as_str(), 12),
            e.actor.describe(),
            if extra.is_empty() {
                String::new()
            } else {
                format!("  — {extra}")
            }
        );
    }
    if !timeline.mails.is_empty() {
        println!("  mails");
        for m in &timeline.mails {
            println!(
                "    {} {} to {} — {}{}",
                m.kind,
                m.status,
                m.to_addr.as_deref().unwrap_or("(no address)"),
                m.subject,
                m.last_error
                    .as_deref()
                    .map(|e| format!(" (last error: {e})"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}
