//! Rows of cells (from a CSV file or a worksheet) into source rows: finding the header row
//! below any title rows, naming columns, and turning cells into JSON by the CSV conventions
//! (empty = absent, `null` = null, `[`/`{` = JSON, dotted headers = nested paths).

use serde_json::{Map, Value};

use crate::source::{Column, SourceRow, set_path};
use crate::{IngestError, RowError};

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Text(String),
    /// A cell whose value cannot be taken as it is (an Excel error, a number whose digits
    /// Excel has already lost); the row is rejected with this reason.
    Bad(String),
}

impl Cell {
    fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            Cell::Bad(_) => false,
        }
    }

    fn text(&self) -> &str {
        match self {
            Cell::Text(t) => t.trim(),
            _ => "",
        }
    }
}

/// How columns are named in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lettering {
    /// Spreadsheet letters: A, B, …, Z, AA.
    Letters,
    /// CSV positions: 1, 2, 3.
    Numbers,
}

/// `0 → A`, `25 → Z`, `26 → AA`.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Rows before the header are buffered until it is found.
const TITLE_SEARCH_ROWS: usize = 10;

/// Builds source rows from rows of cells pushed in order.
#[derive(Debug)]
pub(crate) struct Table<'a> {
    file: &'a str,
    lettering: Lettering,
    /// The header row the user named (1-based line or sheet row).
    header_row: Option<usize>,
    pending: Vec<(usize, Vec<Cell>)>,
    pub columns: Option<Vec<Column>>,
    pub header_line: Option<usize>,
    pub titles: Vec<String>,
    pub rows: Vec<SourceRow>,
}

