//! The SQL baseline of `jiandu bench`: three rules of the catalogue as one query each over the
//! records table, in calendar days where SQL cannot count working days. They measure what a
//! database alone does with the same table, not the law: their counts are approximations and
//! no finding is ever made from them.

use sqlx::Row;

use crate::{Backend, Store, StoreError, query_error};

/// A rule the baseline has a query for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineRule {
    /// A penalty decided more than 90 calendar days after filing (ordinary procedure).
    Deadline90d,
    /// A decision served more than 7 calendar days after it was made, or never, when the
    /// party was not present at its announcement (ordinary procedure).
    Service7d,
    /// A summary-procedure fine above 3,000 yuan, or above 200 yuan for a natural person or an
    /// individual business (the 2021 ceilings).
    SummaryLimit,
}

type Field = fn(&str) -> String;
type Days = fn(&str, &str) -> String;

impl BaselineRule {
    pub const ALL: [BaselineRule; 3] = [
        BaselineRule::Deadline90d,
        BaselineRule::Service7d,
        BaselineRule::SummaryLimit,
    ];

    /// The catalogue rule it stands for.
    pub fn rule_id(self) -> &'static str {
        match self {
            BaselineRule::Deadline90d => "PEN-DEADLINE-90D",
            BaselineRule::Service7d => "PEN-SERVICE-7WD",
            BaselineRule::SummaryLimit => "PEN-SUMMARY-LIMIT",
        }
    }

    fn sql(self, backend: Backend) -> String {
        // A field of the body as text, and the days from one date field to another.
        let (field, days): (Field, Days) = match backend {
            Backend::Sqlite => (
                |f| format!("json_extract(body, '$.{f}')"),
                |a, b| {
                    format!(
                        "(julianday(json_extract(body, '$.{b}')) - julianday(json_extract(body, '$.{a}')))"
                    )
                },
            ),
            Backend::Postgres => (
                |f| {
                    let path = f.replace('.', ",");
                    format!("(body::jsonb #>> '{{{path}}}')")
                },
                |a, b| format!("((body::jsonb ->> '{b}')::date - (body::jsonb ->> '{a}')::date)"),
            ),
        };
        let fine = match backend {
            Backend::Sqlite => "CAST(json_extract(body, '$.fine_amount') AS REAL)".to_owned(),
            Backend::Postgres => "(body::jsonb ->> 'fine_amount')::numeric".to_owned(),
        };
        let penalty = format!("record_type = 'penalty' AND {} = ", field("procedure"));
        match self {
            BaselineRule::Deadline90d => format!(
                "SELECT COUNT(*) FROM records WHERE {penalty}'ordinary' \
                 AND {} IS NOT NULL AND {} IS NOT NULL AND {} > 90",
                field("filing_date"),
                field("decision_date"),
                days("filing_date", "decision_date")
            ),
            BaselineRule::Service7d => format!(
                "SELECT COUNT(*) FROM records WHERE {penalty}'ordinary' \
                 AND {} IS NOT NULL AND COALESCE({}, 'false') NOT IN ('true', '1') \
                 AND ({} IS NULL OR {} > 7)",
                field("decision_date"),
                field("party_present_at_announcement"),
                field("service_date"),
                days("decision_date", "service_date")
            ),
            BaselineRule::SummaryLimit => format!(
                "SELECT COUNT(*) FROM records WHERE {penalty}'summary' \
                 AND ({fine} > 3000 OR ({fine} > 200 AND {} IN ('natural_person', 'individual_business')))",
                field("party.nature")
            ),
        }
    }
}

impl Store {
    /// Runs one baseline query; the number of records it flags.
    pub async fn baseline_count(&self, rule: BaselineRule) -> Result<u64, StoreError> {
        let row = sqlx::query(&rule.sql(self.backend()))
            .fetch_one(self.pool())
            .await
            .map_err(query_error("running a baseline query"))?;
        Ok(u64::try_from(row.get::<i64, _>(0)).unwrap_or(0))
    }
}

/// A fresh schema `schema` on the PostgreSQL server at `base_url` (an earlier one dropped), and
/// the URL that uses it: where `jiandu bench` measures PostgreSQL without touching other data.
pub async fn fresh_postgres_schema(base_url: &str, schema: &str) -> Result<String, StoreError> {
    drop_postgres_schema(base_url, schema).await?;
    run_on(base_url, &format!("CREATE SCHEMA {schema}")).await?;
    let sep = if base_url.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{base_url}{sep}options=-c%20search_path%3D{schema}"
    ))
}

pub async fn drop_postgres_schema(base_url: &str, schema: &str) -> Result<(), StoreError> {
    run_on(base_url, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await
}

async fn run_on(base_url: &str, sql: &str) -> Result<(), StoreError> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(base_url)
        .await
        .map_err(query_error("connecting to PostgreSQL"))?;
    let done = sqlx::query(sql)
        .execute(&pool)
        .await
        .map_err(query_error("changing the bench schema"));
    pool.close().await;
    done.map(|_| ())
}

impl Store {
    /// `n` record ids spread over the table (ordered by content hash, which is as good as
    /// random and the same in every run): the records the bench changes.
    pub async fn sample_record_ids(
        &self,
        n: usize,
    ) -> Result<Vec<jiandu_model::RecordId>, StoreError> {
        let rows = sqlx::query("SELECT record_id FROM records ORDER BY content_hash LIMIT $1")
            .bind(n as i64)
            .fetch_all(self.pool())
            .await
            .map_err(query_error("sampling records"))?;
        rows.iter()
            .map(|row| {
                let id: String = row.get(0);
                jiandu_model::RecordId::parse(&id)
                    .map_err(|e| StoreError::corrupt("records", &id, "record_id", e))
            })
            .collect()
    }
}
