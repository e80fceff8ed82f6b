//! Where the parts meet: a hostile rule does not take the process down, a killed sweep with
//! changed rules can be abandoned, and a record whose key moves releases its former partners.

use std::path::Path;

use serde_json::Value;

use crate::support::{
    block_on, copy_dir, current_findings, fixture, for_each_db, import_data, jiandu, repo_root,
    run_expect, shared_demo, stderr, stdout, sweep_json, temp_dir,
};

/// A rule that asks chrono for a date 2^63 days back: it must give `error`, not a panic.
const OVERFLOW: &str = r#"/*---
id = "PEN-ZZ-OVERFLOW"
title_zh = "溢出测试"
title_en = "Overflow probe"
record_types = ["penalty"]
date_field = "decision_date"
reads = ["decision_date"]

[[versions]]
basis = "无"
check = "check"
---*/
fn check(r) {
    let d = add_days(r.decision_date, -9223372036854775808);
    pass()
}
"#;

fn rules_with(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = temp_dir();
    copy_dir(&repo_root().join("rules"), dir.path());
    for (name, text) in extra {
        std::fs::write(dir.path().join("penalty").join(name), text).expect("rule file");
    }
    dir
}

fn import_file(url: &str, rules: &Path, kind: &str, file: &Path) {
    run_expect(
        jiandu(&repo_root())
            .env("JIANDU_RULES_DIR", rules)
            .args(["--db", url, "import", kind])
            .arg(file),
        0,
    );
}

fn sweep_with(url: &str, rules: &Path, args: &[&str], code: i32) -> std::process::Output {
    run_expect(
        jiandu(&repo_root())
            .env("JIANDU_RULES_DIR", rules)
            .args(["--db", url, "sweep", "--format", "json"])
            .args(args),
        code,
    )
}

#[test]
fn a_rule_that_overflows_errors_alone_in_check_and_sweep() {
    let rules = rules_with(&[("PEN-ZZ-OVERFLOW.rhai", OVERFLOW)]);
    let file = fixture("check/penalties.jsonl");
    let output = jiandu(&repo_root())
        .env("JIANDU_RULES_DIR", rules.path())
        .args(["check", "--all"])
        .arg(&file)
        .output()
        .expect("jiandu check runs");
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}\n{}",
        stderr(&output)
    );
    let text = stdout(&output);
    let outcomes: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let probe: Vec<&Value> = outcomes
        .iter()
        .filter(|o| o["rule_id"] == "PEN-ZZ-OVERFLOW")
        .collect();
    let penalties = std::fs::read_to_string(&file).unwrap().lines().count();
    assert_eq!(probe.len(), penalties, "{text}");
    for o in &probe {
        assert_eq!(o["outcome"], "error", "{o}");
        assert!(
            o["message_en"]
                .as_str()
                .unwrap_or_default()
                .contains("out of range"),
            "{o}"
        );
    }

    for_each_db(|db| {
        let plain = crate::support::db::sqlite();
        for (url, dir) in [
            (&db.url, rules.path()),
            (&plain.url, &repo_root().join("rules")),
        ] {
            import_file(url, dir, "records", &file);
            sweep_with(url, dir, &[], 0);
        }
        assert_eq!(
            current_findings(&db.url),
            current_findings(&plain.url),
            "{}: every other rule's findings are unchanged",
            db.backend
        );
        let gaps = run_expect(
            jiandu(&repo_root())
                .env("JIANDU_RULES_DIR", rules.path())
                .args(["--db", &db.url, "gaps", "--by", "rule"]),
            0,
        );
        assert!(
            stdout(&gaps).contains("PEN-ZZ-OVERFLOW"),
            "{}",
            stdout(&gaps)
        );
    });
}

