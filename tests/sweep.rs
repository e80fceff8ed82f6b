//! Sweeps: nothing new after the demo, findings that keep their identity, crash safety with
//! `kill -9`, several workers on PostgreSQL, the audit chain, cases and replay.

use std::time::{Duration, Instant};

use jiandu_store::Store;
use serde_json::Value;

use crate::support::db::{TestDb, postgres, sqlite};
use crate::support::{
    block_on, copy_dir, current_findings, fixture, for_each_db, import_data, jiandu, repo_root,
    run_expect, shared_demo, stderr, stdout, sweep_json,
};

fn n(summary: &Value, key: &str) -> u64 {
    summary[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} in {summary}"))
}

#[test]
fn demo_then_sweep_finds_nothing_new() {
    let (dir, printed) = shared_demo();
    assert!(printed.contains("findings per rule"), "{printed}");
    assert!(printed.contains("findings per unit"), "{printed}");
    assert!(printed.contains("complaints: 320 pushes"), "{printed}");
    assert!(
        printed.contains("CPL-SIGN-1WD"),
        "complaints are judged: {printed}"
    );
    let url = format!("sqlite://{}", dir.join("jiandu.db").display());
    let open_before = current_findings(&url).len() as u64;
    assert!(
        open_before > 500,
        "the demo's sweep filed its findings: {open_before}"
    );

    // Run in the demo directory, with its jiandu.toml naming the database.
    let output = run_expect(jiandu(dir).args(["sweep", "--format", "json"]), 0);
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(n(&summary, "records_evaluated"), 0, "{summary}");
    assert_eq!(n(&summary, "findings_new"), 0, "{summary}");
    for key in [
        "sweep_id",
        "rule_evaluations",
        "findings_reopened",
        "findings_resolved",
        "findings_unchanged",
        "errors",
        "seconds",
    ] {
        assert!(summary.get(key).is_some(), "{key} missing from {summary}");
    }

    let output = run_expect(jiandu(dir).args(["sweep", "--full", "--format", "json"]), 0);
    let full: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(n(&full, "findings_new"), 0, "{full}");
    assert_eq!(n(&full, "findings_reopened"), 0, "{full}");
    assert_eq!(n(&full, "findings_resolved"), 0, "{full}");
    assert_eq!(n(&full, "findings_unchanged"), open_before, "{full}");
    assert!(n(&full, "records_evaluated") >= 5000, "{full}");
    assert_eq!(current_findings(&url).len() as u64, open_before);
}

/// A second fresh database on the same backend as `db`.
fn twin(db: &TestDb) -> TestDb {
    match db.backend {
        "sqlite" => sqlite(),
        _ => postgres().expect("PostgreSQL was reachable a moment ago"),
    }
}

pub(crate) fn batches_done(url: &str) -> (Option<i64>, u64, u64) {
    block_on(async {
        let store = Store::open(url).await.expect("store");
        let running = store.running_sweep().await.expect("sweeps");
        let result = match &running {
            Some(info) => {
                let totals = store.sweep_totals(info.sweep_id).await.expect("totals");
                (
                    Some(info.sweep_id),
                    totals.batches_done,
                    totals.batches_total,
                )
            }
            None => (None, 0, 0),
        };
        store.close().await;
        result
    })
}

