//! Reports and exports: the five reports of the demo as HTML with charts and as CSV and JSON
//! holding the same numbers, the coverage warning for the unit that stopped sending, the
//! publicity export and the behaviour export without any natural person's data, the behaviour
//! export byte for byte the same when run again and read back by the import mappings, the
//! report mail after a sweep, and the reports' pages for each role.

use std::collections::BTreeSet;
use std::path::Path;

use jiandu_calendar::Calendar;
use jiandu_model::Date;
use jiandu_store::Store;
use serde_json::Value;

use crate::support::http::Server;
use crate::support::{
    TestDb, block_on, demo_copy, fixture, for_each_db, jiandu, repo_root, run_expect, shared_demo,
    stdout, temp_dir,
};
use crate::web::Client;

const KINDS: [(&str, &str, &str); 5] = [
    ("sweep", "2026-01-01", "2026-12-31"),
    ("units", "2026-01-01", "2026-06-30"),
    ("complaints", "2026-01-01", "2026-06-30"),
    ("coverage", "2026-01-01", "2026-06-30"),
    ("publicity", "2025-07-01", "2026-06-30"),
];

fn report(url: &str, dir: &Path, kind: &str, from: &str, to: &str, format: &str) -> Vec<u8> {
    let out = dir.join(format!("{kind}-{from}-{to}.{format}"));
    run_expect(
        jiandu(dir)
            .args([
                "--db", url, "report", kind, "--from", from, "--to", to, "--out",
            ])
            .arg(&out),
        0,
    );
    std::fs::read(&out).unwrap()
}

/// A report of the demo data's last half-year (2026-01-01 — 2026-06-30).
fn first_half(url: &str, dir: &Path, kind: &str, format: &str) -> Vec<u8> {
    report(url, dir, kind, "2026-01-01", "2026-06-30", format)
}

/// `&amp;` and the like back to text.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The text of every table cell of the HTML, in order.
fn html_cells(html: &str) -> Vec<String> {
    html.split("<td")
        .skip(1)
        .map(|part| {
            let start = part.find('>').unwrap() + 1;
            let end = part.find("</td>").unwrap();
            unescape(&part[start..end])
        })
        .collect()
}

/// The data cells of the CSV in order: every row of every block but its title and headings,
/// and the warnings (`预警 warning,SUBJECT,MESSAGE`) apart.
fn csv_cells(csv: &[u8]) -> (Vec<String>, Vec<(String, String)>) {
    let csv = csv
        .strip_prefix("\u{feff}".as_bytes())
        .expect("a BOM for Excel");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv);
    let mut cells = Vec::new();
    let mut warnings = Vec::new();
    let mut heading_next = false;
    for (idx, row) in reader.records().enumerate() {
        let row = row.unwrap();
        let first = row.get(0).unwrap_or("");
        if idx == 0 || (row.len() == 1 && first.is_empty()) {
            continue;
        }
        if first.starts_with("# ") {
            heading_next = true;
            continue;
        }
        if heading_next {
            heading_next = false;
            continue;
        }
        if first == "预警 warning" {
            warnings.push((row[1].to_owned(), row[2].to_owned()));
            continue;
        }
        cells.extend(row.iter().map(str::to_owned));
    }
    (cells, warnings)
}