#[test]
fn a_killed_sweep_with_rules_since_changed_is_abandoned_and_the_next_one_completes() {
    let (demo, _) = shared_demo();
    let changed = rules_with(&[]);
    let rule = changed.path().join("penalty/PEN-DOUBLE-FINE.rhai");
    let text = std::fs::read_to_string(&rule).unwrap();
    std::fs::write(&rule, format!("{text}\n// changed after the sweep began\n")).unwrap();
    for_each_db(|db| {
        import_data(&db.url, &demo.join("data"));
        crate::sweep::kill_full_sweep_after_its_first_batch(&db.url, db.backend);
        let (Some(killed), _, _) = crate::sweep::batches_done(&db.url) else {
            panic!("{}: the sweep finished before it was killed", db.backend);
        };

        let refused = sweep_with(&db.url, changed.path(), &[], 1);
        assert!(
            stderr(&refused).contains("--abandon"),
            "{}",
            stderr(&refused)
        );
        let abandoned = run_expect(
            jiandu(&repo_root())
                .env("JIANDU_RULES_DIR", changed.path())
                .args([
                    "--db",
                    &db.url,
                    "sweep",
                    "--abandon",
                    "--reason",
                    "rules changed",
                ]),
            0,
        );
        assert!(
            stdout(&abandoned).contains(&format!("sweep {killed} abandoned")),
            "{}",
            stdout(&abandoned)
        );
        let next: Value =
            serde_json::from_slice(&sweep_with(&db.url, changed.path(), &[], 0).stdout)
                .expect("one JSON object");
        assert_eq!(next["full"], true, "{next}");
        assert_eq!(
            next["reason"],
            format!("sweep {killed} was abandoned"),
            "{next}"
        );
        // The abandoned sweep's batches and the new one give what a full sweep gives.
        let again: Value =
            serde_json::from_slice(&sweep_with(&db.url, changed.path(), &["--full"], 0).stdout)
                .unwrap();
        assert_eq!(again["findings_new"], 0, "{again}");
        assert_eq!(again["findings_resolved"], 0, "{again}");
        assert_eq!(again["findings_reopened"], 0, "{again}");
        let audit = run_expect(
            jiandu(&repo_root()).args(["--db", &db.url, "audit", "verify"]),
            0,
        );
        assert!(stdout(&audit).contains("intact"), "{}", stdout(&audit));
    });
}

fn penalty(id: &str, act: &str, date: &str) -> String {
    serde_json::json!({
        "record_id": id, "record_type": "penalty", "decision_date": date, "act_id": act,
        "penalty_types": ["fine"], "fine_amount": 3000,
        "agency": {"name": "清远市城市管理和综合执法局"},
    })
    .to_string()
}

#[test]
fn a_penalty_whose_act_id_moves_releases_its_former_partner_in_an_incremental_sweep() {
    for_each_db(|db| {
        let dir = temp_dir();
        let first = dir.path().join("first.jsonl");
        std::fs::write(
            &first,
            format!(
                "{}\n{}\n",
                penalty("P-1", "A1", "2024-04-01"),
                penalty("P-2", "A1", "2024-05-10")
            ),
        )
        .unwrap();
        let rules = repo_root().join("rules");
        import_file(&db.url, &rules, "records", &first);
        sweep_json(&db.url, &[]);
        let double = |url: &str| -> Vec<String> {
            current_findings(url)
                .into_iter()
                .filter(|(_, rule, _)| rule == "PEN-DOUBLE-FINE")
                .map(|(record, _, outcome)| format!("{record} {outcome}"))
                .collect()
        };
        assert_eq!(
            double(&db.url),
            vec!["P-2 violation".to_owned()],
            "{}",
            db.backend
        );

        let moved = dir.path().join("moved.jsonl");
        std::fs::write(&moved, format!("{}\n", penalty("P-1", "A2", "2024-04-01"))).unwrap();
        import_file(&db.url, &rules, "records", &moved);
        let sweep = sweep_json(&db.url, &[]);
        assert_eq!(sweep["full"], false, "{sweep}");
        assert_eq!(
            double(&db.url),
            Vec::<String>::new(),
            "{}: {sweep}",
            db.backend
        );
    });
}

