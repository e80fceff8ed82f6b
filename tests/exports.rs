//! Real exports in: a 粤执法-style ledger as XLSX (title row, Chinese dates and amounts, no
//! ids) and as GBK CSV, the import report and dry run, and what a new user meets first.

use std::path::{Path, PathBuf};

use jiandu_model::RecordId;
use jiandu_store::Store;
use serde_json::Value;

use crate::support::{
    TestDb, block_on, fixture, for_each_db, jiandu, repo_root, run_expect, stderr, stdout, temp_dir,
};

const LEDGER: &str = "import/yuezhifa-penalties.csv";

fn mapping() -> PathBuf {
    repo_root().join("rules/mappings/yuezhifa-penalty-ledger.toml")
}

fn ledger_rows() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(fixture(LEDGER)).unwrap();
    text.lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// The ledger as the agency's system exports it to Excel: the title merged across the
/// columns, amounts in 万元 typed as numbers where they are plain numbers.
fn write_xlsx(path: &Path) {
    let rows = ledger_rows();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("处罚台账").unwrap();
    let width = rows[1].len() as u16;
    let title = rust_xlsxwriter::Format::new().set_bold();
    sheet
        .merge_range(0, 0, 0, width - 1, &rows[0][0], &title)
        .unwrap();
    for (r, row) in rows.iter().enumerate().skip(1) {
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            // 序号 and plain amounts are numbers in the sheet; codes stay text, as the
            // agency's system writes them (a number would already have lost digits).
            match cell.parse::<f64>() {
                Ok(n) if r > 1 && (c == 0 || c == 12) => {
                    sheet.write_number(r as u32, c as u16, n).unwrap()
                }
                _ => sheet.write_string(r as u32, c as u16, cell).unwrap(),
            };
        }
    }
    book.save(path).unwrap();
}

fn write_gbk(path: &Path) {
    let text = std::fs::read_to_string(fixture(LEDGER)).unwrap();
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable, "the ledger is GBK text");
    std::fs::write(path, bytes).unwrap();
}

fn import(db: &TestDb, dir: &Path, file: &Path, extra: &[&str], code: i32) -> std::process::Output {
    run_expect(
        jiandu(dir)
            .args(["import", "records"])
            .arg(file)
            .arg("--mapping")
            .arg(mapping())
            .args(["--db", &db.url])
            .args(extra),
        code,
    )
}

fn stored(db: &TestDb) -> Vec<Value> {
    block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let mut out = Vec::new();
        for n in 1..=5 {
            let id = RecordId::parse(&format!("YZF-清城市监罚〔2024〕{n}号")).unwrap();
            let record = store.get_record(&id).await.unwrap();
            out.push(
                record
                    .unwrap_or_else(|| panic!("{id} stored"))
                    .record
                    .to_json(),
            );
        }
        assert_eq!(store.count_records().await.unwrap(), 5);
        store.close().await;
        out
    })
}

