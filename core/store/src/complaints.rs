//! Complaints in the store: created once per platform task number, changed one event at a
//! time in a transaction that also rewrites the complaint's mirror record, appends the audit
//! event and queues its mails, so the four never disagree.

use jiandu_model::{
    ActionKind, Actor, ComplaintKind, ComplaintState, Date, DueKind, Moment, Record, Standing,
};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::Row;

use crate::audit::{AuditEvent, append};
use crate::filter::Where;
use crate::outbox::{NewMail, queue_in};
use crate::records::write_records;
use crate::{Store, StoreError, query_error};

/// A complaint as first received.
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub complaint_id: String,
    pub task_no: String,
    pub kind: ComplaintKind,
    pub received_at: Moment,
    pub route_unit: Option<String>,
    pub route_reason: String,
    pub envelope: Value,
    pub details: Value,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComplaintRow {
    pub complaint_id: String,
    pub task_no: String,
    pub kind: ComplaintKind,
    pub state: ComplaintState,
    pub unit_id: Option<String>,
    pub escalation: u8,
    pub received_at: Moment,
    pub route_unit: Option<String>,
    pub route_reason: String,
    pub due_date: Option<Date>,
    pub due_kind: Option<DueKind>,
    pub details: Value,
    #[serde(skip)]
    pub envelope: Value,
    pub source: String,
    pub created_at: Moment,
    pub updated_at: Moment,
}

impl ComplaintRow {
    pub fn standing(&self) -> Standing {
        Standing {
            state: self.state,
            unit: self.unit_id.clone(),
            escalation: self.escalation,
        }
    }
}

/// One handover event as stored.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub complaint_id: String,
    pub seq: i64,
    pub action: ActionKind,
    pub actor: Actor,
    pub unit_id: Option<String>,
    pub from_unit: Option<String>,
    pub to_unit: Option<String>,
    pub at: Moment,
    pub reason: Option<String>,
    pub details: Value,
}

/// One handover event to record.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub action: ActionKind,
    pub actor: Actor,
    pub unit_id: Option<String>,
    pub from_unit: Option<String>,
    pub to_unit: Option<String>,
    pub at: Moment,
    pub reason: Option<String>,
    pub details: Value,
}

/// Everything one action changes, written in one transaction.
#[derive(Debug, Clone)]
pub struct ComplaintChange {
    pub complaint_id: String,
    /// What the caller read; the change is refused if the complaint moved meanwhile.
    pub before: Standing,
    pub after: Standing,
    pub event: NewEvent,
    /// The next deadline after the change and what it is for.
    pub due: Option<(Date, DueKind)>,
    /// The complaint as a record, its `handover_log[]` including this event.
    pub mirror: Record,
    pub mails: Vec<NewMail>,
    /// A person's assignment teaches routing where such items belong.
    pub label: Option<crate::RouteLabel>,
}

/// Another process changed the complaint between reading and writing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("complaint {0} changed while this action was being prepared; look at it again and retry")]
pub struct Conflict(pub String);

/// What [`Store::list_complaints`] selects.
#[derive(Debug, Clone, Default)]
pub struct ComplaintFilter {
    pub unit_id: Option<String>,
    pub state: Option<ComplaintState>,
    pub kind: Option<ComplaintKind>,
    /// Open items whose deadline is before this date.
    pub overdue_on: Option<Date>,
    /// Open items whose deadline is on or before this date.
    pub due_by: Option<Date>,
    /// Items in the dispatcher's queue (received or returned).
    pub unassigned: bool,
    /// Only open items.
    pub open: bool,
    /// Items received without a routing result (the router could not tell the unit).
    pub unrouted: bool,
    /// At most this many, after skipping `offset` (pages).
    pub limit: Option<u64>,
    pub offset: u64,
}

const SELECT_COMPLAINT: &str = "SELECT complaint_id, task_no, kind, state, unit_id, escalation, received_at, route_unit, \
     route_reason, due_date, due_kind, details, envelope, source, created_at, updated_at FROM complaints";