#[test]
fn every_report_of_the_demo_has_a_chart_and_its_csv_and_json_hold_the_numbers_of_its_html() {
    let (demo, _) = shared_demo();
    let url = format!("sqlite://{}", demo.join("jiandu.db").display());
    let dir = temp_dir();
    for (kind, from, to) in KINDS {
        let html = String::from_utf8(report(&url, dir.path(), kind, from, to, "html")).unwrap();
        assert!(html.contains("<svg"), "{kind}: no chart");
        assert!(
            !html.contains("<link") && !html.contains("<script") && !html.contains("src="),
            "{kind}: the HTML must stand alone"
        );
        assert!(html.contains("@page { size: A4"), "{kind}: print CSS");
        assert!(html.contains("清远市司法局") && html.contains(&format!("{from} — {to}")));
        let (cells, warnings) = csv_cells(&report(&url, dir.path(), kind, from, to, "csv"));
        let shown = html_cells(&html);
        assert!(!shown.is_empty(), "{kind}: an empty report proves nothing");
        assert_eq!(cells, shown, "{kind}: the CSV's cells are the HTML's");
        for (subject, message) in &warnings {
            assert!(
                html.contains(&format!("<strong>{subject}</strong>：{message}")),
                "{kind}: warning {subject} missing from the HTML"
            );
        }
        let json: Value =
            serde_json::from_slice(&report(&url, dir.path(), kind, from, to, "json")).unwrap();
        let json_cells: Vec<String> = json["sections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["table"]["rows"].as_array().unwrap().clone())
            .flat_map(|row| row.as_array().unwrap().clone())
            .map(|cell| shown_json(&cell))
            .collect();
        assert_eq!(json_cells, shown, "{kind}: the JSON's cells are the HTML's");
    }
}

/// A JSON cell as the page shows it.
fn shown_json(cell: &Value) -> String {
    match cell["type"].as_str().unwrap() {
        "text" => cell["value"].as_str().unwrap().to_owned(),
        "count" => cell["value"].to_string(),
        "share" => {
            let (n, d) = (
                cell["numerator"].as_u64().unwrap(),
                cell["denominator"].as_u64().unwrap(),
            );
            if d == 0 {
                "—".into()
            } else {
                let tenths = (n * 2000 + d) / (2 * d);
                format!("{}.{}%", tenths / 10, tenths % 10)
            }
        }
        "days" => match cell["value"].as_f64() {
            Some(v) => format!("{v:.1}"),
            None => "—".into(),
        },
        other => panic!("unknown cell type {other}"),
    }
}

/// The demo's records, from the file it imported.
fn demo_records() -> Vec<Value> {
    let (demo, _) = shared_demo();
    std::fs::read_to_string(demo.join("data/records.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_coverage_report_of_the_demo_names_the_unit_that_stopped_sending_records() {
    let (demo, _) = shared_demo();
    let url = format!("sqlite://{}", demo.join("jiandu.db").display());
    // The stopped unit's last act, as the demo data has it.
    let behaviour = [
        "inspection",
        "penalty",
        "compulsory_measure",
        "compulsory_execution",
    ];
    let last = demo_records()
        .iter()
        .filter(|r| {
            r["agency"]["unit_id"] == jiandu_demo::STOPPED_UNIT
                && behaviour.contains(&r["record_type"].as_str().unwrap())
        })
        .filter_map(|r| {
            let kind: jiandu_model::RecordType =
                r["record_type"].as_str().unwrap().parse().unwrap();
            kind.act_date_fields()
                .iter()
                .find_map(|f| r.pointer(&format!("/{}", f.replace('.', "/"))))
                .and_then(Value::as_str)
                .map(|d| d[..10].to_owned())
        })
        .max()
        .unwrap();
    assert!(last.as_str() <= jiandu_demo::STOPPED_AFTER);
    let calendar = Calendar::load(&repo_root().join("rules/calendar/cn-statutory.json")).unwrap();
    let to = Date::parse("2026-06-30").unwrap();
    let silent = calendar
        .working_days_between(Date::parse(&last).unwrap(), to)
        .unwrap();
    let dir = temp_dir();
    let (_, warnings) = csv_cells(&first_half(&url, dir.path(), "coverage", "csv"));
    let expected = format!(
        "最近一条执法记录为 {last}，至 2026-06-30 已 {silent} 个工作日未报送（阈值 20 个工作日） / no record for {silent} working days since {last}"
    );
    let stopped: Vec<&(String, String)> = warnings
        .iter()
        .filter(|(unit, _)| unit == "英德市市场监督管理局")
        .collect();
    assert_eq!(stopped.len(), 1, "{warnings:?}");
    assert!(stopped[0].1.starts_with(&expected), "{}", stopped[0].1);
    // The longest silence first.
    let silences: Vec<u64> = warnings
        .iter()
        .filter_map(|(_, m)| m.split(" 已 ").nth(1)?.split(' ').next()?.parse().ok())
        .collect();
    assert!(silences.windows(2).all(|w| w[0] >= w[1]), "{silences:?}");
}

/// Every natural person's name, document number and address in some records.
fn personal_words(records: &[Value]) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for r in records {
        let party = &r["party"];
        if party["nature"] != "natural_person" {
            continue;
        }
        for field in ["name", "id", "address", "registered_address"] {
            if let Some(word) = party[field].as_str() {
                words.insert(word.to_owned());
            }
        }
    }
    words
}

#[test]
fn the_publicity_export_of_the_demo_contains_no_natural_person_s_name_id_or_address() {
    let (demo, _) = shared_demo();
    let url = format!("sqlite://{}", demo.join("jiandu.db").display());
    let records = demo_records();
    let words = personal_words(&records);
    assert!(
        words.len() > 100,
        "the demo has natural persons: {}",
        words.len()
    );
    let dir = temp_dir();
    for format in ["html", "csv", "json"] {
        let text = String::from_utf8(report(
            &url,
            dir.path(),
            "publicity",
            "2019-01-01",
            "2026-06-30",
            format,
        ))
        .unwrap();
        let found: Vec<&String> = words.iter().filter(|w| text.contains(w.as_str())).collect();
        assert!(found.is_empty(), "publicity {format} shows {found:?}");
        // Natural persons are there, masked: 张某.
        let masked = records
            .iter()
            .filter(|r| r["party"]["nature"] == "natural_person" && r["record_type"] == "penalty")
            .filter_map(|r| r["party"]["name"].as_str())
            .map(jiandu_model::personal::mask_name)
            .filter(|m| text.contains(m.as_str()))
            .count();
        assert!(
            masked > 0,
            "publicity {format} lists natural persons by 张某"
        );
    }
}

/// Imports the hard-to-mask persons of the fixture into a database.
fn import_persons(url: &str, dir: &Path) {
    run_expect(
        jiandu(dir)
            .args(["--db", url, "import", "records"])
            .arg(fixture("reports/natural-persons.jsonl")),
        0,
    );
}

/// Names (two-character surnames among them), identity cards, phones, addresses and bank
/// accounts the fixture's free text repeats.
fn fixture_words() -> Vec<String> {
    let text = std::fs::read_to_string(fixture("reports/natural-persons.jsonl")).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut words: Vec<String> = personal_words(&records).into_iter().collect();
    for r in &records {
        let facts = r["violation_facts"].as_str().unwrap_or("");
        for marker in ["联系电话", "银行账户"] {
            if let Some((_, rest)) = facts.split_once(marker) {
                words.push(rest.chars().take_while(char::is_ascii_digit).collect());
            }
        }
    }
    assert!(words.iter().any(|w| w == "欧阳春花") && words.iter().any(|w| w == "13926481357"));
    assert!(
        words.iter().any(|w| w == "6222021308001234567"),
        "{words:?}"
    );
    words
}

/// Natural persons made for this test: every compound surname the masking knows and common
/// single ones, each with an identity card (valid check character), a mobile number, an
/// address and a bank account, all repeated inside the free text of a penalty and an
/// inspection. Returns the records and every word that must never appear.
fn generated_persons() -> (Vec<Value>, Vec<String>) {
    const SURNAMES: [&str; 16] = [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
        "令狐", "王", "陈", "黄", "梁",
    ];
    const GIVEN: [&str; 4] = ["晓明", "丽", "建国", "雪"];
    const PLACES: [&str; 4] = [
        "清城区东城街道",
        "英德市望埠镇",
        "连州市保安镇",
        "佛冈县石角镇",
    ];
    let mut records = Vec::new();
    let mut words = Vec::new();
    for (i, surname) in SURNAMES.iter().enumerate() {
        let name = format!("{surname}{}", GIVEN[i % GIVEN.len()]);
        let body17 = format!(
            "4418{:02}19{:02}{:02}{:02}{:03}",
            i % 90 + 2,
            50 + i,
            i % 12 + 1,
            i % 28 + 1,
            100 + i
        );
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body17
            .chars()
            .zip(weights)
            .map(|(c, w)| c.to_digit(10).unwrap() * w)
            .sum();
        let check = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"][(sum % 11) as usize];
        let id = format!("{body17}{check}");
        let phone = format!(
            "1{}{:09}",
            [3, 5, 7, 8, 9][i % 5],
            123_456_789 - i * 7_654_321
        );
        let address = format!(
            "{}幸福路{}号{}房",
            PLACES[i % PLACES.len()],
            10 + i,
            101 + i
        );
        let bank = format!("62{:017}", 12_345_678_901_234_567u64 + i as u64 * 1_000_003);
        let party = serde_json::json!({"name": name, "nature": "natural_person", "id_type": "resident_id",
            "id": id, "address": address});
        let agency = serde_json::json!({"name": "清城区市场监督管理局", "unit_id": "441802-scjg"});
        records.push(serde_json::json!({
            "record_id": format!("GEN-PEN-{i}"), "record_type": "penalty", "agency": agency, "party": party,
            "procedure": "ordinary", "decision_date": format!("2026-04-{:02}", i % 28 + 1),
            "penalty_types": ["fine"], "fine_amount": 3000, "decision_doc_no": format!("清城市监罚〔2026〕{}号", 100 + i),
            "violation_facts": format!("当事人{name}，公民身份号码{id}，手机{phone}，住{address}，以其个人账户{bank}收取违法所得。"),
            "penalty_result": format!("对{name}罚款3000元。"),
        }));
        records.push(serde_json::json!({
            "record_id": format!("GEN-INS-{i}"), "record_type": "inspection", "agency": agency, "party": party,
            "check_date": format!("2026-03-{:02}", i % 28 + 1),
            "check_result": format!("{name}（{phone}）在{address}经营，未发现问题。"),
        }));
        words.extend([name, id, phone, address, bank]);
    }
    (records, words)
}

#[test]
fn natural_persons_made_hard_to_mask_appear_in_no_report_export_or_listing() {
    let (generated, generated_words) = generated_persons();
    let mut words = fixture_words();
    words.extend(generated_words);
    for_each_db(|db: &TestDb| {
        let dir = temp_dir();
        import_persons(&db.url, dir.path());
        let file = dir.path().join("generated.jsonl");
        let lines: Vec<String> = generated.iter().map(Value::to_string).collect();
        std::fs::write(&file, lines.join("\n")).unwrap();
        run_expect(
            jiandu(dir.path())
                .args(["--db", &db.url, "import", "records"])
                .arg(&file),
            0,
        );
        run_expect(jiandu(dir.path()).args(["--db", &db.url, "sweep"]), 0);
        let mut outputs: Vec<(String, String)> = Vec::new();
        for (kind, from, to) in KINDS {
            for format in ["html", "csv", "json"] {
                let bytes = report(&db.url, dir.path(), kind, from, to, format);
                outputs.push((
                    format!("{kind}.{format}"),
                    String::from_utf8(bytes).unwrap(),
                ));
            }
        }
        let out = dir.path().join("behaviour");
        run_expect(
            jiandu(dir.path())
                .args([
                    "--db",
                    &db.url,
                    "export",
                    "behaviour",
                    "--from",
                    "2026-01-01",
                    "--to",
                    "2026-06-30",
                    "--out",
                ])
                .arg(&out),
            0,
        );
        for entry in std::fs::read_dir(&out).unwrap() {
            let path = entry.unwrap().path();
            outputs.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
        for id in ["NP-PEN-1", "NP-INS-2", "NP-CMP-3"] {
            let shown = run_expect(
                jiandu(dir.path()).args(["--db", &db.url, "records", "show", id]),
                0,
            );
            outputs.push((format!("records show {id}"), stdout(&shown)));
        }
        let listed = run_expect(
            jiandu(dir.path()).args(["--db", &db.url, "findings", "list"]),
            0,
        );
        outputs.push(("findings list".into(), stdout(&listed)));
        for (name, text) in &outputs {
            let found: Vec<&String> = words.iter().filter(|w| text.contains(w.as_str())).collect();
            assert!(found.is_empty(), "{name} on {}: {found:?}", db.backend);
        }
        // What must be there is there, masked.
        let publicity = &outputs
            .iter()
            .find(|(n, _)| n == "publicity.csv")
            .unwrap()
            .1;
        for masked in ["欧阳某", "司马某", "张某", "李某", "139****1357"] {
            assert!(publicity.contains(masked), "{masked} on {}", db.backend);
        }
        let penalties =
            std::fs::read_to_string(out.join("penalty-2026-01-01-2026-06-30-0001.jsonl")).unwrap();
        assert_eq!(penalties.lines().count(), 4 + 16);
        for masked in ["欧阳某", "诸葛某", "令狐某", "王某"] {
            assert!(
                penalties.contains(&format!(r#""行政相对人":"{masked}""#)),
                "{masked}: {penalties}"
            );
        }
    });
}

/// Every file of a directory with its bytes.
fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&path).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn behaviour_export_twice_writes_the_same_bytes_and_reads_back_through_the_import_mappings() {
    let (_copy, url) = demo_copy();
    let dir = temp_dir();
    let export = |out: &Path, batch: &str| {
        stdout(&run_expect(
            jiandu(dir.path())
                .args([
                    "--db",
                    &url,
                    "export",
                    "behaviour",
                    "--from",
                    "2026-01-01",
                    "--to",
                    "2026-06-30",
                    "--batch-size",
                    batch,
                    "--out",
                ])
                .arg(out),
            0,
        ))
    };
    let first = dir.path().join("first");
    let text = export(&first, "200");
    let before = files_of(&first);
    let second = export(&first, "200");
    assert_eq!(
        files_of(&first),
        before,
        "the same period gives the same files"
    );
    assert!(
        second.ends_with(", 0 exported for the first time\n"),
        "{second}"
    );
    assert!(
        !text.ends_with(", 0 exported for the first time\n"),
        "{text}"
    );
    let other = dir.path().join("other");
    export(&other, "200");
    assert_eq!(
        files_of(&other),
        before,
        "and the same bytes in another directory"
    );

    // The manifest counts and hashes every batch, and the batches hold every behaviour
    // record of the period once.
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(first.join("manifest-2026-01-01-2026-06-30.json")).unwrap(),
    )
    .unwrap();
    let mut total = 0;
    let mut ids = BTreeSet::new();
    for file in manifest["files"].as_array().unwrap() {
        let bytes = std::fs::read(first.join(file["file"].as_str().unwrap())).unwrap();
        assert_eq!(file["sha256"], sha256_hex(&bytes));
        let lines = String::from_utf8(bytes).unwrap();
        assert_eq!(
            lines.lines().count() as u64,
            file["records"].as_u64().unwrap()
        );
        assert!(file["records"].as_u64().unwrap() <= 200);
        total += file["records"].as_u64().unwrap();
        for line in lines.lines() {
            let row: Value = serde_json::from_str(line).unwrap();
            let key = match file["behaviour"].as_str().unwrap() {
                "行政检查行为" => "检查行为编号",
                "行政处罚行为" => "处罚行为编号",
                _ => "强制行为编号",
            };
            let id = row[key].as_str().unwrap().to_owned();
            assert!(ids.insert(id), "each record once");
        }
    }
    assert_eq!(manifest["records"].as_u64().unwrap(), total);
    let behaviour = [
        "inspection",
        "penalty",
        "compulsory_measure",
        "compulsory_execution",
    ];
    let expected: BTreeSet<String> = block_on(async {
        let store = Store::open(&url).await.unwrap();
        let types: Vec<jiandu_model::RecordType> =
            behaviour.iter().map(|t| t.parse().unwrap()).collect();
        let from = Date::parse("2026-01-01").unwrap();
        let to = Date::parse("2026-06-30").unwrap();
        let rows = store
            .records_in_period(&types, from, to, None, 100_000)
            .await
            .unwrap();
        store.close().await;
        rows.into_iter()
            .map(|r| r.stored.record.id().as_str().to_owned())
            .collect()
    });
    assert_eq!(ids, expected);

    // A smaller batch size replaces the earlier batches: the old files are gone.
    export(&first, "5000");
    let names: Vec<String> = files_of(&first).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "compulsory-2026-01-01-2026-06-30-0001.jsonl",
            "inspection-2026-01-01-2026-06-30-0001.jsonl",
            "manifest-2026-01-01-2026-06-30.json",
            "penalty-2026-01-01-2026-06-30-0001.jsonl",
        ]
    );

    // Read back with the shipped import mapping: a legal person's penalty keeps its fields.
    let back = dir.path().join("back.db");
    let back_url = format!("sqlite://{}", back.display());
    run_expect(
        jiandu(dir.path())
            .args(["--db", &back_url, "import", "records"])
            .arg(first.join("penalty-2026-01-01-2026-06-30-0001.jsonl"))
            .arg("--mapping")
            .arg(repo_root().join("rules/mappings/internet-plus-penalty.toml")),
        0,
    );
    let originals: Vec<Value> = demo_records()
        .into_iter()
        .filter(|r| r["record_type"] == "penalty" && r["party"]["nature"] == "legal_person")
        .filter(|r| {
            r["decision_date"]
                .as_str()
                .is_some_and(|d| ("2026-01-01".."2026-07-01").contains(&d))
        })
        .collect();
    assert!(originals.len() > 20, "{}", originals.len());
    block_on(async {
        let store = Store::open(&back_url).await.unwrap();
        for original in &originals {
            let id =
                jiandu_model::RecordId::parse(original["record_id"].as_str().unwrap()).unwrap();
            let stored = store.get_record(&id).await.unwrap().expect("read back");
            let back = stored.record.to_json();
            for path in [
                "/decision_date",
                "/filing_date",
                "/procedure",
                "/penalty_types",
                "/fine_amount",
                "/decision_doc_no",
                "/supervision_item_code",
                "/party/name",
                "/party/id",
                "/party/nature",
                "/agency/name",
                "/agency/uscc",
            ] {
                assert_eq!(back.pointer(path), original.pointer(path), "{id} {path}");
            }
        }
        store.close().await;
    });

    // The coverage report counts what went out, per unit.
    let csv = first_half(&url, dir.path(), "coverage", "csv");
    let text = String::from_utf8(csv).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut in_units = false;
    let mut exported = 0;
    let mut delays = 0;
    for row in reader.records() {
        let row = row.unwrap();
        if row.get(0).is_some_and(|c| c.starts_with("# ")) {
            in_units = row[0].contains("各单位数据归集");
            continue;
        }
        if in_units && row.len() == 11 && row[9].parse::<u64>().is_ok() {
            exported += row[9].parse::<u64>().unwrap();
            delays += u64::from(&row[10] != "—" && &row[9] != "0");
        }
    }
    assert_eq!(exported, total, "every exported record counted once");
    assert!(
        delays > 10,
        "timeliness in working days for the units that exported"
    );
}

#[test]
fn the_stores_report_queries_page_records_and_note_first_exports_on_both_backends() {
    for_each_db(|db: &TestDb| {
        let dir = temp_dir();
        import_persons(&db.url, dir.path());
        run_expect(jiandu(dir.path()).args(["--db", &db.url, "sweep"]), 0);
        block_on(async {
            let store = Store::open(&db.url).await.unwrap();
            let types = [
                jiandu_model::RecordType::Inspection,
                jiandu_model::RecordType::Penalty,
            ];
            let from = Date::parse("2026-01-01").unwrap();
            let to = Date::parse("2026-06-30").unwrap();
            let first = store
                .records_in_period(&types, from, to, None, 3)
                .await
                .unwrap();
            let ids: Vec<&str> = first
                .iter()
                .map(|r| r.stored.record.id().as_str())
                .collect();
            assert_eq!(ids, ["NP-INS-1", "NP-INS-2", "NP-INS-3"], "{}", db.backend);
            let rest = store
                .records_in_period(&types, from, to, Some("NP-INS-3"), 10)
                .await
                .unwrap();
            let ids: Vec<&str> = rest.iter().map(|r| r.stored.record.id().as_str()).collect();
            assert_eq!(
                ids,
                ["NP-INS-4", "NP-PEN-1", "NP-PEN-2", "NP-PEN-3", "NP-PEN-4"]
            );
            assert_eq!(
                store.last_act_dates(&types, to).await.unwrap(),
                [("441802-scjg".to_owned(), Date::parse("2026-03-14").unwrap())]
            );
            let noted: Vec<_> = first
                .iter()
                .map(|r| (r.stored.record.id().clone(), r.content_hash.clone()))
                .collect();
            let t1 = jiandu_model::Moment::parse("2026-07-02T09:00:00+08:00").unwrap();
            let t2 = jiandu_model::Moment::parse("2026-07-09T09:00:00+08:00").unwrap();
            assert_eq!(store.note_exports(&noted, t1).await.unwrap(), 3);
            assert_eq!(store.note_exports(&noted, t2).await.unwrap(), 0);
            let exported = store.exported_records(from, to).await.unwrap();
            assert_eq!(exported.len(), 3);
            assert!(
                exported.iter().all(|x| x.first_exported_at == t1),
                "the first export stays"
            );
            assert!(
                store
                    .exported_records(to.add_days(1), to.add_days(30))
                    .await
                    .unwrap()
                    .is_empty()
            );
            // A finding a person marks rectified is timed by its audit event.
            let finding = store
                .list_findings(&jiandu_store::FindingFilter::default())
                .await
                .unwrap()
                .into_iter()
                .next()
                .expect("the sweep found something");
            assert!(store.rectified_at().await.unwrap().is_empty());
            store
                .set_finding_status(
                    finding.finding_id,
                    jiandu_model::FindingStatus::Rectified,
                    Some("已整改"),
                    "legal",
                    t2,
                )
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                store.rectified_at().await.unwrap(),
                [(finding.finding_id, t2)]
            );
            store.close().await;
        });
    });
}

