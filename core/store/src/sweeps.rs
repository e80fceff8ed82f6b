//! Sweeps in the store: planning (which records, in which batches), claiming and completing
//! batches, and the totals. A batch is completed in one transaction together with the
//! findings it changed: that transaction is the checkpoint, so a sweep killed at any point
//! resumes with exactly the batches that did not commit.

use std::collections::{BTreeSet, HashMap};

use jiandu_model::{Evaluation, Moment, Record, SweepStatus, reconcile};
use sqlx::Row;

use crate::audit::{AuditEvent, append};
use crate::findings::{ChangeCounts, apply_changes, load_states};
use crate::gaps::replace_gaps;
use crate::records::{CHUNK, list_placeholders};
use crate::transition::{Bind, SWEEP, write_state};
use crate::{Backend, Store, StoreError, query_error};

#[derive(Debug, Clone, serde::Serialize)]
pub struct SweepInfo {
    pub sweep_id: i64,
    pub status: SweepStatus,
    pub full: bool,
    pub reason: String,
    pub ruleset_hash: String,
    pub from_revision: i64,
    pub to_revision: i64,
    pub n_records: u64,
    pub n_batches: u64,
    pub started_at: Moment,
    pub finished_at: Option<Moment>,
}

/// What a new sweep will do: written in one transaction by [`Store::create_sweep`].
#[derive(Debug, Clone)]
pub struct SweepPlan {
    pub full: bool,
    pub reason: String,
    pub ruleset_hash: String,
    /// Record revisions after `from_revision` up to `to_revision` are covered.
    pub from_revision: i64,
    pub to_revision: i64,
    pub batches: Vec<Vec<String>>,
}

/// One batch of records to evaluate.
#[derive(Debug, Clone)]
pub struct BatchWork {
    pub sweep_id: i64,
    pub batch_no: i64,
    pub record_ids: Vec<String>,
}

/// A batch taken by one task. On PostgreSQL it was claimed with `FOR UPDATE SKIP LOCKED`:
/// its row stays locked by the claim's transaction until [`Store::complete_batch`] commits
/// it, so no other worker takes it. On SQLite it came from this process's queue.
pub struct BatchClaim {
    tx: Option<sqlx::Transaction<'static, sqlx::Any>>,
    pub work: BatchWork,
}

/// Where the tasks of one process take a sweep's batches from: the database's claims
/// (PostgreSQL, shared with `jiandu worker` processes) or a queue of the pending batches
/// read once (SQLite, one process). The sweep does not need to know which.
pub struct BatchSource {
    sweep_id: i64,
    queue: Option<std::sync::Mutex<std::collections::VecDeque<BatchWork>>>,
}

impl std::fmt::Debug for BatchSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchSource")
            .field("sweep_id", &self.sweep_id)
            .finish()
    }
}

impl std::fmt::Debug for BatchClaim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchClaim")
            .field("work", &self.work)
            .finish()
    }
}

/// The outcome of evaluating one record: every evaluation, and the unit answerable for it.
#[derive(Debug, Clone)]
pub struct RecordResult {
    pub record_id: String,
    pub unit_id: Option<String>,
    pub evaluations: Vec<Evaluation>,
}

/// Totals of a sweep, summed over its completed batches.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SweepTotals {
    pub records_evaluated: u64,
    pub rule_evaluations: u64,
    pub findings_new: u64,
    pub findings_reopened: u64,
    pub findings_resolved: u64,
    pub findings_unchanged: u64,
    pub errors: u64,
    pub batches_done: u64,
    pub batches_total: u64,
}

pub(crate) fn sweep_from_row(row: &sqlx::any::AnyRow) -> Result<SweepInfo, StoreError> {
    let sweep_id: i64 = row.get(0);
    Ok(SweepInfo {
        sweep_id,
        status: row
            .get::<String, _>(1)
            .parse()
            .map_err(|e| StoreError::corrupt("sweeps", sweep_id, "status", e))?,
        full: row.get::<i64, _>(2) != 0,
        reason: row.get(3),
        ruleset_hash: row.get(4),
        from_revision: row.get(5),
        to_revision: row.get(6),
        n_records: row.get::<i64, _>(7) as u64,
        n_batches: row.get::<i64, _>(8) as u64,
        started_at: Moment::parse(&row.get::<String, _>(9))
            .map_err(|e| StoreError::corrupt("sweeps", sweep_id, "started_at", e))?,
        finished_at: row
            .get::<Option<String>, _>(10)
            .map(|t| {
                Moment::parse(&t)
                    .map_err(|e| StoreError::corrupt("sweeps", sweep_id, "finished_at", e))
            })
            .transpose()?,
    })
}

