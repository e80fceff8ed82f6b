//! `jiandu`: supervision of administrative enforcement (行政执法监督) from the command line.
//!
//! Each subcommand lives in its own file under `cmd/`; this file parses the arguments,
//! sets up logging and maps errors to exit codes: 0 done, 1 failed, 2 bad input (the
//! message says which file, line or value and why).

mod audit_key;
mod cmd;
mod settings;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::settings::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "jiandu",
    version,
    about = "jiandu 监督 — supervision of administrative enforcement: rules, sweeps, complaints",
    long_about = None
)]
struct Cli {
    /// Database URL: sqlite://FILE (default sqlite://jiandu.db) or postgres://USER@HOST/DB.
    #[arg(long, global = true, value_name = "URL")]
    db: Option<String>,
    /// Rules directory (default ./rules or the source tree's rules/).
    #[arg(long, global = true, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Profile: a name in rules/profiles/ or a .toml file.
    #[arg(long, global = true, value_name = "NAME|FILE", default_value = jiandu_rules::DEFAULT_PROFILE)]
    profile: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Make a demo: a fresh SQLite database with generated Qingyuan enforcement data.
    Demo(cmd::demo::Args),
    /// Measure: sweeps, the engine against native Rust and SQL, intake, listing, importing.
    Bench(cmd::bench::Args),
    /// Create the database (or bring it up to date) without importing anything.
    Init,
    /// Import units, officers, parties, items or records from CSV (UTF-8, GBK), JSON, JSONL,
    /// XLSX, XLS or ODS, with a report; --dry-run writes nothing.
    Import(cmd::import::Args),
    /// What is stored: find records, show one with its import history.
    #[command(subcommand)]
    Records(cmd::records::Command),
    /// The statutory calendar: working days, adjusted weekends (调休), legal deadlines.
    Calendar(cmd::calendar::Args),
    /// Evaluate the records of a file against the rules (no database); print the findings.
    Check(cmd::check::Args),
    /// Explain every rule's verdict on one record: version chosen, values compared, outcome.
    Explain(cmd::explain::Args),
    /// The field dictionary: every field, its type and closed values, the rules that read it.
    Fields(cmd::fields::Args),
    /// Rules: run their test cases, check them, list them, write editor definitions.
    #[command(subcommand)]
    Rules(cmd::rules::Command),
    /// Evaluate the records changed since the last sweep (or all with --full); keep the findings.
    Sweep(cmd::sweep::Args),
    /// Share the batches of running sweeps with other processes (PostgreSQL).
    Worker(cmd::sweep::WorkerArgs),
    /// Findings kept by the sweeps: list, show, set their status.
    #[command(subcommand)]
    Findings(cmd::findings::Command),
    /// What the rules could not judge (无法判断): counts by field, rule, unit or record type.
    Gaps(cmd::gaps::Args),
    /// Reports: sweep, units, complaints, coverage or publicity, as HTML, CSV or JSON.
    Report(cmd::report::Args),
    /// Exports for other systems: `behaviour`, the records in the national field names.
    #[command(subcommand)]
    Export(cmd::report::ExportCommand),
    /// Supervision cases (监督案件): the findings one unit must rectify.
    #[command(subcommand)]
    Cases(cmd::cases::Command),
    /// Complaints and reports: intake, routing, handovers, deadlines, feedback.
    #[command(subcommand)]
    Complaints(cmd::complaints::Command),
    /// The case graph: export it (DOT, JSON, SVG) or analyse it.
    #[command(subcommand)]
    Graph(cmd::graph::Command),
    /// The server: HTTP API and pages, and the nightly sweep (default 02:00 Beijing time).
    Serve(cmd::serve::Args),
    /// The hash-chained audit log.
    #[command(subcommand)]
    Audit(cmd::audit::Command),
    /// Web users and their roles: add, passwd, disable, enable, token, list.
    #[command(subcommand)]
    Users(cmd::users::Command),
}

/// An error caused by what the user gave us (exit code 2), as opposed to a failure.
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

