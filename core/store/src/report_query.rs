//! What reports and exports read: records of a period a page at a time (memory stays flat
//! however many there are), each unit's latest act, the sweeps and complaint events of a
//! period, and the behaviour-data exports.

use jiandu_model::{Date, Moment, RecordId, RecordType};
use sqlx::Row;

use crate::complaints::{EventRow, event_from_row};
use crate::records::{stored_record_from_row, values_placeholders};
use crate::sweeps::{SELECT_SWEEP, SweepInfo, sweep_from_row};
use crate::{Store, StoreError, StoredRecord, query_error};

/// A stored record with the columns reports group by.
#[derive(Debug, Clone)]
pub struct PeriodRecord {
    pub stored: StoredRecord,
    pub unit_id: Option<String>,
    pub act_date: Option<Date>,
    pub content_hash: String,
}

/// When a record first went out in a behaviour-data export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedRecord {
    pub record_id: String,
    pub unit_id: Option<String>,
    pub act_date: Option<Date>,
    pub first_exported_at: Moment,
}

fn in_list(types: &[RecordType]) -> String {
    types
        .iter()
        .map(|t| format!("'{}'", t.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Up to `limit` records of `types` whose act date lies in `from..=to`, in id order after
    /// `after`: call again with the last id until a page comes back short.
    pub async fn records_in_period(
        &self,
        types: &[RecordType],
        from: Date,
        to: Date,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<PeriodRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT record_id, body, revision, source, imported_at, updated_at, unit_id, act_date, content_hash \
             FROM records WHERE record_type IN ({}) AND act_date >= $1 AND act_date <= $2 AND record_id > $3 \
             ORDER BY record_id LIMIT {limit}",
            in_list(types)
        ))
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(after.unwrap_or(""))
        .fetch_all(self.pool())
        .await
        .map_err(query_error("reading the records of a period"))?;
        rows.iter()
            .map(|row| {
                let stored = stored_record_from_row(row)?;
                let act_date = row
                    .get::<Option<String>, _>("act_date")
                    .map(|d| {
                        Date::parse(&d).map_err(|e| {
                            StoreError::corrupt("records", stored.record.id(), "act_date", e)
                        })
                    })
                    .transpose()?;
                Ok(PeriodRecord {
                    unit_id: row.get("unit_id"),
                    act_date,
                    content_hash: row.get("content_hash"),
                    stored,
                })
            })
            .collect()
    }

    /// Each unit's latest act date among records of `types` dated on or before `through`.
    pub async fn last_act_dates(
        &self,
        types: &[RecordType],
        through: Date,
    ) -> Result<Vec<(String, Date)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT unit_id, MAX(act_date) FROM records WHERE record_type IN ({}) AND unit_id IS NOT NULL \
             AND act_date IS NOT NULL AND act_date <= $1 GROUP BY unit_id ORDER BY unit_id",
            in_list(types)
        ))
        .bind(through.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(query_error("reading each unit's latest act"))?;
        rows.iter()
            .map(|row| {
                let unit: String = row.get(0);
                let date: String = row.get(1);
                Date::parse(&date)
                    .map(|d| (unit.clone(), d))
                    .map_err(|e| StoreError::corrupt("records", &unit, "act_date", e))
            })
            .collect()
    }

    /// Sweeps started in `from..=to` (Beijing dates), oldest first.
    pub async fn sweeps_between(&self, from: Date, to: Date) -> Result<Vec<SweepInfo>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT_SWEEP} WHERE started_at >= $1 AND started_at < $2 ORDER BY sweep_id"
        ))
        .bind(from.to_string())
        .bind(to.add_days(1).to_string())
        .fetch_all(self.pool())
        .await
        .map_err(query_error("listing the sweeps of a period"))?;
        rows.iter().map(sweep_from_row).collect()
    }

    /// Every event of the complaints received before the end of `through`, by complaint and
    /// sequence.
    pub async fn complaint_events_through(
        &self,
        through: Date,
    ) -> Result<Vec<EventRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.complaint_id, e.seq, e.action, e.actor, e.unit_id, e.from_unit, e.to_unit, e.at, e.reason, e.details \
             FROM complaint_events e JOIN complaints c ON c.complaint_id = e.complaint_id \
             WHERE c.received_at < $1 ORDER BY e.complaint_id, e.seq",
        )
        .bind(through.add_days(1).to_string())
        .fetch_all(self.pool())
        .await
        .map_err(query_error("reading complaint events"))?;
        rows.iter().map(event_from_row).collect()
    }

    /// When each finding was last set to `rectified` by a person, from the audit log.
    pub async fn rectified_at(&self) -> Result<Vec<(i64, Moment)>, StoreError> {
        let rows = sqlx::query(
            "SELECT entity_id, at, details FROM audit_events \
             WHERE entity = 'finding' AND action = 'status' AND details LIKE '%rectified%' ORDER BY event_id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_error("reading when findings were rectified"))?;
        let mut out: std::collections::BTreeMap<i64, Moment> = std::collections::BTreeMap::new();
        for row in &rows {
            let id: String = row.get(0);
            let details: String = row.get(2);
            let corrupt = |column: &'static str, e: String| {
                StoreError::corrupt("audit_events", &id, column, e)
            };
            let details: serde_json::Value =
                serde_json::from_str(&details).map_err(|e| corrupt("details", e.to_string()))?;
            if details.get("to").and_then(|t| t.as_str()) != Some("rectified") {
                continue;
            }
            let finding: i64 = id.parse().map_err(|_| corrupt("entity_id", id.clone()))?;
            let at = Moment::parse(&row.get::<String, _>(1))
                .map_err(|e| corrupt("at", e.to_string()))?;
            out.insert(finding, at);
        }
        Ok(out.into_iter().collect())
    }

    /// Notes that these records (id, content hash) went out in an export at `at`: a record
    /// exported before keeps its first date. Returns how many went out for the first time.
    pub async fn note_exports(
        &self,
        records: &[(RecordId, String)],
        at: Moment,
    ) -> Result<u64, StoreError> {
        let at = at.to_string();
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting an export"))?;
        const COUNT: &str = "SELECT COUNT(*) FROM behaviour_exports";
        let before: i64 = sqlx::query(COUNT)
            .fetch_one(&mut *tx)
            .await
            .map_err(query_error("noting an export"))?
            .get(0);
        // 500 rows a statement; a record exported before keeps its first date.
        for chunk in records.chunks(500) {
            let sql = format!(
                "INSERT INTO behaviour_exports (record_id, content_hash, first_exported_at, last_exported_at) \
                 VALUES {} ON CONFLICT (record_id) DO UPDATE SET content_hash = excluded.content_hash, \
                 last_exported_at = excluded.last_exported_at",
                values_placeholders(chunk.len(), 4)
            );
            let mut query = sqlx::query(&sql);
            for (id, hash) in chunk {
                query = query
                    .bind(id.as_str())
                    .bind(hash.as_str())
                    .bind(at.as_str())
                    .bind(at.as_str());
            }
            query
                .execute(&mut *tx)
                .await
                .map_err(query_error("noting an export"))?;
        }
        let after: i64 = sqlx::query(COUNT)
            .fetch_one(&mut *tx)
            .await
            .map_err(query_error("noting an export"))?
            .get(0);
        let first = (after - before).max(0) as u64;
        tx.commit()
            .await
            .map_err(query_error("finishing an export"))?;
        Ok(first)
    }

    /// The exported records whose act date lies in `from..=to`, by id.
    pub async fn exported_records(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<ExportedRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.record_id, r.unit_id, r.act_date, x.first_exported_at FROM behaviour_exports x \
             JOIN records r ON r.record_id = x.record_id WHERE r.act_date >= $1 AND r.act_date <= $2 \
             ORDER BY r.record_id",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(query_error("reading the exports of a period"))?;
        rows.iter()
            .map(|row| {
                let id: String = row.get(0);
                let corrupt = |column: &'static str, e: String| {
                    StoreError::corrupt("records", &id, column, e)
                };
                Ok(ExportedRecord {
                    unit_id: row.get(1),
                    act_date: row
                        .get::<Option<String>, _>(2)
                        .map(|d| Date::parse(&d).map_err(|e| corrupt("act_date", e.to_string())))
                        .transpose()?,
                    first_exported_at: Moment::parse(&row.get::<String, _>(3))
                        .map_err(|e| corrupt("first_exported_at", e.to_string()))?,
                    record_id: id.clone(),
                })
            })
            .collect()
    }
}
