//! jiandu's reports: what leaders read, what the province receives, what the public sees.
//!
//! [`build`] gathers one of five reports ([`ReportKind`]) from the store into a [`Report`]:
//! sections of tables with charts drawn from those tables. [`Report::to_csv`],
//! [`render::to_html`] and serde's JSON are three views of the same value, so the files carry
//! the same numbers. [`export::export_behaviour`] writes the behaviour data for the provincial
//! centre in the national field names.
//!
//! ```no_run
//! # async fn demo(ctx: jiandu_report::Context<'_>) -> Result<(), jiandu_report::ReportError> {
//! use jiandu_report::{ReportKind, Request};
//! let from = jiandu_model::Date::parse("2026-01-01").unwrap();
//! let to = jiandu_model::Date::parse("2026-06-30").unwrap();
//! let report = jiandu_report::build(&ctx, &Request { kind: ReportKind::Coverage, from, to, unit: None }).await?;
//! let html = jiandu_report::to_html(&report)?;
//! # let _ = html; Ok(()) }
//! ```

pub mod chart;
mod complaints;
mod context;
mod coverage;
pub mod digest;
mod document;
pub mod export;
mod handling;
mod publicity;
pub mod render;
mod sweep;
mod units;

pub use context::{BEHAVIOUR, Context, ReportError, ReportKind, Request, UnitInfo};
pub use document::{Alert, Cell, Column, Report, Section, Table};

/// Builds one report.
pub async fn build(ctx: &Context<'_>, request: &Request) -> Result<Report, ReportError> {
    if request.to < request.from {
        return Err(ReportError::Period {
            from: request.from,
            to: request.to,
        });
    }
    let units = ctx.units().await?;
    let unit = match &request.unit {
        Some(id) => Some(
            units
                .get(id)
                .map(|u| u.name.clone())
                .ok_or_else(|| ReportError::UnknownUnit(id.clone()))?,
        ),
        None => None,
    };
    let sections = match request.kind {
        ReportKind::Sweep => sweep::build(ctx, request, &units).await?,
        ReportKind::Units => units::build(ctx, request, &units).await?,
        ReportKind::Complaints => complaints::build(ctx, request, &units).await?,
        ReportKind::Coverage => coverage::build(ctx, request, &units).await?,
        ReportKind::Publicity => publicity::build(ctx, request).await?,
    };
    Ok(Report {
        kind: request.kind.as_str().to_owned(),
        title: request.kind.title().to_owned(),
        office: ctx.office(),
        from: request.from.to_string(),
        to: request.to.to_string(),
        unit,
        generated_at: ctx.now.to_string(),
        sections,
    })
}

/// The report as a self-contained HTML file (askama errors as [`ReportError::Render`]).
pub fn to_html(report: &Report) -> Result<String, ReportError> {
    render::to_html(report, None).map_err(|e| ReportError::Render(e.to_string()))
}

/// The report as a page of the site, linking back to `back` (the link is hidden in print).
pub fn to_html_page(report: &Report, back: &str) -> Result<String, ReportError> {
    render::to_html(report, Some(back)).map_err(|e| ReportError::Render(e.to_string()))
}

/// The three file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Csv,
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "html" => Ok(Format::Html),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "unknown format `{other}`; expected html, csv or json"
            )),
        }
    }
}

/// The report in a format, as bytes to write or serve.
pub fn encode(report: &Report, format: Format) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Html => to_html(report).map(String::into_bytes),
        Format::Csv => report
            .to_csv()
            .map_err(|e| ReportError::Render(e.to_string())),
        Format::Json => serde_json::to_vec_pretty(report)
            .map(|mut v| {
                v.push(b'\n');
                v
            })
            .map_err(|e| ReportError::Render(e.to_string())),
    }
}
