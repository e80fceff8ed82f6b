//! `jiandu export behaviour`: the behaviour records of a period for the provincial big-data
//! centre, in the national 互联网+监管 field names (the shipped import mappings run backwards,
//! CATALOGUE §3.1), as JSON Lines in numbered batches with a manifest of counts and SHA-256
//! hashes. The same data and period give byte-identical files; each record's first export is
//! noted in the store for the coverage report's timeliness.

use std::path::{Path, PathBuf};

use jiandu_ingest::Mapping;
use jiandu_model::personal::mask_record;
use jiandu_model::{Date, RecordId, RecordType};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::context::{Context, ReportError};

/// The mapping the three behaviour mappings extend (`extends`).
const COMMON_MAPPING: &str = "internet-plus-common.toml";

/// One national behaviour set: its file prefix, its Chinese name, the mapping that reads it and
/// the record types it holds.
const SETS: [(&str, &str, &str, &[RecordType]); 3] = [
    (
        "inspection",
        "行政检查行为",
        "internet-plus-inspection.toml",
        &[RecordType::Inspection],
    ),
    (
        "penalty",
        "行政处罚行为",
        "internet-plus-penalty.toml",
        &[RecordType::Penalty],
    ),
    (
        "compulsory",
        "行政强制行为",
        "internet-plus-compulsory.toml",
        &[
            RecordType::CompulsoryMeasure,
            RecordType::CompulsoryExecution,
        ],
    ),
];

/// One file of an export, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ExportFile {
    pub file: String,
    pub behaviour: String,
    pub records: u64,
    pub sha256: String,
    pub first_record: String,
    pub last_record: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
struct MappingUsed {
    file: String,
    sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
struct Manifest {
    standard: String,
    from: String,
    to: String,
    records: u64,
    masking: String,
    mappings: Vec<MappingUsed>,
    files: Vec<ExportFile>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub manifest: PathBuf,
    pub files: Vec<ExportFile>,
    pub records: u64,
    /// Records exported for the first time.
    pub first_time: u64,
    /// Files of an earlier export of the same period that this one no longer has, removed.
    pub removed: Vec<String>,
}

/// The batch being filled: its lines, how many, its first and last record.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    records: u64,
    first: String,
    last: String,
}

impl Batch {
    fn push(&mut self, id: &str, row: &serde_json::Value) {
        if self.records == 0 {
            self.first = id.to_owned();
        }
        self.last = id.to_owned();
        self.bytes.extend_from_slice(row.to_string().as_bytes());
        self.bytes.push(b'\n');
        self.records += 1;
    }
}

