//! Reading enforcement exports (CSV in UTF-8, GBK or UTF-16; JSON; JSONL; `.xlsx`, `.xls`
//! and `.ods` sheets) into checked records and reference rows.
//!
//! Every row remembers its file and line (or sheet and row), so a syntax problem is
//! reported as `records.csv:4 (data row 3): field `decision_date` (column 7 处罚决定日期): …`.
//! Rows are only *parsed* here; whether a batch with bad rows is refused or its good rows
//! imported is the caller's call.
//!
//! ```no_run
//! use jiandu_ingest::{Mapping, ReadOptions, parse_records, read_file};
//! let source = read_file("penalties.xlsx".as_ref(), &ReadOptions::default()).unwrap();
//! let parsed = parse_records(&source, &Mapping::default());
//! println!("{} good, {} rejected", parsed.good.len(), parsed.rejects.len());
//! ```

mod amount;
mod delimited;
mod json;
mod lines;
mod mapping;
pub mod report;
mod sheet;
mod source;
mod table;
mod text;

use jiandu_model::record::dictionary::dictionary;
use jiandu_model::{FieldError, Record, ReferenceKind, ReferenceRow};
use serde::Serialize;
use serde_json::Value;

pub use amount::{Pick, Unit, parse_amount};
pub use mapping::{Mapping, Outbound};
pub use source::{Column, Format, ReadOptions, Source, SourceRow, read_bytes, read_file, set_path};
pub use table::column_letter;
pub use text::Encoding;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read {file}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{file}: cannot tell the format from the extension; name it .csv, .json, .jsonl, .xlsx, .xls or .ods, or pass --format"
    )]
    UnknownFormat { file: String },
    #[error(
        "{file}:{line}: the file is not UTF-8 text; if it is a GBK export (most Chinese office software), pass --encoding gbk"
    )]
    NotUtf8 { file: String, line: usize },
    #[error(
        "{file}:{line}: the file is neither UTF-8 nor GBK text jiandu can read with confidence (文件编码无法确定); name its encoding with --encoding utf-8|gbk|utf-16"
    )]
    UnknownEncoding { file: String, line: usize },
    #[error("{file}:{line}: the file is not valid {encoding} text; check --encoding")]
    BadEncoding {
        file: String,
        line: usize,
        encoding: Encoding,
    },
    #[error("{file}: {reason}")]
    Sheet { file: String, reason: String },
    #[error("{file}:{line}: {reason}")]
    Syntax {
        file: String,
        line: usize,
        reason: String,
    },
    #[error("mapping file {file} is not valid: {reason}")]
    Mapping { file: String, reason: String },
    #[error("{file}: {reason}")]
    Columns { file: String, reason: String },
}

/// What is wrong with one field of a row, and where the field came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The field's path (after mapping), or empty for a problem with the row itself.
    pub field: String,
    /// The source column (`F（处罚决定日期）`), when the file has columns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.field.is_empty(), &self.column) {
            (true, Some(column)) => write!(f, "column {column}: {}", self.reason),
            (true, None) => f.write_str(&self.reason),
            (false, Some(column)) => {
                write!(
                    f,
                    "field `{}` (column {column}): {}",
                    self.field, self.reason
                )
            }
            (false, None) => write!(f, "field `{}`: {}", self.field, self.reason),
        }
    }
}

impl From<FieldError> for RowError {
    fn from(e: FieldError) -> RowError {
        RowError {
            field: e.field,
            column: None,
            reason: e.reason,
        }
    }
}

/// A row that failed its syntax check, with every reason.
#[derive(Debug, Clone, Serialize)]
pub struct Reject {
    /// `a.csv:7`, `a.xlsx (sheet 台账) row 7`.
    pub place: String,
    pub line: usize,
    pub row_number: usize,
    pub errors: Vec<RowError>,
    /// The row as read from the source, before mapping.
    pub row: Value,
}