impl<'a> Table<'a> {
    pub fn new(file: &'a str, lettering: Lettering, header_row: Option<usize>) -> Table<'a> {
        Table {
            file,
            lettering,
            header_row,
            pending: Vec::new(),
            columns: None,
            header_line: None,
            titles: Vec::new(),
            rows: Vec::new(),
        }
    }

    fn label(&self, index: usize) -> String {
        match self.lettering {
            Lettering::Letters => column_letter(index),
            Lettering::Numbers => (index + 1).to_string(),
        }
    }

    /// One row: `line` is its line in the file or its row number in the sheet.
    pub fn push(&mut self, line: usize, cells: Vec<Cell>) -> Result<(), IngestError> {
        if self.columns.is_some() {
            return self.data_row(line, cells);
        }
        match self.header_row {
            Some(wanted) if line < wanted => {
                let title = title_of(&cells);
                if !title.is_empty() {
                    self.titles.push(title);
                }
                Ok(())
            }
            Some(wanted) if line > wanted => Err(self.no_header_row(wanted)),
            Some(_) => self.header(line, cells),
            None => {
                if cells.iter().all(Cell::is_empty) {
                    return Ok(());
                }
                let filled = cells.iter().filter(|c| !c.is_empty()).count();
                self.pending.push((line, cells));
                // A title row (a merged cell above the header) has one filled cell.
                if filled >= 2 || self.pending.len() >= TITLE_SEARCH_ROWS {
                    self.settle()?;
                }
                Ok(())
            }
        }
    }

    /// Decides the header among the buffered rows: the first with two or more filled cells
    /// when every row above it has one, else the first row.
    fn settle(&mut self) -> Result<(), IngestError> {
        let pending = std::mem::take(&mut self.pending);
        let at = pending
            .iter()
            .position(|(_, cells)| cells.iter().filter(|c| !c.is_empty()).count() >= 2)
            .unwrap_or(0);
        let mut rest = pending.into_iter();
        for (_, cells) in rest.by_ref().take(at) {
            self.titles.push(title_of(&cells));
        }
        if let Some((line, cells)) = rest.next() {
            self.header(line, cells)?;
        }
        for (line, cells) in rest {
            self.data_row(line, cells)?;
        }
        Ok(())
    }

    fn header(&mut self, line: usize, cells: Vec<Cell>) -> Result<(), IngestError> {
        let mut columns: Vec<Column> = Vec::with_capacity(cells.len());
        for (index, cell) in cells.iter().enumerate() {
            let name = cell.text().to_owned();
            let label = self.label(index);
            if let Some(first) = columns.iter().find(|c| !name.is_empty() && c.name == name) {
                return Err(IngestError::Syntax {
                    file: self.file.to_owned(),
                    line,
                    reason: format!(
                        "columns {} and {label} of the header row are both named `{name}`; rename one",
                        first.label
                    ),
                });
            }
            columns.push(Column { name, label });
        }
        while columns.last().is_some_and(|c| c.name.is_empty()) {
            columns.pop();
        }
        self.header_line = Some(line);
        self.columns = Some(columns);
        Ok(())
    }

    fn data_row(&mut self, line: usize, cells: Vec<Cell>) -> Result<(), IngestError> {
        if cells.iter().all(Cell::is_empty) {
            return Ok(());
        }
        let columns = self.columns.as_deref().unwrap_or(&[]);
        let mut object = Map::new();
        let mut errors = Vec::new();
        for (index, cell) in cells.into_iter().enumerate() {
            let column = columns.get(index);
            let text = match cell {
                Cell::Empty => continue,
                Cell::Bad(reason) => {
                    errors.push(RowError {
                        field: column.map(|c| c.name.clone()).unwrap_or_default(),
                        column: Some(self.label(index)),
                        reason,
                    });
                    continue;
                }
                Cell::Text(text) => text,
            };
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match column {
                Some(column) if !column.name.is_empty() => {
                    set_path(&mut object, &column.name, cell_value(text));
                }
                _ => errors.push(RowError {
                    field: String::new(),
                    column: Some(self.label(index)),
                    reason: format!(
                        "the cell holds `{text}` but its column has no header, so jiandu cannot tell what it is"
                    ),
                }),
            }
        }
        self.rows.push(SourceRow {
            line,
            row_number: self.rows.len() + 1,
            value: Value::Object(object),
            errors,
        });
        Ok(())
    }

    fn no_header_row(&self, wanted: usize) -> IngestError {
        IngestError::Syntax {
            file: self.file.to_owned(),
            line: wanted,
            reason: format!(
                "the header row {wanted} (--header-row / header_row) is empty or missing"
            ),
        }
    }

    /// Ends the table (a file shorter than the title search still gets its header).
    pub fn finish(&mut self) -> Result<(), IngestError> {
        if self.columns.is_none() && !self.pending.is_empty() {
            self.settle()?;
        }
        match self.header_row {
            Some(wanted) if self.columns.is_none() => Err(self.no_header_row(wanted)),
            _ => Ok(()),
        }
    }
}

/// A title row as one line: its filled cells, joined.
fn title_of(cells: &[Cell]) -> String {
    let filled: Vec<&str> = cells
        .iter()
        .map(Cell::text)
        .filter(|t| !t.is_empty())
        .collect();
    filled.join(" ")
}

/// A cell's text as JSON by the CSV conventions.
fn cell_value(text: &str) -> Value {
    if text == "null" || text == "NULL" {
        Value::Null
    } else if text.starts_with('[') || text.starts_with('{') {
        serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
    } else {
        Value::String(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(cells: &[&str]) -> Vec<Cell> {
        cells
            .iter()
            .map(|c| {
                if c.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text((*c).to_owned())
                }
            })
            .collect()
    }

    #[test]
    fn letters_columns_like_a_spreadsheet() {
        let letters: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .iter()
            .map(|i| column_letter(*i))
            .collect();
        assert_eq!(
            letters,
            ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
        );
    }

    #[test]
    fn skips_a_title_row_above_the_header() {
        let mut table = Table::new("t.xlsx", Lettering::Letters, None);
        table.push(1, row(&["清远市行政处罚台账", "", ""])).unwrap();
        table.push(3, row(&["文号", "当事人", "金额"])).unwrap();
        table.push(4, row(&["A1", "张三", "1.2万元"])).unwrap();
        table.push(5, row(&["", "", ""])).unwrap();
        table.push(6, row(&["A2", "", "5000"])).unwrap();
        table.finish().unwrap();
        assert_eq!(table.titles, ["清远市行政处罚台账"]);
        assert_eq!(table.header_line, Some(3));
        let lines: Vec<usize> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [4, 6]);
        assert_eq!(table.rows[1].value, json!({"文号": "A2", "金额": "5000"}));
    }

    #[test]
    fn a_named_header_row_wins_and_duplicate_names_are_refused() {
        let mut table = Table::new("t.csv", Lettering::Numbers, Some(2));
        table.push(1, row(&["a", "b"])).unwrap();
        table.push(2, row(&["x", "y"])).unwrap();
        table.push(3, row(&["1", "2"])).unwrap();
        assert_eq!(table.titles, ["a b"]);
        assert_eq!(table.rows[0].value, json!({"x": "1", "y": "2"}));
        let mut table = Table::new("t.xlsx", Lettering::Letters, None);
        let err = table
            .push(1, row(&["当事人", "金额", "当事人"]))
            .unwrap_err();
        assert!(err.to_string().contains("columns A and C"), "{err}");
    }

    #[test]
    fn a_cell_without_a_header_or_with_a_bad_value_rejects_its_row() {
        let mut table = Table::new("t.xlsx", Lettering::Letters, None);
        table.push(1, row(&["a", "b"])).unwrap();
        let mut cells = row(&["1", "2", "stray"]);
        cells[1] = Cell::Bad("Excel error #N/A".into());
        table.push(2, cells).unwrap();
        let errors: Vec<String> = table.rows[0]
            .errors
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            errors,
            [
                "field `b` (column B): Excel error #N/A",
                "column C: the cell holds `stray` but its column has no header, so jiandu cannot tell what it is"
            ]
        );
    }
}
