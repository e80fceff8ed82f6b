//! The record importer: any bytes, read as CSV, JSON, JSONL or XLSX (the first byte chooses),
//! must give rows or an error naming the file, and rows must give records or rejects.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    // A zip is a workbook; other bytes are text in the format the first byte picks.
    let format = match choice % 3 {
        _ if body.starts_with(b"PK\x03\x04") => jiandu_ingest::Format::Xlsx,
        0 => jiandu_ingest::Format::Csv,
        1 => jiandu_ingest::Format::Json,
        _ => jiandu_ingest::Format::Jsonl,
    };
    let Ok(mapping) = jiandu_ingest::Mapping::parse(FUZZ_MAPPING, "fuzz.toml") else {
        return;
    };
    let options = jiandu_ingest::ReadOptions {
        format: Some(format),
        ..Default::default()
    };
    if let Ok(source) = jiandu_ingest::read_bytes(body.to_vec(), "fuzz", &options) {
        let _ = mapping.check_columns(&source);
        let _ = jiandu_ingest::parse_records(&source, &mapping);
    }
});

/// Dates, amounts, lists and objects parsed from text: the transforms see the fuzzer's bytes.
const FUZZ_MAPPING: &str = include_str!("../mapping.toml");
