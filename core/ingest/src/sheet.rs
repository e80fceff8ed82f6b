//! Worksheets (`.xlsx`, `.xlsm`, `.xls`, `.ods`) into source rows, with calamine.
//!
//! An `.xlsx` sheet is streamed cell by cell, so a large sheet is never held twice; the
//! older formats are read as a range (calamine offers no streaming reader for them).
//! Cells become the text a CSV export of the same sheet would hold: numbers as written,
//! dates as `YYYY-MM-DD` (or `YYYY-MM-DD HH:MM:SS` with a time of day), and a cell that has
//! lost its value (an Excel error, a number past 15 significant digits) rejects its row.

use std::io::{Read, Seek};

use calamine::{DataType, Reader};

use crate::IngestError;
use crate::table::{Cell, Lettering, Table};

/// Which sheet to read: by name, or by 1-based position when no sheet has that name.
fn pick_sheet(names: &[String], wanted: Option<&str>, file: &str) -> Result<String, IngestError> {
    let listed = || {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        None => names.first().cloned().ok_or_else(|| IngestError::Sheet {
            file: file.to_owned(),
            reason: "the workbook has no worksheet".into(),
        }),
        Some(wanted) => {
            if let Some(name) = names.iter().find(|n| n.as_str() == wanted) {
                return Ok(name.clone());
            }
            let by_index = wanted
                .parse::<usize>()
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| names.get(i));
            by_index.cloned().ok_or_else(|| IngestError::Sheet {
                file: file.to_owned(),
                reason: format!("no sheet `{wanted}`; the workbook has {}", listed()),
            })
        }
    }
}

/// 2^53: past it a spreadsheet number no longer holds every integer, so the digits of an
/// ID number or a long code typed as a number are already gone.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

fn cell<T: DataType>(value: &T) -> Cell {
    if value.is_empty() {
        return Cell::Empty;
    }
    if let Some(text) = value.get_string() {
        return Cell::Text(text.to_owned());
    }
    if let Some(i) = value.get_int() {
        return Cell::Text(i.to_string());
    }
    if let Some(b) = value.get_bool() {
        return Cell::Text(b.to_string());
    }
    if value.is_datetime() {
        return match value.as_datetime() {
            Some(dt) if dt.time() == chrono::NaiveTime::MIN => {
                Cell::Text(dt.format("%Y-%m-%d").to_string())
            }
            Some(dt) => Cell::Text(dt.format("%Y-%m-%d %H:%M:%S").to_string()),
            None => Cell::Bad("the cell is a date or time jiandu cannot read".into()),
        };
    }
    if let Some(f) = value.get_float() {
        if !f.is_finite() {
            return Cell::Bad(format!("the cell holds the number {f}"));
        }
        if f.fract() == 0.0 && f.abs() < EXACT_INTEGER_LIMIT {
            return Cell::Text(format!("{f:.0}"));
        }
        if f.abs() >= EXACT_INTEGER_LIMIT {
            return Cell::Bad(format!(
                "the cell holds the number {f:e}, which the spreadsheet keeps to 15 digits only, so the original digits are lost; store such codes as text in the source system"
            ));
        }
        // Rust prints the shortest decimal that reads back as the same number, which is
        // what the spreadsheet shows for a typed amount such as 1.2 or 12000.5.
        return Cell::Text(f.to_string());
    }
    if let Some(text) = value.get_datetime_iso() {
        return Cell::Text(text.replace('T', " "));
    }
    if let Some(text) = value.get_duration_iso() {
        return Cell::Bad(format!(
            "the cell holds a duration `{text}`, not a value jiandu reads"
        ));
    }
    if let Some(error) = value.get_error() {
        return Cell::Bad(format!("the cell shows the spreadsheet error {error}"));
    }
    Cell::Bad("the cell's value cannot be read".into())
}

/// Column XFD, the last a spreadsheet has: a file naming a cell beyond it is damaged (and
/// would otherwise make a row of billions of cells).
const MAX_COLUMN: usize = 16_383;

fn sheet_error(file: &str, e: impl std::fmt::Display) -> IngestError {
    IngestError::Sheet {
        file: file.to_owned(),
        reason: format!("the workbook cannot be read: {e}"),
    }
}

