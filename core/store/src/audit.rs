//! The audit log: every state change of a finding, case or complaint, hash-chained so that
//! an edited or deleted entry is detected (`jiandu audit verify`).
//!
//! A plain hash chain only holds against someone without database access: whoever can edit a
//! row can compute the hashes again. With an [`AuditKey`] (a file `jiandu init` creates,
//! outside the database) each entry from `sealed_from` on is sealed with HMAC-SHA256 under
//! that key, so a rewritten chain no longer verifies; an anchor kept elsewhere (`jiandu
//! audit anchor`) also catches a tail cut off.

use std::sync::Arc;

use hmac::{Hmac, Mac};
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

/// The secret that seals the audit chain, read from a file outside the database.
#[derive(Clone)]
pub struct AuditKey {
    secret: Arc<Vec<u8>>,
    /// The first entry sealed with it (entries before were written before the key existed).
    pub sealed_from: i64,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("sealed_from", &self.sealed_from)
            .finish_non_exhaustive()
    }
}

impl AuditKey {
    /// A key of at least 32 bytes.
    pub fn new(secret: Vec<u8>, sealed_from: i64) -> Result<AuditKey, String> {
        if secret.len() < 32 {
            return Err(format!(
                "an audit key needs at least 32 bytes, this one has {}",
                secret.len()
            ));
        }
        Ok(AuditKey {
            secret: Arc::new(secret),
            sealed_from: sealed_from.max(1),
        })
    }
}

/// The previous hash, the id and the six fields (at, actor, entity, entity id, action,
/// details), each followed by a NUL so that no two events hash alike by shifting text: under
/// HMAC-SHA256 with the key when one seals this entry, else SHA-256.
fn event_hash(key: Option<&AuditKey>, prev: &str, event_id: i64, fields: [&str; 6]) -> String {
    let id = event_id.to_string();
    let parts = [prev, id.as_str()].into_iter().chain(fields);
    match key {
        Some(key) => {
            // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key.secret) else {
                return String::new();
            };
            for part in parts {
                mac.update(part.as_bytes());
                mac.update(&[0u8]);
            }
            hex(&mac.finalize().into_bytes())
        }
        None => {
            let mut hasher = Sha256::new();
            for part in parts {
                hasher.update(part.as_bytes());
                hasher.update([0u8]);
            }
            hex(&hasher.finalize())
        }
    }
}

/// The key that seals entry `event_id`, if any.
fn sealing(key: Option<&AuditKey>, event_id: i64) -> Option<&AuditKey> {
    key.filter(|k| event_id >= k.sealed_from)
}

/// The chain's head as `jiandu audit anchor` prints it: `ID:HASH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAnchor {
    pub event_id: i64,
    pub hash: String,
}

impl std::fmt::Display for AuditAnchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.event_id, self.hash)
    }
}

impl std::str::FromStr for AuditAnchor {
    type Err = String;

    fn from_str(s: &str) -> Result<AuditAnchor, String> {
        let bad =
            || format!("`{s}` is not an anchor (ID:HASH, as `jiandu audit anchor` prints it)");
        let (id, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        let event_id = id.parse().map_err(|_| bad())?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(AuditAnchor {
            event_id,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

/// Appends events inside the caller's transaction, extending the chain.
pub(crate) async fn append(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: Option<&AuditKey>,
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
                sealing(key, last_id),
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
    /// The chain's head now, to keep elsewhere and give to [`Store::verify_audit_anchor`].
    pub async fn audit_anchor(&self) -> Result<AuditAnchor, StoreError> {
        let head = sqlx::query("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await
            .map_err(query_error("reading the audit chain head"))?;
        Ok(AuditAnchor {
            event_id: head
                .try_get(0)
                .map_err(|e| StoreError::corrupt("audit_head", 1, "last_id", e))?,
            hash: head
                .try_get(1)
                .map_err(|e| StoreError::corrupt("audit_head", 1, "last_hash", e))?,
        })
    }

    /// [`Store::verify_audit`], and that the chain still holds the anchored entry unchanged:
    /// a tail cut off and written again, or a chain rewritten since, is detected.
    pub async fn verify_audit_anchor(
        &self,
        anchor: &AuditAnchor,
    ) -> Result<AuditVerification, StoreError> {
        let verified = self.verify_audit().await?;
        let AuditVerification::Intact { n_events } = verified else {
            return Ok(verified);
        };
        if anchor.event_id == 0 {
            return Ok(verified);
        }
        let row = sqlx::query("SELECT hash FROM audit_events WHERE event_id = $1")
            .bind(anchor.event_id)
            .fetch_optional(self.pool())
            .await
            .map_err(query_error("reading the anchored audit entry"))?;
        match row.map(|r| r.get::<String, _>(0)) {
            None => Ok(AuditVerification::Broken {
                event_id: anchor.event_id,
                reason: format!(
                    "the log ends at entry {n_events}, before the anchored entry {} (entries were cut off)",
                    anchor.event_id
                ),
            }),
            Some(hash) if hash != anchor.hash => Ok(AuditVerification::Broken {
                event_id: anchor.event_id,
                reason: "the anchored entry is not the one anchored (the chain was rewritten)"
                    .into(),
            }),
            Some(_) => Ok(verified),
        }
    }

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
            let [at, actor, entity, entity_id, action, details] = fields.as_slice() else {
                return Err(StoreError::corrupt(
                    "audit_events",
                    event_id,
                    "*",
                    "six fields",
                ));
            };
            let fields = [at.as_str(), actor, entity, entity_id, action, details];
            let key = sealing(self.audit_key(), event_id);
            let hash = event_hash(key, &prev, event_id, fields);
            let stored: String = row.get(8);
            if stored != hash {
                let reason = if key.is_some() && stored == event_hash(None, &prev, event_id, fields)
                {
                    "it is not sealed with the audit key (written by a process without the key, or rewritten after an edit)"
                } else if key.is_none() && self.audit_key().is_none() {
                    "its content does not match its hash (edited; or the log is sealed with an audit key this process was not given)"
                } else {
                    "its content does not match its seal (edited)"
                };
                return Ok(AuditVerification::Broken {
                    event_id,
                    reason: reason.into(),
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
        rows.iter()
            .map(|row| -> Result<StoredAuditEvent, serde_json::Error> {
                Ok(StoredAuditEvent {
                    event_id: row.get(0),
                    at: row.get(1),
                    actor: row.get(2),
                    entity: row.get(3),
                    entity_id: row.get(4),
                    action: row.get(5),
                    details: serde_json::from_str(&row.get::<String, _>(6))?,
                })
            })
            .collect::<Result<_, serde_json::Error>>()
            .map_err(|e| StoreError::corrupt("audit_events", entity_id, "details", e))
    }

    /// Appends events in their own transaction (for changes made outside a sweep).
    pub async fn append_audit(&self, events: &[AuditEvent], at: &str) -> Result<(), StoreError> {
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting an audit write"))?;
        append(&mut tx, self.audit_key(), events, at).await?;
        tx.commit()
            .await
            .map_err(query_error("committing audit events"))
    }
}
