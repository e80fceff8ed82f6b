//! Reference data (units, officers, parties, items): atomic batch import keyed by each
//! kind's key field, and reading rows back.

use std::collections::HashMap;

use jiandu_model::{Moment, ReferenceKind, ReferenceRow};
use serde_json::Value;
use sqlx::Row;

use crate::records::{
    CHUNK, last_of_each_key, list_placeholders, record_batch, values_placeholders,
};
use crate::{ImportSummary, Store, StoreError, content_hash, query_error};

/// The table of a kind and its key column. Table names come only from this match, never
/// from input, so formatting them into SQL is safe.
fn table(kind: ReferenceKind) -> (&'static str, &'static str) {
    (kind.plural(), kind.key_field())
}

impl Store {
    /// Imports one batch of reference rows atomically, keyed by the kind's key field.
    pub async fn import_reference(
        &self,
        kind: ReferenceKind,
        rows: &[ReferenceRow],
        source: &str,
        n_rejected: u64,
        now: Moment,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportSummary, StoreError> {
        self.import_reference_batch(kind, rows, source, n_rejected, now, false, progress)
            .await
    }

    /// [`Store::import_reference`], or with `dry_run` only the counts, nothing written.
    #[allow(
        clippy::too_many_arguments,
        reason = "the batch's parts, each named at the call"
    )]
    pub async fn import_reference_batch(
        &self,
        kind: ReferenceKind,
        rows: &[ReferenceRow],
        source: &str,
        n_rejected: u64,
        now: Moment,
        dry_run: bool,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportSummary, StoreError> {
        let (table, key_col) = table(kind);
        let now = now.to_string();
        let (kept, n_superseded) = last_of_each_key(rows, |r| r.key());
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting an import transaction"))?;
        let mut existing: HashMap<String, String> = HashMap::new();
        for chunk in kept.chunks(CHUNK) {
            let sql = format!(
                "SELECT {key_col}, content_hash FROM {table} WHERE {key_col} IN ({})",
                list_placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for row in chunk {
                query = query.bind(row.key());
            }
            for row in query
                .fetch_all(&mut *tx)
                .await
                .map_err(query_error(format!("reading existing {table}")))?
            {
                existing.insert(row.get(0), row.get(1));
            }
        }
        let mut summary = ImportSummary {
            n_rows: rows.len() as u64,
            n_superseded_in_batch: n_superseded,
            n_rejected,
            ..ImportSummary::default()
        };
        let mut changed = Vec::new();
        for row in kept {
            let body = row.to_json();
            let hash = content_hash(&body);
            match existing.get(row.key()) {
                Some(old) if *old == hash => summary.n_unchanged += 1,
                Some(_) => {
                    summary.n_updated += 1;
                    changed.push((row, body, hash));
                }
                None => {
                    summary.n_inserted += 1;
                    changed.push((row, body, hash));
                }
            }
        }
        if dry_run {
            tx.rollback()
                .await
                .map_err(query_error("ending a dry run"))?;
            return Ok(summary);
        }
        let mut done = 0u64;
        for chunk in changed.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO {table} ({key_col}, name, body, content_hash, updated_at) VALUES {} \
                 ON CONFLICT ({key_col}) DO UPDATE SET name = excluded.name, body = excluded.body, \
                 content_hash = excluded.content_hash, updated_at = excluded.updated_at",
                values_placeholders(chunk.len(), 5)
            );
            let mut query = sqlx::query(&sql);
            for (row, body, hash) in chunk {
                query = query
                    .bind(row.key())
                    .bind(row.text("name").unwrap_or_default())
                    .bind(body.to_string())
                    .bind(hash.as_str())
                    .bind(now.as_str());
            }
            query
                .execute(&mut *tx)
                .await
                .map_err(query_error(format!("writing {table}")))?;
            done += chunk.len() as u64;
            progress(done);
        }
        summary.batch_id = record_batch(&mut tx, table, source, &summary, &now).await?;
        tx.commit()
            .await
            .map_err(query_error("committing the import"))?;
        Ok(summary)
    }

    pub async fn count_reference(&self, kind: ReferenceKind) -> Result<u64, StoreError> {
        let (table, _) = table(kind);
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.pool())
            .await
            .map_err(query_error(format!("counting {table}")))?
            .get(0);
        Ok(n as u64)
    }

    pub async fn get_reference(
        &self,
        kind: ReferenceKind,
        key: &str,
    ) -> Result<Option<ReferenceRow>, StoreError> {
        let (table, key_col) = table(kind);
        let row = sqlx::query(&format!("SELECT body FROM {table} WHERE {key_col} = $1"))
            .bind(key)
            .fetch_optional(self.pool())
            .await
            .map_err(query_error(format!("reading {table} {key}")))?;
        row.map(|row| reference_from_body(kind, key, &row.get::<String, _>(0)))
            .transpose()
    }

    /// Every row of a kind, ordered by key.
    pub async fn list_reference(
        &self,
        kind: ReferenceKind,
    ) -> Result<Vec<ReferenceRow>, StoreError> {
        let (table, key_col) = table(kind);
        let rows = sqlx::query(&format!(
            "SELECT {key_col}, body FROM {table} ORDER BY {key_col}"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(query_error(format!("listing {table}")))?;
        rows.iter()
            .map(|row| {
                reference_from_body(kind, &row.get::<String, _>(0), &row.get::<String, _>(1))
            })
            .collect()
    }
}

fn reference_from_body(
    kind: ReferenceKind,
    key: &str,
    body: &str,
) -> Result<ReferenceRow, StoreError> {
    let corrupt = |reason: String| StoreError::corrupt("reference", key, "body", reason);
    let value: Value = serde_json::from_str(body).map_err(|e| corrupt(e.to_string()))?;
    ReferenceRow::from_json(kind, value).map_err(|errors| {
        corrupt(
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}
