//! `jiandu report KIND`: one of the five reports over a period, as self-contained HTML (with
//! SVG charts), CSV or JSON; and `jiandu export behaviour`, the behaviour data for the
//! provincial centre in the national field names.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use jiandu_model::{Date, clock};
use std::sync::Arc;

use jiandu_calendar::Calendar;
use jiandu_report::{Format, Report, ReportKind, Request};
use jiandu_rules::{Profile, RuleSet};
use jiandu_store::Store;

use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// sweep, units, complaints, coverage or publicity.
    pub kind: String,
    /// First day of the period (default: 1 January of the last day's year).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day of the period (default: today).
    #[arg(long)]
    pub to: Option<String>,
    /// One unit only, by id or name (a unit's scorecard, its coverage …).
    #[arg(long)]
    pub unit: Option<String>,
    /// html, csv or json (default: from the --out file's extension, else html).
    #[arg(long)]
    pub format: Option<String>,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// Behaviour records of a period in the national 互联网+监管 field names, in batches with a
    /// manifest; the same period gives the same files.
    Behaviour(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// First act date of the period.
    #[arg(long)]
    pub from: String,
    /// Last act date of the period.
    #[arg(long)]
    pub to: String,
    /// Directory for the batch files and the manifest (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Records per batch file.
    #[arg(long, default_value_t = 1000)]
    pub batch_size: usize,
}

fn date(flag: &str, value: &str) -> Result<Date> {
    Date::parse(value.trim())
        .map_err(|e| BadInput(format!("--{flag} `{value}`: {e} (write YYYY-MM-DD)")).into())
}

/// The period the flags give: `--to` (default today) and `--from` (default 1 January of that
/// year).
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<(Date, Date)> {
    let to = match to {
        Some(t) => date("to", t)?,
        None => clock::now().date(),
    };
    let from = match from {
        Some(f) => date("from", f)?,
        None => Date::from_ymd(to.year(), 1, 1).unwrap_or(to),
    };
    if to < from {
        return Err(BadInput(format!("--to {to} is before --from {from}")).into());
    }
    Ok((from, to))
}

fn format_of(flag: Option<&str>, out: &Path) -> Result<Format> {
    let name = match flag {
        Some(f) => f.to_owned(),
        None => match out.extension().and_then(|e| e.to_str()) {
            Some(ext @ ("csv" | "json" | "html")) => ext.to_owned(),
            _ => "html".to_owned(),
        },
    };
    name.parse::<Format>().map_err(|e| BadInput(e).into())
}

/// What reports read besides the store, loaded once per command: the calendar, the profile
/// and (for the rules' titles) the rule set.
pub struct Loaded {
    calendar: Calendar,
    profile: Profile,
    rules: Option<Arc<RuleSet>>,
}

impl Loaded {
    /// From the settings. A report still runs where the rules do not load (it names rules by
    /// id alone then), and says so.
    pub fn load(settings: &Settings, profile_name: &str) -> Result<Loaded> {
        let rules = match settings.rule_set(None, profile_name) {
            Ok(set) => Some(Arc::new(set)),
            Err(err) => {
                eprintln!("notice: the rules did not load ({err:#}); rules are named by id only");
                None
            }
        };
        Ok(Loaded {
            calendar: settings.calendar()?,
            profile: settings.profile(profile_name)?,
            rules,
        })
    }

    /// From a rule set already loaded (by a sweep): its calendar and profile.
    pub fn from_rules(set: Arc<RuleSet>) -> Loaded {
        Loaded {
            calendar: set.calendar.clone(),
            profile: set.profile.clone(),
            rules: Some(set),
        }
    }

    pub fn context<'a>(&'a self, store: &'a Store) -> jiandu_report::Context<'a> {
        jiandu_report::Context {
            store,
            calendar: &self.calendar,
            profile: &self.profile,
            rules: self.rules.as_deref(),
            now: clock::now(),
        }
    }

    /// Builds a report; a request the store cannot answer (a period backwards, an unknown
    /// unit) is bad input.
    pub async fn build(&self, store: &Store, request: &Request) -> Result<Report> {
        jiandu_report::build(&self.context(store), request)
            .await
            .map_err(|e| {
                if e.is_user_error() {
                    anyhow::Error::from(BadInput(e.to_string()))
                } else {
                    anyhow::Error::from(e)
                }
            })
    }
}

/// Writes a built report to `out` in `format`, creating the directory.
pub fn write(report: &Report, format: Format, out: &Path) -> Result<()> {
    let bytes = jiandu_report::encode(report, format)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))
}

pub async fn run(settings: &Settings, profile: &str, args: Args) -> Result<()> {
    let kind: ReportKind = args.kind.parse().map_err(BadInput)?;
    let (from, to) = period(args.from.as_deref(), args.to.as_deref())?;
    let format = format_of(args.format.as_deref(), &args.out)?;
    let store = settings.open_existing_store().await?;
    let unit = super::units::resolve_opt(&store, args.unit).await?;
    let request = Request {
        kind,
        from,
        to,
        unit,
    };
    let loaded = Loaded::load(settings, profile)?;
    let result = loaded.build(&store, &request).await;
    store.close().await;
    write(&result?, format, &args.out)?;
    println!("{}", args.out.display());
    Ok(())
}

pub async fn export(settings: &Settings, profile: &str, command: ExportCommand) -> Result<()> {
    let ExportCommand::Behaviour(args) = command;
    let (from, to) = period(Some(&args.from), Some(&args.to))?;
    let mappings = settings
        .data_file("mappings/internet-plus-common.toml")
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .ok_or_else(|| {
            BadInput(
                "no rules/mappings directory with the 互联网+监管 mappings found; pass --rules DIR"
                    .into(),
            )
        })?;
    let store = settings.open_existing_store().await?;
    let calendar = settings.calendar()?;
    let profile = settings.profile(profile)?;
    let ctx = jiandu_report::Context {
        store: &store,
        calendar: &calendar,
        profile: &profile,
        rules: None,
        now: clock::now(),
    };
    // Each batch is named as it is written: a long export shows its progress.
    let mut written = |file: &jiandu_report::export::ExportFile| {
        println!(
            "{}  {} records ({})  sha256 {}",
            args.out.join(&file.file).display(),
            file.records,
            file.behaviour,
            file.sha256
        );
    };
    let result = jiandu_report::export::export_behaviour(
        &ctx,
        from,
        to,
        &args.out,
        &mappings,
        args.batch_size,
        &mut written,
    )
    .await;
    store.close().await;
    let summary = result?;
    for removed in &summary.removed {
        println!("removed {removed} (no longer part of this period's export)");
    }
    println!(
        "{}: {} records in {} files, {} exported for the first time",
        summary.manifest.display(),
        summary.records,
        summary.files.len(),
        summary.first_time
    );
    Ok(())
}
