//! The record importer: any bytes, read as CSV, JSON or JSONL (the first byte chooses),
//! must give rows or an error naming the file, and rows must give records or rejects.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let format = match choice % 3 {
        0 => jiandu_ingest::Format::Csv,
        1 => jiandu_ingest::Format::Json,
        _ => jiandu_ingest::Format::Jsonl,
    };
    let Ok(mapping) = jiandu_ingest::Mapping::parse("", "fuzz.toml") else {
        return;
    };
    if let Ok(rows) = jiandu_ingest::read_bytes(body.to_vec(), "fuzz", format) {
        let _ = jiandu_ingest::parse_records(rows, &mapping);
    }
});
