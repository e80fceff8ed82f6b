//! The one guarded primitive through which a stored state changes (a finding's status, a
//! case's state, a sweep's status; complaints add their unit and escalation to the guard in
//! `complaints.rs`).
//!
//! The caller reads the state, lets the model decide, and writes with
//! `UPDATE … WHERE key = $k AND state = $read` in the same transaction as its audit event.
//! No rows changed means someone else changed the state in between: the caller gets
//! [`StoreError::Conflict`] and its transaction is rolled back when dropped, so neither change
//! is lost and neither is applied twice.

use sqlx::Row;

use crate::{StoreError, query_error};

/// A table whose rows carry a state.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entity {
    pub what: &'static str,
    pub table: &'static str,
    pub key_column: &'static str,
    pub state_column: &'static str,
}

pub(crate) const FINDING: Entity = Entity {
    what: "finding",
    table: "findings",
    key_column: "finding_id",
    state_column: "status",
};

pub(crate) const CASE: Entity = Entity {
    what: "case",
    table: "cases",
    key_column: "case_id",
    state_column: "state",
};

pub(crate) const SWEEP: Entity = Entity {
    what: "sweep",
    table: "sweeps",
    key_column: "sweep_id",
    state_column: "status",
};

/// A value to set beside the state.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(Option<String>),
    Int(Option<i64>),
}

/// The state of one row, or `None` when there is no such row.
pub(crate) async fn read_state(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    entity: Entity,
    key: i64,
) -> Result<Option<String>, StoreError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE {} = $1",
        entity.state_column, entity.table, entity.key_column
    );
    let row = sqlx::query(&sql)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await
        .map_err(query_error(format!("reading {} {key}", entity.what)))?;
    row.map(|row| {
        row.try_get::<String, _>(0)
            .map_err(|e| StoreError::corrupt(entity.table, key, entity.state_column, e))
    })
    .transpose()
}

/// Moves one row from the state `from` (as read) to `to`, setting `also` with it; a
/// [`StoreError::Conflict`] when the row is no longer in `from`.
pub(crate) async fn write_state(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    entity: Entity,
    key: i64,
    from: &str,
    to: &str,
    also: &[(&str, Bind)],
) -> Result<(), StoreError> {
    let mut sets = vec![format!("{} = $1", entity.state_column)];
    for (i, (column, _)) in also.iter().enumerate() {
        sets.push(format!("{column} = ${}", i + 2));
    }
    let n = also.len();
    let sql = format!(
        "UPDATE {} SET {} WHERE {} = ${} AND {} = ${}",
        entity.table,
        sets.join(", "),
        entity.key_column,
        n + 2,
        entity.state_column,
        n + 3
    );
    let mut query = sqlx::query(&sql).bind(to.to_owned());
    for (_, value) in also {
        query = match value {
            Bind::Text(v) => query.bind(v.clone()),
            Bind::Int(v) => query.bind(*v),
        };
    }
    let done = query
        .bind(key)
        .bind(from.to_owned())
        .execute(&mut **tx)
        .await
        .map_err(query_error(format!("changing {} {key}", entity.what)))?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            what: entity.what,
            key: key.to_string(),
            expected: from.to_owned(),
        })
    }
}
