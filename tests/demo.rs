//! `jiandu demo`: a fresh SQLite database with realistic data, made again on request.

use jiandu_model::RecordType;
use jiandu_store::Store;

use crate::support::{block_on, jiandu, run_expect, stderr, stdout, temp_dir};

#[test]
fn demo_makes_a_database_with_thousands_of_records_of_every_kind() {
    let dir = temp_dir();
    let demo = dir.path().join("x");
    let output = run_expect(jiandu(dir.path()).args(["demo", "--dir"]).arg(&demo), 0);
    let text = stdout(&output);
    assert!(text.contains("planted procedural defects"), "{text}");
    let url = format!("sqlite://{}", demo.join("jiandu.db").display());
    let counts = block_on(async {
        let store = Store::open(&url).await.unwrap();
        let counts = store.count_records_by_type().await.unwrap();
        assert!(store.count_records().await.unwrap() >= 5000);
        assert_eq!(
            store
                .count_reference(jiandu_model::ReferenceKind::Unit)
                .await
                .unwrap(),
            55
        );
        store.close().await;
        counts
    });
    for record_type in [
        RecordType::Inspection,
        RecordType::Penalty,
        RecordType::CompulsoryMeasure,
        RecordType::CompulsoryExecution,
    ] {
        assert!(
            counts.iter().any(|(t, n)| *t == record_type && *n >= 300),
            "{record_type}: {counts:?}"
        );
    }
    // Findings are violations, warnings and hints; what could not be judged is a gap.
    let findings = stdout(&run_expect(
        jiandu(&demo).args(["findings", "list", "--limit", "0", "--format", "json"]),
        0,
    ));
    let mut outcomes = std::collections::BTreeSet::new();
    let mut found = std::collections::BTreeSet::new();
    for line in findings.lines() {
        let finding: serde_json::Value = serde_json::from_str(line).unwrap();
        outcomes.insert(finding["outcome"].as_str().unwrap().to_owned());
        if finding["status"] != "resolved_by_data" {
            found.insert((
                finding["record_id"].as_str().unwrap().to_owned(),
                finding["rule_id"].as_str().unwrap().to_owned(),
            ));
        }
    }
    // Every defect the generator planted is found by the rule it was planted for, record by
    // record (a rule that found fewer, or other records, fails here).
    let rules_of: std::collections::BTreeMap<&str, Vec<&str>> = jiandu_demo::defects()
        .iter()
        .map(|d| (d.id, d.rule.split(", ").collect()))
        .collect();
    let records = std::fs::read_to_string(demo.join("data/records.jsonl")).unwrap();
    let mut planted = std::collections::BTreeMap::<&str, (u64, Vec<String>)>::new();
    for line in records.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = record["record_id"].as_str().unwrap();
        for code in record["demo_defects"].as_array().into_iter().flatten() {
            let code = code.as_str().unwrap();
            let rules = rules_of
                .get(code)
                .unwrap_or_else(|| panic!("unknown defect {code}"));
            for rule in rules {
                let entry = planted.entry(rule).or_default();
                entry.0 += 1;
                if !found.contains(&(id.to_owned(), (*rule).to_owned())) {
                    entry.1.push(id.to_owned());
                }
            }
        }
    }
    assert!(planted.len() >= 20, "{planted:?}");
    let missed: Vec<_> = planted.iter().filter(|(_, (_, m))| !m.is_empty()).collect();
    assert!(missed.is_empty(), "planted defects not found: {missed:?}");
    assert!(outcomes.contains("violation"), "{outcomes:?}");
    for outcome in &outcomes {
        assert!(
            ["violation", "warning", "hint"].contains(&outcome.as_str()),
            "{outcome}"
        );
    }
    let gaps: Vec<serde_json::Value> = serde_json::from_str(&stdout(&run_expect(
        jiandu(&demo).args(["gaps", "--by", "field", "--format", "json"]),
        0,
    )))
    .unwrap();
    let by_rule: Vec<serde_json::Value> = serde_json::from_str(&stdout(&run_expect(
        jiandu(&demo).args(["gaps", "--by", "rule", "--format", "json"]),
        0,
    )))
    .unwrap();
    let total = |rows: &[serde_json::Value]| -> u64 {
        rows.iter().map(|r| r["judgements"].as_u64().unwrap()).sum()
    };
    assert!(!gaps.is_empty());
    assert_eq!(total(&gaps), total(&by_rule));
    assert!(
        text.contains(&format!("not judged: {} unknown", total(&gaps))),
        "{text}"
    );
    let open_items = gaps
        .iter()
        .find(|g| g["key"] == "mediation_end_date")
        .expect("complaints still in mediation lack its end");
    assert_eq!(open_items["label"], "调解终止日期");
    let table = stdout(&run_expect(
        jiandu(&demo).args(["gaps", "--by", "field"]),
        0,
    ));
    assert!(
        table.lines().any(|l| l.starts_with("mediation_end_date")
            && l.contains("调解终止日期")
            && l.contains(&open_items["records"].to_string())),
        "{table}"
    );
    // A stored record is explained from the database.
    let first_finding: serde_json::Value =
        serde_json::from_str(findings.lines().next().unwrap()).unwrap();
    let record_id = first_finding["record_id"].as_str().unwrap();
    let rule_id = first_finding["rule_id"].as_str().unwrap();
    let explained = stdout(&run_expect(jiandu(&demo).args(["explain", record_id]), 0));
    assert!(
        explained.starts_with(&format!("record {record_id} (")),
        "{explained}"
    );
    let verdict = explained
        .split("\n\n")
        .find(|block| block.starts_with(rule_id))
        .unwrap_or_else(|| panic!("{rule_id} in {explained}"));
    assert!(
        verdict.contains(&format!(
            "outcome: {}",
            first_finding["outcome"].as_str().unwrap()
        )),
        "{verdict}"
    );
    let missing = run_expect(jiandu(&demo).args(["explain", "NO-SUCH-RECORD"]), 2);
    assert!(
        stderr(&missing).contains("no record with record_id `NO-SUCH-RECORD`"),
        "{}",
        stderr(&missing)
    );

    // A unit is named by its name as well as its id.
    let list = |unit: &str| {
        stdout(&run_expect(
            jiandu(&demo).args(["findings", "list", "--limit", "0", "--unit", unit]),
            0,
        ))
    };
    let by_id = list("441802-scjg");
    assert!(by_id.contains("441802-scjg"), "{by_id}");
    assert_eq!(by_id, list("清城区市场监督管理局"));
    let unknown = run_expect(
        jiandu(&demo).args(["findings", "list", "--unit", "清城区市场监管局"]),
        2,
    );
    assert!(
        stderr(&unknown).contains("the closest: 清城区市场监督管理局 (441802-scjg)"),
        "{}",
        stderr(&unknown)
    );

    // The demo directory works as a jiandu working directory.
    let init = run_expect(jiandu(&demo).arg("init"), 0);
    assert!(
        stdout(&init).contains(&demo.join("jiandu.db").display().to_string()),
        "{}",
        stdout(&init)
    );

    // A second run replaces the demo database; the same seed gives the same data.
    let first = std::fs::read(demo.join("data/records.jsonl")).unwrap();
    run_expect(jiandu(dir.path()).args(["demo", "--dir"]).arg(&demo), 0);
    assert_eq!(
        first,
        std::fs::read(demo.join("data/records.jsonl")).unwrap()
    );
}

#[test]
fn demo_never_deletes_a_database_it_did_not_make() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("jiandu.db"), b"precious").unwrap();
    let output = run_expect(jiandu(dir.path()).args(["demo", "--dir", "."]), 1);
    assert!(
        stderr(&output).contains("did not make"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(dir.path().join("jiandu.db")).unwrap(),
        b"precious"
    );
}