/// The rules whose findings the concurrency test moves back and forth.
const MOVED: [&str; 4] = [
    "publicity/PUB-INSPECTION-20WD",
    "inspection/INS-OFFICERS-2",
    "publicity/PUB-DECISION-7WD",
    "penalty/PEN-OFFICERS-2",
];

/// Replays one finding's audit events: each change must start from the status the previous
/// one left, and the last must be the stored status. A lost update breaks the chain.
fn replay_statuses(
    events: &[jiandu_store::StoredAuditEvent],
) -> Result<jiandu_model::FindingStatus, String> {
    use jiandu_model::FindingStatus;
    let parse = |v: &Value| -> Result<FindingStatus, String> {
        v.as_str()
            .ok_or_else(|| format!("no status in {v}"))?
            .parse()
            .map_err(|e: String| e)
    };
    let mut current: Option<FindingStatus> = None;
    for e in events {
        let expect = |from: FindingStatus| -> Result<(), String> {
            match current {
                Some(now) if now == from => Ok(()),
                other => Err(format!(
                    "event {} `{}` starts from {from}, the finding was {other:?}",
                    e.event_id, e.action
                )),
            }
        };
        match e.action.as_str() {
            "new" => current = Some(FindingStatus::Open),
            "changed" => {}
            "status" => {
                expect(parse(&e.details["from"])?)?;
                current = Some(parse(&e.details["to"])?);
            }
            "resolved_by_data" => {
                expect(parse(&e.details["previous_status"])?)?;
                current = Some(FindingStatus::ResolvedByData);
            }
            "reopened" => {
                expect(FindingStatus::ResolvedByData)?;
                current = Some(parse(&e.details["status"])?);
            }
            other => return Err(format!("unexpected event `{other}`")),
        }
    }
    current.ok_or_else(|| "no events".into())
}

