//! Enforcement records: atomic batch import keyed by `record_id`, and reading them back.

use std::collections::HashMap;

use jiandu_model::{Moment, Record, RecordId, RecordType};
use serde_json::Value;
use sqlx::Row;

use crate::{Store, StoreError, content_hash, query_error};

/// Rows per multi-row statement: one statement per row costs ≈20× more (DESIGN §5).
pub(crate) const CHUNK: usize = 500;

/// What one import batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub batch_id: i64,
    pub n_rows: u64,
    pub n_inserted: u64,
    pub n_updated: u64,
    pub n_unchanged: u64,
    /// Rows whose key appeared again later in the same batch (the later row wins).
    pub n_superseded_in_batch: u64,
    pub n_rejected: u64,
}

/// The keys cross-record rules look up, kept in columns so a sweep can find related records.
pub(crate) struct RecordKeys {
    pub act_id: Option<String>,
    pub party_key: Option<String>,
    pub agency_key: Option<String>,
    pub check_action_code: Option<String>,
    pub unit_id: Option<String>,
}

impl RecordKeys {
    pub fn of(record: &Record) -> RecordKeys {
        let keys = record.link_keys();
        RecordKeys {
            act_id: keys.act_id,
            party_key: keys.party,
            agency_key: keys.agency,
            check_action_code: keys.check_action_code,
            unit_id: record.unit_id(),
        }
    }
}

/// One file's records for [`Store::import_record_batch`].
#[derive(Debug, Clone, Copy)]
pub struct RecordBatch<'a> {
    pub records: &'a [Record],
    /// Where each record is in the file (`a.xlsx (sheet 台账) row 7`), in the same order;
    /// may be empty, then the file's name stands for each.
    pub places: &'a [String],
    /// The file.
    pub source: &'a str,
    pub n_rejected: u64,
    pub now: Moment,
    /// Count what would change, write nothing.
    pub dry_run: bool,
}

/// A record as stored, with its bookkeeping.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub record: Record,
    /// The store-wide revision at which this record last changed.
    pub revision: i64,
    pub source: String,
    pub imported_at: String,
    pub updated_at: String,
}

/// `($1, $2, …), ($k, …)` for `rows` rows of `cols` columns.
pub(crate) fn values_placeholders(rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push(',');
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push(',');
            }
            out.push_str(&format!("${}", r * cols + c + 1));
        }
        out.push(')');
    }
    out
}

/// `$1, $2, …, $n`
pub(crate) fn list_placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Keeps the last row of each key (in the order of those last rows); returns the rows and how
/// many earlier ones were dropped.
pub(crate) fn last_of_each_key<T>(rows: &[T], key: impl Fn(&T) -> &str) -> (Vec<&T>, u64) {
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (idx, row) in rows.iter().enumerate() {
        last.insert(key(row), idx);
    }
    let kept: Vec<&T> = rows
        .iter()
        .enumerate()
        .filter(|(idx, row)| last.get(key(row)) == Some(idx))
        .map(|(_, row)| row)
        .collect();
    let dropped = (rows.len() - kept.len()) as u64;
    (kept, dropped)
}

/// What [`write_records`] did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Written {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Whether an import inserted or changed a record (kept in its history).
fn change_word(inserted: bool) -> &'static str {
    if inserted { "inserted" } else { "updated" }
}

