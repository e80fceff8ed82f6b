//! The operations: take in a push, act on an item, watch the deadlines, show a timeline.
//! Each change is one store transaction with its event, mirror record, audit entry and mails.

use jiandu_calendar::{Calendar, NoCalendarData};
use jiandu_mail::MailKind;
use jiandu_model::{
    Action, ActionKind, Actor, ComplaintState, Date, Moment, ReferenceKind, Refusal, Standing,
};
use jiandu_store::{
    ComplaintChange, ComplaintFilter, ComplaintRow, EventRow, MailRow, NewComplaint, NewEvent,
    RouteLabel, Store, StoreError,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::deadlines::{Milestone, Periods, Step, milestones, next_due};
use crate::envelope::{self, Intake};
use crate::mirror::{LogEntry, Places, details, mirror};
use crate::notices::{Notice, intake_of};
use crate::routing::{Directory, LearnedModel, Route, Router, UnitInfo};

/// Facts about the handling that only the unit knows and states with an action (e.g. when
/// resolving: no violation clue was found, mediation was not terminated). They go into the
/// mirror record, where the `CPL-*` rules read them; `null` means "did not happen".
pub const FACTS: &[&str] = &[
    "clue_found_date",
    "clue_checked_date",
    "clue_extension_approved_date",
    "termination_decision_date",
    "parties_informed_date",
    "dispute_start_date",
    "dispute_resolved_date",
    "escalated_date",
    "disclosures",
    "testing_periods",
    "harm_known_date",
    "extension_approved_date",
];

/// How items are handled beyond what the law fixes.
#[derive(Debug, Clone)]
pub struct Handling {
    /// Assign an item to the routed unit on intake (else it waits for the dispatcher).
    pub auto_assign: bool,
    /// Working days an item stays overdue and urged (催办) before it is supervised (督办) (U).
    pub supervise_after_wd: i64,
}

impl Default for Handling {
    fn default() -> Self {
        Handling {
            auto_assign: true,
            supervise_after_wd: 2,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ComplaintError {
    #[error("the push was not accepted: {error} (kept as rejected push {reject_id})")]
    Malformed {
        error: crate::envelope::EnvelopeError,
        reject_id: i64,
    },
    #[error("there is no complaint {0}")]
    NoSuchComplaint(String),
    #[error("there is no unit {0} (import it with `jiandu import units`)")]
    UnknownUnit(String),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Conflict(#[from] jiandu_store::Conflict),
    #[error(transparent)]
    Calendar(#[from] NoCalendarData),
    #[error("`{0}` is not a fact a unit can state; the facts are: {facts}", facts = FACTS.join(", "))]
    UnknownFact(String),
    #[error("a stated fact is not valid: {0}")]
    BadFact(String),
    #[error("internal: {0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The result of a push.
#[derive(Debug, Clone, Serialize)]
pub struct Ingested {
    pub complaint: ComplaintRow,
    /// `false`: the task number was known; nothing changed.
    pub created: bool,
    pub route: Option<Route>,
}

/// A complaint with its events, deadlines and mails.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub complaint: ComplaintRow,
    pub events: Vec<EventRow>,
    pub milestones: Vec<Milestone>,
    pub mails: Vec<MailRow>,
}

/// What one look at the deadlines did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Watch {
    pub urged: u64,
    pub supervised: u64,
    pub due_soon_mails: u64,
}

#[derive(Debug)]
pub struct Complaints {
    pub store: Store,
    pub router: Router,
    pub calendar: Calendar,
    pub periods: Periods,
    pub handling: Handling,
}

fn log_of(events: &[EventRow]) -> Vec<LogEntry> {
    events
        .iter()
        .map(|e| LogEntry {
            action: e.action,
            at: e.at,
            unit: e.unit_id.clone(),
            from_unit: e.from_unit.clone(),
            to_unit: e.to_unit.clone(),
            reason: e.reason.clone(),
            details: e.details.clone(),
        })
        .collect()
}

/// A complaint's events as deadlines read them.
pub fn steps_of_events(events: &[EventRow]) -> Vec<Step> {
    steps_of(&log_of(events))
}

fn steps_of(log: &[LogEntry]) -> Vec<Step> {
    log.iter()
        .map(|e| Step {
            action: e.action,
            on: e.at.date(),
            to_unit: e.to_unit.clone(),
            extension_approved: e
                .details
                .get("facts")
                .and_then(|f| f.get("extension_approved_date"))
                .and_then(Value::as_str)
                .and_then(|d| Date::parse(d).ok()),
        })
        .collect()
}

impl Complaints {
    /// Units and items as routing and notices need them, read afresh.
    pub async fn directory(&self) -> Result<Directory, StoreError> {
        Ok(Directory::new(
            &self.store.list_reference(ReferenceKind::Unit).await?,
            &self.store.list_reference(ReferenceKind::Item).await?,
            &[],
        ))
    }

    /// `directory` with the respondent's party, when it is imported (keyed by its code).
    async fn with_respondent(
        &self,
        intake: &Intake,
        directory: &Directory,
    ) -> Result<Directory, StoreError> {
        let mut local = directory.clone();
        if let Some(code) = &intake.respondent.cert_code
            && let Some(row) = self.store.get_reference(ReferenceKind::Party, code).await?
        {
            local.add_party(&row);
        }
        Ok(local)
    }

    /// Puts the newest trained routing model in use, if it is not already (another process
    /// may have trained one). A stored model that cannot be read is reported and not used.
    pub async fn refresh_routing_model(&self) -> Result<(), StoreError> {
        let latest = self.store.latest_routing_model_id().await?;
        if latest == self.router.learned_id() {
            return Ok(());
        }
        let Some(stored) = self.store.latest_routing_model().await? else {
            self.router.set_learned(None);
            return Ok(());
        };
        match serde_json::from_value::<LearnedModel>(stored.body) {
            Ok(model) => self
                .router
                .set_learned(Some((stored.model_id, std::sync::Arc::new(model)))),
            Err(error) => {
                tracing::warn!(model_id = stored.model_id, %error, "the stored routing model cannot be read; routing without it");
                self.router.set_learned(None);
            }
        }
        Ok(())
    }

    /// Where routing sends an item now, and why.
    pub async fn route(&self, intake: &Intake) -> Result<Route, StoreError> {
        self.refresh_routing_model().await?;
        let directory = self
            .with_respondent(intake, &self.directory().await?)
            .await?;
        Ok(self.router.route(intake, &directory))
    }

    /// The dispatcher's unit id as handover logs name it.
    fn dispatcher_id(directory: &Directory) -> String {
        directory
            .dispatcher()
            .map_or_else(|| "dispatcher".to_owned(), |u| u.unit_id.clone())
    }

    /// Takes in one push (HTTP or file). Malformed pushes are kept and refused with the
    /// reason; a known task number returns the stored complaint unchanged.
    pub async fn ingest(
        &self,
        body: &[u8],
        source: &str,
        directory: &Directory,
        now: Moment,
    ) -> Result<Ingested, ComplaintError> {
        let (intake, envelope) = match envelope::parse(body) {
            Ok(parsed) => parsed,
            Err(error) => {
                let text = String::from_utf8_lossy(body);
                let reject_id = self
                    .store
                    .record_intake_reject(source, &error.to_string(), &text, now)
                    .await?;
                return Err(ComplaintError::Malformed { error, reject_id });
            }
        };
        if let Some(existing) = self.store.complaint_by_task(&intake.task_no).await? {
            return Ok(Ingested {
                complaint: existing,
                created: false,
                route: None,
            });
        }
        self.refresh_routing_model().await?;
        let directory = &self.with_respondent(&intake, directory).await?;
        let route = self.router.route(&intake, directory);
        let received_at = intake.started_at.unwrap_or(now);
        let id = intake.complaint_id();
        let new = NewComplaint {
            complaint_id: id.clone(),
            task_no: intake.task_no.clone(),
            kind: intake.kind,
            received_at,
            route_unit: route.unit.clone(),
            route_reason: route.reason.clone(),
            envelope,
            details: {
                let mut kept = details(&intake);
                let (operating, domicile) = respondent_regions(&intake, directory);
                if let Some(kept) = kept.as_object_mut() {
                    kept.insert("region".into(), json!(route.region));
                    kept.insert("route_department".into(), json!(route.department));
                    kept.insert("operating_region".into(), json!(operating));
                    kept.insert("domicile_region".into(), json!(domicile));
                }
                kept
            },
            source: source.to_owned(),
        };
        let first = mirror(
            &id,
            &intake,
            received_at,
            route.region.as_deref(),
            &places(&new.details, &intake, None),
            &[],
        )
        .map_err(ComplaintError::Internal)?;
        let assign = match (&route.unit, self.handling.auto_assign) {
            (Some(unit), true) => Some(self.change(
                &id,
                &new.details,
                &intake,
                received_at,
                route.region.as_deref(),
                &Standing {
                    state: ComplaintState::Received,
                    unit: None,
                    escalation: 0,
                },
                &[],
                &Action::Assign {
                    to_unit: unit.clone(),
                },
                &Actor::System {
                    name: "routing".into(),
                },
                Some(route.reason.clone()),
                &Map::new(),
                now,
                directory,
            )?),
            _ => None,
        };
        let assign = assign.map(|mut change| {
            if is_history(now) {
                change.mails.clear();
            }
            change
        });
        let (complaint, created) = self
            .store
            .create_complaint(&new, &first, assign.as_ref(), now)
            .await?;
        Ok(Ingested {
            complaint,
            created,
            route: created.then_some(route),
        })
    }

    /// Builds the change one action makes (pure apart from the calendar).
    #[allow(clippy::too_many_arguments)]
    fn change(
        &self,
        id: &str,
        kept: &Value,
        intake: &Intake,
        received_at: Moment,
        region: Option<&str>,
        before: &Standing,
        events: &[EventRow],
        action: &Action,
        actor: &Actor,
        reason: Option<String>,
        facts: &Map<String, Value>,
        at: Moment,
        directory: &Directory,
    ) -> Result<ComplaintChange, ComplaintError> {
        if let Some(bad) = facts.keys().find(|k| !FACTS.contains(&k.as_str())) {
            return Err(ComplaintError::UnknownFact(bad.clone()));
        }
        // The facts go into the mirror record: the field dictionary's checks apply now, so
        // that a word the rules would not understand is refused when it is stated.
        let mut facts = facts.clone();
        let errors = jiandu_model::record::normalise_fields(&mut facts);
        if !errors.is_empty() {
            let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return Err(ComplaintError::BadFact(reasons.join("; ")));
        }
        let facts = &facts;
        let after = jiandu_model::complaint::apply(before, action, actor)?;
        let kind = action.kind();
        let dispatcher = Self::dispatcher_id(directory);
        let (from_unit, to_unit) = match action {
            Action::Assign { to_unit } | Action::Transfer { to_unit } => {
                if directory.unit(to_unit).is_none() {
                    return Err(ComplaintError::UnknownUnit(to_unit.clone()));
                }
                (Some(dispatcher.clone()), Some(to_unit.trim().to_owned()))
            }
            _ => (None, None),
        };
        if let Some(unit) = actor.unit()
            && directory.unit(unit).is_none()
        {
            return Err(ComplaintError::UnknownUnit(unit.to_owned()));
        }
        let (reason, detail) = match action {
            Action::Return { reason } => (Some(reason.trim().to_owned()), json!({})),
            Action::NotAccept { ground } => (
                Some(ground.chinese().to_owned()),
                json!({"ground": ground.as_str()}),
            ),
            Action::Resolve { result } => (reason, json!({"result": result.trim()})),
            Action::Feedback { suggestion } => (reason, json!({"suggestion": suggestion.trim()})),
            Action::Escalate => (
                reason,
                json!({"level": after.escalation, "name": if after.escalation >= 2 { "督办" } else { "催办" }}),
            ),
            _ => (reason, json!({})),
        };
        let mut detail = detail;
        if !facts.is_empty()
            && let Some(detail) = detail.as_object_mut()
        {
            detail.insert("facts".into(), Value::Object(facts.clone()));
        }
        let event = NewEvent {
            action: kind,
            actor: actor.clone(),
            unit_id: actor.unit().map(str::to_owned),
            from_unit,
            to_unit,
            at,
            reason: reason.clone(),
            details: detail,
        };
        let mut log = log_of(events);
        log.push(LogEntry {
            action: kind,
            at,
            unit: event.unit_id.clone(),
            from_unit: event.from_unit.clone(),
            to_unit: event.to_unit.clone(),
            reason: event.reason.clone(),
            details: event.details.clone(),
        });
        let sector_of = sectors(directory);
        let ms = milestones(
            intake.kind,
            &steps_of(&log),
            &self.calendar,
            &self.periods,
            &sector_of,
        )?;
        let due = next_due(after.state, &ms).map(|m| (m.due, m.kind));
        let handler = handling_unit(&log);
        let handler = handler.as_deref().and_then(|u| directory.unit(u));
        let record = mirror(
            id,
            intake,
            received_at,
            region,
            &places(kept, intake, handler),
            &log,
        )
        .map_err(ComplaintError::Internal)?;
        let seq = events.len() + 1;
        let mut mails = Vec::new();
        let next = next_due(after.state, &ms);
        match action {
            Action::Assign { to_unit } | Action::Transfer { to_unit } => mails.push(
                Notice {
                    kind: MailKind::Assignment,
                    complaint_id: id,
                    task_no: &intake.task_no,
                    intake,
                    unit_id: to_unit,
                    due: next,
                    reason: reason.as_deref().unwrap_or(""),
                    escalation: after.escalation,
                    key: seq.to_string(),
                }
                .build(directory),
            ),
            Action::Return { reason } => mails.push(
                Notice {
                    kind: MailKind::Return,
                    complaint_id: id,
                    task_no: &intake.task_no,
                    intake,
                    unit_id: &dispatcher,
                    due: None,
                    reason,
                    escalation: after.escalation,
                    key: seq.to_string(),
                }
                .build(directory),
            ),
            Action::Escalate => {
                if let Some(unit) = &after.unit {
                    mails.push(
                        Notice {
                            kind: MailKind::Overdue,
                            complaint_id: id,
                            task_no: &intake.task_no,
                            intake,
                            unit_id: unit,
                            due: next,
                            reason: reason.as_deref().unwrap_or(""),
                            escalation: after.escalation,
                            key: seq.to_string(),
                        }
                        .build(directory),
                    );
                }
            }
            _ => {}
        }
        Ok(ComplaintChange {
            complaint_id: id.to_owned(),
            before: before.clone(),
            after,
            event,
            due,
            mirror: record,
            mails,
            label: None,
        })
    }

    /// One action on an item by `actor` at `at`.
    pub async fn act(
        &self,
        id: &str,
        action: Action,
        actor: Actor,
        reason: Option<String>,
        at: Moment,
    ) -> Result<ComplaintRow, ComplaintError> {
        let directory = self.directory().await?;
        self.act_in(id, action, actor, reason, &Map::new(), at, &directory)
            .await
    }

    /// [`Complaints::act`] with facts the acting unit states (see [`FACTS`]) and reference
    /// data already loaded (for many actions in a row).
    #[allow(clippy::too_many_arguments)]
    pub async fn act_in(
        &self,
        id: &str,
        action: Action,
        actor: Actor,
        reason: Option<String>,
        facts: &Map<String, Value>,
        at: Moment,
        directory: &Directory,
    ) -> Result<ComplaintRow, ComplaintError> {
        let row = self
            .store
            .get_complaint(id)
            .await?
            .ok_or_else(|| ComplaintError::NoSuchComplaint(id.to_owned()))?;
        let events = self.store.complaint_events(id).await?;
        let intake = intake_of(&row).ok_or_else(|| {
            ComplaintError::Internal(format!("the stored details of {id} cannot be read"))
        })?;
        let received_at = row.received_at;
        let region = row
            .details
            .get("region")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut change = self.change(
            id,
            &row.details,
            &intake,
            received_at,
            region.as_deref(),
            &row.standing(),
            &events,
            &action,
            &actor,
            reason,
            facts,
            at,
            directory,
        )?;
        change.label =
            jiandu_model::label_source(&action, &actor, row.state, row.route_unit.as_deref())
                .and_then(|source| {
                    let to_unit = change.event.to_unit.clone()?;
                    Some(RouteLabel {
                        department: directory
                            .unit(&to_unit)
                            .and_then(|u| u.department_code.clone()),
                        unit_id: to_unit,
                        routed_unit: row.route_unit.clone(),
                        source,
                        labelled_by: actor.describe(),
                    })
                });
        if is_history(at) {
            change.mails.clear();
        }
        Ok(self.store.change_complaint(&change, at).await??)
    }

    /// The milestones of an item (the units' sectors from `directory` decide whose law
    /// applies).
    pub fn milestones_of(
        &self,
        row: &ComplaintRow,
        events: &[EventRow],
        directory: &Directory,
    ) -> Result<Vec<Milestone>, NoCalendarData> {
        milestones(
            row.kind,
            &steps_of(&log_of(events)),
            &self.calendar,
            &self.periods,
            &sectors(directory),
        )
    }

    pub async fn timeline(&self, id: &str) -> Result<Timeline, ComplaintError> {
        let complaint = self
            .store
            .get_complaint(id)
            .await?
            .ok_or_else(|| ComplaintError::NoSuchComplaint(id.to_owned()))?;
        let events = self.store.complaint_events(id).await?;
        let milestones = self.milestones_of(&complaint, &events, &self.directory().await?)?;
        let mails = self.store.list_mails(Some(id)).await?;
        Ok(Timeline {
            complaint,
            events,
            milestones,
            mails,
        })
    }

    /// Looks at every open item's deadline: overdue items are urged (催办), and supervised
    /// (督办) when still overdue `supervise_after_wd` working days later; items due today or
    /// on the next working day get a reminder. Each happens once per deadline.
    pub async fn watch(&self, now: Moment) -> Result<Watch, ComplaintError> {
        let today = now.date();
        let horizon = self.calendar.add_working_days(today, 1)?;
        let items = self
            .store
            .list_complaints(&ComplaintFilter {
                due_by: Some(horizon),
                ..ComplaintFilter::default()
            })
            .await?;
        let mut watch = Watch::default();
        if items.is_empty() {
            return Ok(watch);
        }
        let directory = self.directory().await?;
        for row in items {
            let Some(due) = row.due_date else {
                continue;
            };
            if due < today {
                let late_wd = self.calendar.working_days_between(due, today)?;
                let target = if late_wd >= self.handling.supervise_after_wd {
                    2
                } else {
                    1
                };
                let mut level = row.escalation;
                while level < target {
                    let reason = format!(
                        "{}期限 {due} 已过（逾期 {late_wd} 个工作日） / the {} deadline {due} has passed ({late_wd} working days)",
                        row.due_kind.map_or("", jiandu_model::DueKind::chinese),
                        row.due_kind.map_or("", jiandu_model::DueKind::as_str)
                    );
                    match self
                        .act_in(
                            &row.complaint_id,
                            Action::Escalate,
                            Actor::System {
                                name: "deadline watch".into(),
                            },
                            Some(reason),
                            &Map::new(),
                            now,
                            &directory,
                        )
                        .await
                    {
                        Ok(_) => {}
                        // Someone acted meanwhile: look again next time.
                        Err(ComplaintError::Conflict(_)) => break,
                        Err(other) => return Err(other),
                    }
                    level += 1;
                    if level == 1 {
                        watch.urged += 1;
                    } else {
                        watch.supervised += 1;
                    }
                }
            } else if let (Some(unit), Some(intake)) = (&row.unit_id, intake_of(&row)) {
                let events = self.store.complaint_events(&row.complaint_id).await?;
                let ms = self.milestones_of(&row, &events, &directory)?;
                let Some(next) = next_due(row.state, &ms) else {
                    continue;
                };
                let mail = Notice {
                    kind: MailKind::DueSoon,
                    complaint_id: &row.complaint_id,
                    task_no: &row.task_no,
                    intake: &intake,
                    unit_id: unit,
                    due: Some(next),
                    reason: "",
                    escalation: row.escalation,
                    key: format!("{}:{}", next.kind.as_str(), next.due),
                }
                .build(&directory);
                if !is_history(now) {
                    watch.due_soon_mails += self.store.queue_mails(&[mail], now).await?;
                }
            }
        }
        Ok(watch)
    }
}

impl Complaints {
    /// The platform's feedback for items finished (resolved or not accepted) on or after
    /// `since`. Items not yet fed back get a `feedback` event now, with their result as the
    /// suggestion; running it again gives the same entries and adds nothing.
    pub async fn feedback_export(&self, since: Date, now: Moment) -> Result<Value, ComplaintError> {
        let directory = self.directory().await?;
        let mut entries = Vec::new();
        // Read first: feeding back moves items from one state to the next.
        let mut rows = Vec::new();
        for state in [
            ComplaintState::Resolved,
            ComplaintState::NotAccepted,
            ComplaintState::FeedbackSent,
        ] {
            rows.extend(
                self.store
                    .list_complaints(&ComplaintFilter {
                        state: Some(state),
                        ..ComplaintFilter::default()
                    })
                    .await?,
            );
        }
        {
            for row in rows {
                let state = row.state;
                let mut events = self.store.complaint_events(&row.complaint_id).await?;
                let Some(end) = events
                    .iter()
                    .rev()
                    .find(|e| matches!(e.action, ActionKind::Resolve | ActionKind::NotAccept))
                else {
                    continue;
                };
                if end.at.date() < since {
                    continue;
                }
                let mut row = row;
                if state != ComplaintState::FeedbackSent {
                    let suggestion = match end.action {
                        ActionKind::Resolve => end
                            .details
                            .get("result")
                            .and_then(Value::as_str)
                            .unwrap_or("已办结")
                            .to_owned(),
                        _ => format!("不予受理：{}", end.reason.as_deref().unwrap_or("")),
                    };
                    let actor = Actor::System {
                        name: "feedback export".into(),
                    };
                    row = self
                        .act_in(
                            &row.complaint_id,
                            Action::Feedback { suggestion },
                            actor,
                            None,
                            &Map::new(),
                            now,
                            &directory,
                        )
                        .await?;
                    events = self.store.complaint_events(&row.complaint_id).await?;
                }
                entries.push(feedback_entry(&row, &events, &directory));
            }
        }
        entries.sort_by(|a, b| a["taskNo"].to_string().cmp(&b["taskNo"].to_string()));
        Ok(json!({
            "supervisionProcess": {"taskDetails": entries},
            "exportedAt": now.to_string(),
            "since": since.to_string(),
        }))
    }
}

/// The respondent's operating and domicile regions, from the parties imported, else the
/// region the platform gives for a complaint.
fn respondent_regions(intake: &Intake, directory: &Directory) -> (Option<String>, Option<String>) {
    let known = directory.respondent(intake).cloned();
    match known {
        Some(party) => (party.operating_region, party.domicile_region),
        None if intake.kind == jiandu_model::ComplaintKind::Complaint => {
            (intake.respondent.territory.clone(), None)
        }
        None => (None, None),
    }
}

fn places(kept: &Value, intake: &Intake, handler: Option<&UnitInfo>) -> Places {
    let text = |key: &str| kept.get(key).and_then(Value::as_str).map(str::to_owned);
    Places {
        operating: text("operating_region"),
        domicile: text("domicile_region"),
        act: (intake.kind == jiandu_model::ComplaintKind::Report)
            .then(|| intake.respondent.territory.clone())
            .flatten(),
        handling_unit: handler.and_then(|u| u.region_code.clone()),
        sector: handler.and_then(|u| u.sector.clone()),
    }
}

/// Whether `at` lies on an earlier day than today: recording history (a push or an action
/// back-filled with its own date) tells nobody anything new, so it queues no mail; a notice now
/// about an assignment of last month would only mislead.
fn is_history(at: Moment) -> bool {
    at.date() < jiandu_model::clock::now().date()
}

/// Each unit's sector, as the deadlines ask for it.
pub fn sectors(directory: &Directory) -> impl Fn(&str) -> Option<String> + '_ {
    |unit| directory.unit(unit).and_then(|u| u.sector.clone())
}

/// The unit that handled the item: the last to accept or resolve it, else the last assignee.
fn handling_unit(log: &[LogEntry]) -> Option<String> {
    log.iter()
        .rev()
        .find(|e| matches!(e.action, ActionKind::Accept | ActionKind::Resolve))
        .and_then(|e| e.unit.clone())
        .or_else(|| {
            log.iter()
                .rev()
                .find(|e| matches!(e.action, ActionKind::Assign | ActionKind::Transfer))
                .and_then(|e| e.to_unit.clone())
        })
}

/// The state as it reads in a list.
pub fn state_label(state: ComplaintState, escalation: u8) -> String {
    let mark = match escalation {
        0 => "",
        1 => " 催办",
        _ => " 督办",
    };
    format!("{} {}{mark}", state.as_str(), state.chinese())
}

/// The feedback a platform expects for finished items (CATALOGUE §3.1,
/// `supervisionProcess.taskDetails`).
pub fn feedback_entry(row: &ComplaintRow, events: &[EventRow], directory: &Directory) -> Value {
    let unit = row.unit_id.as_deref().and_then(|u| directory.unit(u));
    let claim = events
        .iter()
        .rev()
        .find(|e| e.action == ActionKind::Acknowledge)
        .map(|e| e.at);
    let end = events
        .iter()
        .rev()
        .find(|e| matches!(e.action, ActionKind::Resolve | ActionKind::NotAccept));
    let end_reason = end.map(|e| match e.action {
        ActionKind::Resolve => e
            .details
            .get("result")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        _ => format!("不予受理：{}", e.reason.as_deref().unwrap_or("")),
    });
    let feedback = events
        .iter()
        .rev()
        .find(|e| e.action == ActionKind::Feedback);
    json!({
        "taskNo": row.task_no,
        "unionUnitType": "行政执法单位",
        "unionUnitNo": row.unit_id,
        "unionUnitName": unit.map(|u| u.name.clone()),
        "status": "反馈",
        "claimTime": claim,
        "supervisionMatterCode": row.details.get("item_code"),
        "endTime": end.map(|e| e.at),
        "endReason": end_reason,
        "feedbackTime": feedback.map(|e| e.at),
        "feedbackSuggestion": feedback.and_then(|e| e.details.get("suggestion").cloned()),
    })
}