type LinkKeySets = (
    BTreeSet<String>,
    BTreeSet<String>,
    BTreeSet<(String, String)>,
);

/// The acts, check action codes and (party, agency) pairs of rows selected as
/// `act_id, party_key, agency_key, check_action_code`.
/// Which records sharing a key count.
#[derive(Debug, Clone, Copy)]
enum Linked {
    /// Every record sharing a key: its findings can change when the key's records do.
    Any,
    /// Only the records `jiandu_rules::Lookups` keeps: penalties by act, inspections by code
    /// and by party and agency.
    ForLookups,
}

fn link_keys_of(rows: &[sqlx::any::AnyRow]) -> LinkKeySets {
    let mut acts = BTreeSet::new();
    let mut codes = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    for row in rows {
        if let Some(act) = row.get::<Option<String>, _>(0) {
            acts.insert(act);
        }
        if let (Some(party), Some(agency)) = (
            row.get::<Option<String>, _>(1),
            row.get::<Option<String>, _>(2),
        ) {
            pairs.insert((party, agency));
        }
        if let Some(code) = row.get::<Option<String>, _>(3) {
            codes.insert(code);
        }
    }
    (acts, codes, pairs)
}

pub(crate) const SELECT_SWEEP: &str = "SELECT sweep_id, status, full_sweep, reason, ruleset_hash, from_revision, to_revision, n_records, \
     n_batches, started_at, finished_at FROM sweeps";