#[test]
fn status_changes_during_sweeps_on_postgres_are_never_lost() {
    use jiandu_model::FindingStatus;
    use jiandu_store::{FindingFilter, Store, StoreError};
    let Some(db) = crate::support::db::postgres() else {
        return;
    };
    let (demo, _) = shared_demo();
    import_data(&db.url, &demo.join("data"));
    let full = repo_root().join("rules");
    let fewer = rules_with(&[]);
    for rule in MOVED {
        std::fs::remove_file(fewer.path().join(format!("{rule}.rhai"))).unwrap();
    }
    sweep_with(&db.url, &full, &[], 0);
    let ids: Vec<i64> = block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let mut ids = Vec::new();
        for rule in MOVED {
            let id = rule.split('/').nth(1).unwrap();
            let filter = FindingFilter {
                rule_id: Some(id.into()),
                ..FindingFilter::default()
            };
            ids.extend(
                store
                    .list_findings(&filter)
                    .await
                    .unwrap()
                    .iter()
                    .map(|f| f.finding_id),
            );
        }
        store.close().await;
        ids
    });
    assert!(ids.len() > 100, "{} findings to move", ids.len());

    // Sweeps take the findings away and give them back while people change their statuses.
    let url = db.url.clone();
    let (full_dir, fewer_dir) = (full.clone(), fewer.path().to_path_buf());
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let finished = done.clone();
    let sweeper = std::thread::spawn(move || {
        for _ in 0..2 {
            sweep_with(&url, &fewer_dir, &["--batch-size", "25"], 0);
            sweep_with(&url, &full_dir, &["--batch-size", "25"], 0);
        }
        finished.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let ids = std::sync::Arc::new(ids);
    let (changed, refused, conflicts) = block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let people: Vec<_> = (0..4u64)
            .map(|person| {
                let store = store.clone();
                let ids = ids.clone();
                let done = done.clone();
                tokio::spawn(async move {
                    let (mut changed, mut refused, mut conflicts) = (0u64, 0u64, 0u64);
                    let mut rng = Lcg(person * 7919 + 1);
                    while !done.load(std::sync::atomic::Ordering::SeqCst) {
                        let id = ids[rng.next(ids.len() as u64) as usize];
                        let (to, reason) = match rng.next(4) {
                            0 => (FindingStatus::Confirmed, None),
                            1 => (FindingStatus::Rectified, None),
                            2 => (FindingStatus::Dismissed, Some("经核实不构成违法")),
                            _ => (FindingStatus::Open, None),
                        };
                        let actor = format!("person-{person}");
                        match store
                            .set_finding_status(id, to, reason, &actor, jiandu_model::clock::now())
                            .await
                        {
                            Ok(Ok(_)) => changed += 1,
                            Ok(Err(_)) => refused += 1,
                            Err(StoreError::Conflict { .. }) => conflicts += 1,
                            Err(other) => panic!("{other:#}"),
                        }
                    }
                    (changed, refused, conflicts)
                })
            })
            .collect();
        let mut totals = (0, 0, 0);
        for person in people {
            let r = person.await.expect("a person's task");
            totals = (totals.0 + r.0, totals.1 + r.1, totals.2 + r.2);
        }
        store.close().await;
        totals
    });
    sweeper.join().expect("the sweeps completed");
    assert!(changed > 0, "no status change went through");

    let (status_events, resolutions) = block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let (mut status_events, mut resolutions) = (0u64, 0u64);
        for id in ids.iter() {
            let events = store
                .audit_events_of("finding", &id.to_string())
                .await
                .unwrap();
            status_events += events.iter().filter(|e| e.action == "status").count() as u64;
            resolutions += events
                .iter()
                .filter(|e| e.action == "resolved_by_data")
                .count() as u64;
            let stored = store
                .get_finding(*id)
                .await
                .unwrap()
                .expect("the finding")
                .status;
            assert_eq!(
                replay_statuses(&events),
                Ok(stored),
                "finding {id}: {events:#?}"
            );
        }
        store.close().await;
        (status_events, resolutions)
    });
    assert_eq!(
        status_events, changed,
        "every change that went through is in the audit log"
    );
    assert!(
        resolutions >= 2 * ids.len() as u64,
        "the sweeps resolved every finding twice: {resolutions}"
    );
    crate::support::db::notice(&format!(
        "concurrency: {changed} changes, {refused} refused (resolved by the data), {conflicts} conflicts"
    ));
    let audit = run_expect(
        jiandu(&repo_root()).args(["--db", &db.url, "audit", "verify"]),
        0,
    );
    assert!(stdout(&audit).contains("intact"), "{}", stdout(&audit));
}

#[test]
fn the_database_lets_only_one_sweep_run() {
    use jiandu_store::{Store, StoreError, SweepPlan};
    for_each_db(|db| {
        block_on(async {
            let store = Store::open(&db.url).await.unwrap();
            let plan = SweepPlan {
                full: true,
                reason: "test".into(),
                ruleset_hash: "h".into(),
                from_revision: 0,
                to_revision: 0,
                batches: vec![vec!["R1".into()]],
            };
            let now = jiandu_model::clock::now();
            let first = store.create_sweep(&plan, now).await.unwrap();
            match store.create_sweep(&plan, now).await {
                Err(StoreError::SweepRunning { sweep_id }) => assert_eq!(sweep_id, first),
                other => panic!("{}: a second running sweep: {other:?}", db.backend),
            }
            let abandoned = store.abandon_sweep("test", "probe", now).await.unwrap();
            assert_eq!(abandoned.map(|s| s.sweep_id), Some(first));
            assert_eq!(
                store
                    .abandon_sweep("test", "again", now)
                    .await
                    .unwrap()
                    .map(|s| s.sweep_id),
                None
            );
            let second = store.create_sweep(&plan, now).await.unwrap();
            assert!(second > first);
            let events = store
                .audit_events_of("sweep", &first.to_string())
                .await
                .unwrap();
            assert_eq!(events.len(), 1, "{events:?}");
            assert_eq!(events[0].action, "abandoned");
            assert_eq!(events[0].details["reason"], "probe");
            store.close().await;
        });
    });
}

