//! `jiandu serve`: it answers on a loopback socket and runs the nightly sweep at the
//! configured Beijing time; the cron script runs a sweep without it.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use jiandu_store::Store;

use crate::support::db::sqlite;
use crate::support::{block_on, fixture, import_data, jiandu, repo_root, run_expect, temp_dir};

fn get(addr: &str, path: &str) -> (u16, String) {
    crate::support::http::request(addr, "GET", path, &[], b"")
}

fn completed_sweeps(url: &str) -> Option<i64> {
    block_on(async {
        let store = Store::open(url).await.ok()?;
        let last = store.last_completed_sweep().await.ok()?;
        store.close().await;
        last.map(|s| s.sweep_id)
    })
}

#[test]
fn serve_runs_the_nightly_sweep_at_the_configured_beijing_time_and_mails_its_report() {
    let db = sqlite();
    import_data(&db.url, &fixture("sweep"));
    // The report goes to a real SMTP receiver on loopback (when aiosmtpd is there).
    let inbox = temp_dir();
    let port = crate::support::smtp::free_port();
    let sink = crate::support::smtp::SmtpSink::start(inbox.path(), port);
    // A few seconds from now, written as a Beijing wall-clock time.
    let at = jiandu_model::clock::wall().add_seconds(8);
    let at_text = at.as_datetime().format("%H:%M:%S").to_string();
    let at = jiandu_model::Moment::parse(&format!("{}T{at_text}+08:00", at.date())).unwrap();
    let mut server = jiandu(&repo_root())
        .args([
            "--db",
            &db.url,
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--sweep-at",
            &at_text,
            "--report-to",
            "leader@qingyuan.example",
        ])
        .env("JIANDU_SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let second = lines.next().expect("a second line").unwrap();
    // The server leaves out a zero seconds field (17:04, not 17:04:00).
    let shown = at_text.strip_suffix(":00").unwrap_or(&at_text);
    assert!(second.contains(&format!("at {shown} +08:00")), "{second}");

    let (status, body) = get(&addr, "/healthz");
    assert_eq!(status, 200, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "ok");
    assert!(health["last_sweep"].is_null(), "{health}");
    assert_eq!(completed_sweeps(&db.url), None);

    let deadline = Instant::now() + Duration::from_secs(90);
    while completed_sweeps(&db.url).is_none() {
        assert!(Instant::now() < deadline, "no sweep ran at {at_text}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let ran_at = jiandu_model::clock::wall();
    assert!(ran_at >= at, "the sweep waited for {at_text}");
    let (_, body) = get(&addr, "/healthz");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["last_sweep"]["sweep_id"], 1, "{health}");
    assert!(
        health["scheduler"]["next_run"]
            .as_str()
            .unwrap()
            .ends_with(&format!("T{at_text}+08:00")),
        "the next run is tomorrow at the same time: {health}"
    );
    if let Some(sink) = sink {
        let deadline = Instant::now() + Duration::from_secs(60);
        let report = loop {
            let found = sink
                .messages()
                .into_iter()
                .find(|m| m.contains("Message-ID: <report.sweep.1."));
            if let Some(mail) = found {
                break mail;
            }
            assert!(Instant::now() < deadline, "no report mail arrived");
            std::thread::sleep(Duration::from_millis(200));
        };
        assert!(
            report.starts_with("X-Rcpt-To: leader@qingyuan.example"),
            "{report}"
        );
        assert!(report.contains("multipart/alternative"), "{report}");
        let (_, body) = get(&addr, "/healthz");
        assert!(body.contains("report mailed to 1"), "{body}");
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(!crate::support::current_findings(&db.url).is_empty());
}

#[test]
fn the_cron_script_runs_one_sweep_logs_its_summary_queues_its_report_and_trains_routing() {
    let db = sqlite();
    import_data(&db.url, &fixture("sweep"));
    let home = temp_dir();
    std::fs::write(
        home.path().join("jiandu.toml"),
        format!("database_url = \"{}\"\n", db.url),
    )
    .unwrap();
    run_expect(
        std::process::Command::new("bash")
            .arg(repo_root().join("scripts/nightly-sweep.sh"))
            .env("JIANDU_HOME", home.path())
            .env("JIANDU_BIN", env!("CARGO_BIN_EXE_jiandu"))
            .env("JIANDU_RULES_DIR", repo_root().join("rules"))
            .env(
                "JIANDU_REPORT_TO",
                "legal@qingyuan.example head@qingyuan.example",
            )
            .env_remove("JIANDU_DATABASE_URL"),
        0,
    );
    let log = std::fs::read_to_string(home.path().join("sweeps.log")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    let summary: serde_json::Value = serde_json::from_str(
        lines[0]
            .split_once(' ')
            .map(|(_, json)| json)
            .unwrap_or_else(|| panic!("{log}")),
    )
    .unwrap();
    assert!(
        lines[1].ends_with("routing model: no labelled examples yet; not trained"),
        "{log}"
    );
    assert_eq!(summary["records_evaluated"], 5, "{log}");
    assert!(completed_sweeps(&db.url).is_some());
    let queued: Vec<String> = block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let mails = store.list_mails(None).await.unwrap();
        store.close().await;
        mails
            .into_iter()
            .filter(|m| m.kind == "sweep_report")
            .filter_map(|m| m.to_addr)
            .collect()
    });
    assert_eq!(queued.len(), 2, "{queued:?}");
    assert!(queued.contains(&"head@qingyuan.example".to_owned()));
}

#[test]
fn a_connection_that_sends_nothing_is_closed_and_the_server_still_answers() {
    use std::io::Read;
    let db = crate::support::db::sqlite();
    let server = crate::support::http::Server::start(&db.url, &[], &[]);
    let started = std::time::Instant::now();
    // Many idle connections, then one that sends nothing is watched to its end.
    let idle: Vec<std::net::TcpStream> = (0..200)
        .map(|_| std::net::TcpStream::connect(&server.addr).expect("connects"))
        .collect();
    let (status, _) = get(&server.addr, "/healthz");
    assert_eq!(status, 200, "the server answers beside idle connections");
    let mut silent = std::net::TcpStream::connect(&server.addr).expect("connects");
    silent
        .set_read_timeout(Some(std::time::Duration::from_secs(40)))
        .unwrap();
    let mut buf = [0u8; 64];
    let read = silent.read(&mut buf);
    let waited = started.elapsed();
    assert!(
        matches!(read, Ok(0)),
        "the server closes the connection (EOF), got {read:?} after {waited:?}"
    );
    assert!(waited < std::time::Duration::from_secs(35), "{waited:?}");
    drop(idle);
}
