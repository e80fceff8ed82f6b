//! CSV (and the tab-separated text Excel writes as "Unicode text") into source rows.

use crate::IngestError;
use crate::lines::Lines;
use crate::table::{Cell, Lettering, Table};

/// Tab when the first lines hold more tabs than commas, else comma.
fn delimiter(text: &str) -> u8 {
    let head: String = text.lines().take(5).collect();
    if head.matches('\t').count() > head.matches(',').count() {
        b'\t'
    } else {
        b','
    }
}

pub(crate) fn read_csv<'a>(
    text: &str,
    file: &'a str,
    header_row: Option<usize>,
) -> Result<Table<'a>, IngestError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut table = Table::new(file, Lettering::Numbers, header_row);
    let mut lines = Lines::new(text);
    // (line, fields) of the header record, once the table has found it.
    let mut header: Option<(usize, usize)> = None;
    let mut last_width = 0;
    for result in reader.records() {
        let record = result.map_err(|e| IngestError::Syntax {
            file: file.to_owned(),
            line: e
                .position()
                .map(|p| lines.at(p.byte() as usize))
                .unwrap_or(1),
            reason: e.to_string(),
        })?;
        let line = record
            .position()
            .map(|p| lines.at(p.byte() as usize))
            .unwrap_or(0);
        let cells: Vec<Cell> = record
            .iter()
            .map(|c| {
                if c.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(c.to_owned())
                }
            })
            .collect();
        if header.is_none() {
            header = table.header_line.map(|l| (l, last_width));
        }
        // After the header every row must have its width: a different count is almost
        // always a broken quote, which would shift every later cell.
        let misfit = header
            .filter(|(_, width)| record.len() != *width && cells.iter().any(|c| *c != Cell::Empty));
        if let Some((header_line, width)) = misfit {
            return Err(IngestError::Syntax {
                file: file.to_owned(),
                line,
                reason: format!(
                    "this row has {} fields but the header row (line {header_line}) has {width}; check for a broken quote",
                    record.len()
                ),
            });
        }
        last_width = record.len();
        table.push(line, cells)?;
    }
    table.finish()?;
    Ok(table)
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
        let rows = read_csv(text, "t.csv", None).unwrap().rows;
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
    fn crlf_files_number_their_lines_like_lf_files() {
        let lf = "a,b\n1,2\n3,\"x\ny\"\n5,6\n";
        let crlf = lf.replace('\n', "\r\n");
        let lines = |t: &str| -> Vec<usize> {
            read_csv(t, "t.csv", None)
                .unwrap()
                .rows
                .iter()
                .map(|r| r.line)
                .collect()
        };
        assert_eq!(lines(lf), [2, 3, 5]);
        assert_eq!(lines(&crlf), [2, 3, 5]);
        let broken = "a,b\r\n1,2\r\n3,4,5\r\n";
        let err = read_csv(broken, "t.csv", None).unwrap_err().to_string();
        assert!(err.starts_with("t.csv:3: this row has 3 fields"), "{err}");
    }

    #[test]
    fn reads_tab_separated_text_and_a_title_line() {
        let text = "2024年处罚台账\n文号\t金额\nA1\t1.2万元\n";
        let table = read_csv(text, "t.txt", None).unwrap();
        assert_eq!(table.titles, ["2024年处罚台账"]);
        assert_eq!(
            table.rows[0].value,
            json!({"文号": "A1", "金额": "1.2万元"})
        );
        assert_eq!(table.rows[0].line, 3);
    }
}
