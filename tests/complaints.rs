//! Complaints: the platform's push over HTTP, routing, handovers refused and allowed,
//! working-day deadlines across 国庆 2025, mail through a real SMTP receiver, the feedback
//! export, and complaints judged by the sweep.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::db::TestDb;
use crate::support::http::Server;
use crate::support::smtp::{SmtpSink, free_port, messages_in};
use crate::support::{
    block_on, fixture, for_each_db, import_data, jiandu, repo_root, run_expect, stderr, stdout,
    sweep_json, temp_dir,
};

const TOKEN: &str = "test-platform-token";
const ID: &str = "TS-QY2025092600017";

fn complaints(db: &TestDb, args: &[&str], code: i32) -> std::process::Output {
    run_expect(
        jiandu(&repo_root())
            .args(["--db", &db.url, "complaints"])
            .args(args),
        code,
    )
}

/// As of 16:00 on Friday 26 September 2025, the day the push arrived.
fn complaints_at(db: &TestDb, at: &str, args: &[&str], code: i32) -> std::process::Output {
    run_expect(
        jiandu(&repo_root())
            .env("JIANDU_NOW", at)
            .args(["--db", &db.url, "complaints"])
            .args(args),
        code,
    )
}

fn shown(db: &TestDb, id: &str) -> Value {
    let output = complaints(db, &["show", id, "--format", "json"], 0);
    serde_json::from_slice(&output.stdout).unwrap()
}

fn setup(db: &TestDb) {
    import_data(&db.url, &fixture("complaints"));
}

#[test]
fn a_push_is_taken_once_and_bad_pushes_are_refused_with_a_reason() {
    for_each_db(|db| {
        setup(db);
        let server = Server::start(&db.url, &[], &[("JIANDU_PLATFORM_TOKEN", TOKEN)]);
        let push = std::fs::read(fixture("complaints/push.json")).unwrap();
        let auth = format!("Bearer {TOKEN}");
        let path = "/api/v1/platform/complaints";
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];

        let (status, body) = server.request("POST", path, &headers, &push);
        assert_eq!(status, 201, "{}: {body}", db.backend);
        let first: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(first["complaint_id"], ID);
        assert_eq!(
            first["unit_id"], "441802-scjg",
            "routed to where the respondent operates"
        );
        let (status, body) = server.request("POST", path, &headers, &push);
        assert_eq!(status, 200, "{body}");
        let again: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(again["complaint_id"], ID);
        assert_eq!(again["created"], false);

        let (status, body) = server.request("POST", path, &[], &push);
        assert_eq!(status, 401, "{body}");
        assert!(body.contains("Bearer"), "{body}");
        let wrong = [("Authorization", "Bearer nope")];
        assert_eq!(server.request("POST", path, &wrong, &push).0, 401);

        let (status, body) = server.request("POST", path, &headers, b"<xml>not json</xml>");
        assert_eq!(status, 400, "{body}");
        let refused: Value = serde_json::from_str(&body).unwrap();
        assert!(
            refused["error"].as_str().unwrap().contains("not JSON"),
            "{body}"
        );
        let (status, body) = server.request("POST", path, &headers, br#"{"taskNo": "X1"}"#);
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("complaintInfo"), "{body}");
        drop(server);

        let list = complaints(db, &["list", "--format", "json"], 0);
        assert_eq!(
            stdout(&list).lines().count(),
            1,
            "one complaint: {}",
            stdout(&list)
        );
        let timeline = shown(db, ID);
        let assigns = timeline["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "assign")
            .count();
        assert_eq!(assigns, 1, "the repeat changed nothing");
        let rejects = stdout(&complaints(db, &["rejects"], 0));
        assert!(
            rejects.contains("not JSON") && rejects.contains("<xml>"),
            "{rejects}"
        );
        assert!(rejects.contains("complaintInfo"), "{rejects}");
    });
}

