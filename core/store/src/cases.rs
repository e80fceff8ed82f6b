//! Supervision cases in the store: gathering a unit's current violations and warnings into its
//! open case, listing cases, and moving them through their states with an audit event each.

use jiandu_model::{CaseState, Moment};
use serde_json::json;
use sqlx::Row;

use crate::audit::{AuditEvent, append};
use crate::filter::Where;
use crate::transition::{Bind, CASE, read_state, write_state};
use crate::{Store, StoreError, query_error};

#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseRow {
    pub case_id: i64,
    pub unit_id: String,
    pub state: CaseState,
    pub opened_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    pub note: Option<String>,
    /// Findings of the case still produced by the data and not dismissed.
    pub n_current: u64,
    pub n_total: u64,
}

/// Why a state change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseMoveError {
    #[error("there is no case {0}")]
    NoSuchCase(i64),
    #[error(
        "case {case_id} is {from}; it cannot move to {to} (open → notified → rectifying → closed, or closed from any open state)"
    )]
    NotAllowed {
        case_id: i64,
        from: CaseState,
        to: CaseState,
    },
}

const SELECT_CASE: &str = "SELECT c.case_id, c.unit_id, c.state, c.opened_at, c.updated_at, c.closed_at, c.note, \
     (SELECT COUNT(*) FROM findings f WHERE f.case_id = c.case_id AND f.status IN ('open', 'confirmed', 'rectified')), \
     (SELECT COUNT(*) FROM findings f WHERE f.case_id = c.case_id) FROM cases c";

fn case_from_row(row: &sqlx::any::AnyRow) -> Result<CaseRow, StoreError> {
    let case_id: i64 = row.get(0);
    Ok(CaseRow {
        case_id,
        unit_id: row.get(1),
        state: row
            .get::<String, _>(2)
            .parse()
            .map_err(|reason| StoreError::corrupt("cases", case_id, "state", reason))?,
        opened_at: row.get(3),
        updated_at: row.get(4),
        closed_at: row.get(5),
        note: row.get(6),
        n_current: row.get::<i64, _>(7) as u64,
        n_total: row.get::<i64, _>(8) as u64,
    })
}

