//! Each backend's migrations, embedded in the binary so that a database is created or
//! upgraded on first use without any files beside the program.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::Backend;

/// (version, description, SQLite text, PostgreSQL text). Append only: never edit a
/// migration that has shipped, add a new one.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "records",
        include_str!("../migrations/sqlite/0001_records.sql"),
        include_str!("../migrations/postgres/0001_records.sql"),
    ),
    (
        2,
        "sweeps findings cases",
        include_str!("../migrations/sqlite/0002_sweeps_findings_cases.sql"),
        include_str!("../migrations/postgres/0002_sweeps_findings_cases.sql"),
    ),
    (
        3,
        "complaints outbox",
        include_str!("../migrations/sqlite/0003_complaints_outbox.sql"),
        include_str!("../migrations/postgres/0003_complaints_outbox.sql"),
    ),
    (
        4,
        "gaps",
        include_str!("../migrations/sqlite/0004_gaps.sql"),
        include_str!("../migrations/postgres/0004_gaps.sql"),
    ),
    (
        5,
        "seams",
        include_str!("../migrations/sqlite/0005_seams.sql"),
        include_str!("../migrations/postgres/0005_seams.sql"),
    ),
    (
        6,
        "imports",
        include_str!("../migrations/sqlite/0006_imports.sql"),
        include_str!("../migrations/postgres/0006_imports.sql"),
    ),
    (
        7,
        "users",
        include_str!("../migrations/sqlite/0007_users.sql"),
        include_str!("../migrations/postgres/0007_users.sql"),
    ),
    (
        8,
        "exports",
        include_str!("../migrations/sqlite/0008_exports.sql"),
        include_str!("../migrations/postgres/0008_exports.sql"),
    ),
    (
        9,
        "routing",
        include_str!("../migrations/sqlite/0009_routing.sql"),
        include_str!("../migrations/postgres/0009_routing.sql"),
    ),
    (
        10,
        "performance",
        include_str!("../migrations/sqlite/0010_performance.sql"),
        include_str!("../migrations/postgres/0010_performance.sql"),
    ),
];

pub(crate) fn migrator(backend: Backend) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|(version, description, sqlite, postgres)| {
            let sql = match backend {
                Backend::Sqlite => *sqlite,
                Backend::Postgres => *postgres,
            };
            Migration::new(
                *version,
                Cow::Borrowed(*description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}
