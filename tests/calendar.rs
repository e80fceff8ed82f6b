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
fn a_year_without_a_notice_is_an_error_naming_the_year() {
    let dir = temp_dir();
    for args in [
        vec!["is-working-day", "2027-01-04"],
        vec!["add-working-days", "2026-12-28", "5"],
        vec!["add-days", "2026-12-20", "30", "--roll"],
    ] {
        let output = run_expect(jiandu(dir.path()).arg("calendar").args(&args), 2);
        assert!(stdout(&output).is_empty());
        assert!(
            stderr(&output).contains("no calendar data for 2027"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
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
