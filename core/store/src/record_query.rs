//! Finding stored records (`jiandu records list`) and where each came from
//! (`jiandu records show`).

use jiandu_model::{Date, RecordId, RecordType};
use sqlx::Row;

use crate::{Store, StoreError, query_error};

/// Which records to list; every part left `None` matches all.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub record_type: Option<RecordType>,
    pub unit_id: Option<String>,
    /// The act's date (`act_date`), inclusive.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Part of the id (`CF-2024` finds `CF-2024-001`).
    pub id_contains: Option<String>,
    pub limit: u64,
    pub offset: u64,
}

/// One line of a record list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordSummary {
    pub record_id: String,
    pub record_type: String,
    pub act_date: Option<String>,
    pub unit_id: Option<String>,
    pub source: String,
    pub updated_at: String,
}

/// One import that inserted or changed a record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportEntry {
    pub batch_id: i64,
    /// The file as named on the command line.
    pub file: String,
    /// The row in it (`a.xlsx (sheet 台账) row 7`).
    pub place: String,
    /// `inserted` or `updated`.
    pub change: String,
    pub at: String,
}

/// One import batch as its report's summary line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportBatchRow {
    pub batch_id: i64,
    pub kind: String,
    pub source: String,
    pub n_rows: i64,
    pub n_inserted: i64,
    pub n_updated: i64,
    pub n_unchanged: i64,
    pub n_rejected: i64,
    pub at: String,
}

/// `%` and `_` are wildcards in LIKE; an id may contain them.
fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

impl Store {
    /// The latest import batches, newest first.
    pub async fn recent_imports(
        &self,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<ImportBatchRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT batch_id, kind, source, n_rows, n_inserted, n_updated, n_unchanged, n_rejected, at \
             FROM import_batches ORDER BY batch_id DESC LIMIT {limit} OFFSET {offset}"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(query_error("listing imports"))?;
        Ok(rows
            .iter()
            .map(|row| ImportBatchRow {
                batch_id: row.get(0),
                kind: row.get(1),
                source: row.get(2),
                n_rows: row.get(3),
                n_inserted: row.get(4),
                n_updated: row.get(5),
                n_unchanged: row.get(6),
                n_rejected: row.get(7),
                at: row.get(8),
            })
            .collect())
    }

    /// Records matching `filter`, by act date then id; and how many match in all.
    pub async fn list_records(
        &self,
        filter: &RecordFilter,
    ) -> Result<(Vec<RecordSummary>, u64), StoreError> {
        let mut conditions: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let mut add = |condition: &str, value: String| {
            binds.push(value);
            conditions.push(condition.replace('?', &format!("${}", binds.len())));
        };
        if let Some(t) = filter.record_type {
            add("record_type = ?", t.as_str().to_owned());
        }
        if let Some(unit) = &filter.unit_id {
            add("unit_id = ?", unit.clone());
        }
        if let Some(from) = filter.from {
            add("act_date >= ?", from.to_string());
        }
        if let Some(to) = filter.to {
            add("act_date <= ?", to.to_string());
        }
        if let Some(part) = &filter.id_contains {
            add(
                "record_id LIKE ? ESCAPE '\\'",
                format!("%{}%", like_escape(part)),
            );
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM records{filter_sql}");
        let mut count = sqlx::query(&count_sql);
        for b in &binds {
            count = count.bind(b.as_str());
        }
        let total: i64 = count
            .fetch_one(self.pool())
            .await
            .map_err(query_error("counting records"))?
            .get(0);
        let sql = format!(
            "SELECT record_id, record_type, act_date, unit_id, source, updated_at FROM records{filter_sql} \
             ORDER BY act_date, record_id LIMIT {} OFFSET {}",
            filter.limit.max(1),
            filter.offset
        );
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b.as_str());
        }
        let rows = query
            .fetch_all(self.pool())
            .await
            .map_err(query_error("listing records"))?;
        let list = rows
            .iter()
            .map(|r| RecordSummary {
                record_id: r.get(0),
                record_type: r.get(1),
                act_date: r.get(2),
                unit_id: r.get(3),
                source: r.get(4),
                updated_at: r.get(5),
            })
            .collect();
        Ok((list, total as u64))
    }

    /// The imports that inserted or changed a record, oldest first.
    pub async fn record_history(&self, id: &RecordId) -> Result<Vec<ImportEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.batch_id, b.source, i.place, i.change, b.at FROM record_imports i \
             JOIN import_batches b ON b.batch_id = i.batch_id WHERE i.record_id = $1 ORDER BY i.batch_id",
        )
        .bind(id.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(query_error(format!("reading the import history of {id}")))?;
        Ok(rows
            .iter()
            .map(|r| ImportEntry {
                batch_id: r.get(0),
                file: r.get(1),
                place: r.get(2),
                change: r.get(3),
                at: r.get(4),
            })
            .collect())
    }
}
