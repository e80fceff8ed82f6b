//! Routing that reads Chinese: the shipped evaluation meets its targets and the docs print its
//! figures; a factory's exhaust goes to 生态环境 with the words that decided; twenty
//! re-routings by a dispatcher teach the twenty-first; history recorded with `--at` mails
//! nobody; market-regulation deadlines bind market-regulation units only.

use serde_json::Value;

use crate::support::db::TestDb;
use crate::support::{for_each_db, jiandu, repo_root, run_expect, stdout, temp_dir};

/// The demo city's units, imported: the evaluation set and these tests are written for them.
fn import_demo_units(db: &TestDb) {
    let dir = temp_dir();
    let file = dir.path().join("units.jsonl");
    let lines: Vec<String> = jiandu_demo::units(2026)
        .iter()
        .map(Value::to_string)
        .collect();
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    run_expect(
        jiandu(&repo_root())
            .args(["--db", &db.url, "import", "units"])
            .arg(&file),
        0,
    );
}

fn complaints(db: &TestDb, now: &str, args: &[&str]) -> std::process::Output {
    run_expect(
        jiandu(&repo_root())
            .env("JIANDU_NOW", now)
            .args(["--db", &db.url, "complaints"])
            .args(args),
        0,
    )
}

fn ingest(db: &TestDb, now: &str, pushes: &[Value]) {
    let dir = temp_dir();
    let file = dir.path().join("pushes.jsonl");
    let lines: Vec<String> = pushes.iter().map(Value::to_string).collect();
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    complaints(db, now, &["ingest", file.to_str().unwrap()]);
}

fn shown(db: &TestDb, now: &str, id: &str) -> Value {
    serde_json::from_slice(&complaints(db, now, &["show", id, "--format", "json"]).stdout).unwrap()
}

fn push(task: &str, territory: &str, detail: &str) -> Value {
    serde_json::json!({"taskNo": task, "taskInfo": {"taskStartTime": "2026-03-02 09:00:00"},
        "complaintInfo": {"complaintTerritory": territory, "complaintDetail": detail},
        "complainant": {"name": "欧阳明", "phone": "13912345678"}})
}

const NOW: &str = "2026-03-02T10:00:00+08:00";

/// `12.3%  (53/432)` as the text output prints a figure.
fn figure(text: &str, label: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("{label} in {text}"));
    let mut parts = line.split_whitespace().rev();
    let count = parts.next().unwrap();
    let share = parts.next().unwrap();
    format!("{share} {count}")
}

#[test]
fn the_shipped_evaluation_meets_its_targets_and_the_docs_print_its_figures() {
    let dir = temp_dir();
    let db = format!("sqlite://{}", dir.path().join("none.db").display());
    let json: Value = serde_json::from_slice(
        &run_expect(
            jiandu(&repo_root()).args([
                "--db",
                &db,
                "complaints",
                "route-eval",
                "--format",
                "json",
            ]),
            0,
        )
        .stdout,
    )
    .unwrap();
    assert!(!dir.path().join("none.db").exists(), "no database is made");
    assert_eq!(json["items"], 432);
    let share = |key: &str| json[key].as_f64().unwrap();
    assert!(share("department_accuracy") >= 0.85, "{json}");
    assert!(share("unit_accuracy") >= 0.75, "{json}");
    assert!(share("dispatcher_share") <= 0.15, "{json}");
    assert!(
        json["confusion"]["sthj"]["sthj"].as_u64().unwrap() > 40,
        "{json}"
    );
    let text = stdout(&run_expect(
        jiandu(&repo_root()).args(["--db", &db, "complaints", "route-eval"]),
        0,
    ));
    assert!(text.contains("worst mistakes 主要错误"), "{text}");
    let docs = std::fs::read_to_string(repo_root().join("docs/user/complaints.md")).unwrap();
    for label in ["department accuracy", "unit accuracy", "dispatcher share"] {
        let printed = figure(&text, label);
        assert!(
            docs.contains(&printed),
            "docs/user/complaints.md should give the {label} the command prints: {printed}"
        );
    }
    // The percentages printed are the fractions of the JSON.
    assert!(
        text.contains(&format!("{:.1}%", share("department_accuracy") * 100.0)),
        "{text}"
    );
}