#[test]
fn an_xlsx_ledger_with_a_title_row_chinese_dates_and_amounts_imports_as_it_is() {
    for_each_db(|db| {
        let dir = temp_dir();
        let xlsx = dir.path().join("台账.xlsx");
        write_xlsx(&xlsx);
        let out = stdout(&import(db, dir.path(), &xlsx, &[], 0));
        assert!(
            out.contains("工作表 sheet 处罚台账, 表头 header row 2"),
            "{out}"
        );
        assert!(out.contains("新增 new 5"), "{out}");
        // `records show` prints `field  value` lines: compared as (field, value).
        let show = |id: &str| -> String {
            let out = stdout(&run_expect(
                jiandu(dir.path()).args(["records", "show", id, "--db", &db.url]),
                0,
            ));
            out.lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let first = show("YZF-清城市监罚〔2024〕1号");
        for line in [
            "decision_date 2024-03-05",
            "filing_date 2024-01-08",
            "fine_amount 12000",
            "penalty_types warning; fine",
            "officers[1].cert_no 44180220190002",
        ] {
            assert!(first.contains(line), "`{line}` in\n{first}");
        }
        assert!(
            first.contains("台账.xlsx (sheet 处罚台账) row 3"),
            "{first}"
        );
        let second = show("YZF-清城市监罚〔2024〕2号");
        assert!(second.contains("fine_amount 350000"), "{second}");
        assert!(second.contains("service_date 2024-04-12"), "{second}");
        let third = show("YZF-清城市监罚〔2024〕3号");
        assert!(
            third.contains("fine_amount 5000"),
            "0.5 万元 typed as a number: {third}"
        );
        assert!(
            !third.contains("party.nature"),
            "未知 is not recorded: {third}"
        );
        let bodies = stored(db);
        assert_eq!(
            bodies[3]["fine_amount"], 5000,
            "5000元 in a 万元 column is 5000 yuan"
        );
        assert_eq!(
            bodies[4].get("fine_amount"),
            None,
            "an empty cell is not recorded"
        );
    });
}

#[test]
fn the_same_ledger_as_gbk_csv_imports_identically_detected_or_named() {
    let dir = temp_dir();
    let xlsx = dir.path().join("ledger.xlsx");
    write_xlsx(&xlsx);
    let gbk = dir.path().join("ledger-gbk.csv");
    write_gbk(&gbk);
    let from = |file: &Path, extra: &[&str]| {
        let db = crate::support::db::sqlite();
        let out = stdout(&import(&db, dir.path(), file, extra, 0));
        (stored(&db), out)
    };
    let (utf8, _) = from(&fixture(LEDGER), &[]);
    let (sheet, _) = from(&xlsx, &[]);
    let (detected, said) = from(&gbk, &[]);
    let (named, _) = from(&gbk, &["--encoding", "gbk"]);
    assert!(
        said.contains("编码 encoding GBK/GB18030 (detected"),
        "{said}"
    );
    assert_eq!(sheet, utf8);
    assert_eq!(detected, utf8);
    assert_eq!(named, utf8);
    let db = crate::support::db::sqlite();
    let err = stderr(&import(&db, dir.path(), &gbk, &["--encoding", "utf-8"], 2));
    assert!(
        err.contains("ledger-gbk.csv:1: the file is not UTF-8 text"),
        "{err}"
    );
    assert!(err.contains("--encoding gbk"), "{err}");
}

#[test]
fn a_constant_record_id_is_refused_and_writes_no_database() {
    let dir = temp_dir();
    let constant = dir.path().join("constant.toml");
    std::fs::write(
        &constant,
        "[fields]\n\"行政处罚决定书文号\" = \"decision_doc_no\"\n\n[record_id]\ntemplate = \"NFRA\"\n",
    )
    .unwrap();
    let output = run_expect(
        jiandu(dir.path())
            .args(["import", "records"])
            .arg(fixture(LEDGER))
            .arg("--mapping")
            .arg(&constant),
        2,
    );
    let err = stderr(&output);
    assert!(
        err.contains("constant.toml is not valid: line 4: [record_id] template `NFRA`"),
        "{err}"
    );
    assert!(
        err.contains("every row would have the same record_id"),
        "{err}"
    );
    let output = run_expect(
        jiandu(dir.path())
            .args(["import", "records"])
            .arg(fixture("import/internet-plus-penalties.csv"))
            .args(["--default", "record_id=NFRA"]),
        2,
    );
    assert!(
        stderr(&output)
            .contains("--default record_id=NFRA: every row would have the same record_id"),
        "{}",
        stderr(&output)
    );
    assert!(
        !dir.path().join("jiandu.db").exists(),
        "a refused import leaves no database"
    );
}

#[test]
fn skip_invalid_on_a_file_where_every_row_is_rejected_exits_non_zero() {
    for_each_db(|db| {
        let dir = temp_dir();
        let file = dir.path().join("bad.csv");
        std::fs::write(
            &file,
            "record_id,record_type,decision_date\r\nP1,penalty,2024-13-01\r\nP2,penalty,昨天\r\n",
        )
        .unwrap();
        let output = run_expect(
            jiandu(dir.path())
                .args(["import", "records"])
                .arg(&file)
                .args(["--skip-invalid", "--db", &db.url]),
            2,
        );
        let err = stderr(&output);
        assert!(err.contains("every row of"), "{err}");
        assert!(err.contains("was rejected (2 rows)"), "{err}");
        let out = stdout(&output);
        assert!(out.contains("拒收 rejected 2 行 rows:"), "{out}");
        assert!(
            out.contains("bad.csv:3: field `decision_date` (column 3): `昨天`"),
            "CRLF lines: {out}"
        );
        let rejects = std::fs::read_to_string(dir.path().join("bad.csv.rejects.jsonl")).unwrap();
        assert_eq!(rejects.lines().count(), 2);
        block_on(async {
            let store = Store::open(&db.url).await.unwrap();
            assert_eq!(store.count_records().await.unwrap(), 0);
            store.close().await;
        });
    });
}

#[test]
fn a_dry_run_writes_nothing_and_reports_the_columns_nobody_reads() {
    for_each_db(|db| {
        let dir = temp_dir();
        let report = dir.path().join("r.json");
        let out = stdout(&import(
            db,
            dir.path(),
            &fixture(LEDGER),
            &["--dry-run", "--report", report.to_str().unwrap()],
            0,
        ));
        assert!(
            out.contains("dry run (试运行): nothing was written"),
            "{out}"
        );
        let json: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        assert_eq!(json["dry_run"], true);
        assert_eq!(json["rows_read"], 5);
        assert_eq!(json["header_row"], 2);
        assert_eq!(json["store"]["new"], 5);
        assert_eq!(json["batch_id"], Value::Null);
        let unmapped: Vec<(&str, &str)> = json["unmapped_columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["column"].as_str().unwrap(), c["label"].as_str().unwrap()))
            .collect();
        assert_eq!(unmapped, [("备注", "15"), ("序号", "1")]);
        block_on(async {
            let store = Store::open(&db.url).await.unwrap();
            assert_eq!(store.count_records().await.unwrap(), 0, "{}", db.backend);
            store.close().await;
        });
        // Against stored records: what would change, still writing nothing.
        import(db, dir.path(), &fixture(LEDGER), &[], 0);
        let edited = dir.path().join("edited.csv");
        let text = std::fs::read_to_string(fixture(LEDGER)).unwrap();
        std::fs::write(&edited, text.replace("1.2万元", "1.5万元")).unwrap();
        let out = stdout(&import(db, dir.path(), &edited, &["--dry-run"], 0));
        assert!(
            out.contains("新增 new 0 · 更新 updated 1 · 未变 unchanged 4 (would be written)"),
            "{out}"
        );
        assert_eq!(stored(db)[0]["fine_amount"], 12000);
    });
    // On a database that does not exist yet, a dry run does not create it.
    let dir = temp_dir();
    let out = stdout(&run_expect(
        jiandu(dir.path())
            .args(["import", "records"])
            .arg(fixture(LEDGER))
            .arg("--mapping")
            .arg(mapping())
            .arg("--dry-run"),
        0,
    ));
    assert!(out.contains("新增 new 5"), "{out}");
    assert!(!dir.path().join("jiandu.db").exists());
}

#[test]
fn different_rows_with_one_id_are_refused_unless_the_later_wins() {
    let db = crate::support::db::sqlite();
    let dir = temp_dir();
    let file = dir.path().join("twice.csv");
    std::fs::write(
        &file,
        "record_id,record_type,decision_date\nP1,penalty,2024-01-01\nP2,penalty,2024-01-02\nP1,penalty,2024-02-01\nP2,penalty,2024-01-02\n",
    )
    .unwrap();
    let run = |extra: &[&str], code| {
        run_expect(
            jiandu(dir.path())
                .args(["import", "records"])
                .arg(&file)
                .args(["--db", &db.url])
                .args(extra),
            code,
        )
    };
    let output = run(&[], 2);
    let err = stderr(&output);
    assert!(
        err.contains("1 record_ids are given to rows with different content"),
        "{err}"
    );
    assert!(err.contains("P1 at "), "{err}");
    assert!(err.contains("twice.csv:2, "), "{err}");
    assert!(
        stdout(&output).contains("重复行 1 rows repeat an earlier row exactly"),
        "{}",
        stdout(&output)
    );
    run(&["--last-wins"], 0);
    let body = block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let r = store
            .get_record(&RecordId::parse("P1").unwrap())
            .await
            .unwrap()
            .unwrap();
        store.close().await;
        r.record.to_json()
    });
    assert_eq!(body["decision_date"], "2024-02-01");
}

