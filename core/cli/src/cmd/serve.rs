//! `jiandu serve`: the HTTP server with the nightly sweep beside it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    /// Seconds between looks at the complaints' deadlines (urging overdue items, reminders).
    #[arg(long, default_value_t = 60)]
    pub watch_every: u64,
    /// Seconds before a mail that could not be sent is tried again (doubling each time, at
    /// most an hour).
    #[arg(long, default_value_t = 30)]
    pub mail_retry: u64,
    /// Behind a reverse proxy that terminates TLS: trust its `X-Forwarded-Proto` (cookies are
    /// marked Secure when it says https) and `X-Forwarded-For` (the address login limits count).
    #[arg(long)]
    pub behind_proxy: bool,
    /// Always mark the session cookie Secure (the site is only reached over HTTPS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key); cookies are then Secure.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Hours a session lasts without use (it ends at the latest 12 hours after login).
    #[arg(long, default_value_t = 2)]
    pub session_idle_hours: u64,
    /// After each nightly sweep, mail the sweep report and the coverage warnings to this
    /// address (repeatable; default: `report_to` in jiandu.toml).
    #[arg(long, value_name = "ADDR")]
    pub report_to: Vec<String>,
}

pub async fn run(settings: Settings, profile: String, args: Args) -> Result<()> {
    let profile_name = profile.clone();
    let store = settings.open_store().await?;
    let sweep_at: TimeOfDay = args
        .sweep_at
        .clone()
        .or_else(|| settings.sweep_at.clone())
        .unwrap_or_else(|| DEFAULT_SWEEP_AT.to_owned())
        .parse()
        .map_err(BadInput)?;
    // Fail now, not at two in the morning, if the rules do not load. The pages show this
    // set (rules, explain traces); the nightly sweep loads the directory afresh each night.
    let rules = Arc::new(settings.rule_set(None, &profile)?);
    let status = Arc::new(Mutex::new(SchedulerStatus::default()));

    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            Some(jiandu_web::Tls::from_pem_files(cert, key).map_err(BadInput)?)
        }
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    println!(
        "jiandu serve: listening on {scheme}://{addr} (database {})",
        jiandu_store::redact(store.url())
    );
    let complaints = match settings.complaints(store.clone(), &profile_name) {
        Ok(service) => Some(Arc::new(service)),
        Err(err) => {
            println!("complaints: off ({err:#})");
            None
        }
    };
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
            report_to: if args.report_to.is_empty() {
                settings.report_to.clone()
            } else {
                args.report_to.clone()
            },
            complaints: complaints.clone(),
        };
        tokio::spawn(nightly.run());
    }
    if let Some(service) = &complaints {
        match &settings.platform_token {
            Some(_) => {
                println!("complaints: intake at POST {scheme}://{addr}/api/v1/platform/complaints")
            }
            None => println!("complaints: intake off (no JIANDU_PLATFORM_TOKEN)"),
        }
        tokio::spawn(watch(
            service.clone(),
            Duration::from_secs(args.watch_every.max(1)),
        ));
    }
    match &settings.smtp_url {
        Some(url) => {
            let sender = jiandu_mail::Sender::new(url, &settings.mail_from)
                .map_err(|e| BadInput(e.to_string()))?;
            println!("mail: sending through {}", jiandu_model::redact_url(url));
            let options = jiandu_mail::SenderOptions {
                poll: Duration::from_secs(1),
                retry_base: Duration::from_secs(args.mail_retry.max(1)),
                ..jiandu_mail::SenderOptions::default()
            };
            tokio::spawn(sender.run(store.clone(), options));
        }
        None => println!("mail: off (no JIANDU_SMTP_URL); notices stay queued in the outbox"),
    }
    if store.list_users().await?.is_empty() {
        println!(
            "pages: no users yet; add one with `jiandu users add NAME --role admin --password-stdin`"
        );
    } else {
        println!("pages: open {scheme}://{addr}/login");
    }
    // Tests and scripts wait for these lines.
    use std::io::Write;
    std::io::stdout().flush()?;

    let policy = jiandu_web::SessionPolicy {
        idle: Duration::from_secs(args.session_idle_hours.clamp(1, 12) * 3600),
        secure: args.secure_cookies || tls.is_some(),
        behind_proxy: args.behind_proxy,
        ..jiandu_web::SessionPolicy::default()
    };
    let app = jiandu_web::app(AppState {
        scheduler: status,
        complaints,
        platform_token: settings.platform_token.clone(),
        rules: Some(rules),
        policy,
        ..AppState::new(store.clone())
    });
    jiandu_web::serve(
        listener,
        app,
        jiandu_web::ServerLimits::default(),
        tls,
        shutdown(),
    )
    .await
    .context("the server stopped")?;
    store.close().await;
    Ok(())
}

/// Looks at the complaints' deadlines every `every`.
async fn watch(service: Arc<jiandu_complaints::Complaints>, every: Duration) {
    loop {
        match service.watch(jiandu_model::clock::now()).await {
            Ok(w) if w.urged + w.supervised + w.due_soon_mails > 0 => tracing::info!(
                urged = w.urged,
                supervised = w.supervised,
                reminders = w.due_soon_mails,
                "deadline watch"
            ),
            Ok(_) => {}
            Err(err) => tracing::error!(%err, "the deadline watch failed"),
        }
        tokio::time::sleep(every).await;
    }
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
