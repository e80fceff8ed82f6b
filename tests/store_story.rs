//! The store's story, told once and run on SQLite and on PostgreSQL: a database is created,
//! filled, re-filled without change, changed, and read back exactly.

use jiandu_model::{Moment, Record, RecordId, RecordType, ReferenceKind, ReferenceRow};
use jiandu_store::Store;
use serde_json::json;

use crate::support::{block_on, for_each_db};

fn record(value: serde_json::Value) -> Record {
    Record::from_json(value).unwrap()
}

fn at(text: &str) -> Moment {
    Moment::parse(text).unwrap()
}

#[test]
fn records_are_stored_once_updated_in_place_and_read_back_exactly() {
    for_each_db(|db| {
        block_on(async {
            let store = Store::open(&db.url).await.unwrap();
            assert_eq!(store.count_records().await.unwrap(), 0, "{}", db.backend);

            let first = vec![
                record(
                    json!({"record_id": "P-1", "record_type": "penalty", "decision_date": "2025-01-06",
                              "legal_review_date": null, "extension": null, "fine_amount": "200.50",
                              "party": {"name": "张三", "nature": "natural_person"}, "x_local_field": [1, 2]}),
                ),
                record(
                    json!({"record_id": "I-1", "record_type": "inspection", "check_date": "2025-01-03"}),
                ),
            ];
            let summary = store
                .import_records(
                    &first,
                    "a.jsonl",
                    0,
                    at("2025-02-01T10:00:00+08:00"),
                    &|_| {},
                )
                .await
                .unwrap();
            assert_eq!(
                (summary.n_inserted, summary.n_updated, summary.n_unchanged),
                (2, 0, 0)
            );

            let stored = store
                .get_record(&RecordId::parse("P-1").unwrap())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(stored.record, first[0], "{}: read back exactly", db.backend);
            assert_eq!(
                stored.record.lookup("legal_review_date"),
                jiandu_model::Lookup::Null
            );
            assert_eq!(
                stored.record.lookup("collective_discussion_date"),
                jiandu_model::Lookup::Absent
            );
            assert_eq!(stored.updated_at, "2025-02-01T10:00:00+08:00");
            let first_revision = stored.revision;

            // The same content again: nothing changes, not even the timestamps.
            let again = store
                .import_records(
                    &first,
                    "a.jsonl",
                    0,
                    at("2025-02-02T10:00:00+08:00"),
                    &|_| {},
                )
                .await
                .unwrap();
            assert_eq!(
                (again.n_inserted, again.n_updated, again.n_unchanged),
                (0, 0, 2)
            );
            let stored = store
                .get_record(&RecordId::parse("P-1").unwrap())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (stored.revision, stored.updated_at.as_str()),
                (first_revision, "2025-02-01T10:00:00+08:00")
            );

            // A changed record gets a later revision and a new updated_at; its import time stays.
            let changed = vec![record(
                json!({"record_id": "P-1", "record_type": "penalty", "decision_date": "2025-01-07"}),
            )];
            let summary = store
                .import_records(
                    &changed,
                    "b.jsonl",
                    0,
                    at("2025-02-03T10:00:00+08:00"),
                    &|_| {},
                )
                .await
                .unwrap();
            assert_eq!(summary.n_updated, 1);
            let stored = store
                .get_record(&RecordId::parse("P-1").unwrap())
                .await
                .unwrap()
                .unwrap();
            assert!(stored.revision > first_revision);
            assert_eq!(stored.updated_at, "2025-02-03T10:00:00+08:00");
            assert_eq!(stored.imported_at, "2025-02-01T10:00:00+08:00");
            assert_eq!(stored.source, "b.jsonl");
            assert_eq!(
                stored.record.date_at("decision_date").unwrap().to_string(),
                "2025-01-07"
            );

            // Within one batch the later row of a key wins.
            let twice = vec![
                record(
                    json!({"record_id": "D", "record_type": "report", "received_date": "2025-03-01"}),
                ),
                record(
                    json!({"record_id": "D", "record_type": "report", "received_date": "2025-03-02"}),
                ),
            ];
            let summary = store
                .import_records(
                    &twice,
                    "c.jsonl",
                    0,
                    at("2025-02-04T10:00:00+08:00"),
                    &|_| {},
                )
                .await
                .unwrap();
            assert_eq!((summary.n_inserted, summary.n_superseded_in_batch), (1, 1));
            let stored = store
                .get_record(&RecordId::parse("D").unwrap())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(stored.record.act_date().unwrap().to_string(), "2025-03-02");

            let mut by_type = store.count_records_by_type().await.unwrap();
            by_type.sort();
            assert_eq!(
                by_type,
                vec![
                    (RecordType::Inspection, 1),
                    (RecordType::Penalty, 1),
                    (RecordType::Report, 1)
                ]
            );
            store.close().await;

            // Opening again applies no migration twice and finds everything.
            let reopened = Store::open(&db.url).await.unwrap();
            assert_eq!(reopened.count_records().await.unwrap(), 3);
            reopened.close().await;
        });
    });
}

#[test]
fn big_batches_span_several_statements_in_one_transaction() {
    for_each_db(|db| {
        block_on(async {
            let store = Store::open(&db.url).await.unwrap();
            let records: Vec<Record> = (0..1234)
                .map(|i| record(json!({"record_id": format!("R{i:05}"), "record_type": "inspection", "check_date": "2024-06-03"})))
                .collect();
            let progress = std::sync::Mutex::new(Vec::new());
            let summary = store
                .import_records(
                    &records,
                    "big.jsonl",
                    0,
                    at("2025-01-01T00:00:00+08:00"),
                    &|n| progress.lock().unwrap().push(n),
                )
                .await
                .unwrap();
            assert_eq!(summary.n_inserted, 1234);
            assert_eq!(*progress.lock().unwrap(), vec![500, 1000, 1234]);
            assert_eq!(store.count_records().await.unwrap(), 1234);
            store.close().await;
        });
    });
}

#[test]
fn reference_rows_are_keyed_and_listed() {
    for_each_db(|db| {
        block_on(async {
            let store = Store::open(&db.url).await.unwrap();
            let rows: Vec<ReferenceRow> = ["441802-scjg", "441803-scjg"]
                .iter()
                .map(|id| ReferenceRow::from_json(ReferenceKind::Unit, json!({"unit_id": id, "name": format!("unit {id}"), "region_code": &id[..6]})).unwrap())
                .collect();
            let summary = store
                .import_reference(
                    ReferenceKind::Unit,
                    &rows,
                    "u.csv",
                    0,
                    at("2025-01-01T00:00:00+08:00"),
                    &|_| {},
                )
                .await
                .unwrap();
            assert_eq!(summary.n_inserted, 2);
            let listed = store.list_reference(ReferenceKind::Unit).await.unwrap();
            assert_eq!(
                listed.iter().map(|r| r.key()).collect::<Vec<_>>(),
                vec!["441802-scjg", "441803-scjg"]
            );
            assert_eq!(
                store.count_reference(ReferenceKind::Officer).await.unwrap(),
                0
            );
            store.close().await;
        });
    });
}
