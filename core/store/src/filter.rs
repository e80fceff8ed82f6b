//! WHERE clauses built from optional conditions, their text values bound in order: one place
//! for the `$n` numbering both backends accept.

use sqlx::any::AnyRow;

use crate::{StoreError, query_error};

#[derive(Debug, Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    binds: Vec<String>,
}

impl Where {
    /// A condition with one `?`, which becomes the next `$n` bound to `value`.
    pub fn bind(&mut self, condition: &str, value: impl Into<String>) {
        self.binds.push(value.into());
        self.clauses
            .push(condition.replace('?', &format!("${}", self.binds.len())));
    }

    /// A condition without a value (only constants and numbers of ours in it).
    pub fn raw(&mut self, condition: impl Into<String>) {
        self.clauses.push(condition.into());
    }

    /// Runs `select` with the conditions, then `tail` (ORDER BY, LIMIT).
    pub async fn fetch_all(
        &self,
        pool: &sqlx::AnyPool,
        select: &str,
        tail: &str,
        doing: &str,
    ) -> Result<Vec<AnyRow>, StoreError> {
        let mut sql = select.to_owned();
        if !self.clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.clauses.join(" AND "));
        }
        sql.push(' ');
        sql.push_str(tail);
        let mut query = sqlx::query(&sql);
        for value in &self.binds {
            query = query.bind(value.as_str());
        }
        query
            .fetch_all(pool)
            .await
            .map_err(query_error(doing.to_owned()))
    }
}