#[test]
fn a_sweep_with_report_to_queues_the_report_mail_once_per_sweep() {
    let dir = temp_dir();
    let url = format!("sqlite://{}", dir.path().join("j.db").display());
    import_persons(&url, dir.path());
    let out = run_expect(
        jiandu(dir.path()).args([
            "--db",
            &url,
            "sweep",
            "--report-to",
            "legal@example.org",
            "--report-to",
            "head@example.org",
        ]),
        0,
    );
    assert!(
        stdout(&out).contains("sweep report queued for 2 address(es)"),
        "{}",
        stdout(&out)
    );
    block_on(async {
        let store = Store::open(&url).await.unwrap();
        let mails = store.list_mails(None).await.unwrap();
        let reports: Vec<_> = mails.iter().filter(|m| m.kind == "sweep_report").collect();
        assert_eq!(reports.len(), 2);
        let to: BTreeSet<&str> = reports
            .iter()
            .filter_map(|m| m.to_addr.as_deref())
            .collect();
        assert_eq!(
            to,
            BTreeSet::from(["head@example.org", "legal@example.org"])
        );
        let mail = reports[0];
        assert!(
            mail.body_html.contains("<svg"),
            "the sweep report as the HTML part"
        );
        assert!(
            mail.body_text.contains("数据归集预警"),
            "{}",
            mail.body_text
        );
        for word in fixture_words() {
            assert!(
                !mail.body_html.contains(&word) && !mail.body_text.contains(&word),
                "{word}"
            );
        }
        // The same sweep's mail again: nothing new (the outbox's key).
        let sweep = store.last_completed_sweep().await.unwrap().unwrap();
        let profile =
            jiandu_rules::Profile::resolve("qingyuan-default", Some(&repo_root().join("rules")))
                .unwrap();
        let calendar =
            Calendar::load(&repo_root().join("rules/calendar/cn-statutory.json")).unwrap();
        let ctx = jiandu_report::Context {
            store: &store,
            calendar: &calendar,
            profile: &profile,
            rules: None,
            now: jiandu_model::clock::now(),
        };
        let again = jiandu_report::digest::queue(
            &ctx,
            sweep.sweep_id,
            ctx.now.date(),
            &["legal@example.org".to_owned()],
        )
        .await
        .unwrap();
        assert_eq!(again, 0);
        store.close().await;
    });
}

