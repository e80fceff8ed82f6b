//! The mail after a nightly sweep: the sweep report of that day and the coverage report's
//! early warnings, to the addresses configured, through the outbox (so a mail server that is
//! down delays it and never loses it, and a second run of the same night queues nothing new).

use jiandu_model::Date;
use jiandu_store::NewMail;

use crate::context::{Context, ReportError, ReportKind, Request};
use crate::document::Report;

/// The reports the mail carries: the sweep report of `day`, and the coverage report of the
/// month up to `day`.
pub async fn reports(ctx: &Context<'_>, day: Date) -> Result<(Report, Report), ReportError> {
    let sweep = crate::build(
        ctx,
        &Request {
            kind: ReportKind::Sweep,
            from: day,
            to: day,
            unit: None,
        },
    )
    .await?;
    let month_start = Date::from_ymd(day.year(), day.month(), 1).unwrap_or(day);
    let coverage = crate::build(
        ctx,
        &Request {
            kind: ReportKind::Coverage,
            from: month_start,
            to: day,
            unit: None,
        },
    )
    .await?;
    Ok((sweep, coverage))
}

/// One mail per address: the sweep report as the HTML body, the warnings listed in the text.
pub fn mails(
    sweep: &Report,
    coverage: &Report,
    sweep_id: i64,
    addresses: &[String],
) -> Result<Vec<NewMail>, ReportError> {
    let html = crate::to_html(sweep)?;
    let warnings: Vec<String> = coverage
        .alerts()
        .map(|a| format!("- {}：{}", a.subject, a.message))
        .collect();
    let count = |id: &str, col: usize| {
        sweep
            .sections
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.table.column(col).map(crate::Cell::magnitude).sum::<f64>() as u64)
            .unwrap_or(0)
    };
    let new_findings = count("by_outcome", 1);
    let open_findings = count("by_outcome", 3);
    let text = format!(
        "{office}\n{title}（{day}）\n\n本次巡查新发现问题 {new_findings} 个，当前未结 {open_findings} 个。 New findings: {new_findings}; open: {open_findings}.\n\n数据归集预警 Data-coverage warnings（{from} — {to}）：\n{warnings}\n\n完整报告见本邮件的 HTML 部分；也可运行 jiandu report sweep --from {day} --to {day} --out sweep.html。\n",
        office = sweep.office,
        title = sweep.title,
        day = sweep.to,
        from = coverage.from,
        to = coverage.to,
        warnings = if warnings.is_empty() {
            "（无 none）".to_owned()
        } else {
            warnings.join("\n")
        },
    );
    let subject = format!(
        "【jiandu】巡查报告 {} · 新发现 {new_findings} · 预警 {} / sweep report",
        sweep.to,
        warnings.len()
    );
    Ok(addresses
        .iter()
        .map(|addr| NewMail {
            dedupe_key: format!("report.sweep.{sweep_id}.{addr}"),
            kind: "sweep_report".into(),
            complaint_id: None,
            unit_id: None,
            to_addr: Some(addr.clone()),
            subject: subject.clone(),
            body_text: text.clone(),
            body_html: html.clone(),
            message_id: format!(
                "<report.sweep.{sweep_id}.{}@jiandu>",
                addr.replace(['<', '>', '@'], "_")
            ),
        })
        .collect())
}

/// Builds the reports of `day` and queues their mail to `addresses` for sweep `sweep_id`;
/// returns how many mails were queued (none the second time for the same sweep).
pub async fn queue(
    ctx: &Context<'_>,
    sweep_id: i64,
    day: Date,
    addresses: &[String],
) -> Result<u64, ReportError> {
    if addresses.is_empty() {
        return Ok(0);
    }
    let (sweep, coverage) = reports(ctx, day).await?;
    let mails = mails(&sweep, &coverage, sweep_id, addresses)?;
    Ok(ctx.store.queue_mails(&mails, ctx.now).await?)
}
