//! jiandu's store: the only part that speaks SQL.
//!
//! One [`Store`] type serves both backends: SQLite (the embedded default, a file created on
//! first use) and PostgreSQL (for multi-user and multi-worker deployments). The backend is
//! chosen by the URL scheme. The SQL is written once in the dialect both accept (`$1`
//! parameters, `ON CONFLICT … DO UPDATE`, `RETURNING`); each backend owns its migrations,
//! which differ only in column types.
//!
//! ```no_run
//! # async fn demo() -> Result<(), jiandu_store::StoreError> {
//! let store = jiandu_store::Store::open("sqlite://jiandu.db").await?;
//! println!("{} records", store.count_records().await?);
//! # Ok(()) }
//! ```

mod audit;
mod baseline;
mod cases;
mod complaints;
mod filter;
mod findings;
mod gaps;
mod hash;
mod keys;
mod migrations;
mod outbox;
mod record_query;
mod records;
mod reference;
mod report_query;
mod routing;
mod sweeps;
mod transition;
mod users;

use std::str::FromStr;
use std::sync::{Arc, Once};
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;

pub use audit::{AuditAnchor, AuditEvent, AuditKey, AuditVerification, StoredAuditEvent};
pub use baseline::{BaselineRule, drop_postgres_schema, fresh_postgres_schema};
pub use cases::{CaseMoveError, CaseRow};
pub use complaints::{
    ComplaintChange, ComplaintFilter, ComplaintRow, Conflict, EventRow, NewComplaint, NewEvent,
};
pub use findings::{ChangeCounts, FindingFilter, FindingRow, StatusChangeError};
pub use gaps::{GapCount, GapGrouping, RuleErrors, SweepGaps};
pub use hash::content_hash;
pub use outbox::{MailRow, NewMail};
pub use record_query::{ImportBatchRow, ImportEntry, RecordFilter, RecordSummary};
pub use records::{ImportSummary, RecordBatch, StoredRecord};
pub use report_query::{ExportedRecord, PeriodRecord};
pub use routing::{RouteLabel, RoutingExample, StoredModel};
pub use sweeps::{
    BatchClaim, BatchSource, BatchWork, RecordResult, SweepInfo, SweepPlan, SweepTotals,
};
pub use users::{SessionRow, UserChangeError, UserRow};

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl { url: redact(url) })
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported database URL `{url}`; use sqlite://FILE (e.g. sqlite://jiandu.db) or postgres://USER@HOST:PORT/DB"
    )]
    UnsupportedUrl { url: String },
    #[error("cannot open {backend} database at {url}")]
    Connect {
        backend: &'static str,
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot bring the {backend} database at {url} up to date (migrations)")]
    Migrate {
        backend: &'static str,
        url: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("database error while {doing}")]
    Query {
        doing: String,
        #[source]
        source: sqlx::Error,
    },
    /// A stored value that does not decode: never replaced by a guess.
    #[error("table `{table}`, row `{id}`, column `{column}` cannot be read back: {reason}")]
    Corrupt {
        table: &'static str,
        id: String,
        column: &'static str,
        reason: String,
    },
    /// A guarded change found the row in another state than the one it was read in.
    #[error(
        "{what} {key} was changed by someone else (it is no longer `{expected}`); look at it again and retry"
    )]
    Conflict {
        what: &'static str,
        key: String,
        expected: String,
    },
    #[error(
        "sweep {sweep_id} is still running; wait for it, or give it up with `jiandu sweep --abandon`"
    )]
    SweepRunning { sweep_id: i64 },
}

impl StoreError {
    /// A stored value that does not decode: which table, row and column, and why.
    pub(crate) fn corrupt(
        table: &'static str,
        id: impl std::fmt::Display,
        column: &'static str,
        reason: impl std::fmt::Display,
    ) -> StoreError {
        StoreError::Corrupt {
            table,
            id: id.to_string(),
            column,
            reason: reason.to_string(),
        }
    }
}

pub(crate) fn query_error(doing: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
    let doing = doing.into();
    move |source| StoreError::Query { doing, source }
}

/// A URL with its password replaced, fit for messages and logs.
pub fn redact(url: &str) -> String {
    jiandu_model::redact_url(url)
}

/// The store. Cheap to clone (a connection pool inside).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
    audit_key: Option<AuditKey>,
    /// SQLite has one writer, and its busy handler makes a blocked writer sleep and poll
    /// (1, 2, 5, 10 … 100 ms): eight concurrent complaint pushes waited tens of milliseconds
    /// for a lock held one. This process's busiest writers take turns here instead, in order
    /// of arrival. Unused on PostgreSQL, whose row locks queue by themselves.
    writer: Arc<tokio::sync::Mutex<()>>,
}

static DRIVERS: Once = Once::new();

impl Store {
    /// Opens (and for SQLite creates) the database at `url` and applies pending migrations.
    /// The file an SQLite URL names (`sqlite://jiandu.db` → `jiandu.db`); `None` for
    /// PostgreSQL and in-memory databases. A dry run looks before it opens, since opening
    /// creates the file.
    pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or("");
        (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
    }

    pub async fn open(url: &str) -> Result<Store, StoreError> {
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = Backend::from_url(url)?;
        let shown = redact(url);
        let connect_url = match backend {
            Backend::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = match backend {
            // SQLite has one writer; a few readers beside it is all a pool can use.
            // synchronous = FULL: a commit (a push answered 2xx, a sweep batch) is on disk
            // before it returns, also across a power cut; WAL keeps that cheap.
            Backend::Sqlite => AnyPoolOptions::new()
                .max_connections(4)
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;")
                            .await?;
                        Ok(())
                    })
                }),
            Backend::Postgres => AnyPoolOptions::new().max_connections(8),
        }
        .acquire_timeout(Duration::from_secs(30));
        let pool = options
            .connect(&connect_url)
            .await
            .map_err(|source| StoreError::Connect {
                backend: backend.name(),
                url: shown.clone(),
                source,
            })?;
        migrations::migrator(backend)
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                backend: backend.name(),
                url: shown.clone(),
                source,
            })?;
        let store = Store {
            pool,
            backend,
            url: shown,
            audit_key: None,
            writer: Arc::default(),
        };
        store.backfill_keys().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// This store seals the audit entries it writes (from the key's `sealed_from` on) with
    /// `key`, and verifies with it.
    pub fn with_audit_key(mut self, key: AuditKey) -> Store {
        self.audit_key = Some(key);
        self
    }

    pub(crate) fn audit_key(&self) -> Option<&AuditKey> {
        self.audit_key.as_ref()
    }

    /// This process's turn to write, held until the transaction ends (SQLite; `None` on
    /// PostgreSQL).
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.writer.lock().await),
            Backend::Postgres => None,
        }
    }

    /// The URL this store was opened with, password redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

impl FromStr for Backend {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Backend::from_url(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_backend_by_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://jiandu.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://postgres@127.0.0.1/test").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::from_url("mysql://x").is_err());
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://jiandu.db"), "sqlite://jiandu.db");
    }
}
