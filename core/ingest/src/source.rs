//! Reading a CSV, JSON or JSONL file into JSON objects that remember the line they came from.

use std::path::Path;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::IngestError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Jsonl,
}

impl Format {
    /// From the file extension: `.csv`, `.json`, `.jsonl` / `.ndjson`.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            _ => Err(format!("unknown format `{s}`; expected csv, json or jsonl")),
        }
    }
}

/// One row of the source with where it was.
#[derive(Debug, Clone)]
pub struct SourceRow {
    /// 1-based line of the file where the row starts (for CSV the header is line 1).
    pub line: usize,
    /// 1-based position among the data rows.
    pub row_number: usize,
    pub value: Value,
}

pub fn read_file(path: &Path, format: Option<Format>) -> Result<Vec<SourceRow>, IngestError> {
    let file = path.display().to_string();
    let format = format
        .or_else(|| Format::from_path(path))
        .ok_or_else(|| IngestError::UnknownFormat { file: file.clone() })?;
    let bytes = std::fs::read(path).map_err(|source| IngestError::Read {
        file: file.clone(),
        source,
    })?;
    read_bytes(bytes, &file, format)
}

/// Reads a file's contents already in memory; `file` names it in messages.
pub fn read_bytes(
    bytes: Vec<u8>,
    file: &str,
    format: Format,
) -> Result<Vec<SourceRow>, IngestError> {
    let file = file.to_owned();
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        IngestError::NotUtf8 {
            file: file.clone(),
            line: 1 + e
                .as_bytes()
                .iter()
                .take(offset)
                .filter(|b| **b == b'\n')
                .count(),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    match format {
        Format::Csv => read_csv(text, &file),
        Format::Json => read_json(text, &file),
        Format::Jsonl => read_jsonl(text, &file),
    }
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    1 + text
        .as_bytes()
        .iter()
        .take(offset)
        .filter(|b| **b == b'\n')
        .count()
}

fn read_json(text: &str, file: &str) -> Result<Vec<SourceRow>, IngestError> {
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| IngestError::Syntax {
        file: file.to_owned(),
        line: e.line(),
        reason: format!("{e} (a JSON file must hold one array of objects)"),
    })?;
    items
        .into_iter()
        .enumerate()
        .map(|(idx, raw)| {
            let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
            let line = line_of_offset(text, offset);
            let value: Value =
                serde_json::from_str(raw.get()).map_err(|e| IngestError::Syntax {
                    file: file.to_owned(),
                    line,
                    reason: e.to_string(),
                })?;
            Ok(SourceRow {
                line,
                row_number: idx + 1,
                value,
            })
        })
        .collect()
}

fn read_jsonl(text: &str, file: &str) -> Result<Vec<SourceRow>, IngestError> {
    let mut rows = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(raw).map_err(|e| IngestError::Syntax {
            file: file.to_owned(),
            line: idx + 1,
            reason: e.to_string(),
        })?;
        rows.push(SourceRow {
            line: idx + 1,
            row_number: rows.len() + 1,
            value,
        });
    }
    Ok(rows)
}

/// CSV cells become JSON strings; an empty cell is an absent field (not recorded), the
/// word `null` is a present null, and a cell starting with `[` or `{` that parses as JSON
/// is taken as that JSON (lists and nested objects). Dotted headers build nested objects.
fn read_csv(text: &str, file: &str) -> Result<Vec<SourceRow>, IngestError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let syntax = |e: csv::Error| {
        let line = e.position().map(|p| p.line() as usize).unwrap_or(1);
        IngestError::Syntax {
            file: file.to_owned(),
            line,
            reason: e.to_string(),
        }
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(syntax)?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for result in reader.records() {
        let record = result.map_err(syntax)?;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let mut object = Map::new();
        for (header, cell) in headers.iter().zip(record.iter()) {
            let cell = cell.trim();
            if cell.is_empty() || header.is_empty() {
                continue;
            }
            let value = if cell == "null" || cell == "NULL" {
                Value::Null
            } else if cell.starts_with('[') || cell.starts_with('{') {
                serde_json::from_str(cell).unwrap_or_else(|_| Value::String(cell.to_owned()))
            } else {
                Value::String(cell.to_owned())
            };
            set_path(&mut object, header, value);
        }
        rows.push(SourceRow {
            line,
            row_number: rows.len() + 1,
            value: Value::Object(object),
        });
    }
    Ok(rows)
}

/// Sets `a.b.c` in an object, creating the intermediate objects.
pub fn set_path(object: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            object.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = object
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(inner) = entry {
                set_path(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_rows_know_their_lines_and_build_nested_fields() {
        let text = "record_id,record_type,agency.region_code,officers,hearing_held,note\n\
                    P1,penalty,441802,\"[{\"\"name\"\":\"\"张三\"\"}]\",null,\n\
                    P2,penalty,,,是,\"two\nlines\"\n\
                    P3,penalty,441803,,,\n";
        let rows = read_csv(text, "t.csv").unwrap();
        assert_eq!(
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![2, 3, 5]
        );
        assert_eq!(
            rows[0].value,
            json!({"record_id": "P1", "record_type": "penalty",
                   "agency": {"region_code": "441802"}, "officers": [{"name": "张三"}],
                   "hearing_held": null})
        );
        assert!(
            rows[1].value.get("agency").is_none(),
            "empty cells are absent"
        );
    }

    #[test]
    fn json_array_elements_know_their_lines() {
        let text = "[\n  {\"record_id\": \"a\"},\n\n  {\"record_id\": \"b\",\n   \"x\": 1}\n]";
        let rows = read_json(text, "t.json").unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4]);
        assert!(matches!(
            read_json("{\"a\": 1}", "t.json"),
            Err(IngestError::Syntax { line: 1, .. })
        ));
    }

    #[test]
    fn jsonl_skips_blank_lines_and_names_the_broken_one() {
        let rows = read_jsonl("{\"a\":1}\n\n{\"a\":2}\n", "t.jsonl").unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 3]);
        assert!(matches!(
            read_jsonl("{\"a\":1}\n{\"a\":\n", "t.jsonl"),
            Err(IngestError::Syntax { line: 2, .. })
        ));
    }
}
