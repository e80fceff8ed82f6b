//! A report as one self-contained HTML file (askama, `reports/templates/reports/`): the
//! stylesheet inlined, charts as inline SVG, nothing fetched from anywhere.

use askama::Template;

use crate::document::{Alert, Column, Report};

/// The report stylesheet, inlined into every report.
const STYLE: &str = include_str!("../../../reports/templates/reports/report.css");

struct CellView {
    text: String,
    number: bool,
}

struct SectionView<'a> {
    id: &'a str,
    title: &'a str,
    note: Option<&'a str>,
    svg: Option<String>,
    columns: &'a [Column],
    rows: Vec<Vec<CellView>>,
}

#[derive(Template)]
#[template(path = "reports/report.html")]
struct Page<'a> {
    report: &'a Report,
    /// Where the page links back to when served by `jiandu serve`; a file has no link.
    back: Option<&'a str>,
    style: &'static str,
    unit_name: Option<&'a str>,
    alerts: Vec<&'a Alert>,
    sections: Vec<SectionView<'a>>,
}

/// The report as HTML: a file that stands alone, or (`back`) a page of the site that links
/// back to it; the two differ only in that link, hidden in print.
pub fn to_html(report: &Report, back: Option<&str>) -> Result<String, askama::Error> {
    let sections = report
        .sections
        .iter()
        .map(|s| SectionView {
            id: &s.id,
            title: &s.title,
            note: s.note.as_deref(),
            svg: s.chart.as_ref().map(|c| c.to_svg()),
            columns: &s.table.columns,
            rows: s
                .table
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|cell| CellView {
                            text: cell.shown(),
                            number: cell.is_number(),
                        })
                        .collect()
                })
                .collect(),
        })
        .collect();
    Page {
        report,
        back,
        style: STYLE,
        unit_name: report.unit.as_deref(),
        alerts: report.alerts().collect(),
        sections,
    }
    .render()
}