#[test]
fn deadlines_count_the_adjusted_working_days_of_national_day_2025() {
    for_each_db(|db| {
        setup(db);
        let at = "2025-09-26T16:00:00+08:00";
        complaints_at(
            db,
            at,
            &["ingest", fixture("complaints/push.json").to_str().unwrap()],
            0,
        );
        let timeline = shown(db, ID);
        let due = |kind: &str| {
            timeline["milestones"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["kind"] == kind)
                .map(|m| m["due"].as_str().unwrap().to_owned())
                .unwrap_or_else(|| panic!("{kind}: {timeline}"))
        };
        assert_eq!(due("sign"), "2025-09-28", "{}", db.backend);
        assert_eq!(due("accept"), "2025-10-13", "{}", db.backend);
        assert_eq!(timeline["complaint"]["due_date"], "2025-09-28");
        let text = stdout(&complaints_at(db, at, &["show", ID], 0));
        assert!(
            text.contains("by 2025-09-28") && text.contains("by 2025-10-13"),
            "{text}"
        );
        // On Monday 29 September the signing is a working day late.
        let overdue = stdout(&complaints_at(
            db,
            "2025-09-29T09:00:00+08:00",
            &["list", "--overdue", "--format", "json"],
            0,
        ));
        assert_eq!(overdue.lines().count(), 1, "{overdue}");
        let none = stdout(&complaints_at(
            db,
            "2025-09-28T17:00:00+08:00",
            &["list", "--overdue"],
            0,
        ));
        assert!(none.contains("0 items"), "{none}");
    });
}