impl Store {
    /// Puts every current violation and warning that has no case into its unit's case that is
    /// not closed, opening one where the unit has none. Returns (cases opened, findings added).
    pub async fn gather_cases(&self, actor: &str, now: Moment) -> Result<(u64, u64), StoreError> {
        let now = now.to_string();
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting to gather cases"))?;
        let units = sqlx::query(
            "SELECT DISTINCT unit_id FROM findings WHERE case_id IS NULL AND unit_id IS NOT NULL \
             AND status IN ('open', 'confirmed') AND outcome IN ('violation', 'warning') ORDER BY unit_id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(query_error("finding units with loose findings"))?;
        let mut opened = 0;
        let mut added = 0;
        let mut events = Vec::new();
        for row in units {
            let unit: String = row.get(0);
            let existing = sqlx::query("SELECT case_id FROM cases WHERE unit_id = $1 AND state <> 'closed' ORDER BY case_id LIMIT 1")
                .bind(unit.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(query_error("finding a unit's open case"))?;
            let case_id: i64 = match existing {
                Some(row) => row.get(0),
                None => {
                    let id: i64 = sqlx::query(
                        "INSERT INTO cases (unit_id, state, opened_at, updated_at) VALUES ($1, 'open', $2, $3) RETURNING case_id",
                    )
                    .bind(unit.as_str())
                    .bind(now.as_str())
                    .bind(now.as_str())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(query_error("opening a case"))?
                    .get(0);
                    opened += 1;
                    events.push(AuditEvent {
                        actor: actor.to_owned(),
                        entity: "case",
                        entity_id: id.to_string(),
                        action: "opened".into(),
                        details: json!({"unit_id": unit}),
                    });
                    id
                }
            };
            let attached: Vec<i64> = sqlx::query(
                "UPDATE findings SET case_id = $1 WHERE case_id IS NULL AND unit_id = $2 \
                 AND status IN ('open', 'confirmed') AND outcome IN ('violation', 'warning') RETURNING finding_id",
            )
            .bind(case_id)
            .bind(unit.as_str())
            .fetch_all(&mut *tx)
            .await
            .map_err(query_error("adding findings to a case"))?
            .iter()
            .map(|row| row.get(0))
            .collect();
            let mut attached = attached;
            attached.sort_unstable();
            for chunk in attached.chunks(crate::records::CHUNK) {
                let sql = format!(
                    "INSERT INTO case_findings (case_id, finding_id, added_at) VALUES {} ON CONFLICT (case_id, finding_id) DO NOTHING",
                    crate::records::values_placeholders(chunk.len(), 3)
                );
                let mut query = sqlx::query(&sql);
                for finding_id in chunk {
                    query = query.bind(case_id).bind(*finding_id).bind(now.as_str());
                }
                query
                    .execute(&mut *tx)
                    .await
                    .map_err(query_error("recording the findings added to a case"))?;
            }
            added += attached.len() as u64;
            events.push(AuditEvent {
                actor: actor.to_owned(),
                entity: "case",
                entity_id: case_id.to_string(),
                action: "findings_added".into(),
                details: json!({"n": attached.len(), "finding_ids": attached}),
            });
            sqlx::query("UPDATE cases SET updated_at = $1 WHERE case_id = $2")
                .bind(now.as_str())
                .bind(case_id)
                .execute(&mut *tx)
                .await
                .map_err(query_error("touching a case"))?;
        }
        append(&mut tx, self.audit_key(), &events, &now).await?;
        tx.commit().await.map_err(query_error("committing cases"))?;
        Ok((opened, added))
    }

    pub async fn list_cases(
        &self,
        unit_id: Option<&str>,
        state: Option<CaseState>,
    ) -> Result<Vec<CaseRow>, StoreError> {
        let mut w = Where::default();
        if let Some(unit) = unit_id {
            w.bind("c.unit_id = ?", unit);
        }
        if let Some(state) = state {
            w.bind("c.state = ?", state.as_str());
        }
        let rows = w
            .fetch_all(
                self.pool(),
                SELECT_CASE,
                "ORDER BY c.case_id",
                "listing cases",
            )
            .await?;
        rows.iter().map(case_from_row).collect()
    }

    pub async fn get_case(&self, case_id: i64) -> Result<Option<CaseRow>, StoreError> {
        let row = sqlx::query(&format!("{SELECT_CASE} WHERE c.case_id = $1"))
            .bind(case_id)
            .fetch_optional(self.pool())
            .await
            .map_err(query_error("reading a case"))?;
        row.as_ref().map(case_from_row).transpose()
    }

    /// Moves a case to a new state, with an audit event. The outer error is the store's; the
    /// inner one a refused move.
    pub async fn set_case_state(
        &self,
        case_id: i64,
        to: CaseState,
        note: Option<&str>,
        actor: &str,
        now: Moment,
    ) -> Result<Result<CaseState, CaseMoveError>, StoreError> {
        let now = now.to_string();
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting a case change"))?;
        let Some(read) = read_state(&mut tx, CASE, case_id).await? else {
            return Ok(Err(CaseMoveError::NoSuchCase(case_id)));
        };
        let from: CaseState = read
            .parse()
            .map_err(|reason| StoreError::corrupt("cases", case_id, "state", reason))?;
        if !from.can_move_to(to) {
            return Ok(Err(CaseMoveError::NotAllowed { case_id, from, to }));
        }
        let closed_at = (to == CaseState::Closed).then(|| now.clone());
        let mut also = vec![
            ("updated_at", Bind::Text(Some(now.clone()))),
            ("closed_at", Bind::Text(closed_at)),
        ];
        if let Some(note) = note {
            also.push(("note", Bind::Text(Some(note.to_owned()))));
        }
        write_state(&mut tx, CASE, case_id, from.as_str(), to.as_str(), &also).await?;
        let event = AuditEvent {
            actor: actor.to_owned(),
            entity: "case",
            entity_id: case_id.to_string(),
            action: "state".into(),
            details: json!({"from": from, "to": to, "note": note}),
        };
        append(&mut tx, self.audit_key(), &[event], &now).await?;
        tx.commit()
            .await
            .map_err(query_error("committing a case change"))?;
        Ok(Ok(from))
    }
}