/// Starts `jiandu sweep --full` in batches of 40 and kills it (SIGKILL) once a batch is
/// done; returns what `batches_done` said at that moment.
pub(crate) fn kill_full_sweep_after_its_first_batch(
    url: &str,
    backend: &str,
) -> (Option<i64>, u64, u64) {
    let mut child = jiandu(&repo_root())
        .args([
            "--db",
            url,
            "sweep",
            "--full",
            "--batch-size",
            "40",
            "--parallel",
            "1",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the sweep starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    let seen = loop {
        let seen = batches_done(url);
        if seen.1 >= 1 {
            break seen;
        }
        assert!(
            Instant::now() < deadline,
            "{backend}: no batch was written in two minutes"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    child.kill().expect("kill -9"); // SIGKILL on Unix
    child.wait().expect("the killed sweep is reaped");
    seen
}

#[test]
fn a_sweep_killed_mid_way_resumes_to_the_findings_of_a_clean_sweep() {
    let (demo, _) = shared_demo();
    for_each_db(|a| {
        let b = twin(a);
        import_data(&a.url, &demo.join("data"));
        import_data(&b.url, &demo.join("data"));

        let (sweep_id, done, total) = kill_full_sweep_after_its_first_batch(&a.url, a.backend);
        let (still_running, done_after_kill, _) = batches_done(&a.url);
        assert_eq!(
            still_running, sweep_id,
            "{}: the sweep was cut short",
            a.backend
        );
        assert!(
            done_after_kill < total,
            "{}: killed after {done} of {total} batches",
            a.backend
        );

        let resumed = sweep_json(&a.url, &[]);
        assert_eq!(resumed["resumed"], true, "{}: {resumed}", a.backend);
        assert_eq!(resumed["sweep_id"].as_i64(), sweep_id, "{resumed}");
        let clean = sweep_json(&b.url, &["--full"]);
        assert_eq!(clean["resumed"], false);

        let killed = current_findings(&a.url);
        assert!(killed.len() > 500, "{}: {}", a.backend, killed.len());
        assert_eq!(
            killed,
            current_findings(&b.url),
            "{}: same findings",
            a.backend
        );
        // No finding was filed twice: one "new" audit event each, and the chain is intact.
        let news = block_on(async {
            let store = Store::open(&a.url).await.unwrap();
            let findings = store
                .list_findings(&jiandu_store::FindingFilter::default())
                .await
                .unwrap();
            let mut news = 0;
            for f in &findings {
                let events = store
                    .audit_events_of("finding", &f.finding_id.to_string())
                    .await
                    .unwrap();
                news += events.iter().filter(|e| e.action == "new").count();
            }
            store.close().await;
            (news, findings.len())
        });
        assert_eq!(news.0, news.1, "{}: one `new` event per finding", a.backend);
        let verify = run_expect(
            jiandu(&repo_root()).args(["--db", &a.url, "audit", "verify"]),
            0,
        );
        assert!(stdout(&verify).contains("intact"));
    });
}

#[test]
fn two_workers_on_postgres_give_the_findings_of_one_process() {
    let Some(single) = postgres() else { return };
    let shared = postgres().expect("a second schema");
    let (demo, _) = shared_demo();
    import_data(&single.url, &demo.join("data"));
    import_data(&shared.url, &demo.join("data"));
    sweep_json(&single.url, &["--full"]);

    // This process plans the sweep and waits; the two workers do every batch.
    let coordinator = jiandu(&repo_root())
        .args([
            "--db",
            &shared.url,
            "sweep",
            "--full",
            "--parallel",
            "0",
            "--batch-size",
            "100",
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the coordinator starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while batches_done(&shared.url).0.is_none() {
        assert!(Instant::now() < deadline, "the sweep was never planned");
        std::thread::sleep(Duration::from_millis(20));
    }
    let workers: Vec<_> = (0..2)
        .map(|_| {
            jiandu(&repo_root())
                .args(["--db", &shared.url, "worker", "--once"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("a worker starts")
        })
        .collect();
    let mut processed = Vec::new();
    for worker in workers {
        let output = worker.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let text = stdout(&output);
        let batches: u64 = text
            .split_whitespace()
            .find_map(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("{text}"));
        processed.push(batches);
    }
    let output = coordinator.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let total_batches = n(&summary, "records_evaluated").div_ceil(100);
    assert_eq!(
        processed.iter().sum::<u64>(),
        total_batches,
        "{processed:?}"
    );
    assert_eq!(processed.len(), 2, "{processed:?}");
    assert!(
        processed.iter().all(|&p| p > 0),
        "both workers took batches: {processed:?}"
    );
    assert_eq!(current_findings(&shared.url), current_findings(&single.url));
}

fn findings_json(url: &str, args: &[&str]) -> Vec<Value> {
    let output = run_expect(
        jiandu(&repo_root())
            .args([
                "--db", url, "findings", "list", "--format", "json", "--limit", "0",
            ])
            .args(args),
        0,
    );
    stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn the_finding(url: &str, record: &str, rule: &str) -> Value {
    let mut found = findings_json(url, &["--record", record, "--rule", rule]);
    assert_eq!(found.len(), 1, "{record} {rule}: {found:?}");
    found.remove(0)
}

#[test]
fn findings_keep_their_identity_through_edits_and_manual_statuses_survive() {
    for_each_db(|db| {
        let url = db.url.as_str();
        import_data(url, &fixture("sweep"));
        let first = sweep_json(url, &[]);
        // Violations only: what could not be judged is a gap, not a finding (INS-ITEM-LISTED
        // among them: no item catalogue was imported, so it cannot tell).
        assert_eq!(n(&first, "findings_new"), 4, "{first}");
        let kept: Vec<(String, String)> = findings_json(url, &[])
            .iter()
            .map(|f| {
                (
                    f["record_id"].as_str().unwrap().to_owned(),
                    f["rule_id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut kept = kept;
        kept.sort();
        assert_eq!(
            kept,
            [
                ("SW-C-1", "CPL-SIGN-1WD"),
                ("SW-P-DOUBLE", "PEN-DOUBLE-FINE"),
                ("SW-P-SERVED", "PEN-SERVICE-7WD"),
                ("SW-P-SUMMARY", "PEN-SUMMARY-LIMIT")
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        // What could not be judged is counted the same way on both backends, by any grouping.
        let gaps = |by: &str| -> Vec<Value> {
            let output = run_expect(
                jiandu(&repo_root()).args(["--db", url, "gaps", "--by", by, "--format", "json"]),
                0,
            );
            serde_json::from_slice(&output.stdout).unwrap()
        };
        for by in ["field", "rule", "unit", "record-type"] {
            let total: u64 = gaps(by)
                .iter()
                .map(|g| g["judgements"].as_u64().unwrap())
                .sum();
            assert_eq!(total, n(&first, "unknown"), "{}: --by {by}", db.backend);
        }
        let by_type = gaps("record-type");
        let penalty = by_type.iter().find(|g| g["key"] == "penalty").unwrap();
        assert_eq!(penalty["label"], "行政处罚");
        assert_eq!(penalty["records"], 3, "{by_type:?}");
        let late = the_finding(url, "SW-P-SERVED", "PEN-SERVICE-7WD");
        assert_eq!(late["status"], "open");
        assert_eq!(late["outcome"], "violation");
        let id = late["finding_id"].as_i64().unwrap();
        let before: Vec<Value> = findings_json(url, &[]);

        // Served in time: exactly that finding closes.
        run_expect(
            jiandu(&repo_root())
                .args(["--db", url, "import", "records"])
                .arg(fixture("sweep/served-in-time.jsonl")),
            0,
        );
        let fixed = sweep_json(url, &[]);
        assert!(n(&fixed, "records_evaluated") >= 1, "{fixed}");
        assert_eq!(n(&fixed, "findings_resolved"), 1, "{}: {fixed}", db.backend);
        assert_eq!(n(&fixed, "findings_new"), 0, "{fixed}");
        let after = findings_json(url, &[]);
        assert_eq!(before.len(), after.len());
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b["finding_id"], a["finding_id"]);
            let expected = if b["finding_id"] == id {
                "resolved_by_data"
            } else {
                b["status"].as_str().unwrap()
            };
            assert_eq!(a["status"], expected, "{a}");
        }

        // Late again: the same finding comes back under its id.
        run_expect(
            jiandu(&repo_root())
                .args(["--db", url, "import", "records"])
                .arg(fixture("sweep/served-late.jsonl")),
            0,
        );
        let reverted = sweep_json(url, &[]);
        assert_eq!(n(&reverted, "findings_reopened"), 1, "{reverted}");
        assert_eq!(n(&reverted, "findings_new"), 0, "{reverted}");
        let back = the_finding(url, "SW-P-SERVED", "PEN-SERVICE-7WD");
        assert_eq!(back["finding_id"].as_i64(), Some(id));
        assert_eq!(back["status"], "open");

        // People decide; sweeps keep their decisions.
        let summary = the_finding(url, "SW-P-SUMMARY", "PEN-SUMMARY-LIMIT");
        let summary_id = summary["finding_id"].to_string();
        let refused = run_expect(
            jiandu(&repo_root()).args([
                "--db",
                url,
                "findings",
                "set-status",
                &summary_id,
                "dismissed",
            ]),
            2,
        );
        assert!(
            stderr(&refused).contains("needs a reason"),
            "{}",
            stderr(&refused)
        );
        run_expect(
            jiandu(&repo_root()).args([
                "--db",
                url,
                "findings",
                "set-status",
                &summary_id,
                "dismissed",
                "--reason",
                "罚款依据为地方性法规的特别规定",
                "--actor",
                "法制科王某",
            ]),
            0,
        );
        run_expect(
            jiandu(&repo_root()).args([
                "--db",
                url,
                "findings",
                "set-status",
                &id.to_string(),
                "confirmed",
            ]),
            0,
        );
        let full = sweep_json(url, &["--full"]);
        assert_eq!(n(&full, "findings_new"), 0, "{full}");
        assert_eq!(
            the_finding(url, "SW-P-SUMMARY", "PEN-SUMMARY-LIMIT")["status"],
            "dismissed"
        );
        assert_eq!(
            the_finding(url, "SW-P-SERVED", "PEN-SERVICE-7WD")["status"],
            "confirmed"
        );
        let shown = run_expect(
            jiandu(&repo_root()).args(["--db", url, "findings", "show", &summary_id]),
            0,
        );
        let shown = stdout(&shown);
        assert!(shown.contains("罚款依据为地方性法规的特别规定"), "{shown}");
        assert!(shown.contains("法制科王某"), "{shown}");

        // Filters.
        let unit = findings_json(url, &["--unit", "441803-scjg", "--outcome", "violation"]);
        assert!(!unit.is_empty());
        assert!(
            unit.iter()
                .all(|f| f["unit_id"] == "441803-scjg" && f["outcome"] == "violation")
        );
        let dated = findings_json(url, &["--from", "2025-01-01", "--to", "2025-12-31"]);
        assert!(!dated.is_empty());
        assert!(
            dated
                .iter()
                .all(|f| f["act_date"].as_str().unwrap().starts_with("2025"))
        );
        assert!(!dated.iter().any(|f| f["record_id"] == "SW-P-SUMMARY"));
    });
}

#[test]
fn cases_move_one_step_at_a_time_and_the_audit_log_detects_tampering() {
    for_each_db(|db| {
        let url = db.url.as_str();
        import_data(url, &fixture("sweep"));
        sweep_json(url, &[]);
        let output = run_expect(
            jiandu(&repo_root()).args([
                "--db",
                url,
                "cases",
                "list",
                "--unit",
                "441802-scjg",
                "--format",
                "json",
            ]),
            0,
        );
        let case: Value =
            serde_json::from_str(stdout(&output).lines().next().expect("a case")).unwrap();
        assert_eq!(case["state"], "open");
        assert!(case["n_current"].as_u64().unwrap() >= 2, "{case}");
        let case_id = case["case_id"].to_string();

        let refused = run_expect(
            jiandu(&repo_root()).args(["--db", url, "cases", "set-state", &case_id, "rectifying"]),
            2,
        );
        assert!(
            stderr(&refused).contains("cannot move"),
            "{}",
            stderr(&refused)
        );
        run_expect(
            jiandu(&repo_root()).args([
                "--db",
                url,
                "cases",
                "set-state",
                &case_id,
                "notified",
                "--note",
                "已发整改通知书",
            ]),
            0,
        );
        let shown = stdout(&run_expect(
            jiandu(&repo_root()).args(["--db", url, "cases", "show", &case_id]),
            0,
        ));
        assert!(shown.contains("notified"), "{shown}");
        assert!(shown.contains("PEN-SERVICE-7WD"), "{shown}");
        assert!(shown.contains("已发整改通知书"), "{shown}");

        let verify = run_expect(
            jiandu(&repo_root()).args(["--db", url, "audit", "verify"]),
            0,
        );
        assert!(stdout(&verify).contains("intact"), "{}", stdout(&verify));
        block_on(async {
            use sqlx::Connection;
            let sql = "UPDATE audit_events SET details = '{\"to\":\"closed\"}' WHERE event_id = 3";
            if db.backend == "sqlite" {
                let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            } else {
                let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
        });
        let broken = run_expect(
            jiandu(&repo_root()).args(["--db", url, "audit", "verify"]),
            1,
        );
        assert!(stderr(&broken).contains("event 3"), "{}", stderr(&broken));
    });
}

#[test]
fn replay_shows_per_rule_what_a_changed_rule_directory_would_do_and_writes_nothing() {
    let db = sqlite();
    let url = db.url.as_str();
    import_data(url, &fixture("sweep"));
    sweep_json(url, &[]);
    let before = current_findings(url);

    // A copy of the rules without PEN-SERVICE-7WD and with a rule that flags every penalty.
    let dir = crate::support::temp_dir();
    copy_dir(&repo_root().join("rules"), dir.path());
    std::fs::remove_file(dir.path().join("penalty/PEN-SERVICE-7WD.rhai")).unwrap();
    std::fs::remove_file(dir.path().join("penalty/PEN-SERVICE-7WD.cases.json")).unwrap();
    std::fs::write(
        dir.path().join("penalty/T-EVERY-PENALTY.rhai"),
        "/*---\nid = \"T-EVERY-PENALTY\"\ntitle_zh = \"每一件处罚\"\ntitle_en = \"Every penalty\"\nrecord_types = [\"penalty\"]\n\n[[versions]]\nbasis = \"测试\"\ncheck = \"check\"\n---*/\nfn check(r) { hint(\"处罚\", \"a penalty\") }\n",
    )
    .unwrap();

    let output = run_expect(
        jiandu(&repo_root())
            .args(["--db", url, "rules", "replay"])
            .arg(dir.path())
            .args(["--format", "json"]),
        0,
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = &report["rules"];
    let service_findings = before
        .iter()
        .filter(|(_, rule, _)| rule == "PEN-SERVICE-7WD")
        .count();
    assert_eq!(service_findings, 1);
    assert_eq!(
        rules["PEN-SERVICE-7WD"]["removed"], service_findings,
        "{report}"
    );
    assert_eq!(rules["T-EVERY-PENALTY"]["added"], 3, "{report}");
    assert_eq!(rules["PEN-DOUBLE-FINE"]["unchanged"], 1, "{report}");
    for (rule, delta) in rules.as_object().unwrap() {
        if rule != "PEN-SERVICE-7WD" && rule != "T-EVERY-PENALTY" {
            assert_eq!(
                (&delta["added"], &delta["removed"], &delta["changed"]),
                (&Value::from(0), &Value::from(0), &Value::from(0)),
                "{rule}"
            );
        }
    }
    let text = stdout(&run_expect(
        jiandu(&repo_root())
            .args(["--db", url, "rules", "replay"])
            .arg(dir.path()),
        0,
    ));
    assert!(text.contains("T-EVERY-PENALTY"), "{text}");
    assert!(text.contains("nothing was written"), "{text}");
    assert_eq!(current_findings(url), before, "replay wrote nothing");
}
