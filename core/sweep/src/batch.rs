//! Evaluating one batch: its records and the records their look-ups need, from the store,
//! through the rules on a blocking thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use jiandu_model::{Record, ReferenceRow};
use jiandu_rules::{Evaluator, Lookups, RuleSet};
use jiandu_store::{RecordResult, Store};

use crate::SweepError;

/// What every batch of a run shares: the compiled rules and the item catalogue.
#[derive(Clone)]
pub(crate) struct Shared {
    pub set: Arc<RuleSet>,
    pub items: Arc<Vec<ReferenceRow>>,
}

/// Loads a batch's records and their look-ups, evaluates every applicable rule on each.
pub(crate) async fn evaluate(
    store: &Store,
    shared: &Shared,
    record_ids: &[String],
    phases: &Phases,
) -> Result<Vec<RecordResult>, SweepError> {
    let started = Instant::now();
    let records = store.load_records(record_ids).await?;
    let related = store.lookup_records(&records).await?;
    phases.add(Phase::Reading, started);
    let started = Instant::now();
    let shared = shared.clone();
    let results =
        tokio::task::spawn_blocking(move || evaluate_records(&shared, &records, &related))
            .await
            .map_err(|e| SweepError::Worker(e.to_string()))?;
    phases.add(Phase::Evaluating, started);
    Ok(results)
}

/// Where a sweep's tasks spent their time, summed over the tasks (so with two tasks the sum
/// can exceed the wall time): what `jiandu bench` splits a sweep into.
#[derive(Debug, Default)]
pub struct Phases {
    nanos: [AtomicU64; 3],
}

#[derive(Debug, Clone, Copy)]
pub enum Phase {
    /// Loading a batch's records and their look-ups from the store.
    Reading = 0,
    /// Running the rules.
    Evaluating = 1,
    /// Completing the batch: findings, gaps, audit events, the checkpoint.
    Writing = 2,
}

impl Phases {
    pub fn add(&self, phase: Phase, since: Instant) {
        let nanos = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
        if let Some(slot) = self.nanos.get(phase as usize) {
            slot.fetch_add(nanos, Ordering::Relaxed);
        }
    }

    pub fn seconds(&self) -> PhaseSeconds {
        let s = |phase: Phase| {
            self.nanos
                .get(phase as usize)
                .map_or(0.0, |n| n.load(Ordering::Relaxed) as f64 / 1e9)
        };
        PhaseSeconds {
            reading: s(Phase::Reading),
            evaluating: s(Phase::Evaluating),
            writing: s(Phase::Writing),
        }
    }
}

/// Task-seconds per phase of a sweep.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct PhaseSeconds {
    pub reading: f64,
    pub evaluating: f64,
    pub writing: f64,
}

/// The look-ups one stored record gets in a sweep: the records sharing its keys and the
/// item catalogue (for `jiandu explain` and the record page, outside a sweep).
pub async fn lookups_for(
    store: &Store,
    record: &Record,
) -> Result<Lookups, jiandu_store::StoreError> {
    let related = store.lookup_records(std::slice::from_ref(record)).await?;
    let items = store
        .list_reference(jiandu_model::ReferenceKind::Item)
        .await?;
    Ok(Lookups::from_records(&related).with_items(items.iter()))
}

fn evaluate_records(shared: &Shared, records: &[Record], related: &[Record]) -> Vec<RecordResult> {
    let lookups = Lookups::from_records(related).with_items(shared.items.iter());
    let mut evaluator = Evaluator::new(&shared.set, Arc::new(lookups));
    records
        .iter()
        .map(|record| RecordResult {
            record_id: record.id().as_str().to_owned(),
            unit_id: record.unit_id(),
            evaluations: evaluator.evaluate(record),
        })
        .collect()
}
