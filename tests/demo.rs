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