const OPEN_STATES: &str = "('received', 'assigned', 'acknowledged', 'returned', 'accepted')";

/// The conditions of a [`ComplaintFilter`], shared by listing and counting.
fn where_of(filter: &ComplaintFilter) -> Where {
    let mut w = Where::default();
    if let Some(unit) = &filter.unit_id {
        w.bind("unit_id = ?", unit.as_str());
    }
    if let Some(state) = filter.state {
        w.bind("state = ?", state.as_str());
    }
    if let Some(kind) = filter.kind {
        w.bind("kind = ?", kind.as_str());
    }
    if let Some(day) = filter.overdue_on {
        w.bind("due_date < ?", day.to_string());
    }
    if let Some(day) = filter.due_by {
        w.bind("due_date <= ?", day.to_string());
    }
    // A deadline only runs while an item is open.
    if filter.open || filter.overdue_on.is_some() || filter.due_by.is_some() {
        w.raw(format!("state IN {OPEN_STATES}"));
    }
    if filter.unassigned {
        w.raw("state IN ('received', 'returned')");
    }
    if filter.unrouted {
        w.raw("route_unit IS NULL AND state = 'received'");
    }
    w
}

fn corrupt(key: &str, reason: String) -> StoreError {
    StoreError::corrupt("complaints", key, "*", reason)
}

/// Builds a complaint row for every printer, page and export: the complainant's name and
/// phone masked, a reporter's identity hidden (`model::personal`), here and nowhere else.
fn complaint_from_row(row: &sqlx::any::AnyRow) -> Result<ComplaintRow, StoreError> {
    let id: String = row.get(0);
    let json = |i: usize| -> Result<Value, StoreError> {
        serde_json::from_str(&row.get::<String, _>(i)).map_err(|e| corrupt(&id, e.to_string()))
    };
    let kind: ComplaintKind = row
        .get::<String, _>(2)
        .parse()
        .map_err(|e| corrupt(&id, e))?;
    let mut details = json(11)?;
    jiandu_model::personal::mask_complainant(&mut details, kind == ComplaintKind::Report);
    // The push as received carries the complainant too (`complainant` at its root).
    let mut envelope = json(12)?;
    jiandu_model::personal::mask_complainant(&mut envelope, kind == ComplaintKind::Report);
    let moment = |i: usize, column: &'static str| -> Result<Moment, StoreError> {
        Moment::parse(&row.get::<String, _>(i))
            .map_err(|e| StoreError::corrupt("complaints", &id, column, e))
    };
    let due_date = row
        .get::<Option<String>, _>(9)
        .map(|d| Date::parse(&d).map_err(|e| StoreError::corrupt("complaints", &id, "due_date", e)))
        .transpose()?;
    let due_kind = row
        .get::<Option<String>, _>(10)
        .map(|k| {
            k.parse()
                .map_err(|e| StoreError::corrupt("complaints", &id, "due_kind", e))
        })
        .transpose()?;
    Ok(ComplaintRow {
        task_no: row.get(1),
        kind,
        state: row
            .get::<String, _>(3)
            .parse()
            .map_err(|e| corrupt(&id, e))?,
        unit_id: row.get(4),
        escalation: row.get::<i64, _>(5).clamp(0, 2) as u8,
        received_at: moment(6, "received_at")?,
        route_unit: row.get(7),
        route_reason: row.get(8),
        due_date,
        due_kind,
        details,
        envelope,
        source: row.get(13),
        created_at: moment(14, "created_at")?,
        updated_at: moment(15, "updated_at")?,
        complaint_id: id,
    })
}

