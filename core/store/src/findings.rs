//! Findings in the store: applying a sweep's changes, listing, showing, and the statuses
//! people set. Every change of a finding is an audit event.

use jiandu_model::{Change, Date, Evaluation, FindingState, FindingStatus, Moment, Outcome};
use serde_json::{Value, json};
use sqlx::Row;

use crate::audit::{AuditEvent, append};
use crate::filter::Where;
use crate::records::{CHUNK, list_placeholders, values_placeholders};
use crate::transition::{Bind, FINDING, read_state, write_state};
use crate::{Store, StoreError, content_hash, query_error};

/// A finding as listed and shown.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FindingRow {
    pub finding_id: i64,
    pub record_id: String,
    pub rule_id: String,
    pub outcome: Outcome,
    pub version: Option<String>,
    pub basis: Option<String>,
    pub message: String,
    pub message_en: String,
    pub evidence: Value,
    pub act_date: Option<Date>,
    pub unit_id: Option<String>,
    pub status: FindingStatus,
    pub status_reason: Option<String>,
    pub case_id: Option<i64>,
    pub first_seen_at: Moment,
    pub last_seen_at: Moment,
    pub resolved_at: Option<Moment>,
}

/// Which findings to list. Every field narrows; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub unit_id: Option<String>,
    pub rule_id: Option<String>,
    pub outcome: Option<Outcome>,
    pub status: Option<FindingStatus>,
    /// Act dates from (inclusive).
    pub from: Option<Date>,
    /// Act dates to (inclusive).
    pub to: Option<Date>,
    pub record_id: Option<String>,
    pub case_id: Option<i64>,
    pub limit: Option<u64>,
    /// Rows to skip (pages).
    pub offset: u64,
    /// Only findings with a greater id: a listing read a page at a time follows its last id
    /// instead of skipping rows again.
    pub after: Option<i64>,
}

/// How many of each kind of change one batch made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ChangeCounts {
    pub new: u64,
    pub reopened: u64,
    pub resolved: u64,
    pub unchanged: u64,
    /// Evaluations that were `error` (kept as gaps, not findings).
    pub errors: u64,
}

const SELECT_FINDING: &str = "SELECT finding_id, record_id, rule_id, outcome, version, basis, message, message_en, evidence, \
     act_date, unit_id, status, status_reason, case_id, first_seen_at, last_seen_at, resolved_at FROM findings";

fn finding_from_row(row: &sqlx::any::AnyRow) -> Result<FindingRow, StoreError> {
    let id: i64 = row.get(0);
    let corrupt = |column: &'static str| {
        move |reason: String| StoreError::corrupt("findings", id, column, reason)
    };
    let date = |i: usize, column: &'static str| -> Result<Option<Date>, StoreError> {
        row.get::<Option<String>, _>(i)
            .map(|text| Date::parse(&text).map_err(|e| corrupt(column)(e.to_string())))
            .transpose()
    };
    let moment = |i: usize, column: &'static str| -> Result<Option<Moment>, StoreError> {
        row.get::<Option<String>, _>(i)
            .map(|text| Moment::parse(&text).map_err(|e| corrupt(column)(e.to_string())))
            .transpose()
    };
    Ok(FindingRow {
        finding_id: id,
        record_id: row.get(1),
        rule_id: row.get(2),
        outcome: row
            .get::<String, _>(3)
            .parse()
            .map_err(corrupt("outcome"))?,
        version: row.get(4),
        basis: row.get(5),
        message: row.get(6),
        message_en: row.get(7),
        evidence: serde_json::from_str(&row.get::<String, _>(8))
            .map_err(|e| corrupt("evidence")(e.to_string()))?,
        act_date: date(9, "act_date")?,
        unit_id: row.get(10),
        status: row
            .get::<String, _>(11)
            .parse()
            .map_err(corrupt("status"))?,
        status_reason: row.get(12),
        case_id: row.get(13),
        first_seen_at: moment(14, "first_seen_at")?
            .ok_or_else(|| corrupt("first_seen_at")("empty".into()))?,
        last_seen_at: moment(15, "last_seen_at")?
            .ok_or_else(|| corrupt("last_seen_at")("empty".into()))?,
        resolved_at: moment(16, "resolved_at")?,
    })
}

