//! Reading enforcement exports (CSV, JSON, JSONL) into checked records and reference rows.
//!
//! Every row remembers its file and line, so a syntax problem is reported as
//! `records.csv:4 (data row 3): field `decision_date`: …`. Rows are only *parsed* here;
//! whether a batch with bad rows is refused or its good rows imported is the caller's call.
//!
//! ```no_run
//! use jiandu_ingest::{Mapping, parse_records, read_file};
//! let rows = read_file("penalties.csv".as_ref(), None).unwrap();
//! let parsed = parse_records(rows, &Mapping::default());
//! println!("{} good, {} rejected", parsed.good.len(), parsed.rejects.len());
//! ```

mod mapping;
mod source;

use jiandu_model::{FieldError, Record, ReferenceKind, ReferenceRow};
use serde::Serialize;
use serde_json::Value;

pub use mapping::Mapping;
pub use source::{Format, SourceRow, read_file, set_path};

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read {file}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{file}: cannot tell the format from the extension; name it .csv, .json or .jsonl, or pass --format"
    )]
    UnknownFormat { file: String },
    #[error(
        "{file}:{line}: the file is not UTF-8 text (convert a GBK export first, e.g. iconv -f GBK -t UTF-8)"
    )]
    NotUtf8 { file: String, line: usize },
    #[error("{file}:{line}: {reason}")]
    Syntax {
        file: String,
        line: usize,
        reason: String,
    },
    #[error("mapping file {file} is not valid: {reason}")]
    Mapping { file: String, reason: String },
}

/// A row that failed its syntax check, with every reason.
#[derive(Debug, Clone, Serialize)]
pub struct Reject {
    pub line: usize,
    pub row_number: usize,
    pub errors: Vec<FieldError>,
    /// The row as read from the source, before mapping.
    pub row: Value,
}

impl Reject {
    /// `file:LINE (data row N): field `x`: reason; field `y`: reason`
    pub fn describe(&self, file: &str) -> String {
        let reasons = self
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        format!(
            "{file}:{} (data row {}): {reasons}",
            self.line, self.row_number
        )
    }
}

/// The outcome of parsing a file: good rows and rejects, in file order.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub good: Vec<T>,
    pub rejects: Vec<Reject>,
}

fn parse_with<T>(
    rows: Vec<SourceRow>,
    mapping: &Mapping,
    build: impl Fn(Value) -> Result<T, Vec<FieldError>>,
) -> Parsed<T> {
    let mut parsed = Parsed {
        good: Vec::with_capacity(rows.len()),
        rejects: Vec::new(),
    };
    for row in rows {
        match build(mapping.apply(row.value.clone())) {
            Ok(item) => parsed.good.push(item),
            Err(errors) => parsed.rejects.push(Reject {
                line: row.line,
                row_number: row.row_number,
                errors,
                row: row.value,
            }),
        }
    }
    parsed
}

pub fn parse_records(rows: Vec<SourceRow>, mapping: &Mapping) -> Parsed<Record> {
    parse_with(rows, mapping, Record::from_json)
}

pub fn parse_reference(
    kind: ReferenceKind,
    rows: Vec<SourceRow>,
    mapping: &Mapping,
) -> Parsed<ReferenceRow> {
    parse_with(rows, mapping, |value| ReferenceRow::from_json(kind, value))
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
        let rows = read_file(file.path(), None).unwrap();
        let parsed = parse_records(rows, &Mapping::default());
        assert_eq!(parsed.good.len(), 2);
        let reject = &parsed.rejects[0];
        assert_eq!((reject.line, reject.row_number), (4, 3));
        assert_eq!(
            reject.describe("r.csv"),
            "r.csv:4 (data row 3): field `decision_date`: `2024-13-45` is not a date in the form YYYY-MM-DD"
        );
    }
}
