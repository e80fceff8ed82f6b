//! `jiandu audit verify` walks the sealed hash chain of the audit log; `jiandu audit anchor`
//! prints its head, to keep elsewhere and verify against later.

use anyhow::Result;
use clap::Subcommand;
use jiandu_store::{AuditAnchor, AuditVerification};

use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that no audit entry was edited or deleted: every hash matches and links on.
    Verify {
        /// A head printed earlier by `jiandu audit anchor` (ID:HASH): the log must still hold
        /// that entry unchanged, so a tail cut off is detected too.
        #[arg(long, value_name = "ID:HASH")]
        anchor: Option<String>,
    },
    /// Print the chain's head (ID:HASH) to keep outside the database (the nightly report
    /// carries it too).
    Anchor,
}

/// An audit log whose chain is broken (exit code 1, never "bad input").
#[derive(Debug, thiserror::Error)]
#[error("the audit log is broken at event {event_id}: {reason}")]
pub struct BrokenChain {
    pub event_id: i64,
    pub reason: String,
}

pub async fn run(settings: &Settings, command: Command) -> Result<()> {
    let store = settings.open_existing_store().await?;
    let anchor = match command {
        Command::Anchor => {
            let head = store.audit_anchor().await;
            store.close().await;
            println!("{}", head?);
            return Ok(());
        }
        Command::Verify { anchor } => anchor
            .map(|a| a.parse::<AuditAnchor>().map_err(crate::BadInput))
            .transpose()?,
    };
    let verification = match &anchor {
        Some(anchor) => store.verify_audit_anchor(anchor).await,
        None => store.verify_audit().await,
    };
    store.close().await;
    match verification? {
        AuditVerification::Intact { n_events } => {
            let sealed = match &settings.audit_key_file {
                Some(path) => format!("sealed with the key in {}", path.display()),
                None => "NOT sealed with a key (anyone with database access could rewrite it; `jiandu init` creates a key)".into(),
            };
            let anchored = anchor
                .map(|a| format!("; it still holds the anchored entry {}", a.event_id))
                .unwrap_or_default();
            println!(
                "audit log intact: {n_events} events, every hash matches and links to the one before; {sealed}{anchored}"
            );
            Ok(())
        }
        AuditVerification::Broken { event_id, reason } => {
            Err(BrokenChain { event_id, reason }.into())
        }
    }
}