#[test]
fn a_factory_exhausting_at_night_goes_to_ecology_with_the_words_that_decided() {
    let db = crate::support::db::sqlite();
    import_demo_units(&db);
    ingest(
        &db,
        NOW,
        &[push(
            "QYWQ0001",
            "441802",
            "小区旁边工厂夜间排放废气，污染环境",
        )],
    );
    let item = shown(&db, NOW, "TS-QYWQ0001");
    assert_eq!(item["complaint"]["unit_id"], "441802-sthj", "{item}");
    let reason = item["complaint"]["route_reason"].as_str().unwrap();
    for words in [
        "按内容判断为生态环境部门",
        "废气 +3.0",
        "排放 +2.0",
        "污染+环境 +2.0",
    ] {
        assert!(reason.contains(words), "{words}: {reason}");
    }
    let route = stdout(&complaints(&db, NOW, &["route", "TS-QYWQ0001"]));
    assert!(route.starts_with("TS-QYWQ0001: 441802-sthj"), "{route}");
    assert!(route.contains("  department sthj"), "{route}");
}

/// Shared e-bikes: the lexicon knows 押金 as a consumer matter; 清远's dispatchers send them to
/// transport.
fn e_bike(i: usize) -> Value {
    let texts = [
        "共享电单车乱停乱放，把小区门口堵死了，扫码押金也退不回来",
        "路边的共享电单车倒了一地，骑行押金申请退款一个月没到账",
        "共享电单车停在盲道上，平台客服不接电话，押金不退",
        "共享电单车电池经常没电，扣了押金还多收骑行费",
        "人行道上全是共享电单车，押金退款一直显示处理中",
    ];
    push(
        &format!("QYDDC{i:04}"),
        "441881",
        &format!("英德市英城街道{}（第{i}次反映）", texts[i % texts.len()]),
    )
}

#[test]
fn twenty_re_routings_by_a_dispatcher_teach_the_twenty_first() {
    for_each_db(|db| {
        import_demo_units(db);
        ingest(db, NOW, &(1..=20).map(e_bike).collect::<Vec<_>>());
        let not_yet = stdout(&complaints(db, NOW, &["route-model", "show"]));
        assert!(
            not_yet.contains("no routing model is trained yet (0 labelled examples)"),
            "{not_yet}"
        );
        for i in 1..=20 {
            let id = format!("TS-QYDDC{i:04}");
            // The lexicon reads 押金 and 退款 as a consumer matter.
            let first = shown(db, NOW, &id);
            assert_eq!(first["complaint"]["unit_id"], "441881-scjg", "{first}");
            complaints(
                db,
                NOW,
                &[
                    "transfer",
                    &id,
                    "--to",
                    "441881-jtys",
                    "--actor",
                    "派单员李某",
                ],
            );
        }
        let labelled = stdout(&complaints(db, NOW, &["route-model", "show"]));
        assert!(labelled.contains("(20 labelled examples)"), "{labelled}");
        let trained = stdout(&complaints(db, NOW, &["route-model", "train"]));
        assert!(trained.contains("on 20 examples"), "{trained}");
        assert!(trained.contains("with the model 100.0%"), "{trained}");
        // The nightly job trains again only when the labels changed.
        let again = stdout(&complaints(
            db,
            NOW,
            &["route-model", "train", "--if-changed"],
        ));
        assert!(
            again.contains("nothing changed since the model in use"),
            "{again}"
        );

        ingest(db, NOW, &[e_bike(21)]);
        let item = shown(db, NOW, "TS-QYDDC0021");
        assert_eq!(item["complaint"]["unit_id"], "441881-jtys", "{item}");
        let reason = item["complaint"]["route_reason"].as_str().unwrap();
        assert!(reason.contains("按内容判断为交通运输部门"), "{reason}");
        assert!(
            reason.contains("（学）"),
            "the learned words are named: {reason}"
        );

        let shown_model = stdout(&complaints(db, NOW, &["route-model", "show"]));
        assert!(shown_model.contains("交通运输部门"), "{shown_model}");
        assert!(shown_model.contains("20 examples"), "{shown_model}");
        assert!(shown_model.contains("电单车"), "{shown_model}");

        let dir = temp_dir();
        let out = dir.path().join("examples.jsonl");
        complaints(
            db,
            NOW,
            &["route-model", "export", "--out", out.to_str().unwrap()],
        );
        let exported = std::fs::read_to_string(&out).unwrap();
        assert_eq!(exported.lines().count(), 20);
        assert!(!exported.contains("欧阳"), "no complainant: {exported}");
        assert!(!exported.contains("13912345678"), "no phone: {exported}");
        assert!(!exported.contains("complainant"), "{exported}");
        let first: Value = serde_json::from_str(exported.lines().next().unwrap()).unwrap();
        assert_eq!(first["department"], "jtys");
        assert_eq!(first["unit"], "441881-jtys");
        // The export is an evaluation set: with the learned model every example comes out right.
        let eval: Value = serde_json::from_slice(
            &complaints(
                db,
                NOW,
                &[
                    "route-eval",
                    out.to_str().unwrap(),
                    "--store",
                    "--format",
                    "json",
                ],
            )
            .stdout,
        )
        .unwrap();
        assert_eq!(eval["unit_accuracy"], 1.0, "{eval}");
        assert_eq!(eval["learned_model"], 1, "{eval}");
    });
}

