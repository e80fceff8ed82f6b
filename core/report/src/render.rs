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
    /// `@page` margin boxes: office, title and period on every printed page, page numbers.
    print_header: String,
    unit_name: Option<&'a str>,
    alerts: Vec<&'a Alert>,
    sections: Vec<SectionView<'a>>,
}

/// A CSS string literal: quotes and backslashes escaped, and `<` written as its code point so
/// that nothing in it can close the `<style>` element.
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("\\3C "),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn print_header(report: &Report) -> String {
    let left = format!("{} · {}", report.office, report.title);
    let right = match &report.unit {
        Some(unit) => format!("{} · {} — {}", unit, report.from, report.to),
        None => format!("{} — {}", report.from, report.to),
    };
    format!(
        "@page {{ @top-left {{ content: {}; font-size: 8pt; color: #666; }} @top-right {{ content: {}; font-size: 8pt; color: #666; }} @bottom-right {{ content: \"第 \" counter(page) \" / \" counter(pages) \" 页\"; font-size: 8pt; color: #666; }} }}",
        css_string(&left),
        css_string(&right)
    )
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
        print_header: print_header(report),
        unit_name: report.unit.as_deref(),
        alerts: report.alerts().collect(),
        sections,
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_css_string_cannot_end_its_literal_or_the_style_element() {
        assert_eq!(
            css_string(r#"清远"市</style>\x"#),
            r#""清远\"市\3C /style>\\x""#
        );
    }
}
