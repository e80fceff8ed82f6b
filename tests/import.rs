//! `jiandu import`: atomic batches, rejects kept with reasons, mappings, updates in place.

use jiandu_model::RecordId;
use jiandu_store::Store;
use serde_json::{Value, json};

use crate::support::{
    TestDb, block_on, fixture, for_each_db, jiandu, run_expect, stderr, stdout, temp_dir,
};

fn count_records(db: &TestDb) -> u64 {
    block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let n = store.count_records().await.unwrap();
        store.close().await;
        n
    })
}

fn stored_body(db: &TestDb, id: &str) -> Value {
    block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let stored = store
            .get_record(&RecordId::parse(id).unwrap())
            .await
            .unwrap();
        store.close().await;
        stored
            .unwrap_or_else(|| panic!("{id} is stored"))
            .record
            .to_json()
    })
}

#[test]
fn a_bad_date_fails_the_whole_batch_naming_file_line_and_field() {
    for_each_db(|db| {
        let dir = temp_dir();
        let file = fixture("import/penalties-bad-date.csv");
        let output = run_expect(
            jiandu(dir.path())
                .args(["import", "records"])
                .arg(&file)
                .args(["--db", &db.url]),
            2,
        );
        let message = stderr(&output);
        assert!(
            message.contains("penalties-bad-date.csv:4 (data row 3)"),
            "{}: {message}",
            db.backend
        );
        assert!(
            message.contains("field `decision_date` (column 7): `2024-13-45` is not a date"),
            "{message}"
        );
        assert!(message.contains("nothing was imported"), "{message}");
        assert_eq!(
            count_records(db),
            0,
            "{}: no row of the failed batch may land",
            db.backend
        );
    });
}

#[test]
fn skip_invalid_imports_the_good_rows_and_keeps_the_rejects() {
    for_each_db(|db| {
        let dir = temp_dir();
        let rejects = dir.path().join("rejects.jsonl");
        let output = run_expect(
            jiandu(dir.path())
                .args(["import", "records"])
                .arg(fixture("import/penalties-bad-date.csv"))
                .args(["--db", &db.url, "--skip-invalid", "--rejects"])
                .arg(&rejects),
            0,
        );
        assert!(stdout(&output).contains("4 new"), "{}", stdout(&output));
        assert_eq!(count_records(db), 4, "{}", db.backend);
        let lines: Vec<Value> = std::fs::read_to_string(&rejects)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["line"], 4);
        assert_eq!(lines[0]["data_row"], 3);
        assert_eq!(lines[0]["row"]["record_id"], "CF-2024-003");
        assert_eq!(lines[0]["reasons"][0]["field"], "decision_date");

        // Absent and null survive the trip through CSV and the store.
        let body = stored_body(db, "CF-2024-004");
        assert_eq!(body["service_date"], Value::Null);
        assert!(
            body.get("officers").is_none(),
            "an empty cell is an absent field"
        );
        assert!(body.get("filing_date").is_some());
    });
}

#[test]
fn reimporting_updates_in_place_and_leaves_unchanged_rows_alone() {
    for_each_db(|db| {
        let dir = temp_dir();
        let file = dir.path().join("records.jsonl");
        let write = |fine: u64| {
            let rows = [
                json!({"record_id": "A", "record_type": "penalty", "fine_amount": fine, "decision_date": "2025-01-06"}),
                json!({"record_id": "B", "record_type": "inspection", "check_date": "2025-01-03"}),
            ];
            std::fs::write(
                &file,
                rows.iter().map(|r| format!("{r}\n")).collect::<String>(),
            )
            .unwrap();
        };
        write(100);
        let first = run_expect(
            jiandu(dir.path())
                .args(["import", "records"])
                .arg(&file)
                .args(["--db", &db.url]),
            0,
        );
        assert!(
            stdout(&first).contains("2 new, 0 updated, 0 unchanged"),
            "{}",
            stdout(&first)
        );
        let again = run_expect(
            jiandu(dir.path())
                .args(["import", "records"])
                .arg(&file)
                .args(["--db", &db.url]),
            0,
        );
        assert!(
            stdout(&again).contains("0 new, 0 updated, 2 unchanged"),
            "{}",
            stdout(&again)
        );
        write(250);
        let changed = run_expect(
            jiandu(dir.path())
                .args(["import", "records"])
                .arg(&file)
                .args(["--db", &db.url]),
            0,
        );
        assert!(
            stdout(&changed).contains("0 new, 1 updated, 1 unchanged"),
            "{}",
            stdout(&changed)
        );
        assert_eq!(stored_body(db, "A")["fine_amount"], 250);
        assert_eq!(count_records(db), 2);
    });
}

