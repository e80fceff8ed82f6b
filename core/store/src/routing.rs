//! What dispatchers teach routing: a label per complaint a person sent somewhere by hand
//! (written in the transaction of that assignment), the examples built from them with the
//! complainant left out, and the trained models, the newest in use.

use jiandu_model::{ComplaintKind, LabelSource, Moment};
use serde_json::{Value, json};
use sqlx::Row;

use crate::audit::{AuditEvent, append};
use crate::{Store, StoreError, query_error};

/// The label an assignment leaves, carried by its [`crate::ComplaintChange`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteLabel {
    /// The department of the unit (its `department_code`), when the unit list gives it.
    pub department: Option<String>,
    pub unit_id: String,
    /// Where the router had sent the item.
    pub routed_unit: Option<String>,
    pub source: LabelSource,
    pub labelled_by: String,
}

/// A labelled example as training and export read it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingExample {
    pub complaint_id: String,
    pub kind: ComplaintKind,
    /// The complaint's details (the push as read), masked by `personal::mask_example`.
    pub details: Value,
    pub department: Option<String>,
    pub unit_id: String,
    pub routed_unit: Option<String>,
    pub source: LabelSource,
    pub labelled_by: String,
    pub labelled_at: Moment,
}

/// A trained model as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredModel {
    pub model_id: i64,
    pub trained_at: Moment,
    pub examples: i64,
    pub body: Value,
}

/// Writes `label` for `complaint_id` inside the assignment's transaction: the last one wins.
pub(crate) async fn write_label(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    complaint_id: &str,
    label: &RouteLabel,
    at: &Moment,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO routing_labels (complaint_id, department, unit_id, routed_unit, source, labelled_by, labelled_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (complaint_id) DO UPDATE SET department = excluded.department, unit_id = excluded.unit_id, \
         routed_unit = excluded.routed_unit, source = excluded.source, labelled_by = excluded.labelled_by, \
         labelled_at = excluded.labelled_at, updated_at = excluded.updated_at",
    )
    .bind(complaint_id)
    .bind(label.department.clone())
    .bind(label.unit_id.as_str())
    .bind(label.routed_unit.clone())
    .bind(label.source.as_str())
    .bind(label.labelled_by.as_str())
    .bind(at.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(query_error(format!("labelling the routing of {complaint_id}")))?;
    Ok(())
}

fn example_from_row(row: &sqlx::any::AnyRow) -> Result<RoutingExample, StoreError> {
    let id: String = row.get(0);
    let bad = |column: &'static str, reason: String| {
        StoreError::corrupt("routing_labels", &id, column, reason)
    };
    let kind: ComplaintKind = row
        .get::<String, _>(1)
        .parse()
        .map_err(|e| bad("kind", e))?;
    let mut details: Value = serde_json::from_str(&row.get::<String, _>(2))
        .map_err(|e| bad("details", e.to_string()))?;
    jiandu_model::personal::mask_example(&mut details);
    Ok(RoutingExample {
        kind,
        details,
        department: row.get(3),
        unit_id: row.get(4),
        routed_unit: row.get(5),
        source: row
            .get::<String, _>(6)
            .parse()
            .map_err(|e| bad("source", e))?,
        labelled_by: row.get(7),
        labelled_at: Moment::parse(&row.get::<String, _>(8))
            .map_err(|e| bad("labelled_at", e.to_string()))?,
        complaint_id: id,
    })
}

impl Store {
    /// Every labelled example, by complaint id.
    pub async fn routing_examples(&self) -> Result<Vec<RoutingExample>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.complaint_id, c.kind, c.details, l.department, l.unit_id, l.routed_unit, l.source, \
             l.labelled_by, l.labelled_at \
             FROM routing_labels l JOIN complaints c ON c.complaint_id = l.complaint_id \
             ORDER BY l.complaint_id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_error("reading the routing examples"))?;
        rows.iter().map(example_from_row).collect()
    }

    pub async fn count_routing_examples(&self) -> Result<i64, StoreError> {
        sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM routing_labels")
            .fetch_one(self.pool())
            .await
            .map(|r| r.get(0))
            .map_err(query_error("counting the routing examples"))
    }

    /// Stores a trained model, which is then the one in use, with its audit event.
    pub async fn save_routing_model(
        &self,
        body: &Value,
        examples: i64,
        actor: &str,
        now: Moment,
    ) -> Result<i64, StoreError> {
        let now = now.to_string();
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting to store a routing model"))?;
        let model_id: i64 = sqlx::query(
            "INSERT INTO routing_models (trained_at, examples, body) VALUES ($1, $2, $3) RETURNING model_id",
        )
        .bind(now.as_str())
        .bind(examples)
        .bind(body.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(query_error("storing a routing model"))?
        .get(0);
        let event = AuditEvent {
            actor: actor.to_owned(),
            entity: "routing_model",
            entity_id: model_id.to_string(),
            action: "trained".into(),
            details: json!({"examples": examples, "per_department": body.get("per_department")}),
        };
        append(&mut tx, self.audit_key(), &[event], &now).await?;
        tx.commit()
            .await
            .map_err(query_error("committing a routing model"))?;
        Ok(model_id)
    }

    /// The id of the model in use, if one was trained.
    pub async fn latest_routing_model_id(&self) -> Result<Option<i64>, StoreError> {
        sqlx::query("SELECT MAX(model_id) FROM routing_models")
            .fetch_one(self.pool())
            .await
            .map(|r| r.get::<Option<i64>, _>(0))
            .map_err(query_error("reading the routing model in use"))
    }

    /// The model in use.
    pub async fn latest_routing_model(&self) -> Result<Option<StoredModel>, StoreError> {
        let row = sqlx::query(
            "SELECT model_id, trained_at, examples, body FROM routing_models ORDER BY model_id DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await
        .map_err(query_error("reading the routing model in use"))?;
        row.map(|row| {
            let id: i64 = row.get(0);
            let bad = |column: &'static str, reason: String| {
                StoreError::corrupt("routing_models", id, column, reason)
            };
            Ok(StoredModel {
                model_id: id,
                trained_at: Moment::parse(&row.get::<String, _>(1))
                    .map_err(|e| bad("trained_at", e.to_string()))?,
                examples: row.get(2),
                body: serde_json::from_str(&row.get::<String, _>(3))
                    .map_err(|e| bad("body", e.to_string()))?,
            })
        })
        .transpose()
    }
}