fn exit_code(err: &anyhow::Error) -> u8 {
    let bad_input = err.chain().any(|cause| {
        cause.is::<BadInput>()
            || cause.is::<jiandu_calendar::NoCalendarData>()
            || cause.is::<jiandu_ingest::IngestError>()
            || cause.is::<jiandu_calendar::PeriodParseError>()
            || cause.is::<jiandu_model::DateParseError>()
            // A file that is not there is the same mistake in every command.
            || cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
    });
    if bad_input { 2 } else { 1 }
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("JIANDU_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error")),
        )
        .with_writer(std::io::stderr)
        .init();
    // A panic is a bug in jiandu, never the user's fault: it ends with the documented code 1
    // and a one-line message (the hook below), not Rust's 101.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli)));
    let Ok(outcome) = outcome else {
        eprintln!(
            "error: jiandu stopped on an internal error (内部错误; see the line above); please report it"
        );
        return ExitCode::from(1);
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        // `jiandu … | head`: the reader went away, as with the panic hook below.
        Err(err)
            if err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::from(141)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(exit_code(&err))
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = || Settings::resolve(cli.db.as_deref(), cli.rules.as_deref());
    match cli.command {
        Command::Calendar(args) => cmd::calendar::run(&settings()?, args),
        Command::Demo(args) => runtime()?.block_on(cmd::demo::run(settings()?, &cli.profile, args)),
        Command::Bench(args) => {
            runtime()?.block_on(cmd::bench::run(settings()?, &cli.profile, args))
        }
        Command::Init => runtime()?.block_on(cmd::init::run(&settings()?)),
        Command::Import(args) => runtime()?.block_on(cmd::import::run(&settings()?, args)),
        Command::Records(command) => runtime()?.block_on(cmd::records::run(&settings()?, command)),
        Command::Check(args) => cmd::check::run(&settings()?, &cli.profile, args),
        Command::Explain(args) => {
            runtime()?.block_on(cmd::explain::run(&settings()?, &cli.profile, args))
        }
        Command::Fields(args) => cmd::fields::run(&settings()?, &cli.profile, args),
        Command::Rules(command) => cmd::rules::run(&settings()?, &cli.profile, command),
        Command::Sweep(args) => {
            runtime()?.block_on(cmd::sweep::run(&settings()?, &cli.profile, args))
        }
        Command::Worker(args) => {
            runtime()?.block_on(cmd::sweep::worker(&settings()?, &cli.profile, args))
        }
        Command::Findings(command) => {
            runtime()?.block_on(cmd::findings::run(&settings()?, command))
        }
        Command::Report(args) => {
            runtime()?.block_on(cmd::report::run(&settings()?, &cli.profile, args))
        }
        Command::Export(command) => {
            runtime()?.block_on(cmd::report::export(&settings()?, &cli.profile, command))
        }
        Command::Gaps(args) => {
            runtime()?.block_on(cmd::gaps::run(&settings()?, &cli.profile, args))
        }
        Command::Cases(command) => runtime()?.block_on(cmd::cases::run(&settings()?, command)),
        Command::Complaints(command) => {
            runtime()?.block_on(cmd::complaints::run(&settings()?, &cli.profile, command))
        }
        Command::Graph(command) => {
            runtime()?.block_on(cmd::graph::run(&settings()?, &cli.profile, command))
        }
        Command::Serve(args) => {
            runtime()?.block_on(cmd::serve::run(settings()?, cli.profile.clone(), args))
        }
        Command::Audit(command) => runtime()?.block_on(cmd::audit::run(&settings()?, command)),
        Command::Users(command) => runtime()?.block_on(cmd::users::run(&settings()?, command)),
    }
}

/// `jiandu … | head` closes standard output early; `print!` then panics. Stop quietly with
/// the status a shell gives a process killed by SIGPIPE, as Unix tools do. Any other panic
/// is told in one line (a rule's is caught and becomes that record's `error`; the rest end
/// the command with code 1 in `main`); `RUST_BACKTRACE=1` gives Rust's full report.
fn quiet_on_closed_pipe() {
    let default_hook = std::panic::take_hook();
    let full = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        if full {
            default_hook(info);
        } else {
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            eprintln!("internal error (内部错误){place}: {message}");
        }
    }));
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