/// A small deterministic generator (the test's own, so it never changes with a dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// One record of the property test: few acts, parties, agencies and check codes, so that
/// records link to one another and edits move them between groups.
fn linked_record(rng: &mut Lcg, id: usize) -> Value {
    let agency = [
        "清城区市场监督管理局",
        "清远市城市管理和综合执法局",
        "英德市生态环境局",
    ][rng.next(3) as usize];
    let party = json_party(rng.next(4));
    let day = format!("2024-0{}-{:02}", 3 + rng.next(6), 1 + rng.next(27));
    if id % 3 == 0 {
        serde_json::json!({
            "record_id": format!("I-{id}"), "record_type": "inspection", "check_date": day,
            "check_action_code": format!("C{}", rng.next(4)), "party": party,
            "agency": {"name": agency},
        })
    } else {
        let types = if rng.next(4) == 0 {
            vec!["warning"]
        } else {
            vec!["fine"]
        };
        serde_json::json!({
            "record_id": format!("P-{id}"), "record_type": "penalty", "decision_date": day,
            "act_id": format!("A{}", rng.next(4)), "penalty_types": types,
            "fine_amount": 1000 + 500 * rng.next(6), "party": party,
            "check_action_code": format!("C{}", rng.next(4)), "agency": {"name": agency},
        })
    }
}

fn json_party(k: u64) -> Value {
    serde_json::json!({"name": format!("清远市测试{k}有限公司"), "nature": "legal_person"})
}

fn write_jsonl(path: &Path, records: &[&Value]) {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).unwrap();
}

#[test]
fn an_incremental_sweep_ends_with_the_findings_of_a_full_one_over_random_edits() {
    let rules = repo_root().join("rules");
    let mut linked_findings = 0;
    for seed in [7u64, 2026] {
        let (a, dir) = (crate::support::db::sqlite(), temp_dir());
        let mut rng = Lcg(seed);
        let mut records: Vec<Value> = (0..24).map(|id| linked_record(&mut rng, id)).collect();
        let all = dir.path().join("all.jsonl");
        write_jsonl(&all, &records.iter().collect::<Vec<_>>());
        import_file(&a.url, &rules, "records", &all);
        sweep_with(&a.url, &rules, &[], 0);
        for step in 0..8 {
            // Edit a few records (their keys among them) or add one.
            let mut edited = Vec::new();
            for _ in 0..1 + rng.next(3) {
                let i = rng.next(records.len() as u64 + 1) as usize;
                let fresh = linked_record(&mut rng, i);
                if i == records.len() {
                    records.push(fresh);
                } else {
                    // Keep the record's identity and type; take the new values.
                    let id = records[i]["record_id"].clone();
                    let kind = records[i]["record_type"].clone();
                    records[i] = fresh;
                    records[i]["record_id"] = id;
                    records[i]["record_type"] = kind;
                }
                edited.push(i);
            }
            let changed = dir.path().join(format!("step-{step}.jsonl"));
            write_jsonl(
                &changed,
                &edited.iter().map(|&i| &records[i]).collect::<Vec<_>>(),
            );
            import_file(&a.url, &rules, "records", &changed);
            let incremental: Value =
                serde_json::from_slice(&sweep_with(&a.url, &rules, &[], 0).stdout).unwrap();
            assert_eq!(incremental["full"], false, "{incremental}");

            let b = crate::support::db::sqlite();
            write_jsonl(&all, &records.iter().collect::<Vec<_>>());
            import_file(&b.url, &rules, "records", &all);
            sweep_with(&b.url, &rules, &[], 0);
            let full = current_findings(&b.url);
            linked_findings += full
                .iter()
                .filter(|(_, rule, _)| rule == "PEN-DOUBLE-FINE" || rule.starts_with("INS-FREQ"))
                .count();
            assert_eq!(
                current_findings(&a.url),
                full,
                "seed {seed}, step {step}: edited {edited:?}"
            );
        }
    }
    assert!(
        linked_findings > 0,
        "the edits never made a cross-record finding"
    );
}

