//! What the rules could not judge: one row per record and rule whose outcome was `unknown` or
//! `error`, replaced whenever a sweep judges the record again, and the counts that answer
//! "which fields, if recorded, would let the rules judge the most records".

use jiandu_model::Outcome;
use serde_json::Value;
use sqlx::Row;

use crate::records::{CHUNK, list_placeholders, values_placeholders};
use crate::sweeps::RecordResult;
use crate::{Store, StoreError, query_error};

/// How `jiandu gaps` groups the gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapGrouping {
    Rule,
    /// The field not recorded; gaps without one are grouped by outcome (`(unknown)`, `(error)`).
    Field,
    Unit,
    RecordType,
}

/// One group of gaps.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GapCount {
    /// The rule id, field path, unit id or record type; for gaps without a field,
    /// `(unknown)` or `(error)`; for records without a unit, `""`.
    pub key: String,
    /// Records with at least one gap in the group.
    pub records: u64,
    /// Record-and-rule pairs that could not be judged.
    pub judgements: u64,
    /// Distinct rules among them.
    pub rules: u64,
}

/// The errors a sweep met, per rule, with one of their messages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleErrors {
    pub rule_id: String,
    pub records: u64,
    pub message: String,
}

/// What one sweep could not judge.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SweepGaps {
    /// Record-and-rule pairs judged `unknown`.
    pub unknown: u64,
    pub errors: Vec<RuleErrors>,
}

/// One row to write: record, rule, outcome, the field not recorded, the reason.
type Gap<'a> = (&'a str, &'a str, Outcome, Option<&'a str>, Option<&'a str>);

/// Replaces the gaps of a batch's records with those of their new evaluations; returns how
/// many evaluations were errors.
pub(crate) async fn replace_gaps(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    record_ids: &[String],
    results: &[RecordResult],
    sweep_id: i64,
) -> Result<u64, StoreError> {
    for chunk in record_ids.chunks(CHUNK) {
        let sql = format!(
            "DELETE FROM gaps WHERE record_id IN ({})",
            list_placeholders(chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        query
            .execute(&mut **tx)
            .await
            .map_err(query_error("clearing a batch's gaps"))?;
    }
    let gaps: Vec<Gap<'_>> = results
        .iter()
        .flat_map(|r| r.evaluations.iter())
        .filter(|e| e.outcome.is_gap())
        .map(|e| {
            let field = match e.outcome {
                Outcome::Unknown => e.evidence.get("absent_field").and_then(Value::as_str),
                _ => None,
            };
            let reason = field.is_none().then_some(e.message.as_str());
            (
                e.record_id.as_str(),
                e.rule_id.as_str(),
                e.outcome,
                field,
                reason,
            )
        })
        .collect();
    let errors = gaps.iter().filter(|g| g.2 == Outcome::Error).count() as u64;
    for chunk in gaps.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO gaps (record_id, rule_id, outcome, field, reason, sweep_id) VALUES {}",
            values_placeholders(chunk.len(), 6)
        );
        let mut query = sqlx::query(&sql);
        for (record, rule, outcome, field, reason) in chunk {
            query = query
                .bind(*record)
                .bind(*rule)
                .bind(outcome.as_str())
                .bind(field.map(str::to_owned))
                .bind(reason.map(str::to_owned))
                .bind(sweep_id);
        }
        query
            .execute(&mut **tx)
            .await
            .map_err(query_error("writing a batch's gaps"))?;
    }
    Ok(errors)
}

impl Store {
    /// The gaps as they stand, grouped, the groups with the most records first.
    pub async fn gap_counts(&self, by: GapGrouping) -> Result<Vec<GapCount>, StoreError> {
        let key = match by {
            GapGrouping::Rule => "g.rule_id",
            GapGrouping::Field => "COALESCE(g.field, '(' || g.outcome || ')')",
            GapGrouping::Unit => "COALESCE(r.unit_id, '')",
            GapGrouping::RecordType => "COALESCE(r.record_type, '')",
        };
        let rows = sqlx::query(&format!(
            "SELECT {key} AS k, COUNT(DISTINCT g.record_id), COUNT(*), COUNT(DISTINCT g.rule_id) \
             FROM gaps g LEFT JOIN records r ON r.record_id = g.record_id GROUP BY {key} ORDER BY 2 DESC, 1"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(query_error("counting gaps"))?;
        Ok(rows
            .iter()
            .map(|row| GapCount {
                key: row.get(0),
                records: row.get::<i64, _>(1) as u64,
                judgements: row.get::<i64, _>(2) as u64,
                rules: row.get::<i64, _>(3) as u64,
            })
            .collect())
    }

    /// What one sweep could not judge: how many unknowns, and its errors per rule.
    pub async fn sweep_gaps(&self, sweep_id: i64) -> Result<SweepGaps, StoreError> {
        let unknown: i64 =
            sqlx::query("SELECT COUNT(*) FROM gaps WHERE sweep_id = $1 AND outcome = 'unknown'")
                .bind(sweep_id)
                .fetch_one(self.pool())
                .await
                .map_err(query_error("counting a sweep's unknowns"))?
                .get(0);
        let rows = sqlx::query(
            "SELECT rule_id, COUNT(*), MIN(reason) FROM gaps WHERE sweep_id = $1 AND outcome = 'error' \
             GROUP BY rule_id ORDER BY rule_id",
        )
        .bind(sweep_id)
        .fetch_all(self.pool())
        .await
        .map_err(query_error("listing a sweep's errors"))?;
        Ok(SweepGaps {
            unknown: unknown as u64,
            errors: rows
                .iter()
                .map(|row| RuleErrors {
                    rule_id: row.get(0),
                    records: row.get::<i64, _>(1) as u64,
                    message: row.get::<Option<String>, _>(2).unwrap_or_default(),
                })
                .collect(),
        })
    }
}