#[test]
fn two_columns_for_one_field_need_an_order() {
    let dir = temp_dir();
    let file = dir.path().join("two.csv");
    std::fs::write(
        &file,
        "record_id,record_type,处罚决定日期,决定日期\nP1,penalty,2024-01-01,\nP2,penalty,,2024-01-09\n",
    )
    .unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let plain = write(
        "plain.toml",
        "[fields]\n\"处罚决定日期\" = \"decision_date\"\n\"决定日期\" = \"decision_date\"\n",
    );
    let err = stderr(&run_expect(
        jiandu(dir.path())
            .args(["import", "records"])
            .arg(&file)
            .arg("--mapping")
            .arg(&plain),
        2,
    ));
    assert!(
        err.contains(
            "columns 3（处罚决定日期） and 4（决定日期） all give the field `decision_date`"
        ),
        "{err}"
    );
    assert!(!dir.path().join("jiandu.db").exists());
    let ordered = write(
        "ordered.toml",
        "[fields]\n\"处罚决定日期\" = \"decision_date\"\n\"决定日期\" = \"decision_date\"\n[prefer]\ndecision_date = [\"处罚决定日期\", \"决定日期\"]\n",
    );
    run_expect(
        jiandu(dir.path())
            .args(["import", "records"])
            .arg(&file)
            .arg("--mapping")
            .arg(&ordered),
        0,
    );
    let listed = stdout(&run_expect(
        jiandu(dir.path()).args([
            "records",
            "list",
            "--from",
            "2024-01-05",
            "--format",
            "json",
        ]),
        0,
    ));
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["records"][0]["record_id"], "P2");
}

