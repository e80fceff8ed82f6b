//! `jiandu fields`: the field dictionary, each field with the rules that read it.

use std::io::Write;

use anyhow::Result;
use jiandu_model::record::dictionary::similarity;
use jiandu_rules::fields::{self, FieldUse};

use super::pad;
use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FieldsFormat {
    Table,
    Json,
    /// The document `docs/user/fields.md` is made of.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only the fields this rule reads.
    #[arg(long, value_name = "ID")]
    pub rule: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: FieldsFormat,
}

pub fn run(settings: &Settings, profile: &str, args: Args) -> Result<()> {
    let set = settings.rule_set(None, profile)?;
    if let Some(id) = &args.rule
        && !set.rules.iter().any(|r| &r.meta.id == id)
    {
        let words = |s: &str| s.to_ascii_lowercase().replace('-', "_");
        let mut scored: Vec<(f64, &str)> = set
            .rules
            .iter()
            .map(|r| {
                (
                    similarity(&words(id), &words(&r.meta.id)),
                    r.meta.id.as_str(),
                )
            })
            .filter(|(score, _)| *score >= 0.5)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let close: Vec<&str> = scored.iter().take(5).map(|(_, id)| *id).collect();
        return Err(BadInput(format!(
            "no rule `{id}` in {}{}",
            set.dir.display(),
            if close.is_empty() {
                String::new()
            } else {
                format!("; the closest: {}", close.join(", "))
            }
        ))
        .into());
    }
    if args.format == FieldsFormat::Markdown {
        if args.rule.is_some() {
            return Err(BadInput(
                "--format markdown writes the whole dictionary; leave out --rule".into(),
            )
            .into());
        }
        print!("{}", fields::markdown(&set));
        return Ok(());
    }
    let uses = fields::uses(&set, args.rule.as_deref());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        FieldsFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&fields::json(&uses))?
        )?,
        _ => write_table(&mut out, &uses)?,
    }
    out.flush()?;
    Ok(())
}

fn write_table(out: &mut impl Write, uses: &[FieldUse<'_>]) -> std::io::Result<()> {
    let width = uses
        .iter()
        .map(|u| u.field.path.len())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "{:<width$}  {:<14}  {}  rules",
        "field",
        "type",
        pad("中文", 30)
    )?;
    for u in uses {
        let f = u.field;
        let kind = match &f.vocabulary {
            Some(v) => format!("enum:{v}"),
            None => f.field_type.as_str().to_owned(),
        };
        writeln!(
            out,
            "{:<width$}  {:<14}  {}  {}",
            f.path,
            kind,
            pad(&f.zh, 30),
            u.rules.len()
        )?;
    }
    writeln!(
        out,
        "{} fields; `--format json` gives the vocabularies and the rules by name",
        uses.len()
    )
}
