//! Reading an export into JSON objects that remember where they came from: CSV (UTF-8,
//! GBK, UTF-16), JSON, JSONL and worksheets (`.xlsx`, `.xls`, `.ods`).

use std::fmt;
use std::io::{BufReader, Cursor};
use std::path::Path;

use serde_json::{Map, Value};

use crate::text::{Encoding, decode};
use crate::{IngestError, RowError, delimited, json, sheet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Jsonl,
    /// `.xlsx` / `.xlsm` (streamed).
    Xlsx,
    /// `.xls`, `.xlsb` and `.ods`, read through calamine's format detection.
    Workbook,
}

impl Format {
    /// From the file extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        ext.parse().ok()
    }

    fn is_sheet(self) -> bool {
        matches!(self, Format::Xlsx | Format::Workbook)
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" | "txt" | "tsv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "xlsx" | "xlsm" => Ok(Format::Xlsx),
            "xls" | "xlsb" | "ods" => Ok(Format::Workbook),
            _ => Err(format!(
                "unknown format `{s}`; expected csv, json, jsonl, xlsx, xls or ods"
            )),
        }
    }
}

/// How to read a file; everything left `None` is taken from the file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub format: Option<Format>,
    /// Text files only.
    pub encoding: Option<Encoding>,
    /// Worksheets only: a sheet name or its 1-based position.
    pub sheet: Option<String>,
    /// The row (line in a CSV file, row number in a sheet) holding the column names.
    pub header_row: Option<usize>,
}

/// A source column: its header and how messages name it (`F` in a sheet, `6` in a CSV).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Column {
    pub name: String,
    pub label: String,
}

/// One row of the source with where it was.
#[derive(Debug, Clone)]
pub struct SourceRow {
    /// 1-based line of the file where the row starts (for CSV the header is line 1), or
    /// the row number a spreadsheet shows.
    pub line: usize,
    /// 1-based position among the data rows.
    pub row_number: usize,
    pub value: Value,
    /// Cells that could not be read as they are; the row is rejected with these.
    pub errors: Vec<RowError>,
}

/// A file read into rows.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: String,
    pub format: Format,
    /// The worksheet read.
    pub sheet: Option<String>,
    /// The text encoding, and whether it was detected.
    pub encoding: Option<(Encoding, bool)>,
    /// Where the header row was (CSV and sheets).
    pub header_line: Option<usize>,
    /// Title rows above the header, as read.
    pub titles: Vec<String>,
    /// The header's columns (CSV and sheets), in order.
    pub columns: Vec<Column>,
    pub rows: Vec<SourceRow>,
}

impl Source {
    /// Where a row is, for messages: `a.csv:7`, `a.xlsx (sheet 台账) row 7`.
    pub fn place(&self, line: usize) -> String {
        match &self.sheet {
            Some(sheet) => format!("{} (sheet {sheet}) row {line}", self.file),
            None => format!("{}:{line}", self.file),
        }
    }

    /// The label of the column named `name` (`F`), if the file has one.
    pub fn column_label(&self, name: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.label.as_str())
    }
}

impl Source {
    fn of_sheet(
        file: &str,
        format: Format,
        sheet: String,
        table: crate::table::Table<'_>,
    ) -> Source {
        Source {
            file: file.to_owned(),
            format,
            sheet: Some(sheet),
            encoding: None,
            header_line: table.header_line,
            titles: table.titles,
            columns: table.columns.unwrap_or_default(),
            rows: table.rows,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sheet {
            Some(sheet) => write!(f, "{} (sheet {sheet})", self.file),
            None => f.write_str(&self.file),
        }
    }
}

fn unknown_format(file: &str) -> IngestError {
    IngestError::UnknownFormat {
        file: file.to_owned(),
    }
}

pub fn read_file(path: &Path, options: &ReadOptions) -> Result<Source, IngestError> {
    let file = path.display().to_string();
    let format = options
        .format
        .or_else(|| Format::from_path(path))
        .ok_or_else(|| unknown_format(&file))?;
    let read_error = |source| IngestError::Read {
        file: file.clone(),
        source,
    };
    if format == Format::Xlsx {
        // Streamed from the file: the sheet is never held whole in memory.
        let handle = std::fs::File::open(path).map_err(read_error)?;
        let (sheet, table) = sheet::read_xlsx(
            BufReader::with_capacity(1 << 16, handle),
            &file,
            options.sheet.as_deref(),
            options.header_row,
        )?;
        return Ok(Source::of_sheet(&file, format, sheet, table));
    }
    let bytes = std::fs::read(path).map_err(read_error)?;
    read_bytes(
        bytes,
        &file,
        &ReadOptions {
            format: Some(format),
            ..options.clone()
        },
    )
}

/// Reads a file's contents already in memory; `file` names it in messages.
pub fn read_bytes(
    bytes: Vec<u8>,
    file: &str,
    options: &ReadOptions,
) -> Result<Source, IngestError> {
    let format = options.format.ok_or_else(|| unknown_format(file))?;
    if format.is_sheet() {
        let (sheet, table) = match format {
            Format::Xlsx => sheet::read_xlsx(
                Cursor::new(bytes),
                file,
                options.sheet.as_deref(),
                options.header_row,
            )?,
            _ => sheet::read_workbook(
                Cursor::new(bytes),
                file,
                options.sheet.as_deref(),
                options.header_row,
            )?,
        };
        return Ok(Source::of_sheet(file, format, sheet, table));
    }
    let decoded = decode(bytes, file, options.encoding)?;
    let mut source = Source {
        file: file.to_owned(),
        format,
        sheet: None,
        encoding: Some((decoded.encoding, decoded.detected)),
        header_line: None,
        titles: Vec::new(),
        columns: Vec::new(),
        rows: Vec::new(),
    };
    match format {
        Format::Json => source.rows = json::read_json(&decoded.text, file)?,
        Format::Jsonl => source.rows = json::read_jsonl(&decoded.text, file)?,
        _ => {
            let table = delimited::read_csv(&decoded.text, file, options.header_row)?;
            source.header_line = table.header_line;
            source.titles = table.titles;
            source.columns = table.columns.unwrap_or_default();
            source.rows = table.rows;
        }
    }
    Ok(source)
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