impl Store {
    /// The store-wide revision of the latest record change.
    pub async fn record_revision(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT value FROM counters WHERE name = 'record_revision'")
                .fetch_one(self.pool())
                .await
                .map_err(query_error("reading the record revision"))?
                .get(0),
        )
    }

    pub async fn last_completed_sweep(&self) -> Result<Option<SweepInfo>, StoreError> {
        let row = sqlx::query(&format!(
            "{SELECT_SWEEP} WHERE status = 'completed' ORDER BY sweep_id DESC LIMIT 1"
        ))
        .fetch_optional(self.pool())
        .await
        .map_err(query_error("reading the last sweep"))?;
        row.as_ref().map(sweep_from_row).transpose()
    }

    pub async fn running_sweep(&self) -> Result<Option<SweepInfo>, StoreError> {
        let row = sqlx::query(&format!(
            "{SELECT_SWEEP} WHERE status = 'running' ORDER BY sweep_id DESC LIMIT 1"
        ))
        .fetch_optional(self.pool())
        .await
        .map_err(query_error("reading the running sweep"))?;
        row.as_ref().map(sweep_from_row).transpose()
    }

    /// The most recent sweep, whatever its status.
    pub async fn latest_sweep(&self) -> Result<Option<SweepInfo>, StoreError> {
        let row = sqlx::query(&format!("{SELECT_SWEEP} ORDER BY sweep_id DESC LIMIT 1"))
            .fetch_optional(self.pool())
            .await
            .map_err(query_error("reading the latest sweep"))?;
        row.as_ref().map(sweep_from_row).transpose()
    }

    /// Gives up the running sweep (`jiandu sweep --abandon`), with an audit event. Its done
    /// batches keep their findings; its pending ones are never taken. Returns the sweep given
    /// up, or `None` when none was running.
    pub async fn abandon_sweep(
        &self,
        actor: &str,
        reason: &str,
        now: Moment,
    ) -> Result<Option<SweepInfo>, StoreError> {
        let Some(running) = self.running_sweep().await? else {
            return Ok(None);
        };
        let at = now;
        let now = now.to_string();
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting to abandon a sweep"))?;
        write_state(
            &mut tx,
            SWEEP,
            running.sweep_id,
            SweepStatus::Running.as_str(),
            SweepStatus::Abandoned.as_str(),
            &[("finished_at", Bind::Text(Some(now.clone())))],
        )
        .await?;
        let event = AuditEvent {
            actor: actor.to_owned(),
            entity: "sweep",
            entity_id: running.sweep_id.to_string(),
            action: "abandoned".into(),
            details: serde_json::json!({
                "reason": reason,
                "ruleset_hash": running.ruleset_hash,
                "n_batches": running.n_batches,
            }),
        };
        append(&mut tx, self.audit_key(), &[event], &now).await?;
        tx.commit()
            .await
            .map_err(query_error("committing an abandoned sweep"))?;
        Ok(Some(SweepInfo {
            status: SweepStatus::Abandoned,
            finished_at: Some(at),
            ..running
        }))
    }

    pub async fn get_sweep(&self, sweep_id: i64) -> Result<Option<SweepInfo>, StoreError> {
        let row = sqlx::query(&format!("{SELECT_SWEEP} WHERE sweep_id = $1"))
            .bind(sweep_id)
            .fetch_optional(self.pool())
            .await
            .map_err(query_error("reading a sweep"))?;
        row.as_ref().map(sweep_from_row).transpose()
    }

    /// Every record id, in id order.
    pub async fn all_record_ids(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT record_id FROM records ORDER BY record_id")
            .fetch_all(self.pool())
            .await
            .map_err(query_error("listing record ids"))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Ids of records changed after `after` up to and including `up_to`.
    pub async fn changed_record_ids(
        &self,
        after: i64,
        up_to: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT record_id FROM records WHERE revision > $1 AND revision <= $2 ORDER BY record_id")
            .bind(after)
            .bind(up_to)
            .fetch_all(self.pool())
            .await
            .map_err(query_error("listing changed records"))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Records whose look-ups may see the given ones: the same act, the same party and
    /// agency, the same check action code. Their findings can change when these do.
    pub async fn related_record_ids(&self, ids: &[String]) -> Result<Vec<String>, StoreError> {
        let mut related = BTreeSet::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT act_id, party_key, agency_key, check_action_code FROM records WHERE record_id IN ({})",
                list_placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.as_str());
            }
            let rows = query
                .fetch_all(self.pool())
                .await
                .map_err(query_error("reading record keys"))?;
            let (acts, codes, pairs) = link_keys_of(&rows);
            related.extend(
                self.ids_with_keys(&acts, &codes, &pairs, Linked::Any)
                    .await?,
            );
        }
        Ok(related.into_iter().collect())
    }

    /// Records that shared a key which an import in revisions `after..=up_to` replaced: a
    /// penalty whose `act_id` moved from A1 to A2 leaves A1's other records to judge again.
    pub async fn formerly_related_record_ids(
        &self,
        after: i64,
        up_to: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT act_id, party_key, agency_key, check_action_code FROM record_key_history \
             WHERE revision > $1 AND revision <= $2",
        )
        .bind(after)
        .bind(up_to)
        .fetch_all(self.pool())
        .await
        .map_err(query_error("reading replaced record keys"))?;
        let (acts, codes, pairs) = link_keys_of(&rows);
        self.ids_with_keys(&acts, &codes, &pairs, Linked::Any).await
    }

    async fn ids_with_keys(
        &self,
        acts: &BTreeSet<String>,
        codes: &BTreeSet<String>,
        pairs: &BTreeSet<(String, String)>,
        linked: Linked,
    ) -> Result<Vec<String>, StoreError> {
        // The look-ups read penalties by act and inspections by code, party and agency; an
        // incremental plan re-judges every record sharing a key. The type is filtered here,
        // not in SQL: given `record_type = …` SQLite walks the type's index instead of the
        // key's.
        let keep = |row: &sqlx::any::AnyRow, record_type: &str| match linked {
            Linked::Any => true,
            Linked::ForLookups => row.get::<String, _>(1) == record_type,
        };
        let mut ids = Vec::new();
        for (column, values, record_type) in [
            ("act_id", acts, "penalty"),
            ("check_action_code", codes, "inspection"),
        ] {
            let values: Vec<&String> = values.iter().collect();
            for chunk in values.chunks(CHUNK) {
                let sql = format!(
                    "SELECT record_id, record_type FROM records WHERE {column} IN ({})",
                    list_placeholders(chunk.len()),
                );
                let mut query = sqlx::query(&sql);
                for value in chunk {
                    query = query.bind(value.as_str());
                }
                let rows = query
                    .fetch_all(self.pool())
                    .await
                    .map_err(query_error("finding related records"))?;
                ids.extend(
                    rows.iter()
                        .filter(|r| keep(r, record_type))
                        .map(|r| r.get::<String, _>(0)),
                );
            }
        }
        // Pairs in one statement per chunk (one statement per pair cost a round trip each),
        // joined from a VALUES list so that both backends walk the (party, agency) index.
        let pairs: Vec<&(String, String)> = pairs.iter().collect();
        for chunk in pairs.chunks(CHUNK / 2) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                .collect();
            let sql = format!(
                "WITH k (party, agency) AS (VALUES {}) SELECT r.record_id, r.record_type FROM k \
                 JOIN records r ON r.party_key = k.party AND r.agency_key = k.agency",
                values.join(", "),
            );
            let mut query = sqlx::query(&sql);
            for (party, agency) in chunk {
                query = query.bind(party.as_str()).bind(agency.as_str());
            }
            let rows = query
                .fetch_all(self.pool())
                .await
                .map_err(query_error("finding related records"))?;
            ids.extend(
                rows.iter()
                    .filter(|r| keep(r, "inspection"))
                    .map(|r| r.get::<String, _>(0)),
            );
        }
        Ok(ids)
    }

    /// The records with these ids (in no particular order); missing ids are skipped.
    ///
    /// Each chunk's bodies come back joined into one text (by U+001E, which JSON text never
    /// holds raw: serde_json escapes control characters): one row per 500 records instead of
    /// 500, since every row costs the SQLite driver a hand-over between threads.
    pub async fn load_records(&self, ids: &[String]) -> Result<Vec<Record>, StoreError> {
        let joined = match self.backend() {
            Backend::Sqlite => "group_concat(body, char(30))",
            Backend::Postgres => "string_agg(body, chr(30))",
        };
        let mut records = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT {joined} FROM records WHERE record_id IN ({})",
                list_placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.as_str());
            }
            let row = query
                .fetch_one(self.pool())
                .await
                .map_err(query_error("reading records"))?;
            let Some(bodies) = row.get::<Option<String>, _>(0) else {
                continue;
            };
            for body in bodies.split('\u{1e}') {
                records.push(crate::records::record_from_body(body)?);
            }
        }
        Ok(records)
    }

    /// The records the look-ups of these records need (the same act, party and agency, check
    /// action code), the given records included.
    pub async fn lookup_records(&self, records: &[Record]) -> Result<Vec<Record>, StoreError> {
        let mut acts = BTreeSet::new();
        let mut codes = BTreeSet::new();
        let mut pairs = BTreeSet::new();
        for record in records {
            if let Some(act) = record.text_at("act_id").filter(|s| !s.trim().is_empty()) {
                acts.insert(act.trim().to_owned());
            }
            if let Some(code) = record
                .text_at("check_action_code")
                .filter(|s| !s.trim().is_empty())
            {
                codes.insert(code.trim().to_owned());
            }
            if let (Some(party), Some(agency)) = (record.party_key(), record.agency_key()) {
                pairs.insert((party, agency));
            }
        }
        let mut ids: BTreeSet<String> = self
            .ids_with_keys(&acts, &codes, &pairs, Linked::ForLookups)
            .await?
            .into_iter()
            .collect();
        for record in records {
            ids.remove(record.id().as_str());
        }
        let ids: Vec<String> = ids.into_iter().collect();
        let mut all = self.load_records(&ids).await?;
        all.extend(records.iter().cloned());
        Ok(all)
    }

    /// Creates a running sweep with its batches. Only one sweep runs at a time: an error if
    /// another is running (resume it instead).
    pub async fn create_sweep(&self, plan: &SweepPlan, now: Moment) -> Result<i64, StoreError> {
        let now = now.to_string();
        let batches = &plan.batches;
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting a sweep"))?;
        let n_records: usize = batches.iter().map(Vec::len).sum();
        let sweep_id = sqlx::query(
            "INSERT INTO sweeps (status, full_sweep, reason, ruleset_hash, from_revision, to_revision, n_records, n_batches, started_at) \
             VALUES ('running', $1, $2, $3, $4, $5, $6, $7, $8) RETURNING sweep_id",
        )
        .bind(i64::from(plan.full))
        .bind(plan.reason.as_str())
        .bind(plan.ruleset_hash.as_str())
        .bind(plan.from_revision)
        .bind(plan.to_revision)
        .bind(n_records as i64)
        .bind(batches.len() as i64)
        .bind(now.as_str())
        .fetch_one(&mut *tx)
        .await;
        let sweep_id: i64 = match sweep_id {
            Ok(row) => row.get(0),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                drop(tx);
                let running = self.running_sweep().await?;
                return Err(StoreError::SweepRunning {
                    sweep_id: running.map_or(0, |s| s.sweep_id),
                });
            }
            Err(e) => return Err(query_error("creating a sweep")(e)),
        };
        for (chunk_no, chunk) in batches.chunks(200).enumerate() {
            let sql = format!(
                "INSERT INTO sweep_batches (sweep_id, batch_no, record_ids, status) VALUES {}",
                crate::records::values_placeholders(chunk.len(), 4)
            );
            let mut query = sqlx::query(&sql);
            for (i, ids) in chunk.iter().enumerate() {
                query = query
                    .bind(sweep_id)
                    .bind((chunk_no * 200 + i) as i64)
                    .bind(serde_json::to_string(ids).unwrap_or_default())
                    .bind("pending");
            }
            query
                .execute(&mut *tx)
                .await
                .map_err(query_error("writing sweep batches"))?;
        }
        tx.commit()
            .await
            .map_err(query_error("committing a sweep plan"))?;
        Ok(sweep_id)
    }

    /// The batches of a sweep not yet done, in order.
    pub async fn pending_batches(&self, sweep_id: i64) -> Result<Vec<BatchWork>, StoreError> {
        let rows = sqlx::query(
            "SELECT batch_no, record_ids FROM sweep_batches WHERE sweep_id = $1 AND status = 'pending' ORDER BY batch_no",
        )
        .bind(sweep_id)
        .fetch_all(self.pool())
        .await
        .map_err(query_error("listing pending batches"))?;
        rows.iter()
            .map(|row| {
                let ids: String = row.get(1);
                Ok(BatchWork {
                    sweep_id,
                    batch_no: row.get(0),
                    record_ids: serde_json::from_str(&ids).map_err(|e| {
                        let batch = format!("{sweep_id}/{}", row.get::<i64, _>(0));
                        StoreError::corrupt("sweep_batches", batch, "record_ids", e)
                    })?,
                })
            })
            .collect()
    }

    /// Whether other processes (`jiandu worker`) can share a sweep: PostgreSQL.
    pub fn shares_sweeps(&self) -> bool {
        self.backend() == Backend::Postgres
    }

    /// The source this process's tasks take the sweep's batches from.
    pub async fn batch_source(&self, sweep_id: i64) -> Result<BatchSource, StoreError> {
        let queue = if self.shares_sweeps() {
            None
        } else {
            Some(std::sync::Mutex::new(
                self.pending_batches(sweep_id).await?.into(),
            ))
        };
        Ok(BatchSource { sweep_id, queue })
    }

    /// The next batch to do, or `None` when none is left to take.
    pub async fn next_batch(&self, source: &BatchSource) -> Result<Option<BatchClaim>, StoreError> {
        match &source.queue {
            Some(queue) => {
                // A poisoned lock only means another task panicked; the queue is still whole.
                let mut queue = queue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                Ok(queue.pop_front().map(|work| BatchClaim { tx: None, work }))
            }
            None => self.claim_batch(source.sweep_id).await,
        }
    }

    /// Claims the next pending batch of a sweep with `FOR UPDATE SKIP LOCKED`, so that several
    /// workers share a sweep (PostgreSQL). `None` when no batch is left to take.
    async fn claim_batch(&self, sweep_id: i64) -> Result<Option<BatchClaim>, StoreError> {
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting a batch claim"))?;
        let row = sqlx::query(
            "SELECT batch_no, record_ids FROM sweep_batches WHERE sweep_id = $1 AND status = 'pending' \
             ORDER BY batch_no LIMIT 1 FOR UPDATE SKIP LOCKED",
        )
        .bind(sweep_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(query_error("claiming a batch"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let ids: String = row.get(1);
        let batch_no: i64 = row.get(0);
        let record_ids = serde_json::from_str(&ids).map_err(|e| {
            StoreError::corrupt(
                "sweep_batches",
                format!("{sweep_id}/{batch_no}"),
                "record_ids",
                e,
            )
        })?;
        Ok(Some(BatchClaim {
            tx: Some(tx),
            work: BatchWork {
                sweep_id,
                batch_no,
                record_ids,
            },
        }))
    }

    /// Completes a batch: reconciles and writes its findings and audit events and marks it
    /// done, in one transaction. With a claim (PostgreSQL workers) it commits the claim's
    /// transaction; without, it opens one whose first statement takes the write lock. Returns
    /// `None` if the batch was already done (a resumed or concurrent sweep got there first).
    pub async fn complete_batch(
        &self,
        claim: BatchClaim,
        results: &[RecordResult],
        worker: &str,
        now: Moment,
    ) -> Result<Option<ChangeCounts>, StoreError> {
        let now = now.to_string();
        let work = &claim.work;
        // SQLite: the sweep's tasks (and a server's pushes) take turns instead of polling.
        let _turn = self.write_turn().await;
        let mut tx = match claim.tx {
            Some(tx) => tx,
            None => self
                .pool()
                .begin()
                .await
                .map_err(query_error("starting a batch checkpoint"))?,
        };
        let n_evaluations: usize = results.iter().map(|r| r.evaluations.len()).sum();
        let marked = sqlx::query(
            "UPDATE sweep_batches SET status = 'done', done_by = $1, done_at = $2, n_records = $3, n_evaluations = $4 \
             WHERE sweep_id = $5 AND batch_no = $6 AND status = 'pending'",
        )
        .bind(worker)
        .bind(now.as_str())
        .bind(results.len() as i64)
        .bind(n_evaluations as i64)
        .bind(work.sweep_id)
        .bind(work.batch_no)
        .execute(&mut *tx)
        .await
        .map_err(query_error("marking a batch done"))?;
        if marked.rows_affected() == 0 {
            tx.rollback()
                .await
                .map_err(query_error("abandoning a batch already done"))?;
            return Ok(None);
        }
        let lock = self.backend() == Backend::Postgres;
        let (states, fingerprints) = load_states(&mut tx, &work.record_ids, lock).await?;
        let evaluations: Vec<Evaluation> = results
            .iter()
            .flat_map(|r| r.evaluations.iter().cloned())
            .collect();
        let changes = reconcile(&states, &evaluations);
        let units: HashMap<&str, Option<String>> = results
            .iter()
            .map(|r| (r.record_id.as_str(), r.unit_id.clone()))
            .collect();
        let unit_of = |record_id: &str| units.get(record_id).cloned().flatten();
        let mut counts = apply_changes(
            &mut tx,
            self.audit_key(),
            &changes,
            &fingerprints,
            &unit_of,
            work.sweep_id,
            worker,
            &now,
        )
        .await?;
        counts.errors = replace_gaps(&mut tx, &work.record_ids, results, work.sweep_id).await?;
        sqlx::query(
            "UPDATE sweep_batches SET n_new = $1, n_reopened = $2, n_resolved = $3, n_unchanged = $4, n_errors = $5 \
             WHERE sweep_id = $6 AND batch_no = $7",
        )
        .bind(counts.new as i64)
        .bind(counts.reopened as i64)
        .bind(counts.resolved as i64)
        .bind(counts.unchanged as i64)
        .bind(counts.errors as i64)
        .bind(work.sweep_id)
        .bind(work.batch_no)
        .execute(&mut *tx)
        .await
        .map_err(query_error("recording batch totals"))?;
        tx.commit()
            .await
            .map_err(query_error("committing a batch"))?;
        Ok(Some(counts))
    }

    pub async fn sweep_totals(&self, sweep_id: i64) -> Result<SweepTotals, StoreError> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(n_records), 0) AS BIGINT), CAST(COALESCE(SUM(n_evaluations), 0) AS BIGINT), CAST(COALESCE(SUM(n_new), 0) AS BIGINT), CAST(COALESCE(SUM(n_reopened), 0) AS BIGINT), \
             CAST(COALESCE(SUM(n_resolved), 0) AS BIGINT), CAST(COALESCE(SUM(n_unchanged), 0) AS BIGINT), CAST(COALESCE(SUM(n_errors), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0) AS BIGINT), COUNT(*) FROM sweep_batches WHERE sweep_id = $1",
        )
        .bind(sweep_id)
        .fetch_one(self.pool())
        .await
        .map_err(query_error("summing a sweep"))?;
        let n = |i: usize| row.get::<i64, _>(i) as u64;
        Ok(SweepTotals {
            records_evaluated: n(0),
            rule_evaluations: n(1),
            findings_new: n(2),
            findings_reopened: n(3),
            findings_resolved: n(4),
            findings_unchanged: n(5),
            errors: n(6),
            batches_done: n(7),
            batches_total: n(8),
        })
    }

    /// Marks a sweep completed once all its batches are done. Returns whether it did.
    pub async fn finish_sweep(&self, sweep_id: i64, now: Moment) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sweeps SET status = 'completed', finished_at = $1 WHERE sweep_id = $2 AND status = 'running' \
             AND NOT EXISTS (SELECT 1 FROM sweep_batches WHERE sweep_id = $3 AND status = 'pending')",
        )
        .bind(now.to_string())
        .bind(sweep_id)
        .bind(sweep_id)
        .execute(self.pool())
        .await
        .map_err(query_error("completing a sweep"))?;
        Ok(done.rows_affected() == 1)
    }
}
