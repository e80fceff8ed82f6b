//! Filling the look-up key columns of records stored before those columns existed.

use sqlx::Row;

use crate::records::{CHUNK, RecordKeys, stored_record_from_row};
use crate::{Store, StoreError, query_error};

impl Store {
    /// Fills `act_id`, `party_key`, `agency_key`, `check_action_code` and `unit_id` for rows
    /// whose keys were never filled (a database from before migration 2). Returns how many.
    pub(crate) async fn backfill_keys(&self) -> Result<u64, StoreError> {
        let mut n = 0u64;
        loop {
            let rows = sqlx::query(
                "SELECT record_id, body, revision, source, imported_at, updated_at FROM records WHERE keys_filled = 0 LIMIT 500",
            )
            .fetch_all(self.pool())
            .await
            .map_err(query_error("reading records whose keys are not filled"))?;
            if rows.is_empty() {
                return Ok(n);
            }
            let mut tx = self
                .pool()
                .begin()
                .await
                .map_err(query_error("starting a key backfill"))?;
            for row in &rows {
                let key: String = row.get("record_id");
                let keys = match stored_record_from_row(row) {
                    Ok(stored) => RecordKeys::of(&stored.record),
                    Err(_) => RecordKeys {
                        act_id: None,
                        party_key: None,
                        agency_key: None,
                        check_action_code: None,
                        unit_id: None,
                    },
                };
                sqlx::query(
                    "UPDATE records SET act_id = $1, party_key = $2, agency_key = $3, check_action_code = $4, unit_id = $5, keys_filled = 1 \
                     WHERE record_id = $6",
                )
                .bind(keys.act_id)
                .bind(keys.party_key)
                .bind(keys.agency_key)
                .bind(keys.check_action_code)
                .bind(keys.unit_id)
                .bind(key)
                .execute(&mut *tx)
                .await
                .map_err(query_error("filling record keys"))?;
            }
            tx.commit()
                .await
                .map_err(query_error("committing a key backfill"))?;
            n += rows.len() as u64;
            if rows.len() < CHUNK {
                return Ok(n);
            }
        }
    }
}
