//! Everything the graph is built from, read from the store in one go.

use jiandu_model::{FindingStatus, Record, ReferenceKind, ReferenceRow};
use jiandu_store::{CaseRow, FindingFilter, FindingRow, Store, StoreError};

/// The store's contents as the graph needs them.
#[derive(Debug, Clone, Default)]
pub struct GraphData {
    pub records: Vec<Record>,
    /// Current findings (resolved ones are history, not part of the picture).
    pub findings: Vec<FindingRow>,
    pub cases: Vec<CaseRow>,
    pub units: Vec<ReferenceRow>,
    pub officers: Vec<ReferenceRow>,
    pub parties: Vec<ReferenceRow>,
    pub items: Vec<ReferenceRow>,
}

pub async fn load(store: &Store) -> Result<GraphData, StoreError> {
    let ids = store.all_record_ids().await?;
    let records = store.load_records(&ids).await?;
    let findings = store
        .list_findings(&FindingFilter::default())
        .await?
        .into_iter()
        .filter(|f| f.status != FindingStatus::ResolvedByData)
        .collect();
    Ok(GraphData {
        records,
        findings,
        cases: store.list_cases(None, None).await?,
        units: store.list_reference(ReferenceKind::Unit).await?,
        officers: store.list_reference(ReferenceKind::Officer).await?,
        parties: store.list_reference(ReferenceKind::Party).await?,
        items: store.list_reference(ReferenceKind::Item).await?,
    })
}
