//! `jiandu init`: create the database or bring it up to date, and the audit key that seals
//! its audit log.

use std::path::Path;

use anyhow::{Context, Result};

use crate::settings::{CONFIG_FILE, Settings};

/// Where `jiandu init` puts a new audit key: beside `jiandu.toml`.
const DEFAULT_KEY_FILE: &str = "jiandu-audit.key";

pub async fn run(settings: &Settings) -> Result<()> {
    let store = settings.open_store().await?;
    println!(
        "database ready: {} ({}), {} records",
        store.url(),
        store.backend().name(),
        store.count_records().await?
    );
    match &settings.audit_key_file {
        Some(path) => println!("audit key: {} (the log is sealed with it)", path.display()),
        None => {
            let path = Path::new(DEFAULT_KEY_FILE);
            let sealed_from = store.audit_anchor().await?.event_id + 1;
            crate::audit_key::create(path, sealed_from)?;
            remember_key_file(path)?;
            println!(
                "audit key: created {} and named it in {CONFIG_FILE}; entries from {sealed_from} on are sealed with it. Keep a copy offline (保存备份): without it the audit log cannot be verified",
                path.display()
            );
        }
    }
    store.close().await;
    Ok(())
}

/// Adds `audit_key_file = "…"` to `jiandu.toml` (creating it), keeping what is there.
fn remember_key_file(path: &Path) -> Result<()> {
    let config = Path::new(CONFIG_FILE);
    let mut text = match std::fs::read_to_string(config) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {CONFIG_FILE}")),
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "# The key that seals the audit log (created by jiandu init).\naudit_key_file = {}\n",
        toml::Value::String(path.display().to_string())
    ));
    std::fs::write(config, text).with_context(|| format!("cannot write {CONFIG_FILE}"))
}
