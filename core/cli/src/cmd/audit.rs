//! `jiandu audit verify`: walks the hash chain of the audit log.

use anyhow::Result;
use clap::Subcommand;
use jiandu_store::AuditVerification;

use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that no audit entry was edited or deleted: every hash matches and links on.
    Verify,
}

/// An audit log whose chain is broken (exit code 1, never "bad input").
#[derive(Debug, thiserror::Error)]
#[error("the audit log is broken at event {event_id}: {reason}")]
pub struct BrokenChain {
    pub event_id: i64,
    pub reason: String,
}

pub async fn run(settings: &Settings, command: Command) -> Result<()> {
    let Command::Verify = command;
    let store = settings.open_store().await?;
    let verification = store.verify_audit().await;
    store.close().await;
    match verification? {
        AuditVerification::Intact { n_events } => {
            println!(
                "audit log intact: {n_events} events, every hash matches and links to the one before"
            );
            Ok(())
        }
        AuditVerification::Broken { event_id, reason } => {
            Err(BrokenChain { event_id, reason }.into())
        }
    }
}
