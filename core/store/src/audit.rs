//! The audit log: every state change of a finding, case or complaint, hash-chained so that
//! an edited or deleted entry is detected (`jiandu audit verify`).

use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::records::{CHUNK, values_placeholders};
use crate::{Store, StoreError, hash::hex, query_error};

/// An event to append.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub actor: String,
    pub entity: &'static str,
    pub entity_id: String,
    pub action: String,
    pub details: Value,
}

/// A stored event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredAuditEvent {
    pub event_id: i64,
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub details: Value,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditVerification {
    /// Every entry matches its hash and links to the one before.
    Intact { n_events: u64 },
    /// The first entry that does not: its id and why.
    Broken { event_id: i64, reason: String },
}

/// SHA-256 over the previous hash, the id and the six fields (at, actor, entity, entity id,
/// action, details), each followed by a NUL so that no two events hash alike by shifting text.
fn event_hash(prev: &str, event_id: i64, fields: [&str; 6]) -> String {
    let mut hasher = Sha256::new();
    let id = event_id.to_string();
    for part in [prev, id.as_str()].into_iter().chain(fields) {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hex(&hasher.finalize())
}

/// Appends events inside the caller's transaction, extending the chain.
pub(crate) async fn append(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    events: &[AuditEvent],
    at: &str,
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    // Touching the head first takes its row lock: concurrent writers append one after another.
    let head = sqlx::query(
        "UPDATE audit_head SET last_id = last_id WHERE id = 1 RETURNING last_id, last_hash",
    )
    .fetch_one(&mut **tx)
    .await
    .map_err(query_error("locking the audit chain"))?;
    let mut last_id: i64 = head.get(0);
    let mut last_hash: String = head.get(1);
    for chunk in events.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO audit_events (event_id, at, actor, entity, entity_id, action, details, prev_hash, hash) VALUES {}",
            values_placeholders(chunk.len(), 9)
        );
        let mut query = sqlx::query(&sql);
        for event in chunk {
            last_id += 1;
            let details = event.details.to_string();
            let hash = event_hash(
                &last_hash,
                last_id,
                [
                    at,
                    &event.actor,
                    event.entity,
                    &event.entity_id,
                    &event.action,
                    &details,
                ],
            );
            query = query
                .bind(last_id)
                .bind(at.to_owned())
                .bind(event.actor.clone())
                .bind(event.entity)
                .bind(event.entity_id.clone())
                .bind(event.action.clone())
                .bind(details)
                .bind(last_hash.clone())
                .bind(hash.clone());
            last_hash = hash;
        }
        query
            .execute(&mut **tx)
            .await
            .map_err(query_error("writing audit events"))?;
    }
    sqlx::query("UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1")
        .bind(last_id)
        .bind(last_hash)
        .execute(&mut **tx)
        .await
        .map_err(query_error("advancing the audit chain"))?;
    Ok(())
}

impl Store {
    /// Recomputes every hash of the chain, in order.
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        let rows = sqlx::query(
            "SELECT event_id, at, actor, entity, entity_id, action, details, prev_hash, hash FROM audit_events ORDER BY event_id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_error("reading the audit log"))?;
        let head = sqlx::query("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await
            .map_err(query_error("reading the audit chain head"))?;
        let mut prev = "0".repeat(64);
        let mut expected_id = 0i64;
        for row in &rows {
            let event_id: i64 = row.get(0);
            expected_id += 1;
            if event_id != expected_id {
                return Ok(AuditVerification::Broken {
                    event_id: expected_id,
                    reason: format!("entry {expected_id} is missing (next is {event_id})"),
                });
            }
            let stored_prev: String = row.get(7);
            if stored_prev != prev {
                return Ok(AuditVerification::Broken {
                    event_id,
                    reason: "does not link to the entry before it".into(),
                });
            }
            let fields: Vec<String> = (1..=6).map(|i| row.get::<String, _>(i)).collect();
            let hash = event_hash(
                &prev,
                event_id,
                [
                    &fields[0], &fields[1], &fields[2], &fields[3], &fields[4], &fields[5],
                ],
            );
            let stored: String = row.get(8);
            if stored != hash {
                return Ok(AuditVerification::Broken {
                    event_id,
                    reason: "its content does not match its hash (edited)".into(),
                });
            }
            prev = stored;
        }
        let head_id: i64 = head.get(0);
        let head_hash: String = head.get(1);
        if head_id != expected_id || (expected_id > 0 && head_hash != prev) {
            return Ok(AuditVerification::Broken {
                event_id: head_id,
                reason: format!(
                    "the chain head says {head_id} entries, the log holds {expected_id} (entries deleted at the end?)"
                ),
            });
        }
        Ok(AuditVerification::Intact {
            n_events: rows.len() as u64,
        })
    }

    /// The events of one entity, oldest first.
    pub async fn audit_events_of(
        &self,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<StoredAuditEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT event_id, at, actor, entity, entity_id, action, details FROM audit_events \
             WHERE entity = $1 AND entity_id = $2 ORDER BY event_id",
        )
        .bind(entity)
        .bind(entity_id)
        .fetch_all(self.pool())
        .await
        .map_err(query_error("reading audit events"))?;
        Ok(rows
            .iter()
            .map(|row| StoredAuditEvent {
                event_id: row.get(0),
                at: row.get(1),
                actor: row.get(2),
                entity: row.get(3),
                entity_id: row.get(4),
                action: row.get(5),
                details: serde_json::from_str(&row.get::<String, _>(6)).unwrap_or(Value::Null),
            })
            .collect())
    }

    /// Appends events in their own transaction (for changes made outside a sweep).
    pub async fn append_audit(&self, events: &[AuditEvent], at: &str) -> Result<(), StoreError> {
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting an audit write"))?;
        append(&mut tx, events, at).await?;
        tx.commit()
            .await
            .map_err(query_error("committing audit events"))
    }
}