#[test]
fn explain_and_check_show_only_the_rules_and_outcomes_asked_for() {
    let dir = temp_dir();
    let file = fixture("import/internet-plus-penalties.csv");
    let mapping = repo_root().join("rules/mappings/internet-plus-penalty.toml");
    run_expect(
        jiandu(dir.path())
            .args(["import", "records"])
            .arg(&file)
            .arg("--mapping")
            .arg(&mapping),
        0,
    );
    let explained = stdout(&run_expect(
        jiandu(dir.path()).args(["explain", "CF-441802-0001", "--rule", "PEN-DEADLINE-90D"]),
        0,
    ));
    assert_eq!(explained.matches("\nPEN-").count(), 1, "{explained}");
    assert!(explained.contains("PEN-DEADLINE-90D"), "{explained}");
    assert!(
        explained.contains("other rules were judged and are not shown"),
        "{explained}"
    );
    let unknown = stdout(&run_expect(
        jiandu(dir.path()).args(["explain", "CF-441802-0001", "--outcome", "violation"]),
        0,
    ));
    assert!(!unknown.contains("outcome: unknown"), "{unknown}");
    let err = stderr(&run_expect(
        jiandu(dir.path()).args(["explain", "CF-441802-0001", "--rule", "PEN-NOPE"]),
        2,
    ));
    assert!(err.contains("--rule PEN-NOPE: no rule of that id"), "{err}");
    let checked = stdout(&run_expect(
        jiandu(dir.path())
            .args([
                "check",
                "--outcome",
                "pass",
                "--rule",
                "PEN-DEADLINE-90D",
                "--mapping",
            ])
            .arg(&mapping)
            .arg(&file),
        0,
    ));
    let lines: Vec<Value> = checked
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty(), "{checked}");
    assert!(
        lines
            .iter()
            .all(|l| l["rule_id"] == "PEN-DEADLINE-90D" && l["outcome"] == "pass"),
        "{checked}"
    );
}