impl Reject {
    /// `file:LINE (data row N): field `x` (column F 名称): reason; field `y`: reason`
    pub fn describe(&self) -> String {
        let reasons = self
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        format!("{} (data row {}): {reasons}", self.place, self.row_number)
    }
}

/// A field of the file that no dictionary entry describes and the mapping does not write:
/// kept as it is (DESIGN §4), and reported once per file, since it is most often a slip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// The field's path after mapping (`execution_type`, `officers[].rank`).
    pub field: String,
    /// The line of the first row that has it.
    pub line: usize,
    /// Where that row is (`a.csv:7`, `a.xlsx (sheet 台账) row 7`).
    pub place: String,
    /// The source column's label (`F`), when the file has columns.
    pub column: Option<String>,
    /// How many rows have it.
    pub rows: usize,
    /// The dictionary field it most likely means.
    pub suggestion: Option<String>,
}

impl Notice {
    /// `file:LINE: `execution_type` is not a field jiandu reads …; did you mean `execution_kind`（执行方式）?`
    pub fn describe(&self) -> String {
        let hint = match &self.suggestion {
            Some(path) => {
                let zh = dictionary()
                    .field(path)
                    .map(|f| f.zh.as_str())
                    .unwrap_or("");
                format!("; did you mean `{path}`（{zh}）?")
            }
            None => String::new(),
        };
        let rows = if self.rows == 1 {
            "1 row".to_owned()
        } else {
            format!("{} rows", self.rows)
        };
        let column = self
            .column
            .as_ref()
            .map(|c| format!(" (column {c})"))
            .unwrap_or_default();
        format!(
            "{}: `{}`{column} is not a field jiandu reads (字段不在字段字典中, {rows}); kept as it is, no rule sees it{hint}",
            self.place, self.field
        )
    }
}

/// The outcome of parsing a file: good rows and rejects, in file order, and notices.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub good: Vec<T>,
    /// Where each good row came from, in the same order.
    pub origins: Vec<Origin>,
    pub rejects: Vec<Reject>,
    /// For records: the fields no rule reads, in the order first met.
    pub notices: Vec<Notice>,
}

/// Where a parsed row came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// `a.csv:7`, `a.xlsx (sheet 台账) row 7`.
    pub place: String,
    pub line: usize,
    pub row_number: usize,
}

/// Names the source column of each error: `F（处罚决定日期）`.
fn with_columns(source: &Source, mapping: &Mapping, errors: Vec<RowError>) -> Vec<RowError> {
    errors
        .into_iter()
        .map(|mut e| {
            if e.column.is_none() && !e.field.is_empty() {
                e.column = mapping.sources_of(&e.field).iter().find_map(|name| {
                    source.column_label(name).map(|label| {
                        if *name == e.field {
                            label.to_owned()
                        } else {
                            format!("{label} {name}")
                        }
                    })
                });
            } else if let Some(label) = &e.column {
                if let Some(column) = source.columns.iter().find(|c| c.label == *label) {
                    if !column.name.is_empty() && e.field == column.name {
                        e.column = Some(format!("{label} {}", column.name));
                        e.field = String::new();
                    }
                }
            }
            e
        })
        .collect()
}

fn parse_with<T>(
    source: &Source,
    mapping: &Mapping,
    mut build: impl FnMut(&SourceRow, Value) -> Result<T, Vec<FieldError>>,
) -> Parsed<T> {
    let mut parsed = Parsed {
        good: Vec::with_capacity(source.rows.len()),
        origins: Vec::with_capacity(source.rows.len()),
        rejects: Vec::new(),
        notices: Vec::new(),
    };
    for row in &source.rows {
        let mapped = mapping.apply(row);
        let result = match (mapped, row.errors.is_empty()) {
            (Ok(value), true) => {
                build(row, value).map_err(|e| e.into_iter().map(RowError::from).collect())
            }
            (Ok(_), false) => Err(row.errors.clone()),
            (Err(mut errors), _) => {
                errors.splice(0..0, row.errors.iter().cloned());
                Err(errors)
            }
        };
        let place = source.place(row.line);
        match result {
            Ok(item) => {
                parsed.good.push(item);
                parsed.origins.push(Origin {
                    place,
                    line: row.line,
                    row_number: row.row_number,
                });
            }
            Err(errors) => parsed.rejects.push(Reject {
                place,
                line: row.line,
                row_number: row.row_number,
                errors: with_columns(source, mapping, errors),
                row: row.value.clone(),
            }),
        }
    }
    parsed
}

