//! `jiandu calendar`: the answers CATALOGUE §4 and the issue require, and the refusal to guess.

use crate::support::{jiandu, run_expect, stderr, stdout, temp_dir};

fn check(args: &[&str], expect: &str) {
    let dir = temp_dir();
    let output = run_expect(jiandu(dir.path()).arg("calendar").args(args), 0);
    assert_eq!(
        stdout(&output),
        format!("{expect}\n"),
        "jiandu calendar {}",
        args.join(" ")
    );
}

#[test]
fn working_days_follow_the_adjusted_weekends() {
    check(&["is-working-day", "2025-09-28"], "true");
    check(&["is-working-day", "2025-10-08"], "false");
    check(&["add-working-days", "2025-09-26", "7"], "2025-10-13");
    check(&["add-working-days", "2026-02-12", "3"], "2026-02-24");
    check(&["add-working-days", "2024-09-27", "7"], "2024-10-12");
    check(&["working-days-between", "2025-09-26", "2025-10-13"], "7");
}

#[test]
fn calendar_day_periods_roll_forward_only_when_asked() {
    check(&["add-days", "2025-03-03", "90", "--roll"], "2025-06-03");
    check(&["add-days", "2025-03-03", "90"], "2025-06-01");
    check(&["deadline", "2025-03-03", "90d"], "2025-06-03");
    check(
        &["deadline", "2025-03-03", "90d", "--no-roll"],
        "2025-06-01",
    );
    check(&["deadline", "2025-09-26", "7wd"], "2025-10-13");
}

#[test]
fn a_year_without_a_notice_gives_intervals_naming_the_year() {
    let dir = temp_dir();
    let run = |args: &[&str]| {
        stdout(&run_expect(
            jiandu(dir.path()).arg("calendar").args(args),
            0,
        ))
    };
    // Near 元旦 a Monday may be an adjusted day off: not known before the notice.
    let day = run(&["is-working-day", "2027-01-04"]);
    assert!(day.starts_with("uncertain"), "{day}");
    assert!(day.contains("2027"), "{day}");
    // 2027-02-08 is 初三: off under 《全国年节及纪念日放假办法》 itself.
    assert_eq!(run(&["is-working-day", "2027-02-08"]), "false\n");
    let span = run(&["add-working-days", "2026-12-28", "5"]);
    assert!(
        span.starts_with("2027-01-03 – 2027-01-13  (2027 年国务院节假日安排尚未收录"),
        "{span}"
    );
    // Far enough from any festival, the day is certain.
    assert_eq!(
        run(&["add-days", "2026-12-20", "30", "--roll"]),
        "2027-01-19\n"
    );
    let json: serde_json::Value = serde_json::from_str(&run(&[
        "--format",
        "json",
        "add-working-days",
        "2026-12-25",
        "7",
    ]))
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!({"earliest": "2027-01-02", "latest": "2027-01-15", "exact": false, "missing_notices": [2027]})
    );
}

#[test]
fn a_year_is_added_by_editing_the_data_file_without_rebuilding() {
    let dir = temp_dir();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(rules.join("calendar")).unwrap();
    let shipped = std::fs::read_to_string(
        crate::support::repo_root().join("rules/calendar/cn-statutory.json"),
    )
    .unwrap();
    let extended = shipped.replacen(
        "\"years\": [",
        "\"years\": [\n    {\"year\": 2027, \"papers\": [\"https://example.invalid/2027\"], \"days\": [{\"name\": \"元旦\", \"date\": \"2027-01-01\", \"isOffDay\": true}, {\"name\": \"元旦\", \"date\": \"2027-01-02\", \"isOffDay\": false}]},",
        1,
    );
    std::fs::write(rules.join("calendar/cn-statutory.json"), extended).unwrap();
    let output = run_expect(
        jiandu(dir.path())
            .args(["calendar", "is-working-day", "2027-01-02"])
            .env("JIANDU_RULES_DIR", &rules),
        0,
    );
    assert_eq!(stdout(&output), "true\n");
}

#[test]
fn a_malformed_date_is_a_usage_error() {
    let dir = temp_dir();
    let output = run_expect(
        jiandu(dir.path()).args(["calendar", "is-working-day", "2025-13-01"]),
        2,
    );
    assert!(
        stderr(&output).contains("2025-13-01"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_hidden_notice_gives_an_interval_that_holds_the_true_deadline() {
    let dir = temp_dir();
    let run = |args: &[&str]| {
        stdout(&run_expect(
            jiandu(dir.path()).arg("calendar").args(args),
            0,
        ))
    };
    assert_eq!(
        run(&["add-working-days", "2025-09-26", "7"]),
        "2025-10-13\n"
    );
    let span = run(&[
        "--without-notice",
        "2025",
        "add-working-days",
        "2025-09-26",
        "7",
    ]);
    let (earliest, latest) = span.split_once("  ").unwrap().0.split_once(" – ").unwrap();
    assert!(earliest <= "2025-10-13" && "2025-10-13" <= latest, "{span}");
}

#[test]
fn add_year_checks_a_notice_and_makes_its_deadlines_exact() {
    let dir = temp_dir();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(rules.join("calendar")).unwrap();
    for file in ["cn-statutory.json", "festivals.tsv"] {
        std::fs::copy(
            crate::support::repo_root()
                .join("rules/calendar")
                .join(file),
            rules.join("calendar").join(file),
        )
        .unwrap();
    }
    let calendar = |args: &[&str], code: i32| {
        run_expect(
            jiandu(dir.path())
                .arg("calendar")
                .args(args)
                .env("JIANDU_RULES_DIR", &rules),
            code,
        )
    };
    // A day both off and worked is refused, and nothing is written.
    let notice =
        std::fs::read_to_string(crate::support::fixture("calendar/notice-2027.toml")).unwrap();
    let bad = notice.replace(
        r#"work = ["2027-02-14", "2027-02-20"]"#,
        r#"work = ["2027-02-07"]"#,
    );
    std::fs::write(dir.path().join("bad.toml"), bad).unwrap();
    let refused = calendar(&["add-year", "2027", "bad.toml"], 2);
    assert!(
        stderr(&refused).contains("2027-02-07"),
        "{}",
        stderr(&refused)
    );
    assert!(
        stdout(&calendar(&["add-working-days", "2026-12-25", "7"], 0)).contains(" – "),
        "the refused notice must not have been written"
    );
    std::fs::write(dir.path().join("2027.toml"), &notice).unwrap();
    let added = calendar(&["add-year", "2027", "2027.toml"], 0);
    assert!(
        stdout(&added).starts_with("added 2027"),
        "{}",
        stdout(&added)
    );
    // 12-28..31 and 01-04..01-06: the seventh working day after 2026-12-25.
    assert_eq!(
        stdout(&calendar(&["add-working-days", "2026-12-25", "7"], 0)),
        "2027-01-06\n"
    );
    assert_eq!(
        stdout(&calendar(&["is-working-day", "2027-02-14"], 0)),
        "true\n"
    );
    let again = calendar(&["add-year", "2027", "2027.toml"], 2);
    assert!(stderr(&again).contains("--replace"), "{}", stderr(&again));
}