fn mails(item: &Value) -> usize {
    item["mails"].as_array().unwrap().len()
}

#[test]
fn history_recorded_with_an_earlier_date_mails_nobody() {
    let db = crate::support::db::sqlite();
    import_demo_units(&db);
    let now = "2026-03-10T10:00:00+08:00";
    // A push arriving now is routed and its unit mailed.
    ingest(&db, now, &[push("QYML0001", "441802", "超市卖过期牛奶")]);
    assert_eq!(mails(&shown(&db, now, "TS-QYML0001")), 1);
    // One the router cannot place waits; the dispatcher records last week's handling.
    ingest(
        &db,
        now,
        &[push("QYML0002", "441802", "某单位的人态度不好")],
    );
    let id = "TS-QYML0002";
    assert!(shown(&db, now, id)["complaint"]["unit_id"].is_null());
    complaints(
        &db,
        now,
        &[
            "assign",
            id,
            "--to",
            "441802-scjg",
            "--at",
            "2026-03-03T09:00:00+08:00",
        ],
    );
    complaints(
        &db,
        now,
        &[
            "return",
            id,
            "--unit",
            "441802-scjg",
            "--reason",
            "不属于本单位职责",
            "--at",
            "2026-03-04T09:00:00+08:00",
        ],
    );
    let item = shown(&db, now, id);
    assert_eq!(item["events"].as_array().unwrap().len(), 2);
    assert_eq!(mails(&item), 0, "history mails nobody: {item}");
    // Today's transfer is news to its unit.
    complaints(&db, now, &["assign", id, "--to", "441802-cgzf"]);
    let item = shown(&db, now, id);
    assert_eq!(mails(&item), 1, "{item}");
    assert_eq!(item["mails"][0]["to_addr"], "cgzf.441802@qingyuan.example");
}

fn kinds(item: &Value) -> Vec<String> {
    item["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn market_regulation_deadlines_bind_market_regulation_units_only() {
    for_each_db(|db| {
        import_demo_units(db);
        let now = "2026-03-02T10:00:00+08:00";
        ingest(
            db,
            now,
            &[
                push("QYSX0001", "441802", "超市卖过期牛奶，要求退款"),
                push("QYSX0002", "441802", "工厂夜间偷排废水，河水发黑"),
            ],
        );
        let market = shown(db, now, "TS-QYSX0001");
        assert_eq!(market["complaint"]["unit_id"], "441802-scjg");
        assert_eq!(kinds(&market), ["sign", "accept"]);
        assert!(
            market["milestones"][1]["basis"]
                .as_str()
                .unwrap()
                .contains("第十四条")
        );
        let ecology = shown(db, now, "TS-QYSX0002");
        assert_eq!(ecology["complaint"]["unit_id"], "441802-sthj");
        assert_eq!(kinds(&ecology), ["sign", "resolve"]);
        // 15 working days from Monday 2 March 2026.
        assert_eq!(ecology["milestones"][1]["due"], "2026-03-23");
        assert!(
            ecology["milestones"][1]["basis"]
                .as_str()
                .unwrap()
                .contains("12345")
        );
        // Both units sign at once and decide on the tenth working day: late under 投诉举报办法
        // (seven days), within the 12345 limit (fifteen).
        let later = "2026-03-20T10:00:00+08:00";
        for (id, unit) in [
            ("TS-QYSX0001", "441802-scjg"),
            ("TS-QYSX0002", "441802-sthj"),
        ] {
            complaints(
                db,
                later,
                &[
                    "ack",
                    id,
                    "--unit",
                    unit,
                    "--at",
                    "2026-03-02T11:00:00+08:00",
                ],
            );
            complaints(
                db,
                later,
                &[
                    "accept",
                    id,
                    "--unit",
                    unit,
                    "--at",
                    "2026-03-16T11:00:00+08:00",
                ],
            );
        }
        run_expect(
            jiandu(&repo_root())
                .env("JIANDU_NOW", later)
                .args(["--db", &db.url, "sweep"]),
            0,
        );
        let findings = stdout(&run_expect(
            jiandu(&repo_root()).args([
                "--db",
                &db.url,
                "findings",
                "list",
                "--rule",
                "CPL-ACCEPT-7WD",
                "--format",
                "json",
            ]),
            0,
        ));
        let ids: Vec<String> = findings
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["record_id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(ids, ["TS-QYSX0001"], "{findings}");
    });
}