/// Writes records inside the caller's transaction: one with the same content as stored is
/// left alone; the others are inserted or updated in place under one new revision.
pub(crate) async fn write_records(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    rows: &[&Record],
    source: &str,
    now: &str,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Written, StoreError> {
    write_records_noting(tx, rows, source, now, progress, &mut |_, _| {}).await
}

/// [`write_records`], telling `note` each record it inserted (`true`) or changed.
pub(crate) async fn write_records_noting(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    rows: &[&Record],
    source: &str,
    now: &str,
    progress: &(dyn Fn(u64) + Sync),
    note: &mut (dyn FnMut(&str, bool) + Send),
) -> Result<Written, StoreError> {
    // id -> (content hash, link keys as stored)
    let mut existing: HashMap<String, (String, [Option<String>; 4])> = HashMap::new();
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "SELECT record_id, content_hash, act_id, party_key, agency_key, check_action_code FROM records WHERE record_id IN ({})",
            list_placeholders(chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for record in chunk {
            query = query.bind(record.id().as_str());
        }
        for row in query
            .fetch_all(&mut **tx)
            .await
            .map_err(query_error("reading existing records"))?
        {
            let keys = [row.get(2), row.get(3), row.get(4), row.get(5)];
            existing.insert(row.get(0), (row.get(1), keys));
        }
    }

    let mut summary = Written::default();
    let mut changed = Vec::new();
    // Records whose link keys this write replaces, with the keys they had.
    let mut rekeyed: Vec<(&str, &[Option<String>; 4])> = Vec::new();
    for record in rows {
        let body = record.to_json();
        let hash = content_hash(&body);
        match existing.get(record.id().as_str()) {
            Some((old, _)) if *old == hash => summary.unchanged += 1,
            Some((_, old_keys)) => {
                summary.updated += 1;
                let keys = RecordKeys::of(record);
                let new_keys = [
                    keys.act_id,
                    keys.party_key,
                    keys.agency_key,
                    keys.check_action_code,
                ];
                if new_keys != *old_keys {
                    rekeyed.push((record.id().as_str(), old_keys));
                }
                note(record.id().as_str(), false);
                changed.push((record, hash));
            }
            None => {
                summary.inserted += 1;
                note(record.id().as_str(), true);
                changed.push((record, hash));
            }
        }
    }

    if !changed.is_empty() {
        let revision: i64 = sqlx::query(
            "UPDATE counters SET value = value + 1 WHERE name = 'record_revision' RETURNING value",
        )
        .fetch_one(&mut **tx)
        .await
        .map_err(query_error("taking a record revision"))?
        .get(0);
        for chunk in rekeyed.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO record_key_history (record_id, revision, act_id, party_key, agency_key, check_action_code) VALUES {} \
                 ON CONFLICT (record_id, revision) DO NOTHING",
                values_placeholders(chunk.len(), 6)
            );
            let mut query = sqlx::query(&sql);
            for (id, [act, party, agency, code]) in chunk {
                query = query
                    .bind(*id)
                    .bind(revision)
                    .bind(act.clone())
                    .bind(party.clone())
                    .bind(agency.clone())
                    .bind(code.clone());
            }
            query
                .execute(&mut **tx)
                .await
                .map_err(query_error("remembering replaced record keys"))?;
        }
        let mut done = 0u64;
        for chunk in changed.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO records (record_id, record_type, act_date, body, content_hash, revision, source, imported_at, updated_at, \
                 act_id, party_key, agency_key, check_action_code, unit_id, keys_filled) VALUES {} \
                 ON CONFLICT (record_id) DO UPDATE SET record_type = excluded.record_type, act_date = excluded.act_date, \
                 body = excluded.body, content_hash = excluded.content_hash, revision = excluded.revision, \
                 source = excluded.source, updated_at = excluded.updated_at, act_id = excluded.act_id, \
                 party_key = excluded.party_key, agency_key = excluded.agency_key, \
                 check_action_code = excluded.check_action_code, unit_id = excluded.unit_id, keys_filled = 1",
                values_placeholders(chunk.len(), 15)
            );
            let mut query = sqlx::query(&sql);
            for (record, hash) in chunk {
                // The body again rather than kept from the first pass: a large batch is then
                // held as records once, not also as bodies.
                let body = record.to_json();
                query = query
                    .bind(record.id().as_str())
                    .bind(record.record_type().as_str())
                    .bind(record.act_date().map(|d| d.to_string()))
                    .bind(body.to_string())
                    .bind(hash.as_str())
                    .bind(revision)
                    .bind(source)
                    .bind(now)
                    .bind(now);
                let keys = RecordKeys::of(record);
                query = query
                    .bind(keys.act_id)
                    .bind(keys.party_key)
                    .bind(keys.agency_key)
                    .bind(keys.check_action_code)
                    .bind(keys.unit_id)
                    .bind(1i64);
            }
            query
                .execute(&mut **tx)
                .await
                .map_err(query_error("writing records"))?;
            done += chunk.len() as u64;
            progress(done);
        }
    }

    Ok(summary)
}