/// Whether `name` is a batch file an export of this period writes, so that removing stale
/// batches never touches anything else in the directory.
fn is_batch_file(name: &str, from: Date, to: Date) -> bool {
    SETS.iter().any(|(prefix, ..)| {
        name.strip_prefix(&format!("{prefix}-{from}-{to}-"))
            .and_then(|rest| rest.strip_suffix(".jsonl"))
            .is_some_and(|n| n.len() == 4 && n.chars().all(|c| c.is_ascii_digit()))
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let io = |source| ReportError::Write {
        path: path.display().to_string(),
        source,
    };
    // Written beside and renamed, so a reader never sees half a batch.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).map_err(io)?;
    std::fs::rename(&partial, path).map_err(io)
}

/// Exports the behaviour records dated `from..=to` into `out`, `batch_size` records a file;
/// `on_file` hears of each file as it is written (a long export shows its progress).
pub async fn export_behaviour(
    ctx: &Context<'_>,
    from: Date,
    to: Date,
    out: &Path,
    mappings_dir: &Path,
    batch_size: usize,
    on_file: &mut dyn FnMut(&ExportFile),
) -> Result<ExportSummary, ReportError> {
    if to < from {
        return Err(ReportError::Period { from, to });
    }
    std::fs::create_dir_all(out).map_err(|source| ReportError::Write {
        path: out.display().to_string(),
        source,
    })?;
    let batch_size = batch_size.max(1);
    let mut files = Vec::new();
    let mut mappings = Vec::new();
    let mut noted: Vec<(RecordId, String)> = Vec::new();
    // Every file the columns come from, the one the three extend included.
    for file in std::iter::once(COMMON_MAPPING).chain(SETS.iter().map(|set| set.2)) {
        let path = mappings_dir.join(file);
        let text = std::fs::read(&path).map_err(|source| ReportError::Read {
            path: path.display().to_string(),
            source,
        })?;
        mappings.push(MappingUsed {
            file: file.to_owned(),
            sha256: hex(&Sha256::digest(&text)),
        });
    }
    for (prefix, behaviour, mapping_file, types) in SETS {
        let path = mappings_dir.join(mapping_file);
        let outbound = Mapping::load(&path)
            .map_err(|e| ReportError::Mapping(e.to_string()))?
            .outbound();
        // Written a batch at a time: memory holds one batch, whatever the period's size.
        let mut batch = Batch::default();
        let mut failed: Option<ReportError> = None;
        let mut n_batch = 0usize;
        let mut flush =
            |batch: &mut Batch, files: &mut Vec<ExportFile>| -> Result<(), ReportError> {
                if batch.records == 0 {
                    return Ok(());
                }
                n_batch += 1;
                let file = format!("{prefix}-{from}-{to}-{n_batch:04}.jsonl");
                write_file(&out.join(&file), &batch.bytes)?;
                let written = ExportFile {
                    sha256: hex(&Sha256::digest(&batch.bytes)),
                    file,
                    behaviour: behaviour.to_owned(),
                    records: batch.records,
                    first_record: std::mem::take(&mut batch.first),
                    last_record: std::mem::take(&mut batch.last),
                };
                on_file(&written);
                files.push(written);
                *batch = Batch::default();
                Ok(())
            };
        ctx.visit_records(types, from, to, |r| {
            if failed.is_some() {
                return;
            }
            let mut body = r.stored.record.body().clone();
            mask_record(&mut body);
            let id = r.stored.record.id().as_str().to_owned();
            batch.push(&id, &serde_json::Value::Object(outbound.write(&body)));
            noted.push((r.stored.record.id().clone(), r.content_hash));
            if batch.records as usize >= batch_size {
                failed = flush(&mut batch, &mut files).err();
            }
        })
        .await?;
        if let Some(failure) = failed {
            return Err(failure);
        }
        flush(&mut batch, &mut files)?;
    }
    let manifest_path = out.join(format!("manifest-{from}-{to}.json"));
    let previous: Option<Manifest> = std::fs::read(&manifest_path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let records = files.iter().map(|f| f.records).sum();
    let manifest = Manifest {
        standard: "互联网+监管 行政检查行为 / 行政处罚行为 / 行政强制行为（事实标准字段名，CATALOGUE §3.1）".into(),
        from: from.to_string(),
        to: to.to_string(),
        records,
        masking: "自然人当事人姓名、证件号、电话、住址及自由文字中的个人信息已遮蔽 / natural persons masked".into(),
        mappings,
        files: files.clone(),
    };
    let mut bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| ReportError::Render(e.to_string()))?;
    bytes.push(b'\n');
    write_file(&manifest_path, &bytes)?;
    let mut removed = Vec::new();
    for old in previous.map(|m| m.files).unwrap_or_default() {
        if !files.iter().any(|f| f.file == old.file)
            && is_batch_file(&old.file, from, to)
            && std::fs::remove_file(out.join(&old.file)).is_ok()
        {
            removed.push(old.file);
        }
    }
    let first_time = ctx.store.note_exports(&noted, ctx.now).await?;
    Ok(ExportSummary {
        manifest: manifest_path,
        files,
        records,
        first_time,
        removed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_period_s_batch_files_may_be_removed() {
        let d = |s| Date::parse(s).unwrap();
        let (from, to) = (d("2026-01-01"), d("2026-06-30"));
        assert!(is_batch_file(
            "penalty-2026-01-01-2026-06-30-0003.jsonl",
            from,
            to
        ));
        assert!(is_batch_file(
            "compulsory-2026-01-01-2026-06-30-0001.jsonl",
            from,
            to
        ));
        for other in [
            "penalty-2025-01-01-2026-06-30-0003.jsonl",
            "penalty-2026-01-01-2026-06-30-3.jsonl",
            "../penalty-2026-01-01-2026-06-30-0003.jsonl",
            "manifest-2026-01-01-2026-06-30.json",
            "notes.txt",
        ] {
            assert!(!is_batch_file(other, from, to), "{other}");
        }
    }
}