#[test]
fn importing_the_item_catalogue_judges_the_items_again() {
    let rules = repo_root().join("rules");
    for_each_db(|db| {
        let dir = temp_dir();
        let file = dir.path().join("inspections.jsonl");
        std::fs::write(
            &file,
            serde_json::json!({"record_id": "I-1", "record_type": "inspection", "check_date": "2024-05-06",
                               "supervision_item_code": "44011000000117"})
                .to_string()
                + "\n",
        )
        .unwrap();
        import_file(&db.url, &rules, "records", &file);
        sweep_with(&db.url, &rules, &[], 0);
        let listed = |url: &str| {
            crate::support::current_findings(url)
                .into_iter()
                .filter(|(_, rule, _)| rule == "INS-ITEM-LISTED")
                .count()
        };
        assert_eq!(
            listed(&db.url),
            0,
            "{}: no catalogue, no judgement",
            db.backend
        );
        let items = dir.path().join("items.csv");
        std::fs::write(
            &items,
            "item_code,name,department_code,kind,listed_from\n44011000000100,对食品生产经营者的监督检查,scjg,检查,2018-01-01\n",
        )
        .unwrap();
        import_file(&db.url, &rules, "items", &items);
        let sweep: Value =
            serde_json::from_slice(&sweep_with(&db.url, &rules, &[], 0).stdout).unwrap();
        assert_eq!(
            sweep["reason"], "the rules, profile, calendar or item catalogue changed",
            "{sweep}"
        );
        assert_eq!(
            listed(&db.url),
            1,
            "{}: the item is not in the catalogue now",
            db.backend
        );
    });
}