#[test]
fn a_unit_reads_only_its_own_scorecard_and_the_legal_office_every_report() {
    let (_copy, url) = demo_copy();
    let server = Server::start(&url, &[], &[]);
    let mut unit = Client::new(&server);
    assert_eq!(unit.login("unit", "demo-unit"), 303);
    // The demo gives its unit user the unit holding the most open complaints; it asks for
    // another unit's scorecard and gets its own.
    let (own, other) = block_on(async {
        let store = jiandu_store::Store::open(&url).await.unwrap();
        let users = store.list_users().await.unwrap();
        let own_id = users
            .iter()
            .find(|u| u.name.as_str() == "unit")
            .and_then(|u| u.role.unit().map(str::to_owned))
            .unwrap();
        let units = store
            .list_reference(jiandu_model::ReferenceKind::Unit)
            .await
            .unwrap();
        let name = |id: &str| {
            units
                .iter()
                .find(|u| u.key() == id)
                .and_then(|u| u.text("name"))
                .unwrap()
                .to_owned()
        };
        let other_id = if own_id == "441802-scjg" {
            "441803-scjg"
        } else {
            "441802-scjg"
        };
        let names = (name(&own_id), (other_id.to_owned(), name(other_id)));
        store.close().await;
        names
    });
    let (status, html) = unit.get(&format!(
        "/reports/units?from=2026-01-01&to=2026-06-30&unit={}",
        other.0
    ));
    assert_eq!(status, 200);
    assert!(html.contains(&own), "its own unit {own}");
    assert!(!html.contains(&other.1), "no other unit");
    assert_eq!(
        html_cells(&html)
            .iter()
            .filter(|c| c.ends_with("局"))
            .count(),
        2,
        "one row per table"
    );
    assert_eq!(unit.get("/reports/coverage").0, 403);
    assert_eq!(unit.get("/reports/sweep").0, 403);
    let (_, index) = unit.get("/reports");
    assert!(index.contains("/reports/units") && !index.contains("/reports/coverage"));

    let mut legal = Client::new(&server);
    assert_eq!(legal.login("legal", "demo-legal"), 303);
    let (status, html) = legal.get("/reports/coverage?from=2026-01-01&to=2026-06-30");
    assert_eq!(status, 200);
    assert!(html.contains("<svg") && html.contains("英德市市场监督管理局"));
    let (status, csv) = legal.get("/reports/units?from=2026-01-01&to=2026-06-30&format=csv");
    assert_eq!(status, 200);
    assert!(csv.starts_with('\u{feff}') && csv.contains("清城区市场监督管理局"));
    let (status, _) = legal.get("/reports/units?unit=NO-SUCH-UNIT");
    assert_eq!(status, 404);
    let (status, _) = legal.get("/reports/units?from=2026-13-01");
    assert_eq!(status, 400);
}

