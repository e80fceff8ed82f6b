//! Sweeps: every new or changed record (or every record) through the rules, in batches on
//! all cores, findings written back with their identity kept and a checkpoint per batch.
//!
//! ```no_run
//! # async fn demo(store: jiandu_store::Store, set: std::sync::Arc<jiandu_rules::RuleSet>) -> Result<(), jiandu_sweep::SweepError> {
//! let report = jiandu_sweep::sweep(&store, set, &jiandu_sweep::SweepOptions::default(), &|_, _| {}).await?;
//! println!("{} new findings", report.totals.findings_new);
//! # Ok(()) }
//! ```
//!
//! A sweep is planned as batches stored with it; each batch commits its findings and its
//! "done" mark in one transaction. A sweep killed at any point is resumed by the next run and
//! ends with exactly the findings of an uninterrupted one. On PostgreSQL, `jiandu worker`
//! processes share the batches of a running sweep (`FOR UPDATE SKIP LOCKED`).

mod batch;
mod replay;
mod run;

pub use batch::{PhaseSeconds, lookups_for};
pub use replay::{ReplayReport, RuleDelta, replay};
pub use run::{Progress, SweepOptions, SweepReport, sweep, work};

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Store(#[from] jiandu_store::StoreError),
    #[error("an evaluation thread failed: {0}")]
    Worker(String),
    #[error("sweep {0} was abandoned (jiandu sweep --abandon) while this process ran it")]
    Abandoned(i64),
    #[error("sweep {0} disappeared while it ran")]
    Vanished(i64),
    #[error(
        "sweep {0} still has batches left; another worker may be on them, run again to finish it"
    )]
    Unfinished(i64),
    #[error(
        "sweep {sweep_id} was started with other rules, profile or calendar; finish it with those (run with the same rules directory, profile and item catalogue), or give it up with `jiandu sweep --abandon`, before sweeping with new ones"
    )]
    RulesChangedMidSweep { sweep_id: i64 },
    #[error(
        "workers share sweeps only on PostgreSQL; with SQLite run `jiandu sweep`, which uses every core"
    )]
    WorkersNeedPostgres,
}
