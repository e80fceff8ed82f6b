//! `jiandu demo --records N` and `jiandu bench`: a database of exactly N records, and every
//! section of the bench run small, its native twins and its intake count checked.

use jiandu_model::RecordType;
use jiandu_store::Store;
use serde_json::Value;

use crate::support::{block_on, jiandu, run_expect, stdout, temp_dir};

#[test]
fn demo_makes_exactly_the_records_asked_for_in_files_of_one_round() {
    let dir = temp_dir();
    let demo = dir.path().join("big");
    run_expect(
        jiandu(dir.path())
            .args(["demo", "--records", "7000", "--dir"])
            .arg(&demo),
        0,
    );
    let files: Vec<String> = std::fs::read_dir(demo.join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("records"))
        .collect();
    let mut files = files;
    files.sort();
    assert_eq!(files, ["records-0001.jsonl", "records-0002.jsonl"]);
    let url = format!("sqlite://{}", demo.join("jiandu.db").display());
    let counts = block_on(async {
        let store = Store::open(&url).await.unwrap();
        let counts = store.count_records_by_type().await.unwrap();
        store.close().await;
        counts
    });
    let acts: u64 = counts
        .iter()
        .filter(|(t, _)| !matches!(t, RecordType::Complaint | RecordType::Report))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(acts, 7000, "{counts:?}");
}

#[test]
fn bench_measures_every_section_against_its_baselines() {
    let dir = temp_dir();
    let out = dir.path().join("bench");
    let mut command = jiandu(dir.path());
    command.args([
        "bench",
        "--quick",
        "--records",
        "1500",
        "--pushes",
        "100",
        "--out",
    ]);
    command.arg(&out);
    let postgres = crate::support::postgres_base_url();
    if let Some(url) = &postgres {
        command.args(["--postgres", url]);
    }
    let output = run_expect(&mut command, 0);
    let text = stdout(&output);
    let file = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap_or_else(|| panic!("no results file\n{text}"));
    let results: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let rows = results["rows"].as_array().unwrap();
    let row = |section: &str, what: &str, backend: &str| -> &Value {
        rows.iter()
            .find(|r| {
                r["section"] == section
                    && r["what"].as_str().unwrap().starts_with(what)
                    && r["backend"] == backend
            })
            .unwrap_or_else(|| panic!("no row {section} / {what} / {backend}\n{text}"))
    };
    // Ten rules against their native twins, every outcome equal.
    let natives: Vec<&Value> = rows
        .iter()
        .filter(|r| r["section"] == "native" && r["what"].as_str().unwrap().contains(": Rhai"))
        .collect();
    assert_eq!(natives.len(), 10, "{text}");
    for native in natives {
        assert!(
            native["note"].as_str().unwrap().contains("outcomes equal"),
            "{native}"
        );
    }
    let mut backends = vec!["SQLite"];
    if postgres.is_some() {
        backends.push("PostgreSQL");
    }
    for backend in backends {
        let full = row("sweep", "full sweep, whole catalogue", backend);
        assert_eq!(full["records"], 1500, "{full}");
        assert_eq!(
            row("sweep", "sweep with nothing changed", backend)["records"],
            0
        );
        // 15 records changed: those and the records sharing a key with them are judged.
        let changed = row("sweep", "incremental, 15 records", backend)["records"]
            .as_u64()
            .unwrap();
        assert!((15..1500).contains(&changed), "{changed}");
        let sql = row("sql", "3 SQL queries", backend);
        assert!(
            sql["note"].as_str().unwrap().contains("PEN-DEADLINE-90D"),
            "{sql}"
        );
        let stored = row("intake", "complaints stored afterwards", backend);
        assert_eq!(
            stored["records"], 270,
            "three levels of 100 pushes, 90 unique each"
        );
        assert!(
            stored["note"].as_str().unwrap().ends_with("exactly these"),
            "{stored}"
        );
        let listed = row("list", "findings list", backend);
        assert!(listed["peak_mb"].as_f64().is_some(), "{listed}");
    }
    let import = row("import", "import records, JSONL", "SQLite");
    assert_eq!(import["records"], 1500);
}
