//! `jiandu gaps`: what the rules could not judge in the stored records, grouped, so that a
//! data owner sees which fields, if recorded, would let the rules judge the most records.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use jiandu_model::record::dictionary::dictionary;
use jiandu_model::{RecordType, ReferenceKind};
use jiandu_store::{GapCount, GapGrouping};

use super::pad;
use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Rule,
    Field,
    Unit,
    RecordType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GapFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Group by the rule, the field not recorded, the responsible unit or the record type.
    #[arg(long, value_enum, default_value = "field")]
    pub by: By,
    #[arg(long, value_enum, default_value = "table")]
    pub format: GapFormat,
}

/// A group with the words that name it for a person.
struct Row {
    count: GapCount,
    label: String,
}

pub async fn run(settings: &Settings, profile: &str, args: Args) -> Result<()> {
    let store = settings.open_existing_store().await?;
    let grouping = match args.by {
        By::Rule => GapGrouping::Rule,
        By::Field => GapGrouping::Field,
        By::Unit => GapGrouping::Unit,
        By::RecordType => GapGrouping::RecordType,
    };
    if store.last_completed_sweep().await?.is_none() && store.running_sweep().await?.is_none() {
        store.close().await;
        return Err(BadInput(
            "no sweep has run on this database yet, so nothing has been judged; run `jiandu sweep` first".into(),
        )
        .into());
    }
    let counts = store.gap_counts(grouping).await?;
    let labels = labels(settings, profile, &store, args.by).await?;
    let rows: Vec<Row> = counts
        .into_iter()
        .map(|count| Row {
            label: label_of(args.by, &count.key, &labels),
            count,
        })
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        GapFormat::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({"key": r.count.key, "label": r.label, "records": r.count.records,
                                       "judgements": r.count.judgements, "rules": r.count.rules})
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
        }
        GapFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record(["key", "label", "records", "judgements", "rules"])?;
            for r in &rows {
                csv.write_record([
                    r.count.key.as_str(),
                    r.label.as_str(),
                    &r.count.records.to_string(),
                    &r.count.judgements.to_string(),
                    &r.count.rules.to_string(),
                ])?;
            }
            csv.flush()?;
        }
        GapFormat::Table => write_table(&mut out, args.by, &rows)?,
    }
    out.flush()?;
    store.close().await;
    Ok(())
}

fn write_table(out: &mut impl Write, by: By, rows: &[Row]) -> std::io::Result<()> {
    if rows.is_empty() {
        writeln!(
            out,
            "no gaps: every rule judged every record of the last sweep (无无法判断的记录)"
        )?;
        return Ok(());
    }
    let what = match by {
        By::Rule => "rule 规则",
        By::Field => "field not recorded 未记录字段",
        By::Unit => "unit 单位",
        By::RecordType => "record type 记录类型",
    };
    let key_width = rows
        .iter()
        .map(|r| r.count.key.chars().count())
        .max()
        .unwrap_or(0)
        .max(what.len().min(30));
    writeln!(
        out,
        "{}  {}  {:>8}  {:>10}  {:>5}",
        pad(what, key_width),
        pad("", 36),
        "records",
        "judgements",
        "rules"
    )?;
    for r in rows {
        writeln!(
            out,
            "{}  {}  {:>8}  {:>10}  {:>5}",
            pad(&r.count.key, key_width),
            pad(&r.label, 36),
            r.count.records,
            r.count.judgements,
            r.count.rules
        )?;
    }
    writeln!(
        out,
        "records: records with at least one gap in the row (记录数); judgements: record × rule pairs not judged (无法判断的判定数)"
    )?;
    Ok(())
}

/// Names for the keys that need the store or the rules: rule titles, unit names.
async fn labels(
    settings: &Settings,
    profile: &str,
    store: &jiandu_store::Store,
    by: By,
) -> Result<BTreeMap<String, String>> {
    Ok(match by {
        By::Rule => settings
            .rule_set(None, profile)?
            .rules
            .iter()
            .map(|r| (r.meta.id.clone(), r.meta.title_zh.clone()))
            .collect(),
        By::Unit => store
            .list_reference(ReferenceKind::Unit)
            .await?
            .iter()
            .map(|u| (u.key().to_owned(), u.text("name").unwrap_or("").to_owned()))
            .collect(),
        By::Field | By::RecordType => BTreeMap::new(),
    })
}

fn label_of(by: By, key: &str, labels: &BTreeMap<String, String>) -> String {
    match by {
        By::Field => match key {
            "(unknown)" => "无具体字段：规则自身的理由或缺少节假日安排 / no single field".into(),
            "(error)" => "规则出错 / the rule failed".into(),
            path => dictionary()
                .field(path)
                .map(|f| f.zh.clone())
                .unwrap_or_default(),
        },
        By::RecordType => key
            .parse::<RecordType>()
            .map(|t| t.chinese().to_owned())
            .unwrap_or_default(),
        By::Unit if key.is_empty() => "未关联单位 / no unit".into(),
        By::Rule | By::Unit => labels.get(key).cloned().unwrap_or_default(),
    }
}
