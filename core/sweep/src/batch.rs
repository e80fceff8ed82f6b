//! Evaluating one batch: its records and the records their look-ups need, from the store,
//! through the rules on a blocking thread.

use std::sync::Arc;

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
) -> Result<Vec<RecordResult>, SweepError> {
    let records = store.load_records(record_ids).await?;
    let related = store.lookup_records(&records).await?;
    let shared = shared.clone();
    let results =
        tokio::task::spawn_blocking(move || evaluate_records(&shared, &records, &related))
            .await
            .map_err(|e| SweepError::Worker(e.to_string()))?;
    Ok(results)
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