#[test]
fn units_may_not_transfer_onward_and_returns_need_a_reason() {
    for_each_db(|db| {
        setup(db);
        let at = "2025-09-26T16:00:00+08:00";
        complaints_at(
            db,
            at,
            &["ingest", fixture("complaints/push.json").to_str().unwrap()],
            0,
        );

        let refused = complaints(
            db,
            &[
                "transfer",
                ID,
                "--to",
                "441803-scjg",
                "--unit",
                "441802-scjg",
            ],
            2,
        );
        assert!(
            stderr(&refused).contains("only the dispatcher"),
            "{}",
            stderr(&refused)
        );
        assert!(
            stderr(&refused).contains("第二十九条"),
            "{}",
            stderr(&refused)
        );
        let blank = complaints(db, &["return", ID, "--unit", "441802-scjg"], 2);
        assert!(
            stderr(&blank).contains("needs a reason"),
            "{}",
            stderr(&blank)
        );
        let other = complaints(db, &["ack", ID, "--unit", "441803-scjg"], 2);
        assert!(
            stderr(&other).contains("not 441803-scjg"),
            "{}",
            stderr(&other)
        );
        let timeline = shown(db, ID);
        assert_eq!(
            timeline["events"].as_array().unwrap().len(),
            1,
            "refusals record nothing"
        );
        assert_eq!(timeline["complaint"]["state"], "assigned");

        // The unit returns it, the dispatcher transfers it, the new unit signs a day late.
        complaints_at(
            db,
            "2025-09-26T17:00:00+08:00",
            &[
                "return",
                ID,
                "--unit",
                "441802-scjg",
                "--reason",
                "该公司食堂在清新区经营",
            ],
            0,
        );
        complaints_at(
            db,
            "2025-09-28T09:00:00+08:00",
            // Units by name as well as by id.
            &["transfer", ID, "--to", "清新区市场监督管理局"],
            0,
        );
        complaints_at(
            db,
            "2025-09-30T10:00:00+08:00",
            &["ack", ID, "--unit", "清新区市场监督管理局"],
            0,
        );
        let timeline = shown(db, ID);
        let actions: Vec<&str> = timeline["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["assign", "return", "transfer", "acknowledge"]);
        assert_eq!(timeline["complaint"]["unit_id"], "441803-scjg");

        // The sweep judges the handling: signed on the 2nd working day after the transfer.
        sweep_json(&db.url, &[]);
        let findings = stdout(&run_expect(
            jiandu(&repo_root()).args([
                "--db",
                &db.url,
                "findings",
                "list",
                "--record",
                ID,
                "--rule",
                "CPL-SIGN-1WD",
                "--format",
                "json",
            ]),
            0,
        ));
        let finding: Value =
            serde_json::from_str(findings.lines().next().expect("a finding")).unwrap();
        assert_eq!(finding["outcome"], "violation", "{finding}");
        assert_eq!(finding["unit_id"], "441803-scjg");

        // The handover chain is a path in the case graph.
        let graph = stdout(&run_expect(
            jiandu(&repo_root()).args([
                "--db",
                &db.url,
                "graph",
                "export",
                "--format",
                "json",
                "--around",
                &format!("complaint:{ID}"),
                "--depth",
                "1",
            ]),
            0,
        ));
        let graph: Value = serde_json::from_str(&graph).unwrap();
        assert_eq!(
            graph["counts"]["edges"]["complaint_unit"], 4,
            "{}",
            graph["counts"]
        );
        assert_eq!(graph["counts"]["edges"]["complaint_party"], 1);

        // Audit: every handover is an event of the chain.
        let verify = run_expect(
            jiandu(&repo_root()).args(["--db", &db.url, "audit", "verify"]),
            0,
        );
        assert!(stdout(&verify).contains("intact"));
    });
}

#[test]
fn items_routing_cannot_place_wait_for_the_dispatcher_and_malformed_lines_are_kept() {
    let db = crate::support::db::sqlite();
    setup(&db);
    let output = complaints(
        &db,
        &[
            "ingest",
            fixture("complaints/pushes.jsonl").to_str().unwrap(),
        ],
        0,
    );
    let text = stdout(&output);
    assert!(
        text.contains("2 new (1 assigned to a unit, 1 left to the dispatcher)"),
        "{text}"
    );
    assert!(text.contains("1 rejected"), "{text}");
    assert!(
        stderr(&output).contains("pushes.jsonl:3"),
        "{}",
        stderr(&output)
    );
    // The same file again: nothing new, and the bad line is not kept twice.
    let again = stdout(&complaints(
        &db,
        &[
            "ingest",
            fixture("complaints/pushes.jsonl").to_str().unwrap(),
        ],
        0,
    ));
    assert!(again.contains("0 new"), "{again}");
    let kept_rejects = || {
        block_on(async {
            let store = jiandu_store::Store::open(&db.url).await.unwrap();
            let n = store.intake_rejects(100).await.unwrap().len();
            store.close().await;
            n
        })
    };
    assert_eq!(kept_rejects(), 1);
    // The report goes where the act took place.
    assert_eq!(
        shown(&db, "JB-QY2025100900001")["complaint"]["unit_id"],
        "441803-scjg"
    );
    let queue = stdout(&complaints(
        &db,
        &["list", "--queue", "--format", "json"],
        0,
    ));
    let queued: Value = serde_json::from_str(queue.lines().next().unwrap()).unwrap();
    assert_eq!(queued["complaint_id"], "TS-QY2025100900002");
    assert!(
        queued["route_reason"].as_str().unwrap().contains("440106"),
        "{queued}"
    );
    let route = stdout(&complaints(&db, &["route", "TS-QY2025100900002"], 0));
    assert!(route.contains("dispatcher"), "{route}");
    // The dispatcher places it by hand.
    complaints(
        &db,
        &["assign", "TS-QY2025100900002", "--to", "441800-scjg"],
        0,
    );
    let assigned = complaints(
        &db,
        &["assign", "TS-QY2025100900002", "--to", "441802-scjg"],
        2,
    );
    assert!(
        stderr(&assigned).contains("not possible while the item is assigned"),
        "{}",
        stderr(&assigned)
    );
    // Times as the platform and 12345 exports write them.
    let dir = crate::support::temp_dir();
    let times = dir.path().join("times.jsonl");
    std::fs::write(
        &times,
        concat!(
            r#"{"taskNo": "QY2019042400001", "taskInfo": {"taskStartTime": "2019/4/24 16:03:40"}, "complaintInfo": {"complaintObject": "某店", "complaintDetail": "价格欺诈"}}"#,
            "\n",
            r#"{"taskNo": "QY2019042400002", "taskInfo": {"taskStartTime": 1556092800000}, "complaintInfo": {"complaintObject": "某店", "complaintDetail": "价格欺诈"}}"#,
            "\n",
            r#"{"taskNo": "QY2019042400003", "taskInfo": {"taskStartTime": "2019-04-24 16:03"}, "complaintInfo": {"complaintObject": "某店", "complaintDetail": "价格欺诈"}}"#,
            "\n",
            r#"{"taskNo": "QY2019042400004", "taskInfo": {"taskStartTime": "24/4/2019"}, "complaintInfo": {"complaintObject": "某店", "complaintDetail": "价格欺诈"}}"#,
            "\n"
        ),
    )
    .unwrap();
    let output = complaints(&db, &["ingest", times.to_str().unwrap()], 0);
    assert!(stdout(&output).contains("3 new"), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("times.jsonl:4"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("`24/4/2019` is not a time"),
        "{}",
        stderr(&output)
    );
    complaints(&db, &["ingest", times.to_str().unwrap()], 0);
    assert_eq!(kept_rejects(), 2, "each bad line kept once");
}

#[test]
fn the_feedback_export_carries_the_platform_fields_and_no_complainant() {
    for_each_db(|db| {
        setup(db);
        let push = fixture("complaints/push.json");
        let steps: &[(&str, &[&str])] = &[
            (
                "2025-09-26T16:00:00+08:00",
                &["ingest", push.to_str().unwrap()],
            ),
            (
                "2025-09-28T09:00:00+08:00",
                &["ack", ID, "--unit", "441802-scjg"],
            ),
            (
                "2025-09-30T09:00:00+08:00",
                &["accept", ID, "--unit", "441802-scjg"],
            ),
            (
                "2025-10-20T15:00:00+08:00",
                &[
                    "resolve",
                    ID,
                    "--unit",
                    "441802-scjg",
                    "--result",
                    "经调解商家退款",
                    "--fact",
                    "clue_found_date=null",
                ],
            ),
        ];
        for (at, args) in steps {
            complaints_at(db, at, args, 0);
        }
        let dir = temp_dir();
        let out = dir.path().join("feedback.json");
        let export = |when: &str| {
            complaints_at(
                db,
                when,
                &[
                    "feedback",
                    "--since",
                    "2025-10-01",
                    "--out",
                    out.to_str().unwrap(),
                ],
                0,
            );
            let text = std::fs::read_to_string(&out).unwrap();
            (serde_json::from_str::<Value>(&text).unwrap(), text)
        };
        let (envelope, text) = export("2025-10-21T09:00:00+08:00");
        let entries = envelope["supervisionProcess"]["taskDetails"]
            .as_array()
            .unwrap();
        assert_eq!(entries.len(), 1, "{envelope}");
        let e = &entries[0];
        assert_eq!(e["taskNo"], "QY2025092600017");
        assert_eq!(e["claimTime"], "2025-09-28T09:00:00+08:00");
        assert_eq!(e["endTime"], "2025-10-20T15:00:00+08:00");
        assert_eq!(e["endReason"], "经调解商家退款");
        assert_eq!(e["feedbackTime"], "2025-10-21T09:00:00+08:00");
        assert_eq!(e["feedbackSuggestion"], "经调解商家退款");
        assert!(
            !text.contains("张三") && !text.contains("13800000000"),
            "{text}"
        );
        // Again: the same entry, and nothing new happens to the item.
        let (again, _) = export("2025-10-22T09:00:00+08:00");
        assert_eq!(again["supervisionProcess"], envelope["supervisionProcess"]);
        assert_eq!(shown(db, ID)["events"].as_array().unwrap().len(), 5);
        assert_eq!(shown(db, ID)["complaint"]["state"], "feedback_sent");
    });
}

#[test]
fn an_assignment_mail_waits_for_the_smtp_server_and_arrives_once() {
    let db = crate::support::db::sqlite();
    setup(&db);
    let port = free_port();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let server = Server::start(
        &db.url,
        &["--mail-retry", "1"],
        &[
            ("JIANDU_PLATFORM_TOKEN", TOKEN),
            ("JIANDU_SMTP_URL", &smtp_url),
        ],
    );
    assert!(
        server.banner.iter().any(|l| l.contains(&smtp_url)),
        "{:?}",
        server.banner
    );
    let push = std::fs::read(fixture("complaints/push.json")).unwrap();
    let auth = format!("Bearer {TOKEN}");
    let (status, body) = server.request(
        "POST",
        "/api/v1/platform/complaints",
        &[("Authorization", auth.as_str())],
        &push,
    );
    assert_eq!(status, 201, "{body}");

    let assignment = |timeline: &Value| -> Value {
        timeline["mails"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == "assignment")
            .cloned()
            .unwrap_or_else(|| panic!("no assignment mail: {timeline}"))
    };
    // The receiver is down: the mail is tried, fails, and stays queued.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mail = assignment(&shown(&db, ID));
        if mail["attempts"].as_i64().unwrap() >= 2 {
            assert_eq!(mail["status"], "queued", "{mail}");
            assert!(mail["last_error"].is_string(), "{mail}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the mail was never tried: {mail}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let inbox = temp_dir();
    let Some(sink) = SmtpSink::start(inbox.path(), port) else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while assignment(&shown(&db, ID))["status"] != "sent" {
        assert!(
            Instant::now() < deadline,
            "the mail was not sent once the receiver was up"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Give a duplicate every chance to arrive.
    std::thread::sleep(Duration::from_secs(4));
    let received: Vec<String> = sink
        .messages()
        .into_iter()
        .filter(|m| m.contains("Message-ID: <assignment."))
        .collect();
    assert_eq!(
        received.len(),
        1,
        "exactly one assignment mail: {received:?}"
    );
    let mail = &received[0];
    assert!(
        mail.starts_with("X-Rcpt-To: scjg.441802@qingyuan.example"),
        "{mail}"
    );
    assert!(
        mail.contains(&format!("<assignment.{ID}.1@jiandu>")),
        "{mail}"
    );
    assert!(mail.contains("multipart/alternative"), "{mail}");
    drop(server);
    assert_eq!(
        messages_in(inbox.path())
            .iter()
            .filter(|m| m.contains("<assignment."))
            .count(),
        1
    );
}

#[test]
fn the_deadline_watch_reminds_then_urges_then_supervises_each_once() {
    for_each_db(|db| {
        setup(db);
        let push = fixture("complaints/push.json");
        complaints_at(
            db,
            "2025-09-26T16:00:00+08:00",
            &["ingest", push.to_str().unwrap()],
            0,
        );
        let watch = |at: &str| stdout(&complaints_at(db, at, &["watch"], 0));
        // Due Sunday 28 September (an adjusted working day): a reminder on Friday, once.
        assert!(
            watch("2025-09-26T17:00:00+08:00").contains("1 reminders"),
            "{}",
            db.backend
        );
        assert!(watch("2025-09-26T18:00:00+08:00").contains("0 reminders"));
        // Monday 29: one working day late, urged (催办); Tuesday 30: two, supervised (督办).
        assert!(watch("2025-09-29T09:00:00+08:00").contains("1 urged (催办), 0 supervised"));
        assert!(watch("2025-09-29T10:00:00+08:00").contains("0 urged (催办), 0 supervised"));
        assert!(watch("2025-09-30T09:00:00+08:00").contains("0 urged (催办), 1 supervised"));
        let timeline = shown(db, ID);
        assert_eq!(timeline["complaint"]["escalation"], 2);
        let kinds: Vec<&str> = timeline["mails"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["assignment", "due_soon", "overdue", "overdue"],
            "{}",
            db.backend
        );
        let subjects: Vec<&str> = timeline["mails"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["subject"].as_str().unwrap())
            .collect();
        assert!(
            subjects[2].contains("催办") && subjects[3].contains("督办"),
            "{subjects:?}"
        );
        let text = stdout(&complaints_at(
            db,
            "2025-09-30T09:00:00+08:00",
            &["list"],
            0,
        ));
        assert!(text.contains("督办") && text.contains("OVERDUE"), "{text}");
    });
}

#[test]
fn complaints_list_as_json_names_no_complainant_and_no_phone() {
    let (demo, _) = crate::support::shared_demo();
    let pushes = std::fs::read_to_string(demo.join("data/complaints.jsonl")).unwrap();
    let pushes_read: Vec<Value> = pushes
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Everything but the complainants: a name that also stands there (a respondent of the
    // same name) may rightly be printed.
    let rest: String = pushes_read
        .iter()
        .map(|push| {
            let mut rest = push.clone();
            rest["complainant"] = Value::Null;
            rest.to_string()
        })
        .collect();
    let mut secrets = Vec::new();
    for push in &pushes_read {
        for field in ["name", "phone"] {
            if let Some(text) = push["complainant"][field]
                .as_str()
                .filter(|t| !rest.contains(*t))
            {
                secrets.push(text.to_owned());
            }
        }
    }
    assert!(
        secrets.len() >= 2 * 300,
        "{} names and phones in the demo",
        secrets.len()
    );
    let url = format!("sqlite://{}", demo.join("jiandu.db").display());
    let output = run_expect(
        jiandu(&repo_root()).args(["--db", &url, "complaints", "list", "--format", "json"]),
        0,
    );
    let listed = stdout(&output);
    let rows: Vec<Value> = listed
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    // The demo leaves the matter out of a few pushes on purpose: those are refused.
    let well_formed = pushes
        .lines()
        .filter(|l| l.contains("\"complaintDetail\"") || l.contains("\"tipDetail\""))
        .count();
    assert_eq!(rows.len(), well_formed, "every complaint taken is listed");
    for secret in &secrets {
        assert!(!listed.contains(secret.as_str()), "`{secret}` is printed");
    }
    let masked_phones = rows
        .iter()
        .filter(|r| {
            r["details"]["complainant"]["phone"]
                .as_str()
                .is_some_and(|p| p.contains("****"))
        })
        .count();
    let hidden = rows
        .iter()
        .filter(|r| r["details"]["complainant"]["phone"] == jiandu_model::personal::CONFIDENTIAL)
        .count();
    assert_eq!(
        masked_phones + hidden,
        rows.len(),
        "every phone is masked or hidden"
    );
}
