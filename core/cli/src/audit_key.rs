//! The audit key file: the secret that seals the audit log, kept outside the database
//! (`audit_key_file` in `jiandu.toml`, or `JIANDU_AUDIT_KEY_FILE`). `jiandu init` creates it.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use jiandu_store::AuditKey;

use crate::BadInput;

#[derive(serde::Deserialize)]
struct KeyFile {
    key: String,
    sealed_from: i64,
}

/// Reads a key file.
pub fn read(path: &Path) -> Result<AuditKey> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "the audit key file {} cannot be read (`jiandu init` creates one; without it the audit log cannot be sealed or verified)",
            path.display()
        )
    })?;
    let file: KeyFile = toml::from_str(&text)
        .map_err(|e| BadInput(format!("{}: not an audit key file: {e}", path.display())))?;
    let secret = hex_bytes(&file.key).ok_or_else(|| {
        BadInput(format!(
            "{}: `key` must be hexadecimal digits",
            path.display()
        ))
    })?;
    AuditKey::new(secret, file.sealed_from)
        .map_err(|e| BadInput(format!("{}: {e}", path.display())).into())
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

/// Writes a new key file readable by its owner only; entries from `sealed_from` on are
/// sealed with it. Refuses to overwrite an existing file.
pub fn create(path: &Path, sealed_from: i64) -> Result<AuditKey> {
    let mut secret = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| std::io::Read::read_exact(&mut random, &mut secret))
        .context("cannot read random bytes for the audit key")?;
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create the audit key file {}", path.display()))?;
    writeln!(
        file,
        "# jiandu audit key: seals the audit log (HMAC-SHA256). Keep it outside the database,\n\
         # readable only by the accounts that run jiandu, and a copy offline: without it the log\n\
         # cannot be verified. Entries from `sealed_from` on are sealed with it.\n\
         key = \"{hex}\"\nsealed_from = {sealed_from}"
    )?;
    AuditKey::new(secret.to_vec(), sealed_from).map_err(anyhow::Error::msg)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_created_key_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let made = super::create(&path, 7).unwrap();
        let read = super::read(&path).unwrap();
        assert_eq!(made.sealed_from, 7);
        assert_eq!(read.sealed_from, 7);
        assert!(super::create(&path, 1).is_err(), "never overwritten");
        assert_eq!(super::hex_bytes("0aff"), Some(vec![10, 255]));
        assert_eq!(super::hex_bytes("0g"), None);
    }
}