pub(crate) fn event_from_row(row: &sqlx::any::AnyRow) -> Result<EventRow, StoreError> {
    let id: String = row.get(0);
    Ok(EventRow {
        seq: row.get(1),
        action: row
            .get::<String, _>(2)
            .parse()
            .map_err(|e| corrupt(&id, e))?,
        actor: serde_json::from_str(&row.get::<String, _>(3))
            .map_err(|e| corrupt(&id, e.to_string()))?,
        unit_id: row.get(4),
        from_unit: row.get(5),
        to_unit: row.get(6),
        at: Moment::parse(&row.get::<String, _>(7))
            .map_err(|e| StoreError::corrupt("complaint_events", &id, "at", e))?,
        reason: row.get(8),
        details: serde_json::from_str(&row.get::<String, _>(9))
            .map_err(|e| corrupt(&id, format!("event details: {e}")))?,
        complaint_id: id,
    })
}

async fn apply_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: Option<&crate::AuditKey>,
    change: &ComplaintChange,
    now: &str,
) -> Result<Result<(), Conflict>, StoreError> {
    let id = change.complaint_id.as_str();
    let (due_date, due_kind) = match &change.due {
        Some((date, kind)) => (Some(date.to_string()), Some(kind.as_str())),
        None => (None, None),
    };
    // First statement: takes the write lock (SQLite) or the row lock (PostgreSQL), and is
    // the optimistic check that nobody moved the complaint since it was read.
    let updated = sqlx::query(
        "UPDATE complaints SET state = $1, unit_id = $2, escalation = $3, due_date = $4, due_kind = $5, updated_at = $6 \
         WHERE complaint_id = $7 AND state = $8 AND escalation = $9 AND COALESCE(unit_id, '') = $10",
    )
    .bind(change.after.state.as_str())
    .bind(change.after.unit.clone())
    .bind(i64::from(change.after.escalation))
    .bind(due_date)
    .bind(due_kind)
    .bind(now)
    .bind(id)
    .bind(change.before.state.as_str())
    .bind(i64::from(change.before.escalation))
    .bind(change.before.unit.clone().unwrap_or_default())
    .execute(&mut **tx)
    .await
    .map_err(query_error(format!("changing complaint {id}")))?;
    if updated.rows_affected() != 1 {
        return Ok(Err(Conflict(id.to_owned())));
    }
    let e = &change.event;
    let seq: i64 = sqlx::query(
        "SELECT CAST(COALESCE(MAX(seq), 0) + 1 AS BIGINT) FROM complaint_events WHERE complaint_id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await
    .map_err(query_error("numbering a complaint event"))?
    .get(0);
    let actor = serde_json::to_string(&e.actor).unwrap_or_default();
    sqlx::query(
        "INSERT INTO complaint_events (complaint_id, seq, action, actor, unit_id, from_unit, to_unit, at, reason, details) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(seq)
    .bind(e.action.as_str())
    .bind(actor)
    .bind(e.unit_id.clone())
    .bind(e.from_unit.clone())
    .bind(e.to_unit.clone())
    .bind(e.at.to_string())
    .bind(e.reason.clone())
    .bind(e.details.to_string())
    .execute(&mut **tx)
    .await
    .map_err(query_error("recording a complaint event"))?;
    write_records(tx, &[&change.mirror], "complaints", now, &|_| {}).await?;
    let audit = AuditEvent {
        actor: e.actor.describe(),
        entity: "complaint",
        entity_id: id.to_owned(),
        action: e.action.as_str().to_owned(),
        details: json!({
            "seq": seq,
            "from": change.before.state,
            "to": change.after.state,
            "unit": change.after.unit,
            "at": e.at.to_string(),
            "reason": e.reason,
            "details": e.details,
        }),
    };
    append(tx, key, &[audit], now).await?;
    queue_in(tx, &change.mails, now).await?;
    if let Some(label) = &change.label {
        crate::routing::write_label(tx, id, label, &e.at, now).await?;
    }
    Ok(Ok(()))
}

/// Writes a new complaint with its mirror record, audit event and first change in `tx`;
/// `false` (and nothing written) when its task number or id is already stored.
pub(crate) async fn insert_new(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: Option<&crate::AuditKey>,
    new: &NewComplaint,
    mirror: &Record,
    then: Option<&ComplaintChange>,
    now: &str,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO complaints (complaint_id, task_no, kind, state, unit_id, escalation, received_at, route_unit, \
         route_reason, due_date, due_kind, envelope, details, source, created_at, updated_at) \
         VALUES ($1, $2, $3, 'received', NULL, 0, $4, $5, $6, NULL, NULL, $7, $8, $9, $10, $10) \
         ON CONFLICT DO NOTHING",
    )
    .bind(new.complaint_id.as_str())
    .bind(new.task_no.as_str())
    .bind(new.kind.as_str())
    .bind(new.received_at.to_string())
    .bind(new.route_unit.clone())
    .bind(new.route_reason.as_str())
    .bind(new.envelope.to_string())
    .bind(new.details.to_string())
    .bind(new.source.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(query_error("storing a complaint"))?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    write_records(tx, &[mirror], "complaints", now, &|_| {}).await?;
    let audit = AuditEvent {
        actor: format!("platform {}", new.source),
        entity: "complaint",
        entity_id: new.complaint_id.clone(),
        action: "received".into(),
        details: json!({"task_no": new.task_no, "kind": new.kind, "route_unit": new.route_unit, "route_reason": new.route_reason}),
    };
    append(tx, key, &[audit], now).await?;
    if let Some(change) = then
        && let Err(conflict) = apply_in(tx, key, change, now).await?
    {
        return Err(corrupt(&conflict.0, "changed while being created".into()));
    }
    Ok(true)
}

impl Store {
    /// Stores a new complaint and, in the same transaction, its first change (the routed
    /// assignment). A task number already stored changes nothing: the stored complaint is
    /// returned with `false`.
    pub async fn create_complaint(
        &self,
        new: &NewComplaint,
        mirror: &Record,
        then: Option<&ComplaintChange>,
        now: Moment,
    ) -> Result<(ComplaintRow, bool), StoreError> {
        let now = now.to_string();
        let turn = self.write_turn().await;
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting to store a complaint"))?;
        let inserted = insert_new(&mut tx, self.audit_key(), new, mirror, then, &now).await?;
        if inserted {
            tx.commit()
                .await
                .map_err(query_error("committing a new complaint"))?;
        }
        drop(turn);
        let row = if inserted {
            self.get_complaint(&new.complaint_id).await?
        } else {
            self.complaint_by_task(&new.task_no).await?
        };
        let row = row.ok_or_else(|| {
            corrupt(
                &new.complaint_id,
                if inserted {
                    "vanished after it was stored".into()
                } else {
                    "a complaint id is taken by another task number".into()
                },
            )
        })?;
        Ok((row, inserted))
    }

    /// Applies one action's change. The outer error is the store's; the inner one a
    /// concurrent change.
    pub async fn change_complaint(
        &self,
        change: &ComplaintChange,
        now: Moment,
    ) -> Result<Result<ComplaintRow, Conflict>, StoreError> {
        let now = now.to_string();
        let _turn = self.write_turn().await;
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting a complaint change"))?;
        if let Err(conflict) = apply_in(&mut tx, self.audit_key(), change, &now).await? {
            return Ok(Err(conflict));
        }
        tx.commit()
            .await
            .map_err(query_error("committing a complaint change"))?;
        let row = self
            .get_complaint(&change.complaint_id)
            .await?
            .ok_or_else(|| corrupt(&change.complaint_id, "vanished after a change".into()))?;
        Ok(Ok(row))
    }

    pub async fn get_complaint(&self, id: &str) -> Result<Option<ComplaintRow>, StoreError> {
        let row = sqlx::query(&format!("{SELECT_COMPLAINT} WHERE complaint_id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(query_error("reading a complaint"))?;
        row.as_ref().map(complaint_from_row).transpose()
    }

    pub async fn complaint_by_task(
        &self,
        task_no: &str,
    ) -> Result<Option<ComplaintRow>, StoreError> {
        let row = sqlx::query(&format!("{SELECT_COMPLAINT} WHERE task_no = $1"))
            .bind(task_no)
            .fetch_optional(self.pool())
            .await
            .map_err(query_error("reading a complaint"))?;
        row.as_ref().map(complaint_from_row).transpose()
    }

    pub async fn complaint_events(&self, id: &str) -> Result<Vec<EventRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT complaint_id, seq, action, actor, unit_id, from_unit, to_unit, at, reason, details \
             FROM complaint_events WHERE complaint_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await
        .map_err(query_error("reading complaint events"))?;
        rows.iter().map(event_from_row).collect()
    }

    pub async fn list_complaints(
        &self,
        filter: &ComplaintFilter,
    ) -> Result<Vec<ComplaintRow>, StoreError> {
        let tail = match filter.limit {
            Some(limit) => format!(
                "ORDER BY received_at, complaint_id LIMIT {limit} OFFSET {}",
                filter.offset
            ),
            None => "ORDER BY received_at, complaint_id".to_owned(),
        };
        let rows = where_of(filter)
            .fetch_all(self.pool(), SELECT_COMPLAINT, &tail, "listing complaints")
            .await?;
        rows.iter().map(complaint_from_row).collect()
    }

    /// How many complaints `filter` selects (its limit and offset ignored).
    pub async fn count_complaints(&self, filter: &ComplaintFilter) -> Result<u64, StoreError> {
        let rows = where_of(filter)
            .fetch_all(
                self.pool(),
                "SELECT COUNT(*) FROM complaints",
                "",
                "counting complaints",
            )
            .await?;
        Ok(rows
            .first()
            .map_or(0, |row| row.get::<i64, _>(0).max(0) as u64))
    }

    /// Keeps a push that could not be read, for a person to inspect. Returns its id.
    pub async fn record_intake_reject(
        &self,
        source: &str,
        reason: &str,
        body: &str,
        at: Moment,
    ) -> Result<i64, StoreError> {
        // The same body refused again for the same reason is the same reject: a re-ingested
        // file or a retried push does not pile up copies.
        let body_hash = crate::hash::hex(&<sha2::Sha256 as sha2::Digest>::digest(body.as_bytes()));
        let inserted = sqlx::query(
            "INSERT INTO intake_rejects (received_at, source, reason, body, body_hash) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (source, reason, body_hash) DO NOTHING RETURNING reject_id",
        )
        .bind(at.to_string())
        .bind(source)
        .bind(reason)
        .bind(body)
        .bind(body_hash.as_str())
        .fetch_optional(self.pool())
        .await
        .map_err(query_error("keeping a rejected push"))?;
        if let Some(row) = inserted {
            return Ok(row.get(0));
        }
        let id: i64 = sqlx::query(
            "SELECT reject_id FROM intake_rejects WHERE source = $1 AND reason = $2 AND body_hash = $3",
        )
        .bind(source)
        .bind(reason)
        .bind(body_hash.as_str())
        .fetch_one(self.pool())
        .await
        .map_err(query_error("finding a kept rejected push"))?
        .get(0);
        Ok(id)
    }

    /// The rejected pushes, newest first: (id, received at, source, reason, body).
    pub async fn intake_rejects(
        &self,
        limit: u64,
    ) -> Result<Vec<(i64, String, String, String, String)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT reject_id, received_at, source, reason, body FROM intake_rejects ORDER BY reject_id DESC LIMIT {limit}"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(query_error("listing rejected pushes"))?;
        // A rejected body that is JSON may still name the complainant: masked as a row is. Its
        // kind is unknown (the push was malformed), so the stricter reading: hidden.
        let body = |text: String| match serde_json::from_str::<Value>(&text) {
            Ok(mut value) => {
                jiandu_model::personal::mask_complainant(&mut value, true);
                value.to_string()
            }
            Err(_) => text,
        };
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), body(r.get(4))))
            .collect())
    }
}