/// The fingerprint of what a finding says, to skip rewriting it when nothing changed.
fn fingerprint(e: &Evaluation) -> String {
    content_hash(&json!([
        e.outcome,
        e.version,
        e.basis,
        e.message,
        e.message_en,
        e.evidence,
        e.act_date
    ]))
}

/// The stored states of every finding of some records, for reconciling. With `lock`
/// (PostgreSQL) the rows stay locked until the transaction ends, so a person's status change
/// waits for the batch and then finds the state it read gone (a conflict, not a lost change);
/// SQLite holds the database's write lock from the batch's first statement.
pub(crate) async fn load_states(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    record_ids: &[String],
    lock: bool,
) -> Result<(Vec<FindingState>, std::collections::HashMap<i64, String>), StoreError> {
    let mut states = Vec::new();
    let mut fingerprints = std::collections::HashMap::new();
    for chunk in record_ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT finding_id, record_id, rule_id, outcome, version, status, status_before_resolution, outcome, version, basis, \
             message, message_en, evidence, act_date FROM findings WHERE record_id IN ({}){}",
            list_placeholders(chunk.len()),
            if lock { " FOR UPDATE" } else { "" }
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        for row in query
            .fetch_all(&mut **tx)
            .await
            .map_err(query_error("reading findings"))?
        {
            let id: i64 = row.get(0);
            let corrupt =
                |reason: String| StoreError::corrupt("findings", id, "outcome/status", reason);
            let outcome: Outcome = row.get::<String, _>(3).parse().map_err(corrupt)?;
            let before: Option<String> = row.get(6);
            let evidence: Value = serde_json::from_str(&row.get::<String, _>(12))
                .map_err(|e| StoreError::corrupt("findings", id, "evidence", e))?;
            let stored = json!([
                outcome,
                row.get::<Option<String>, _>(8),
                row.get::<Option<String>, _>(9),
                row.get::<String, _>(10),
                row.get::<String, _>(11),
                evidence,
                row.get::<Option<String>, _>(13)
            ]);
            fingerprints.insert(id, content_hash(&stored));
            states.push(FindingState {
                finding_id: id,
                record_id: row.get(1),
                rule_id: row.get(2),
                outcome,
                version: row.get(4),
                status: row.get::<String, _>(5).parse().map_err(corrupt)?,
                status_before_resolution: before.map(|s| s.parse()).transpose().map_err(corrupt)?,
            });
        }
    }
    Ok((states, fingerprints))
}

