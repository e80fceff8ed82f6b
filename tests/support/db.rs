//! Fresh databases for each test: a temporary SQLite file, and a temporary schema on the
//! PostgreSQL server named by `JIANDU_TEST_POSTGRES_URL`.
//!
//! With `CI=true` the PostgreSQL run is mandatory: an unset URL or an unreachable server
//! fails the test. Elsewhere PostgreSQL is skipped with a message on the terminal.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;

/// A database for one test. Dropping it removes the SQLite file or the PostgreSQL schema.
pub struct TestDb {
    pub url: String,
    pub backend: &'static str,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { base_url: String, schema: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { base_url, schema } = &self.cleanup {
            let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
            let _ = super::block_on(async {
                let mut conn = sqlx::PgConnection::connect(base_url).await?;
                sqlx::query(&sql).execute(&mut conn).await
            });
        }
    }
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Written straight to the terminal: the test harness captures `eprintln!`, not this.
pub fn notice(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

pub fn sqlite() -> TestDb {
    let dir = super::temp_dir();
    let url = format!("sqlite://{}", dir.path().join("jiandu.db").display());
    TestDb {
        url,
        backend: "sqlite",
        cleanup: Cleanup::Sqlite(dir),
    }
}

static SCHEMA_SEQ: AtomicU64 = AtomicU64::new(0);

/// The test PostgreSQL server's URL for a command that makes its own schema (`jiandu bench`),
/// or `None` when PostgreSQL is skipped (never in CI).
pub fn postgres_base_url() -> Option<String> {
    match std::env::var("JIANDU_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                !in_ci(),
                "CI=true but JIANDU_TEST_POSTGRES_URL is not set: the PostgreSQL store tests are mandatory in CI"
            );
            notice("note: JIANDU_TEST_POSTGRES_URL is not set; skipping the PostgreSQL part");
            None
        }
    }
}

/// A fresh schema on the test PostgreSQL server, or `None` when PostgreSQL is skipped.
pub fn postgres() -> Option<TestDb> {
    let base_url = match std::env::var("JIANDU_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                !in_ci(),
                "CI=true but JIANDU_TEST_POSTGRES_URL is not set: the PostgreSQL store tests are mandatory in CI"
            );
            notice(
                "note: JIANDU_TEST_POSTGRES_URL is not set; skipping the PostgreSQL run of this test",
            );
            return None;
        }
    };
    let schema = format!(
        "jt_{}_{}_{}",
        std::process::id(),
        SCHEMA_SEQ.fetch_add(1, Ordering::SeqCst),
        jiandu_model::clock::now()
            .as_datetime()
            .timestamp_subsec_micros()
    );
    let created = super::block_on(async {
        let mut conn = sqlx::PgConnection::connect(&base_url).await?;
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
    });
    if let Err(err) = created {
        assert!(
            !in_ci(),
            "CI=true but the PostgreSQL server at {base_url} is unreachable: {err}"
        );
        notice(&format!(
            "note: PostgreSQL at {base_url} is unreachable ({err}); skipping the PostgreSQL run of this test"
        ));
        return None;
    }
    let sep = if base_url.contains('?') { '&' } else { '?' };
    Some(TestDb {
        url: format!("{base_url}{sep}options=-c%20search_path%3D{schema}"),
        backend: "postgres",
        cleanup: Cleanup::Postgres { base_url, schema },
    })
}

/// Runs `test` on a fresh SQLite database and, where available, a fresh PostgreSQL schema.
pub fn for_each_db(test: impl Fn(&TestDb)) {
    let sqlite = sqlite();
    test(&sqlite);
    if let Some(pg) = postgres() {
        test(&pg);
    }
}
