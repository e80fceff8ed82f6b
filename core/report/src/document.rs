//! A report as data: sections of tables, with charts drawn from those same tables. The HTML,
//! the CSV and the JSON are written from one `Report`, each cell shown by one function
//! (`Cell::shown`), so the three carry exactly the same numbers.

use serde::Serialize;

use crate::chart::Chart;

/// One value of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Cell {
    Text {
        value: String,
    },
    Count {
        value: u64,
    },
    /// A share `numerator / denominator`, shown as a percentage with one decimal; a share
    /// of nothing is shown as `—`.
    Share {
        numerator: u64,
        denominator: u64,
    },
    /// A number of days (or working days) with one decimal, or `—` when there is none.
    Days {
        value: Option<f64>,
    },
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text {
            value: value.into(),
        }
    }

    pub fn count(value: u64) -> Cell {
        Cell::Count { value }
    }

    pub fn share(numerator: u64, denominator: u64) -> Cell {
        Cell::Share {
            numerator,
            denominator,
        }
    }

    pub fn days(value: Option<f64>) -> Cell {
        Cell::Days { value }
    }

    /// How the cell reads, in the page and in the CSV alike.
    pub fn shown(&self) -> String {
        match self {
            Cell::Text { value } => value.clone(),
            Cell::Count { value } => value.to_string(),
            Cell::Share {
                numerator,
                denominator,
            } => match percent_tenths(*numerator, *denominator) {
                Some(tenths) => format!("{}.{}%", tenths / 10, tenths % 10),
                None => "—".into(),
            },
            Cell::Days { value } => match value {
                Some(v) => format!("{v:.1}"),
                None => "—".into(),
            },
        }
    }

    /// Whether the cell is a number (right-aligned in the page).
    pub fn is_number(&self) -> bool {
        !matches!(self, Cell::Text { .. })
    }

    /// The value a chart draws: a count, a share in percent, days.
    pub fn magnitude(&self) -> f64 {
        match self {
            Cell::Text { .. } => 0.0,
            Cell::Count { value } => *value as f64,
            Cell::Share {
                numerator,
                denominator,
            } => percent_tenths(*numerator, *denominator).map_or(0.0, |t| t as f64 / 10.0),
            Cell::Days { value } => value.unwrap_or(0.0),
        }
    }
}

/// A share in tenths of a percent, rounded half up in integers (no float drift).
fn percent_tenths(numerator: u64, denominator: u64) -> Option<u64> {
    if denominator == 0 {
        return None;
    }
    let scaled = u128::from(numerator) * 1000;
    let d = u128::from(denominator);
    Some(((scaled * 2 + d) / (2 * d)) as u64)
}

/// A column heading, in Chinese with English beside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub zh: String,
    pub en: String,
}

/// A table: the report's numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with these headings, each `"中文 / English"`.
    pub fn new(headings: &[&str]) -> Table {
        Table {
            columns: headings
                .iter()
                .map(|h| {
                    let (zh, en) = h.split_once(" / ").unwrap_or((h, ""));
                    Column {
                        zh: zh.to_owned(),
                        en: en.to_owned(),
                    }
                })
                .collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// The cells of one column, top to bottom.
    pub fn column(&self, idx: usize) -> impl Iterator<Item = &Cell> {
        self.rows.iter().filter_map(move |r| r.get(idx))
    }
}

/// An early warning or another line that needs someone's attention.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub subject: String,
    pub message: String,
}

/// One part of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    /// How the numbers are counted, where a reader would ask.
    pub note: Option<String>,
    pub alerts: Vec<Alert>,
    pub table: Table,
    /// Drawn from `table`'s columns; the CSV and JSON carry the table.
    #[serde(skip)]
    pub chart: Option<Chart>,
}

impl Section {
    pub fn new(id: &str, title: &str, table: Table) -> Section {
        Section {
            id: id.to_owned(),
            title: title.to_owned(),
            note: None,
            alerts: Vec::new(),
            table,
            chart: None,
        }
    }

    pub fn note(mut self, note: &str) -> Section {
        self.note = Some(note.to_owned());
        self
    }

    pub fn chart(mut self, chart: Chart) -> Section {
        self.chart = Some(chart);
        self
    }
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `sweep`, `units`, `complaints`, `coverage`, `publicity`.
    pub kind: String,
    pub title: String,
    /// The supervising office (司法局) named in the header.
    pub office: String,
    pub from: String,
    pub to: String,
    pub unit: Option<String>,
    pub generated_at: String,
    pub sections: Vec<Section>,
}

impl Report {
    /// Every alert of every section.
    pub fn alerts(&self) -> impl Iterator<Item = &Alert> {
        self.sections.iter().flat_map(|s| s.alerts.iter())
    }

    /// The CSV: each section as a block (its title, its headings, its rows) with an empty line
    /// between blocks; UTF-8 with a byte-order mark so that Excel reads the Chinese.
    pub fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(vec![0xEF, 0xBB, 0xBF]);
        writer.write_record([
            self.title.as_str(),
            self.office.as_str(),
            &format!("{} — {}", self.from, self.to),
            self.unit.as_deref().unwrap_or(""),
            self.generated_at.as_str(),
        ])?;
        for section in &self.sections {
            writer.write_record([""])?;
            writer.write_record([format!("# {}", section.title)])?;
            let headings: Vec<String> = section
                .table
                .columns
                .iter()
                .map(|c| {
                    if c.en.is_empty() {
                        c.zh.clone()
                    } else {
                        format!("{} / {}", c.zh, c.en)
                    }
                })
                .collect();
            writer.write_record(&headings)?;
            for row in &section.table.rows {
                writer.write_record(row.iter().map(Cell::shown))?;
            }
            for alert in &section.alerts {
                writer.write_record(["预警 warning", &alert.subject, &alert.message])?;
            }
        }
        writer.into_inner().map_err(|e| e.into_error().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_half_up_and_nothing_shows_a_dash() {
        let check = |n, d, expect: &str| assert_eq!(Cell::share(n, d).shown(), expect);
        check(1, 3, "33.3%");
        check(2, 3, "66.7%");
        check(1, 8, "12.5%");
        check(1, 16, "6.3%");
        check(0, 5, "0.0%");
        check(5, 5, "100.0%");
        check(0, 0, "—");
        assert_eq!(Cell::days(Some(2.25)).shown(), "2.2");
        assert_eq!(Cell::days(None).shown(), "—");
    }

    #[test]
    fn the_csv_holds_each_section_as_a_block() {
        let mut table = Table::new(&["单位 / unit", "数量 / count", "占比 / share"]);
        table.push(vec![Cell::text("甲"), Cell::count(3), Cell::share(1, 3)]);
        let report = Report {
            kind: "units".into(),
            title: "标题".into(),
            office: "清远市司法局".into(),
            from: "2026-01-01".into(),
            to: "2026-06-30".into(),
            unit: None,
            generated_at: "2026-07-01T08:00:00+08:00".into(),
            sections: vec![Section::new("a", "甲节", table)],
        };
        let csv = String::from_utf8(report.to_csv().unwrap()).unwrap();
        assert_eq!(
            csv,
            "\u{feff}标题,清远市司法局,2026-01-01 — 2026-06-30,,2026-07-01T08:00:00+08:00\n\"\"\n# 甲节\n单位 / unit,数量 / count,占比 / share\n甲,3,33.3%\n"
        );
    }
}
