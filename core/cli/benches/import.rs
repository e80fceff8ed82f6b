//! Benchmark: importing a 粤执法-style penalty ledger of N rows (default 10,000) as CSV, as GBK
//! CSV and as XLSX, through the shipped mapping, with the real `jiandu import` into fresh
//! SQLite databases; reading and parsing alone as well. CSV is the baseline in the same run.
//!
//! `cargo bench --bench import` (BENCH_ROWS=N). Fails if reading XLSX takes more than twice
//! as long as CSV (the target for spreadsheets) or if the three files do not give the same records.

// Tests and benchmarks stop at the line that failed: unwrapping and indexing are the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use jiandu_ingest::{Mapping, ReadOptions, parse_records, read_file};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fixture's five rows repeated with distinct document numbers.
fn ledger(n: usize) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(root().join("tests/fixtures/import/yuezhifa-penalties.csv"))
        .unwrap();
    let lines: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let header = lines[1].clone();
    let templates = &lines[2..];
    let rows = (0..n)
        .map(|i| {
            let mut row = templates[i % templates.len()].clone();
            row[0] = (i + 1).to_string();
            row[1] = format!("清城市监罚〔2024〕{}号", i + 1);
            row
        })
        .collect();
    (header, rows)
}

fn write_files(dir: &Path, n: usize) -> (PathBuf, PathBuf, PathBuf) {
    let (header, rows) = ledger(n);
    let title = "清远市清城区市场监督管理局行政处罚案件台账（2024年）";
    let mut csv = format!(
        "{title}{}\n{}\n",
        ",".repeat(header.len() - 1),
        header.join(",")
    );
    for row in &rows {
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    let csv_path = dir.join("ledger.csv");
    std::fs::write(&csv_path, &csv).unwrap();
    let gbk_path = dir.join("ledger-gbk.csv");
    std::fs::write(&gbk_path, encoding_rs::GBK.encode(&csv).0).unwrap();

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("处罚台账").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            header.len() as u16 - 1,
            title,
            &rust_xlsxwriter::Format::new(),
        )
        .unwrap();
    for (c, name) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, name).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let at = (r as u32 + 2, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if c == 0 || c == 12 => sheet.write_number(at.0, at.1, n).unwrap(),
                _ => sheet.write_string(at.0, at.1, cell).unwrap(),
            };
        }
    }
    let xlsx_path = dir.join("ledger.xlsx");
    book.save(&xlsx_path).unwrap();
    (csv_path, gbk_path, xlsx_path)
}

/// Seconds for reading and parsing (no store), the best of three.
fn parse_seconds(path: &Path, mapping: &Mapping) -> (f64, Vec<serde_json::Value>) {
    let mut best = f64::MAX;
    let mut records = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let source = read_file(path, &ReadOptions::default()).unwrap();
        let parsed = parse_records(&source, mapping);
        best = best.min(started.elapsed().as_secs_f64());
        assert!(
            parsed.rejects.is_empty(),
            "{:?}",
            parsed.rejects.first().map(|r| r.describe())
        );
        records = parsed.good.iter().map(|r| r.to_json()).collect();
    }
    (best, records)
}

/// Seconds for `jiandu import` into a fresh SQLite database, and its peak RSS in KB.
fn import_seconds(path: &Path, dir: &Path) -> (f64, u64) {
    // One database per file (ledger.csv and ledger.xlsx share a stem).
    let db = dir.join(format!(
        "{}.db",
        path.file_name().unwrap().to_string_lossy()
    ));
    let binary = root().join("target/release/jiandu");
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(&binary)
        .args(["--rules"])
        .arg(root().join("rules"))
        .args(["--db", &format!("sqlite://{}", db.display())])
        .args(["import", "records"])
        .arg(path)
        .arg("--mapping")
        .arg(root().join("rules/mappings/yuezhifa-penalty-ledger.toml"))
        .output()
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rss = String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    (seconds, rss)
}

fn main() {
    let n: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let (csv, gbk, xlsx) = write_files(dir.path(), n);
    let mapping =
        Mapping::load(&root().join("rules/mappings/yuezhifa-penalty-ledger.toml")).unwrap();
    let (csv_s, from_csv) = parse_seconds(&csv, &mapping);
    let (gbk_s, from_gbk) = parse_seconds(&gbk, &mapping);
    let (xlsx_s, from_xlsx) = parse_seconds(&xlsx, &mapping);
    assert_eq!(from_csv.len(), n);
    assert_eq!(from_gbk, from_csv, "GBK CSV gives the same records");
    assert_eq!(from_xlsx, from_csv, "XLSX gives the same records");
    println!("{n} rows, read and parsed (best of 3):");
    println!(
        "  CSV UTF-8   {csv_s:>7.3} s  {:>9.0} rows/s  (baseline)",
        n as f64 / csv_s
    );
    println!(
        "  CSV GBK     {gbk_s:>7.3} s  {:>9.0} rows/s  {:.2}x CSV",
        n as f64 / gbk_s,
        gbk_s / csv_s
    );
    println!(
        "  XLSX        {xlsx_s:>7.3} s  {:>9.0} rows/s  {:.2}x CSV",
        n as f64 / xlsx_s,
        xlsx_s / csv_s
    );
    let release = root().join("target/release/jiandu");
    if release.exists() && Path::new("/usr/bin/time").exists() {
        println!("jiandu import into a fresh SQLite database (target/release/jiandu):");
        for (name, path) in [("CSV UTF-8", &csv), ("CSV GBK", &gbk), ("XLSX", &xlsx)] {
            let (seconds, rss) = import_seconds(path, dir.path());
            println!(
                "  {name:<10}  {seconds:>7.3} s  {:>9.0} rows/s  peak RSS {} MB",
                n as f64 / seconds,
                rss / 1024
            );
        }
    } else {
        println!(
            "(build target/release/jiandu and install GNU time for the end-to-end import figures)"
        );
    }
    assert!(
        xlsx_s <= 2.0 * csv_s,
        "reading XLSX took {:.2}x as long as CSV; the target is at most 2x",
        xlsx_s / csv_s
    );
}