/// Applies a sweep batch's changes inside its transaction and writes their audit events.
#[allow(
    clippy::too_many_arguments,
    reason = "one batch's context, passed once"
)]
pub(crate) async fn apply_changes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: Option<&crate::AuditKey>,
    changes: &[Change],
    fingerprints: &std::collections::HashMap<i64, String>,
    unit_of: &(dyn Fn(&str) -> Option<String> + Sync),
    sweep_id: i64,
    actor: &str,
    now: &str,
) -> Result<ChangeCounts, StoreError> {
    let mut counts = ChangeCounts::default();
    let mut events = Vec::new();
    let mut new = Vec::new();
    let mut just_seen = Vec::new();
    for change in changes {
        match change {
            Change::New { evaluation } => {
                counts.new += 1;
                new.push(evaluation);
            }
            Change::Reopen {
                finding_id,
                evaluation,
                status,
            } => {
                counts.reopened += 1;
                let unit = unit_of(evaluation.record_id.as_str());
                let at = (now, sweep_id);
                write_evaluation(tx, *finding_id, evaluation, unit, at, Some(*status)).await?;
                events.push(AuditEvent {
                    actor: actor.to_owned(),
                    entity: "finding",
                    entity_id: finding_id.to_string(),
                    action: "reopened".into(),
                    details: json!({"sweep_id": sweep_id, "outcome": evaluation.outcome, "status": status}),
                });
            }
            Change::Seen {
                finding_id,
                evaluation,
                changed,
            } => {
                counts.unchanged += 1;
                if fingerprints.get(finding_id) == Some(&fingerprint(evaluation)) {
                    just_seen.push(*finding_id);
                    continue;
                }
                let unit = unit_of(evaluation.record_id.as_str());
                write_evaluation(tx, *finding_id, evaluation, unit, (now, sweep_id), None).await?;
                if *changed {
                    events.push(AuditEvent {
                        actor: actor.to_owned(),
                        entity: "finding",
                        entity_id: finding_id.to_string(),
                        action: "changed".into(),
                        details: json!({"sweep_id": sweep_id, "outcome": evaluation.outcome, "version": evaluation.version}),
                    });
                }
            }
            Change::Resolve {
                finding_id,
                previous,
            } => {
                counts.resolved += 1;
                write_state(
                    tx,
                    FINDING,
                    *finding_id,
                    previous.as_str(),
                    FindingStatus::ResolvedByData.as_str(),
                    &[
                        (
                            "status_before_resolution",
                            Bind::Text(Some(previous.as_str().into())),
                        ),
                        ("resolved_at", Bind::Text(Some(now.to_owned()))),
                        ("last_sweep_id", Bind::Int(Some(sweep_id))),
                    ],
                )
                .await?;
                events.push(AuditEvent {
                    actor: actor.to_owned(),
                    entity: "finding",
                    entity_id: finding_id.to_string(),
                    action: "resolved_by_data".into(),
                    details: json!({"sweep_id": sweep_id, "previous_status": previous}),
                });
            }
        }
    }
    for chunk in just_seen.chunks(CHUNK) {
        let sql = format!(
            "UPDATE findings SET last_seen_at = $1, last_sweep_id = $2 WHERE finding_id IN ({})",
            (3..3 + chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut query = sqlx::query(&sql).bind(now).bind(sweep_id);
        for id in chunk {
            query = query.bind(*id);
        }
        query
            .execute(&mut **tx)
            .await
            .map_err(query_error("marking findings seen"))?;
    }
    for chunk in new.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO findings (record_id, rule_id, outcome, version, basis, message, message_en, evidence, act_date, unit_id, \
             status, first_seen_at, last_seen_at, first_sweep_id, last_sweep_id) VALUES {} RETURNING finding_id, record_id, rule_id, outcome",
            values_placeholders(chunk.len(), 15)
        );
        let mut query = sqlx::query(&sql);
        for e in chunk {
            query = query
                .bind(e.record_id.as_str().to_owned())
                .bind(e.rule_id.clone())
                .bind(e.outcome.as_str())
                .bind(e.version.clone())
                .bind(e.basis.clone())
                .bind(e.message.clone())
                .bind(e.message_en.clone())
                .bind(Value::Object(e.evidence.clone()).to_string())
                .bind(e.act_date.map(|d| d.to_string()))
                .bind(unit_of(e.record_id.as_str()))
                .bind("open")
                .bind(now)
                .bind(now)
                .bind(sweep_id)
                .bind(sweep_id);
        }
        let rows = query
            .fetch_all(&mut **tx)
            .await
            .map_err(query_error("writing new findings"))?;
        for row in rows {
            let id: i64 = row.get(0);
            events.push(AuditEvent {
                actor: actor.to_owned(),
                entity: "finding",
                entity_id: id.to_string(),
                action: "new".into(),
                details: json!({"sweep_id": sweep_id, "record_id": row.get::<String, _>(1),
                                "rule_id": row.get::<String, _>(2), "outcome": row.get::<String, _>(3)}),
            });
        }
    }
    append(tx, key, &events, now).await?;
    Ok(counts)
}