impl Store {
    /// Imports one batch atomically: every row lands, or none does. A record already stored
    /// with the same content is left alone; a changed one is updated in place, gets a new
    /// revision and a fresh `updated_at`.
    pub async fn import_records(
        &self,
        records: &[Record],
        source: &str,
        n_rejected: u64,
        now: Moment,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportSummary, StoreError> {
        let batch = RecordBatch {
            records,
            places: &[],
            source,
            n_rejected,
            now,
            dry_run: false,
        };
        self.import_record_batch(batch, progress).await
    }

    /// Imports (or, on a dry run, only counts) one batch atomically, keeping for each record
    /// inserted or changed the place in the file it came from.
    pub async fn import_record_batch(
        &self,
        batch: RecordBatch<'_>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportSummary, StoreError> {
        let now = batch.now.to_string();
        let indexed: Vec<(usize, &Record)> = batch.records.iter().enumerate().collect();
        let (rows, n_superseded) = last_of_each_key(&indexed, |(_, r)| r.id().as_str());
        let place_of: HashMap<&str, &str> = rows
            .iter()
            .filter_map(|(i, r)| batch.places.get(*i).map(|p| (r.id().as_str(), p.as_str())))
            .collect();
        let rows: Vec<&Record> = rows.into_iter().map(|(_, r)| *r).collect();
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting an import transaction"))?;

        let mut summary = ImportSummary {
            n_rows: batch.records.len() as u64,
            n_superseded_in_batch: n_superseded,
            n_rejected: batch.n_rejected,
            ..ImportSummary::default()
        };
        let mut touched: Vec<(String, &'static str)> = Vec::new();
        let written = write_records_noting(
            &mut tx,
            &rows,
            batch.source,
            &now,
            progress,
            &mut |id, inserted| {
                touched.push((id.to_owned(), change_word(inserted)));
            },
        )
        .await?;
        summary.n_inserted = written.inserted;
        summary.n_updated = written.updated;
        summary.n_unchanged = written.unchanged;
        if batch.dry_run {
            tx.rollback()
                .await
                .map_err(query_error("ending a dry run"))?;
            return Ok(summary);
        }
        summary.batch_id = record_batch(&mut tx, "records", batch.source, &summary, &now).await?;
        for chunk in touched.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO record_imports (record_id, batch_id, place, change) VALUES {} \
                 ON CONFLICT (record_id, batch_id) DO NOTHING",
                values_placeholders(chunk.len(), 4)
            );
            let mut query = sqlx::query(&sql);
            for (id, change) in chunk {
                let place = place_of.get(id.as_str()).copied().unwrap_or(batch.source);
                query = query
                    .bind(id.as_str())
                    .bind(summary.batch_id)
                    .bind(place)
                    .bind(*change);
            }
            query
                .execute(&mut *tx)
                .await
                .map_err(query_error("keeping where the records came from"))?;
        }
        tx.commit()
            .await
            .map_err(query_error("committing the import"))?;
        Ok(summary)
    }

    pub async fn count_records(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM records")
            .fetch_one(self.pool())
            .await
            .map_err(query_error("counting records"))?
            .get(0);
        Ok(n as u64)
    }

    /// Record counts per type, for every type that has records.
    pub async fn count_records_by_type(&self) -> Result<Vec<(RecordType, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT record_type, COUNT(*) FROM records GROUP BY record_type ORDER BY record_type",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_error("counting records by type"))?;
        rows.into_iter()
            .map(|row| {
                let name: String = row.get(0);
                let n: i64 = row.get(1);
                name.parse::<RecordType>()
                    .map(|t| (t, n as u64))
                    .map_err(|e| StoreError::corrupt("records", &name, "record_type", e))
            })
            .collect()
    }

    pub async fn get_record(&self, id: &RecordId) -> Result<Option<StoredRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT record_id, body, revision, source, imported_at, updated_at FROM records WHERE record_id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(self.pool())
        .await
        .map_err(query_error(format!("reading record {id}")))?;
        row.map(|row| stored_record_from_row(&row)).transpose()
    }
}

pub(crate) fn stored_record_from_row(row: &sqlx::any::AnyRow) -> Result<StoredRecord, StoreError> {
    let body: String = row.get("body");
    Ok(StoredRecord {
        record: record_from_body(&body)?,
        revision: row.get("revision"),
        source: row.get("source"),
        imported_at: row.get("imported_at"),
        updated_at: row.get("updated_at"),
    })
}

/// A stored body as a record, checked as an import checks it.
pub(crate) fn record_from_body(body: &str) -> Result<Record, StoreError> {
    let value: Value = serde_json::from_str(body).map_err(|e| {
        StoreError::corrupt(
            "records",
            body.get(..60).unwrap_or(body),
            "body",
            e.to_string(),
        )
    })?;
    let key = value
        .get("record_id")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    let corrupt = |reason: String| StoreError::corrupt("records", &key, "body", reason);
    Record::from_json(value).map_err(|errors| {
        corrupt(
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

pub(crate) async fn record_batch(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    kind: &str,
    source: &str,
    summary: &ImportSummary,
    now: &str,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query(
        "INSERT INTO import_batches (kind, source, n_rows, n_inserted, n_updated, n_unchanged, n_rejected, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING batch_id",
    )
    .bind(kind)
    .bind(source)
    .bind(summary.n_rows as i64)
    .bind(summary.n_inserted as i64)
    .bind(summary.n_updated as i64)
    .bind(summary.n_unchanged as i64)
    .bind(summary.n_rejected as i64)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(query_error("recording the import batch"))?
    .get(0);
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_placeholders() {
        assert_eq!(values_placeholders(2, 3), "($1,$2,$3),($4,$5,$6)");
        assert_eq!(list_placeholders(3), "$1,$2,$3");
    }

    #[test]
    fn later_rows_win_within_a_batch() {
        let rows = ["a", "b", "a", "c", "b"];
        let (kept, dropped) = last_of_each_key(&rows, |s| s);
        assert_eq!(kept, vec![&"a", &"c", &"b"]);
        assert_eq!(dropped, 2);
    }
}