/// The data rows of the CSV section whose title starts with `title`.
fn csv_section(csv: &[u8], title: &str) -> Vec<Vec<String>> {
    let text = String::from_utf8(csv.to_vec()).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut inside = false;
    let mut heading = false;
    for row in reader.records() {
        let row: Vec<String> = row.unwrap().iter().map(str::to_owned).collect();
        if let Some(t) = row[0].strip_prefix("# ") {
            inside = t.starts_with(title);
            heading = inside;
            continue;
        }
        if heading {
            heading = false;
            continue;
        }
        if inside && !(row.len() == 1 && row[0].is_empty()) && row[0] != "预警 warning" {
            rows.push(row);
        }
    }
    rows
}

#[test]
fn a_scorecard_counts_only_records_a_sweep_judged_and_a_unit_missing_from_the_list_by_its_id() {
    let dir = temp_dir();
    let url = format!("sqlite://{}", dir.path().join("j.db").display());
    import_persons(&url, dir.path());
    let scorecard = || csv_section(&first_half(&url, dir.path(), "units", "csv"), "单位评分表");
    let unit = "441802-scjg（未列入单位名录 not in the unit list）";
    // unit, department, inspections, penalties, measures, executions, judged, share clean …
    let before = scorecard();
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(before[0][..8], [unit, "", "4", "4", "4", "0", "0", "—"]);
    run_expect(jiandu(dir.path()).args(["--db", &url, "sweep"]), 0);
    let after = scorecard();
    assert_eq!(after[0][..7], [unit, "", "4", "4", "4", "0", "12"]);
    // A record changed after the sweep is not judged until the next one.
    let changed = dir.path().join("changed.jsonl");
    let text = std::fs::read_to_string(fixture("reports/natural-persons.jsonl")).unwrap();
    let first = text
        .lines()
        .next()
        .unwrap()
        .replace("货值金额1280元", "货值金额1380元");
    std::fs::write(&changed, format!("{first}\n")).unwrap();
    run_expect(
        jiandu(dir.path())
            .args(["--db", &url, "import", "records"])
            .arg(&changed),
        0,
    );
    assert_eq!(scorecard()[0][6], "11");
    let coverage = csv_section(
        &first_half(&url, dir.path(), "coverage", "csv"),
        "各单位数据归集",
    );
    assert_eq!(coverage.len(), 1);
    assert_eq!(coverage[0][..3], [unit, "12", "2026-03-14"]);
}