/// Why a status change was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusChangeError {
    #[error("there is no finding {0}")]
    NoSuchFinding(i64),
    #[error("finding {finding_id}: {refusal}")]
    Refused {
        finding_id: i64,
        refusal: jiandu_model::StatusRefusal,
    },
}

/// Writes what a sweep saw of a stored finding: the latest outcome, message and evidence;
/// with `reopen_as`, the finding also returns from `resolved_by_data` to that status.
async fn write_evaluation(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    finding_id: i64,
    evaluation: &Evaluation,
    unit: Option<String>,
    (now, sweep_id): (&str, i64),
    reopen_as: Option<FindingStatus>,
) -> Result<(), StoreError> {
    let reopen = if reopen_as.is_some() {
        ", status = $12, status_before_resolution = NULL, resolved_at = NULL"
    } else {
        ""
    };
    // Reopening is a change of status: guarded like every other (`transition.rs`).
    let guard = if reopen_as.is_some() {
        " AND status = 'resolved_by_data'"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE findings SET outcome = $1, version = $2, basis = $3, message = $4, message_en = $5, evidence = $6, \
         act_date = $7, unit_id = $8, last_seen_at = $9, last_sweep_id = $10{reopen} WHERE finding_id = $11{guard}"
    );
    let mut query = sqlx::query(&sql)
        .bind(evaluation.outcome.as_str())
        .bind(evaluation.version.clone())
        .bind(evaluation.basis.clone())
        .bind(evaluation.message.clone())
        .bind(evaluation.message_en.clone())
        .bind(Value::Object(evaluation.evidence.clone()).to_string())
        .bind(evaluation.act_date.map(|d| d.to_string()))
        .bind(unit)
        .bind(now.to_owned())
        .bind(sweep_id)
        .bind(finding_id);
    if let Some(status) = reopen_as {
        query = query.bind(status.as_str());
    }
    let done = query
        .execute(&mut **tx)
        .await
        .map_err(query_error("updating a finding"))?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict {
            what: "finding",
            key: finding_id.to_string(),
            expected: FindingStatus::ResolvedByData.as_str().to_owned(),
        });
    }
    Ok(())
}

impl Store {
    pub async fn list_findings(
        &self,
        filter: &FindingFilter,
    ) -> Result<Vec<FindingRow>, StoreError> {
        let mut w = Where::default();
        if let Some(unit) = &filter.unit_id {
            w.bind("unit_id = ?", unit.as_str());
        }
        if let Some(rule) = &filter.rule_id {
            w.bind("rule_id = ?", rule.as_str());
        }
        if let Some(outcome) = filter.outcome {
            w.bind("outcome = ?", outcome.as_str());
        }
        if let Some(status) = filter.status {
            w.bind("status = ?", status.as_str());
        }
        if let Some(from) = filter.from {
            w.bind("act_date >= ?", from.to_string());
        }
        if let Some(to) = filter.to {
            w.bind("act_date <= ?", to.to_string());
        }
        if let Some(record) = &filter.record_id {
            w.bind("record_id = ?", record.as_str());
        }
        if let Some(case) = filter.case_id {
            w.raw(format!("case_id = {case}"));
        }
        if let Some(after) = filter.after {
            w.raw(format!("finding_id > {after}"));
        }
        let tail = match filter.limit {
            Some(limit) => format!("ORDER BY finding_id LIMIT {limit} OFFSET {}", filter.offset),
            None if filter.offset > 0 => {
                format!(
                    "ORDER BY finding_id LIMIT 9223372036854775807 OFFSET {}",
                    filter.offset
                )
            }
            None => "ORDER BY finding_id".to_owned(),
        };
        let rows = w
            .fetch_all(self.pool(), SELECT_FINDING, &tail, "listing findings")
            .await?;
        rows.iter().map(finding_from_row).collect()
    }