/// The plain SHA-256 link an attacker with database access can compute (audit.rs, unkeyed).
fn unkeyed_hash(prev: &str, id: i64, fields: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [prev.to_owned(), id.to_string()].iter().chain(fields) {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Edits event `edit` and re-hashes the chain from it on, as someone with the database but
/// without the key would; or, with `cut`, deletes the last event and moves the head back.
async fn tamper(url: &str, edit: i64, cut: bool) {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    if cut {
        let head: (i64,) = sqlx::query_as("SELECT last_id FROM audit_head WHERE id = 1")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        sqlx::query("DELETE FROM audit_events WHERE event_id = $1")
            .bind(head.0)
            .execute(&mut conn)
            .await
            .unwrap();
        let last: (String,) = sqlx::query_as("SELECT hash FROM audit_events WHERE event_id = $1")
            .bind(head.0 - 1)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1")
            .bind(head.0 - 1)
            .bind(last.0)
            .execute(&mut conn)
            .await
            .unwrap();
        return;
    }
    sqlx::query("UPDATE audit_events SET actor = 'someone else' WHERE event_id = $1")
        .bind(edit)
        .execute(&mut conn)
        .await
        .unwrap();
    let rows = sqlx::query(
        "SELECT event_id, at, actor, entity, entity_id, action, details, prev_hash FROM audit_events \
         WHERE event_id >= $1 ORDER BY event_id",
    )
    .bind(edit)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut prev: String = rows[0].get(7);
    let mut last = (0i64, String::new());
    for row in &rows {
        let id: i64 = row.get(0);
        let fields: Vec<String> = (1..=6).map(|i| row.get::<String, _>(i)).collect();
        let hash = unkeyed_hash(&prev, id, &fields);
        sqlx::query("UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE event_id = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(id)
            .execute(&mut conn)
            .await
            .unwrap();
        prev = hash.clone();
        last = (id, hash);
    }
    sqlx::query("UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1")
        .bind(last.0)
        .bind(last.1)
        .execute(&mut conn)
        .await
        .unwrap();
}

#[test]
fn a_keyed_audit_log_detects_a_rewritten_chain_and_an_anchor_a_cut_tail() {
    let dir = temp_dir();
    let url = format!("sqlite://{}", dir.path().join("jiandu.db").display());
    let run = |args: &[&str], code: i32| {
        run_expect(jiandu(dir.path()).args(["--db", &url]).args(args), code)
    };
    let init = run(&["init"], 0);
    assert!(
        stdout(&init).contains("audit key: created jiandu-audit.key"),
        "{}",
        stdout(&init)
    );
    assert!(dir.path().join("jiandu-audit.key").exists());
    let config = std::fs::read_to_string(dir.path().join("jiandu.toml")).unwrap();
    assert!(
        config.contains("audit_key_file = \"jiandu-audit.key\""),
        "{config}"
    );
    run(&["import", "records"], 2); // a missing file argument is bad input, nothing written
    let file = fixture("check/penalties.jsonl");
    run(&["import", "records", file.to_str().unwrap()], 0);
    run(&["sweep"], 0);
    let verified = run(&["audit", "verify"], 0);
    assert!(
        stdout(&verified).contains("sealed with the key in jiandu-audit.key"),
        "{}",
        stdout(&verified)
    );
    let anchor = stdout(&run(&["audit", "anchor"], 0)).trim().to_owned();
    let (n, _) = anchor.split_once(':').expect("ID:HASH");
    let n: i64 = n.parse().unwrap();
    assert!(n >= 3, "{anchor}");

    // A copy of the database, its chain rewritten without the key.
    let copy = temp_dir();
    std::fs::copy(dir.path().join("jiandu.db"), copy.path().join("jiandu.db")).unwrap();
    let copy_url = format!("sqlite://{}", copy.path().join("jiandu.db").display());
    block_on(tamper(&copy_url, 2, false));
    let broken = run_expect(
        jiandu(dir.path()).args(["--db", &copy_url, "audit", "verify"]),
        1,
    );
    assert!(
        stderr(&broken).contains("event 2: it is not sealed with the audit key"),
        "{}",
        stderr(&broken)
    );

    // The tail cut off: the chain itself still links, the anchor does not.
    block_on(tamper(&url, 0, true));
    run(&["audit", "verify"], 0);
    let cut = run(&["audit", "verify", "--anchor", &anchor], 1);
    assert!(stderr(&cut).contains("cut off"), "{}", stderr(&cut));
    let bad = run(&["audit", "verify", "--anchor", "x"], 2);
    assert!(
        stderr(&bad).contains("is not an anchor"),
        "{}",
        stderr(&bad)
    );
}

fn mail(key: &str, to: &str) -> jiandu_store::NewMail {
    jiandu_store::NewMail {
        dedupe_key: key.into(),
        kind: "assignment".into(),
        complaint_id: None,
        unit_id: None,
        to_addr: Some(to.into()),
        subject: "测试".into(),
        body_text: "正文".into(),
        body_html: "<p>正文</p>".into(),
        message_id: format!("<{key}@jiandu>"),
    }
}

#[test]
fn only_the_current_lease_marks_a_mail_and_a_permanent_refusal_is_not_retried() {
    use jiandu_model::Moment;
    use jiandu_store::Store;
    for_each_db(|db| {
        block_on(async {
            let store = Store::open(&db.url).await.unwrap();
            let t0 = Moment::parse("2026-12-01T09:00:00+08:00").unwrap();
            store
                .queue_mails(&[mail("m1", "unit@example.org")], t0)
                .await
                .unwrap();
            let first = store.claim_mail(t0, 60).await.unwrap().expect("due");
            // The first sender stalls past its lease; a second takes the mail over.
            let second = store
                .claim_mail(t0.add_seconds(120), 60)
                .await
                .unwrap()
                .expect("lease over");
            assert_eq!(first.mail_id, second.mail_id);
            assert!(second.lease_token > first.lease_token);
            assert!(
                !store
                    .mark_mail_sent(first.mail_id, first.lease_token, t0)
                    .await
                    .unwrap()
            );
            assert!(
                !store
                    .mark_mail_retry(first.mail_id, first.lease_token, "x", t0)
                    .await
                    .unwrap()
            );
            assert_eq!(
                store.get_mail(first.mail_id).await.unwrap().unwrap().status,
                "queued"
            );
            assert!(
                store
                    .mark_mail_sent(second.mail_id, second.lease_token, t0)
                    .await
                    .unwrap()
            );
            assert!(
                !store
                    .mark_mail_sent(second.mail_id, second.lease_token, t0)
                    .await
                    .unwrap(),
                "sent once"
            );
            assert_eq!(
                store.get_mail(first.mail_id).await.unwrap().unwrap().status,
                "sent"
            );
            store.close().await;
        });
    });

    let dir = temp_dir();
    let port = crate::support::smtp::free_port();
    let Some(sink) = crate::support::smtp::SmtpSink::start(&dir.path().join("mail"), port) else {
        return;
    };
    let db = crate::support::db::sqlite();
    block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let now = jiandu_model::clock::wall();
        store
            .queue_mails(
                &[
                    mail("bad", "reject@example.org"),
                    mail("good", "unit@example.org"),
                ],
                now,
            )
            .await
            .unwrap();
        let sender = jiandu_mail::Sender::new(
            &format!("smtp://127.0.0.1:{port}"),
            "jiandu <jiandu@localhost>",
        )
        .unwrap();
        let options = jiandu_mail::SenderOptions::default();
        let mut attempts = Vec::new();
        while let Some(attempt) = sender.send_next(&store, &options).await.unwrap() {
            attempts.push(format!("{attempt:?}"));
        }
        assert_eq!(attempts.len(), 2, "{attempts:?}");
        assert!(attempts[0].starts_with("Failed"), "{attempts:?}");
        assert!(attempts[0].contains("550"), "{attempts:?}");
        assert!(attempts[1].starts_with("Sent"), "{attempts:?}");
        let mails = store.list_mails(None).await.unwrap();
        let status: Vec<(&str, &str)> = mails
            .iter()
            .map(|m| (m.dedupe_key.as_str(), m.status.as_str()))
            .collect();
        assert_eq!(status, vec![("bad", "failed"), ("good", "sent")]);
        store.close().await;
    });
    assert_eq!(sink.messages().len(), 1);
}

#[test]
fn fuzz_regressions_and_seeds_never_panic() {
    let root = repo_root().join("tests/fuzz");
    let mut replayed = 0;
    for target in ["import", "push", "rule_meta"] {
        for kind in ["seeds", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(kind).join(target)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "md") {
                    continue;
                }
                let data = std::fs::read(&path).unwrap();
                // The same calls as tests/fuzz/fuzz_targets/*.rs.
                match target {
                    "import" => {
                        if let Some((&choice, body)) = data.split_first() {
                            // A zip is a workbook; other bytes are text in the format the first byte picks.
                            let format = match choice % 3 {
                                _ if body.starts_with(b"PK\x03\x04") => jiandu_ingest::Format::Xlsx,
                                0 => jiandu_ingest::Format::Csv,
                                1 => jiandu_ingest::Format::Json,
                                _ => jiandu_ingest::Format::Jsonl,
                            };
                            let mapping =
                                jiandu_ingest::Mapping::parse(FUZZ_MAPPING, "fuzz.toml").unwrap();
                            let options = jiandu_ingest::ReadOptions {
                                format: Some(format),
                                ..Default::default()
                            };
                            if let Ok(source) =
                                jiandu_ingest::read_bytes(body.to_vec(), "fuzz", &options)
                            {
                                let _ = mapping.check_columns(&source);
                                let _ = jiandu_ingest::parse_records(&source, &mapping);
                            }
                        }
                    }
                    "push" => {
                        let _ = jiandu_complaints::envelope::parse(&data);
                    }
                    _ => {
                        if let Ok(text) = std::str::from_utf8(&data) {
                            let _ = jiandu_rules::parse_front_matter(text, "FUZZ.rhai");
                        }
                    }
                }
                replayed += 1;
            }
        }
    }
    assert!(replayed >= 5, "{replayed} inputs replayed");
}

/// The mapping of tests/fuzz/fuzz_targets/import.rs.
const FUZZ_MAPPING: &str = include_str!("fuzz/mapping.toml");