pub fn parse_records(source: &Source, mapping: &Mapping) -> Parsed<Record> {
    let mut notices: Vec<Notice> = Vec::new();
    let mut parsed = parse_with(source, mapping, |row, value| {
        if let Value::Object(body) = &value {
            for field in dictionary().unknown_paths(body) {
                if mapping.writes(&field) {
                    continue;
                }
                match notices.iter_mut().find(|n| n.field == field) {
                    Some(notice) => notice.rows += 1,
                    None => notices.push(Notice {
                        suggestion: dictionary().suggest(&field).map(|f| f.path.clone()),
                        column: source.column_label(&field).map(str::to_owned),
                        place: source.place(row.line),
                        field,
                        line: row.line,
                        rows: 1,
                    }),
                }
            }
        }
        Record::from_json(value)
    });
    parsed.notices = notices;
    parsed
}

pub fn parse_reference(
    kind: ReferenceKind,
    source: &Source,
    mapping: &Mapping,
) -> Parsed<ReferenceRow> {
    parse_with(source, mapping, |_, value| {
        ReferenceRow::from_json(kind, value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn names_file_line_and_field_of_a_bad_date() {
        let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        write!(
            file,
            "record_id,record_type,decision_date\nP1,penalty,2024-01-05\nP2,penalty,2024-02-01\nP3,penalty,2024-13-45\n"
        )
        .unwrap();
        let mut source = read_file(file.path(), &ReadOptions::default()).unwrap();
        source.file = "r.csv".into();
        let parsed = parse_records(&source, &Mapping::default());
        assert_eq!(parsed.good.len(), 2);
        let reject = &parsed.rejects[0];
        assert_eq!((reject.line, reject.row_number), (4, 3));
        assert_eq!(
            reject.describe(),
            "r.csv:4 (data row 3): field `decision_date` (column 3): `2024-13-45` is not a date in the form YYYY-MM-DD"
        );
    }

    #[test]
    fn names_each_unknown_field_once_with_the_closest_known_one() {
        let mut file = tempfile::Builder::new()
            .suffix(".jsonl")
            .tempfile()
            .unwrap();
        writeln!(
            file,
            r#"{{"record_id": "E1", "record_type": "compulsory_execution", "execution_type": "demolition"}}
{{"record_id": "E2", "record_type": "compulsory_execution", "execution_type": "money", "officers": [{{"name": "张三", "rank": 3}}]}}"#
        )
        .unwrap();
        let mut source = read_file(file.path(), &ReadOptions::default()).unwrap();
        source.file = "e.jsonl".into();
        let parsed = parse_records(&source, &Mapping::default());
        assert_eq!(parsed.good.len(), 2);
        let shown: Vec<String> = parsed.notices.iter().map(Notice::describe).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].starts_with("e.jsonl:1: `execution_type` is not a field jiandu reads"),
            "{}",
            shown[0]
        );
        assert!(shown[0].contains("2 rows"), "{}", shown[0]);
        assert!(
            shown[0].ends_with("did you mean `execution_kind`（强制执行类型）?"),
            "{}",
            shown[0]
        );
        assert!(
            shown[1].starts_with("e.jsonl:2: `officers[].rank`"),
            "{}",
            shown[1]
        );
    }
}