    pub async fn get_finding(&self, finding_id: i64) -> Result<Option<FindingRow>, StoreError> {
        let row = sqlx::query(&format!("{SELECT_FINDING} WHERE finding_id = $1"))
            .bind(finding_id)
            .fetch_optional(self.pool())
            .await
            .map_err(query_error(format!("reading finding {finding_id}")))?;
        row.as_ref().map(finding_from_row).transpose()
    }

    /// A person sets a finding's status (confirmed, dismissed with a reason, rectified, or back
    /// to open; see [`FindingStatus::manual_change`]); the change is an audit event. Returns the
    /// previous status. The outer error is the store's; the inner one a refused change.
    pub async fn set_finding_status(
        &self,
        finding_id: i64,
        status: FindingStatus,
        reason: Option<&str>,
        actor: &str,
        now: Moment,
    ) -> Result<Result<FindingStatus, StatusChangeError>, StoreError> {
        let now = now.to_string();
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting a status change"))?;
        let Some(read) = read_state(&mut tx, FINDING, finding_id).await? else {
            return Ok(Err(StatusChangeError::NoSuchFinding(finding_id)));
        };
        let previous: FindingStatus = read
            .parse()
            .map_err(|reason| StoreError::corrupt("findings", finding_id, "status", reason))?;
        if let Err(refusal) = previous.manual_change(status, reason) {
            return Ok(Err(StatusChangeError::Refused {
                finding_id,
                refusal,
            }));
        }
        write_state(
            &mut tx,
            FINDING,
            finding_id,
            previous.as_str(),
            status.as_str(),
            &[("status_reason", Bind::Text(reason.map(str::to_owned)))],
        )
        .await?;
        let event = AuditEvent {
            actor: actor.to_owned(),
            entity: "finding",
            entity_id: finding_id.to_string(),
            action: "status".into(),
            details: json!({"from": previous, "to": status, "reason": reason}),
        };
        append(&mut tx, self.audit_key(), &[event], &now).await?;
        tx.commit()
            .await
            .map_err(query_error("committing a status change"))?;
        Ok(Ok(previous))
    }

    /// Findings per status.
    pub async fn count_findings_by_status(&self) -> Result<Vec<(FindingStatus, u64)>, StoreError> {
        let rows =
            sqlx::query("SELECT status, COUNT(*) FROM findings GROUP BY status ORDER BY status")
                .fetch_all(self.pool())
                .await
                .map_err(query_error("counting findings"))?;
        rows.iter()
            .map(|row| {
                let status: String = row.get(0);
                let n: i64 = row.get(1);
                status
                    .parse()
                    .map(|s| (s, n as u64))
                    .map_err(|reason| StoreError::corrupt("findings", &status, "status", reason))
            })
            .collect()
    }

    /// Open violations (not resolved, not dismissed) per month of the act, oldest first.
    pub async fn violations_by_month(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT SUBSTR(act_date, 1, 7) AS month, COUNT(*) FROM findings \
             WHERE outcome = 'violation' AND status NOT IN ('resolved_by_data', 'dismissed') AND act_date IS NOT NULL \
             GROUP BY SUBSTR(act_date, 1, 7) ORDER BY month",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_error("counting violations by month"))?;
        Ok(rows
            .iter()
            .map(|row| (row.get::<String, _>(0), row.get::<i64, _>(1).max(0) as u64))
            .collect())
    }

    /// Current findings (not resolved by data) grouped by rule and unit, most first.
    pub async fn findings_by_rule_and_unit(
        &self,
    ) -> Result<Vec<(String, Option<String>, String, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT rule_id, unit_id, outcome, COUNT(*) AS n FROM findings WHERE status <> 'resolved_by_data' \
             GROUP BY rule_id, unit_id, outcome ORDER BY rule_id, unit_id, outcome",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_error("counting findings per rule and unit"))?;
        Ok(rows
            .iter()
            .map(|row| {
                (
                    row.get(0),
                    row.get(1),
                    row.get(2),
                    row.get::<i64, _>(3) as u64,
                )
            })
            .collect())
    }
}
