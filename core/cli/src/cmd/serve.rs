//! `jiandu serve`: the HTTP server with the nightly sweep beside it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use jiandu_web::{AppState, NightlySweep, SchedulerStatus, TimeOfDay};

use crate::BadInput;
use crate::settings::Settings;

pub const DEFAULT_SWEEP_AT: &str = "02:00";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// When to run the nightly sweep, Beijing time (default: `sweep_at` in jiandu.toml, else 02:00).
    #[arg(long, value_name = "HH:MM")]
    pub sweep_at: Option<String>,
    /// Do not run sweeps from the server (cron or a timer runs `jiandu sweep` instead).
    #[arg(long)]
    pub no_nightly_sweep: bool,
}

pub async fn run(settings: Settings, profile: String, args: Args) -> Result<()> {
    let store = settings.open_store().await?;
    let sweep_at: TimeOfDay = args
        .sweep_at
        .clone()
        .or_else(|| settings.sweep_at.clone())
        .unwrap_or_else(|| DEFAULT_SWEEP_AT.to_owned())
        .parse()
        .map_err(BadInput)?;
    // Fail now, not at two in the morning, if the rules do not load.
    settings.rule_set(None, &profile)?;
    let status = Arc::new(Mutex::new(SchedulerStatus::default()));

    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    println!(
        "jiandu serve: listening on http://{addr} (database {})",
        jiandu_store::redact(store.url())
    );
    if args.no_nightly_sweep {
        println!("nightly sweep: off (--no-nightly-sweep)");
    } else {
        let next = sweep_at.next_after(jiandu_model::clock::wall());
        println!("nightly sweep: every day at {sweep_at} +08:00, next {next}");
        let loader_settings = settings.clone();
        let nightly = NightlySweep {
            store: store.clone(),
            rules: Arc::new(move || {
                loader_settings
                    .rule_set(None, &profile)
                    .inspect(|set| {
                        super::check::report_broken(set);
                    })
                    .map_err(|e| format!("{e:#}"))
            }),
            at: sweep_at,
            options: jiandu_sweep::SweepOptions {
                worker: "nightly".into(),
                ..jiandu_sweep::SweepOptions::default()
            },
            status: status.clone(),
        };
        tokio::spawn(nightly.run());
    }
    // Tests and scripts wait for this line.
    use std::io::Write;
    std::io::stdout().flush()?;

    let app = jiandu_web::app(AppState {
        store: store.clone(),
        scheduler: status,
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .context("the server stopped")?;
    store.close().await;
    Ok(())
}

/// Ctrl-C or SIGTERM (systemd's stop).
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    println!("jiandu serve: stopping");
}