/// An `.xlsx` sheet, streamed: the chosen sheet's name and its table.
pub(crate) fn read_xlsx<'a, RS: Read + Seek>(
    data: RS,
    file: &'a str,
    sheet: Option<&str>,
    header_row: Option<usize>,
) -> Result<(String, Table<'a>), IngestError> {
    let mut table = Table::new(file, Lettering::Letters, header_row);
    let mut book: calamine::Xlsx<RS> =
        calamine::Xlsx::new(data).map_err(|e| sheet_error(file, e))?;
    let name = pick_sheet(&book.sheet_names(), sheet, file)?;
    let mut cells = book
        .worksheet_cells_reader(&name)
        .map_err(|e| sheet_error(file, e))?;
    let mut current: Option<(u32, Vec<Cell>)> = None;
    while let Some(next) = cells.next_cell().map_err(|e| sheet_error(file, e))? {
        let (row, col) = next.get_position();
        if current.as_ref().is_some_and(|(r, _)| *r != row) {
            if let Some((r, done)) = current.take() {
                table.push(r as usize + 1, done)?;
            }
        }
        let (_, row_cells) = current.get_or_insert_with(|| (row, Vec::new()));
        let col = col as usize;
        if col > MAX_COLUMN {
            return Err(sheet_error(
                file,
                format!("a cell lies past column XFD (row {})", row + 1),
            ));
        }
        if row_cells.len() <= col {
            row_cells.resize(col + 1, Cell::Empty);
        }
        if let Some(slot) = row_cells.get_mut(col) {
            *slot = cell(next.get_value());
        }
    }
    if let Some((r, done)) = current {
        table.push(r as usize + 1, done)?;
    }
    table.finish()?;
    Ok((name, table))
}

/// An `.xls`, `.xlsb` or `.ods` sheet, read as a range.
pub(crate) fn read_workbook<'a, RS: Read + Seek + Clone>(
    data: RS,
    file: &'a str,
    sheet: Option<&str>,
    header_row: Option<usize>,
) -> Result<(String, Table<'a>), IngestError> {
    let mut table = Table::new(file, Lettering::Letters, header_row);
    let mut book = calamine::open_workbook_auto_from_rs(data).map_err(|e| sheet_error(file, e))?;
    let name = pick_sheet(&book.sheet_names(), sheet, file)?;
    let range = book
        .worksheet_range(&name)
        .map_err(|e| sheet_error(file, e))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    for (offset, row) in range.rows().enumerate() {
        let mut cells = vec![Cell::Empty; first_col as usize];
        cells.extend(row.iter().map(cell));
        table.push(first_row as usize + offset + 1, cells)?;
    }
    table.finish()?;
    Ok((name, table))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Cursor;

    fn workbook() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("说明").unwrap();
        sheet.write_string(0, 0, "这一页不是数据").unwrap();
        let sheet = book.add_worksheet();
        sheet.set_name("处罚台账").unwrap();
        sheet
            .merge_range(
                0,
                0,
                0,
                4,
                "清远市某局行政处罚台账",
                &rust_xlsxwriter::Format::new(),
            )
            .unwrap();
        for (col, name) in ["文号", "金额", "决定日期", "身份证号", "备注"]
            .iter()
            .enumerate()
        {
            sheet.write_string(1, col as u16, *name).unwrap();
        }
        sheet.write_string(2, 0, "清市监罚〔2024〕1号").unwrap();
        sheet.write_number(2, 1, 1.2).unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 3, 5).unwrap();
        let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        sheet
            .write_datetime_with_format(2, 2, &date, &date_format)
            .unwrap();
        sheet.write_string(2, 3, "441802198001011234").unwrap();
        sheet.write_string(3, 0, "清市监罚〔2024〕2号").unwrap();
        sheet.write_number(3, 1, 12000.0).unwrap();
        sheet.write_number(3, 3, 441802198001011234.0).unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn reads_a_named_sheet_below_its_title_with_typed_cells() {
        let bytes = workbook();
        let (name, table) =
            read_xlsx(Cursor::new(bytes.clone()), "t.xlsx", Some("处罚台账"), None).unwrap();
        assert_eq!(name, "处罚台账");
        assert_eq!(table.titles, ["清远市某局行政处罚台账"]);
        assert_eq!(table.header_line, Some(2));
        assert_eq!(table.rows[0].line, 3);
        assert_eq!(
            table.rows[0].value,
            json!({"文号": "清市监罚〔2024〕1号", "金额": "1.2", "决定日期": "2024-03-05", "身份证号": "441802198001011234"})
        );
        let lost: Vec<String> = table.rows[1]
            .errors
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(lost.len(), 1);
        assert!(
            lost[0].starts_with("field `身份证号` (column D): the cell holds the number 4.418"),
            "{}",
            lost[0]
        );
        assert!(
            lost[0].contains("the original digits are lost"),
            "{}",
            lost[0]
        );
        let (second, _) = read_xlsx(Cursor::new(bytes.clone()), "t.xlsx", Some("2"), None).unwrap();
        assert_eq!(second, "处罚台账");
        let err = read_xlsx(Cursor::new(bytes), "t.xlsx", Some("台账"), None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "t.xlsx: no sheet `台账`; the workbook has `说明`, `处罚台账`"
        );
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused_with_its_name() {
        let err = read_xlsx(Cursor::new(b"a,b\n".to_vec()), "t.xlsx", None, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t.xlsx: the workbook cannot be read"),
            "{err}"
        );
    }
}