#[test]
fn a_missing_file_is_the_same_mistake_in_every_command() {
    let dir = temp_dir();
    let missing = dir.path().join("nope.csv");
    let missing = missing.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["import", "records", missing],
        vec!["import", "units", missing],
        vec!["check", missing],
        vec!["explain", "X", "--file", missing],
        vec![
            "import",
            "records",
            "--mapping",
            missing,
            "rules/mappings/internet-plus-penalty.toml",
        ],
        vec!["complaints", "ingest", missing],
    ];
    for args in commands {
        let output = jiandu(dir.path()).args(&args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("nope.csv"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert!(
        !dir.path().join("jiandu.db").exists(),
        "no command left an empty database"
    );
    let output = jiandu(dir.path())
        .args(["records", "list"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("there is no database at sqlite://jiandu.db"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("jiandu.db").exists());
}

#[test]
fn the_internet_plus_mapping_reads_the_platform_exports_as_people_have_them() {
    let db = crate::support::db::sqlite();
    let dir = temp_dir();
    let file = dir.path().join("nfra.csv");
    std::fs::write(
        &file,
        "处罚行为编号,处罚行为名称,行政相对人,行政相对人性质,处罚程序,处罚立案时间,作出行政处罚决定日期,处罚种类,罚款金额,报送时间\n\
         NF-1,对某银行的行政处罚,某银行股份有限公司,未知,普通,2026年1月5日,2026年3月25日,警告、罚款,\"1,150,000.00\",2026/3/26 9:05:00\n\
         NF-2,对某保险公司的行政处罚,某保险有限公司,法人,普通,2026-01-20 10:00:00,2026-04-29 15:26:33,罚款；没收违法所得,三十五万元,2026-04-30 08:00\n",
    )
    .unwrap();
    let mapping = repo_root().join("rules/mappings/internet-plus-penalty.toml");
    run_expect(
        jiandu(dir.path())
            .args(["import", "records", "--db", &db.url])
            .arg(&file)
            .arg("--mapping")
            .arg(&mapping),
        0,
    );
    let body = |id: &str| {
        block_on(async {
            let store = Store::open(&db.url).await.unwrap();
            let r = store
                .get_record(&RecordId::parse(id).unwrap())
                .await
                .unwrap()
                .unwrap();
            store.close().await;
            r.record.to_json()
        })
    };
    let first = body("NF-1");
    assert_eq!(first["decision_date"], "2026-03-25");
    assert_eq!(first["filing_date"], "2026-01-05");
    assert_eq!(first["fine_amount"], 1_150_000);
    assert_eq!(
        first["penalty_types"],
        serde_json::json!(["warning", "fine"])
    );
    assert_eq!(first["reported_at"], "2026-03-26T09:05:00+08:00");
    assert!(
        first["party"].get("nature").is_none(),
        "未知 is not recorded: {first}"
    );
    let second = body("NF-2");
    assert_eq!(second["decision_date"], "2026-04-29");
    assert_eq!(second["filing_date"], "2026-01-20");
    assert_eq!(second["fine_amount"], 350_000);
    assert_eq!(second["reported_at"], "2026-04-30T08:00:00+08:00");
}

#[test]
fn an_ods_ledger_gives_the_same_records() {
    let dir = temp_dir();
    let db = crate::support::db::sqlite();
    let out = stdout(&import(
        &db,
        dir.path(),
        &fixture("import/yuezhifa-penalties.ods"),
        &[],
        0,
    ));
    assert!(out.contains("工作表 sheet 处罚台账"), "{out}");
    let from_ods = stored(&db);
    let csv = crate::support::db::sqlite();
    import(&csv, dir.path(), &fixture(LEDGER), &[], 0);
    assert_eq!(from_ods, stored(&csv));
}
