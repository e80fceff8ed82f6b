//! `jiandu init`: create the database or bring it up to date.

use anyhow::Result;

use crate::settings::Settings;

pub async fn run(settings: &Settings) -> Result<()> {
    let store = settings.open_store().await?;
    println!(
        "database ready: {} ({}), {} records",
        store.url(),
        store.backend().name(),
        store.count_records().await?
    );
    Ok(())
}
