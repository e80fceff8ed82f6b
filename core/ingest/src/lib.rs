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

use jiandu_model::record::dictionary::dictionary;
use jiandu_model::{FieldError, Record, ReferenceKind, ReferenceRow};
use serde::Serialize;
use serde_json::Value;

pub use mapping::Mapping;
pub use source::{Format, SourceRow, read_bytes, read_file, set_path};

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

/// A field of the file that no dictionary entry describes and the mapping does not write:
/// kept as it is (DESIGN §4), and reported once per file, since it is most often a slip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// The field's path after mapping (`execution_type`, `officers[].rank`).
    pub field: String,
    /// The line of the first row that has it.
    pub line: usize,
    /// How many rows have it.
    pub rows: usize,
    /// The dictionary field it most likely means.
    pub suggestion: Option<String>,
}

impl Notice {
    /// `file:LINE: `execution_type` is not a field jiandu reads …; did you mean `execution_kind`（执行方式）?`
    pub fn describe(&self, file: &str) -> String {
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
        format!(
            "{file}:{}: `{}` is not a field jiandu reads (字段不在字段字典中, {rows}); kept as it is, no rule sees it{hint}",
            self.line, self.field
        )
    }
}

/// The outcome of parsing a file: good rows and rejects, in file order, and notices.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub good: Vec<T>,
    pub rejects: Vec<Reject>,
    /// For records: the fields no rule reads, in the order first met.
    pub notices: Vec<Notice>,
}

fn parse_with<T>(
    rows: Vec<SourceRow>,
    mapping: &Mapping,
    mut build: impl FnMut(&SourceRow, Value) -> Result<T, Vec<FieldError>>,
) -> Parsed<T> {
    let mut parsed = Parsed {
        good: Vec::with_capacity(rows.len()),
        rejects: Vec::new(),
        notices: Vec::new(),
    };
    for row in rows {
        match build(&row, mapping.apply(row.value.clone())) {
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
    let mut notices: Vec<Notice> = Vec::new();
    let mut parsed = parse_with(rows, mapping, |row, value| {
        if let Value::Object(body) = &value {
            for field in dictionary().unknown_paths(body) {
                if mapping.writes(&field) {
                    continue;
                }
                match notices.iter_mut().find(|n| n.field == field) {
                    Some(notice) => notice.rows += 1,
                    None => notices.push(Notice {
                        suggestion: dictionary().suggest(&field).map(|f| f.path.clone()),
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
    rows: Vec<SourceRow>,
    mapping: &Mapping,
) -> Parsed<ReferenceRow> {
    parse_with(rows, mapping, |_, value| {
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
        let rows = read_file(file.path(), None).unwrap();
        let parsed = parse_records(rows, &Mapping::default());
        assert_eq!(parsed.good.len(), 2);
        let shown: Vec<String> = parsed
            .notices
            .iter()
            .map(|n| n.describe("e.jsonl"))
            .collect();
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