#[test]
fn the_internet_plus_supervision_mapping_reads_national_field_names() {
    for_each_db(|db| {
        let dir = temp_dir();
        run_expect(
            jiandu(dir.path())
                .args(["import", "records"])
                .arg(fixture("import/internet-plus-penalties.csv"))
                .arg("--mapping")
                .arg(crate::support::repo_root().join("rules/mappings/internet-plus-penalty.toml"))
                .args(["--db", &db.url]),
            0,
        );
        let body = stored_body(db, "CF-441802-0001");
        assert_eq!(body["record_type"], "penalty");
        assert_eq!(body["procedure"], "ordinary");
        assert_eq!(
            body["penalty_types"],
            json!(["fine", "confiscate_illegal_gains"])
        );
        assert_eq!(body["party"]["nature"], "legal_person");
        assert_eq!(body["agency"]["name"], "清城区市场监督管理局");
        assert_eq!(body["fine_amount"], 15000);
        assert_eq!(body["hearing_held"], false);
        assert_eq!(body["reported_at"], "2025-07-01T09:30:00+08:00");
        assert_eq!(body["check_action_code"], "JC-441802-0001");
        let summary = stored_body(db, "CF-441802-0002");
        assert_eq!(summary["procedure"], "summary");
        assert_eq!(summary["party"]["nature"], "natural_person");
        assert!(summary.get("filing_date").is_none());
    });
}

#[test]
fn reference_data_imports_and_refuses_bad_rows() {
    for_each_db(|db| {
        let dir = temp_dir();
        let units = dir.path().join("units.csv");
        std::fs::write(
            &units,
            "unit_id,name,region_code,email\n441802-scjg,清城区市场监督管理局,441802,scjg@qingyuan.example\n441803-scjg,清新区市场监督管理局,44180,x@qingyuan.example\n",
        )
        .unwrap();
        let output = run_expect(
            jiandu(dir.path())
                .args(["import", "units"])
                .arg(&units)
                .args(["--db", &db.url]),
            2,
        );
        assert!(
            stderr(&output).contains("units.csv:3 (data row 2): field `region_code`"),
            "{}",
            stderr(&output)
        );
        let output = run_expect(
            jiandu(dir.path())
                .args(["import", "units"])
                .arg(&units)
                .args(["--db", &db.url, "--skip-invalid"]),
            0,
        );
        assert!(stdout(&output).contains("1 new"), "{}", stdout(&output));
        let unit = block_on(async {
            let store = Store::open(&db.url).await.unwrap();
            store
                .get_reference(jiandu_model::ReferenceKind::Unit, "441802-scjg")
                .await
                .unwrap()
        });
        assert_eq!(unit.unwrap().text("email"), Some("scjg@qingyuan.example"));
    });
}

#[test]
fn a_mapping_translates_source_words_and_the_store_keeps_the_codes() {
    for_each_db(|db| {
        let dir = temp_dir();
        let mapping = fixture("contract/agency-head.toml");
        let refused = run_expect(
            jiandu(dir.path())
                .args(["--db", &db.url, "import", "records"])
                .arg(fixture("contract/agency-head.json")),
            2,
        );
        assert!(
            stderr(&refused).contains("`agency_head` is not an allowed value"),
            "{}",
            stderr(&refused)
        );
        assert_eq!(count_records(db), 0);
        for file in ["contract/agency-head.json", "contract/messy.csv"] {
            run_expect(
                jiandu(dir.path())
                    .args(["--db", &db.url, "import", "records", "--mapping"])
                    .arg(&mapping)
                    .arg(fixture(file)),
                0,
            );
        }
        let extension = stored_body(db, "EXT-AGENCY-HEAD");
        assert_eq!(
            extension["extensions"][0]["approver_role"], "head",
            "{}: {extension}",
            db.backend
        );
        // Chinese labels become codes; 未知 (unknown) becomes a field not recorded.
        let complaint = stored_body(db, "C1");
        assert_eq!(complaint["record_type"], "complaint");
        assert_eq!(complaint["channel"], "petition");
        assert_eq!(complaint["accepted"], false);
        assert!(complaint.get("nonaccept_ground").is_none(), "{complaint}");
        assert_eq!(stored_body(db, "C2")["channel"], "12345");
    });
}

#[test]
fn a_mapping_that_translates_to_a_word_the_field_cannot_hold_is_refused() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("m.toml"),
        "[values.\"extensions[].approver_role\"]\n\"局长\" = \"director\"\n",
    )
    .unwrap();
    let output = run_expect(
        jiandu(dir.path())
            .args(["import", "records", "--mapping", "m.toml"])
            .arg(fixture("contract/agency-head.json")),
        2,
    );
    let message = stderr(&output);
    assert!(message.contains("m.toml"), "{message}");
    assert!(
        message.contains("not an allowed value of `extensions[].approver_role`"),
        "{message}"
    );
}
