//! `jiandu check`: the law's answers on penalty records, version selection, 调休 arithmetic,
//! cross-record look-ups within the file, and a runaway or broken rule that stops nothing.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{fixture, jiandu, run_expect, stderr, stdout, temp_dir};

/// (record_id, rule_id) → (outcome, version) from `jiandu check --all`.
fn outcomes(text: &str) -> HashMap<(String, String), (String, String)> {
    text.lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .map(|v| {
            (
                (
                    v["record_id"].as_str().unwrap().to_owned(),
                    v["rule_id"].as_str().unwrap().to_owned(),
                ),
                (
                    v["outcome"].as_str().unwrap().to_owned(),
                    v["version"].as_str().unwrap_or("").to_owned(),
                ),
            )
        })
        .collect()
}

#[test]
fn penalty_records_get_the_outcomes_the_law_requires() {
    let dir = temp_dir();
    let output = run_expect(
        jiandu(dir.path())
            .args(["check", "--all"])
            .arg(fixture("check/penalties.jsonl")),
        0,
    );
    let got = outcomes(&stdout(&output));
    let expect = |record: &str, rule: &str, outcome: &str, version: &str| {
        let key = (record.to_owned(), rule.to_owned());
        assert_eq!(
            got.get(&key),
            Some(&(outcome.to_owned(), version.to_owned())),
            "{record} {rule}"
        );
    };
    // Version selection: a 2020 summary fine is judged by the 50-yuan ceiling of the old law.
    expect(
        "SUMMARY-2020-60",
        "PEN-SUMMARY-LIMIT",
        "violation",
        "1996-10-01",
    );
    // "以下" includes the number: 200 yuan is within, 201 is not.
    expect(
        "SUMMARY-2024-200",
        "PEN-SUMMARY-LIMIT",
        "pass",
        "2021-07-15",
    );
    expect(
        "SUMMARY-2024-201",
        "PEN-SUMMARY-LIMIT",
        "violation",
        "2021-07-15",
    );
    // 7 working days across 国庆 2025 with its adjusted Sunday and Saturday.
    expect("SERVED-7WD", "PEN-SERVICE-7WD", "pass", "2021-07-15");
    expect("SERVED-8WD", "PEN-SERVICE-7WD", "violation", "2021-07-15");
    // Old law: 7 calendar days ending in the holiday roll to the next working day.
    expect(
        "SERVED-2020-ROLLED",
        "PEN-SERVICE-7WD",
        "pass",
        "1996-10-01",
    );
    // The 90th day falls on a holiday Sunday and rolls forward; the 91st day is late.
    expect(
        "DECIDED-90TH-HOLIDAY",
        "PEN-DEADLINE-90D",
        "pass",
        "2021-07-15",
    );
    expect(
        "DECIDED-91ST",
        "PEN-DEADLINE-90D",
        "violation",
        "2021-07-15",
    );
    // An extension approved a day after the deadline does not count.
    expect("EXT-LATE", "PEN-DEADLINE-90D", "violation", "2021-07-15");
    // One act fined by two units: the later fine is the violation (look-up within the file).
    expect("FINE-A", "PEN-DOUBLE-FINE", "pass", "2021-07-15");
    expect("FINE-B", "PEN-DOUBLE-FINE", "violation", "2021-07-15");
    // A hearing notified 2024-09-27 may be held from 2024-10-12 (7 WD, Sun 09-29 worked).
    expect(
        "HEARING-NOTICE-2024",
        "PEN-HEARING-NOTICE-7WD",
        "violation",
        "2021-07-15",
    );
    // Absent fields give unknown, not violation.
    expect("SUMMARY-2024-200", "PEN-CERT-SHOW", "unknown", "2021-07-15");
}

#[test]
fn other_records_get_the_outcomes_the_law_and_the_counting_conventions_require() {
    let dir = temp_dir();
    let output = run_expect(
        jiandu(dir.path())
            .args(["check", "--all", "--items"])
            .arg(fixture("check/items.csv"))
            .arg(fixture("check/other-records.jsonl")),
        0,
    );
    let got = outcomes(&stdout(&output));
    let expect = |record: &str, rule: &str, outcome: &str| {
        let key = (record.to_owned(), rule.to_owned());
        assert_eq!(
            got.get(&key).map(|(o, _)| o.as_str()),
            Some(outcome),
            "{record} {rule}"
        );
    };
    // Clock hours: 24 hours across the 国庆 holiday is in time, 25 is not.
    expect("CMP-24H", "CMP-EMERGENCY-24H", "pass");
    expect("CMP-25H", "CMP-EMERGENCY-24H", "violation");
    // The 30th day of a seizure, start day not counted, no roll-forward.
    expect("SEIZE-DAY-30", "CMP-SEIZURE-30D", "pass");
    expect("SEIZE-DAY-31", "CMP-SEIZURE-30D", "violation");
    // 3 working days across 春节 2026 with its adjusted Saturday.
    expect("FREEZE-3WD-SPRING", "CMP-FREEZE-DECISION-3WD", "pass");
    expect("FREEZE-4WD-SPRING", "CMP-FREEZE-DECISION-3WD", "violation");
    // Night begins at 22:00; a listed holiday is a violation, an ordinary Saturday a warning,
    // an adjusted working Saturday a working day.
    expect("EXEC-2159", "EXE-NIGHT-HOLIDAY", "pass");
    expect("EXEC-2200", "EXE-NIGHT-HOLIDAY", "violation");
    expect("EXEC-GUOQING", "EXE-NIGHT-HOLIDAY", "violation");
    expect("EXEC-SATURDAY", "EXE-NIGHT-HOLIDAY", "warning");
    expect("EXEC-ADJUSTED-SATURDAY", "EXE-NIGHT-HOLIDAY", "pass");
    // The yearly cap, counted across the records of the file: the third inspection of one
    // party by one agency goes over the placeholder cap of 2; another agency's does not count.
    expect("INS-2", "INS-FREQ-CAP", "pass");
    expect("INS-3", "INS-FREQ-CAP", "warning");
    expect("INS-OTHER-AGENCY", "INS-FREQ-CAP", "pass");
    // The published item list, from --items.
    expect("INS-1", "INS-ITEM-LISTED", "pass");
    expect("INS-UNLISTED-2021", "INS-ITEM-LISTED", "violation");
    // Complaints: 7 working days and the 1-working-day sign-for across 国庆 2025.
    expect("CPL-GUOQING", "CPL-ACCEPT-7WD", "pass");
    expect("CPL-GUOQING", "CPL-SIGN-1WD", "pass");
    expect("CPL-GUOQING", "CPL-NO-SELF-TRANSFER", "pass");
    expect("CPL-LATE-SELF-TRANSFER", "CPL-ACCEPT-7WD", "violation");
    expect("CPL-LATE-SELF-TRANSFER", "CPL-SIGN-1WD", "violation");
    expect(
        "CPL-LATE-SELF-TRANSFER",
        "CPL-NO-SELF-TRANSFER",
        "violation",
    );
    // Reports: 15 working days across 春节 2026.
    expect("RPT-SPRING-15WD", "CPL-REPORT-VERIFY-15WD", "pass");
    expect("RPT-SPRING-16WD", "CPL-REPORT-VERIFY-15WD", "violation");
}

#[test]
fn the_default_output_lists_findings_only_in_the_documented_shape() {
    let dir = temp_dir();
    let output = run_expect(
        jiandu(dir.path())
            .arg("check")
            .arg(fixture("check/penalties.jsonl")),
        0,
    );
    let text = stdout(&output);
    assert!(!text.is_empty());
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for key in [
            "record_id",
            "rule_id",
            "version",
            "outcome",
            "basis",
            "message",
            "evidence",
        ] {
            assert!(v.get(key).is_some(), "{key} missing in {line}");
        }
        assert!(
            !["pass", "not_applicable"].contains(&v["outcome"].as_str().unwrap()),
            "{line}"
        );
    }
    let table = run_expect(
        jiandu(dir.path())
            .args(["check", "--format", "table"])
            .arg(fixture("check/penalties.jsonl")),
        0,
    );
    assert!(
        stdout(&table)
            .lines()
            .next()
            .unwrap()
            .starts_with("record_id"),
        "{}",
        stdout(&table)
    );
}

#[test]
fn a_runaway_rule_errors_within_seconds_and_the_others_still_run() {
    let dir = temp_dir();
    let started = Instant::now();
    let output = run_expect(
        jiandu(dir.path())
            .args(["check", "--all", "--rules"])
            .arg(fixture("rules/runaway"))
            .arg(fixture("check/one-penalty.jsonl")),
        0,
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let got = outcomes(&stdout(&output));
    assert_eq!(got[&("P-1".to_owned(), "T-LOOP".to_owned())].0, "error");
    assert_eq!(
        got[&("P-1".to_owned(), "T-FINE-SET".to_owned())].0,
        "violation"
    );
    assert!(stdout(&output).contains("operation"), "{}", stdout(&output));
}

#[test]
fn a_syntax_error_names_the_file_and_line_7_and_the_other_rules_run() {
    let dir = temp_dir();
    let output = run_expect(
        jiandu(dir.path())
            .args(["check", "--all", "--rules"])
            .arg(fixture("rules/syntax-line-7"))
            .arg(fixture("check/one-penalty.jsonl")),
        1,
    );
    assert!(
        stderr(&output).contains("T-BROKEN.rhai:7:"),
        "{}",
        stderr(&output)
    );
    let got = outcomes(&stdout(&output));
    assert_eq!(got[&("P-1".to_owned(), "T-BROKEN".to_owned())].0, "error");
    assert_eq!(
        got[&("P-1".to_owned(), "T-FINE-SET".to_owned())].0,
        "violation"
    );

    let output = run_expect(
        jiandu(dir.path())
            .args(["rules", "check"])
            .arg(fixture("rules/metadata-line-7")),
        2,
    );
    assert!(
        stdout(&output).contains("T-BADMETA.rhai:7: metadata"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn bad_input_is_refused_with_its_line() {
    let dir = temp_dir();
    let file = dir.path().join("bad.jsonl");
    std::fs::write(&file, "{\"record_id\": \"a\", \"record_type\": \"penalty\"}\n{\"record_id\": \"b\", \"record_type\": \"fine\"}\n").unwrap();
    let output = run_expect(jiandu(dir.path()).arg("check").arg(&file), 2);
    assert!(
        stderr(&output).contains("bad.jsonl:2"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn explain_shows_the_version_the_values_and_the_outcome() {
    let dir = temp_dir();
    let output = run_expect(
        jiandu(dir.path())
            .args(["explain", "SERVED-8WD", "--file"])
            .arg(fixture("check/penalties.jsonl")),
        0,
    );
    let text = stdout(&output);
    assert!(text.contains("PEN-SERVICE-7WD"), "{text}");
    assert!(
        text.contains("version: 2021-07-15 (decision_date = 2025-09-26 falls in 2021-07-15 –)"),
        "{text}"
    );
    assert!(text.contains("read service_date = 2025-10-14"), "{text}");
    assert!(
        text.contains("deadline_wd(2025-09-26, 7) = 2025-10-13"),
        "{text}"
    );
    assert!(text.contains("outcome: violation"), "{text}");
}

#[test]
fn a_word_outside_a_closed_vocabulary_is_refused_naming_field_value_and_allowed_values() {
    let dir = temp_dir();
    let refused = run_expect(
        jiandu(dir.path())
            .arg("check")
            .arg(fixture("contract/agency-head.json")),
        2,
    );
    assert!(stdout(&refused).is_empty());
    let message = stderr(&refused);
    for part in [
        "agency-head.json:2 (data row 1)",
        "field `extensions[0].approver_role`",
        "`agency_head` is not an allowed value (did you mean `head`?)",
        "allowed: head (行政机关负责人), collective (负责人集体讨论)",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
    // Translated by a mapping, the head's extension counts and the decision is in time.
    let output = run_expect(
        jiandu(dir.path())
            .args(["check", "--all", "--mapping"])
            .arg(fixture("contract/agency-head.toml"))
            .arg(fixture("contract/agency-head.json")),
        0,
    );
    let got = outcomes(&stdout(&output));
    assert_eq!(
        got.get(&("EXT-AGENCY-HEAD".to_owned(), "PEN-DEADLINE-90D".to_owned())),
        Some(&("pass".to_owned(), "2021-07-15".to_owned()))
    );
}

#[test]
fn a_field_no_rule_reads_is_named_with_the_closest_known_one() {
    let dir = temp_dir();
    let output = run_expect(
        jiandu(dir.path())
            .arg("check")
            .arg(fixture("contract/execution-type.jsonl")),
        0,
    );
    let errors = stderr(&output);
    let notices: Vec<&str> = errors
        .lines()
        .filter(|l| l.starts_with("notice: "))
        .collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains("execution-type.jsonl:1: `execution_type` is not a field jiandu reads"),
        "{}",
        notices[0]
    );
    assert!(
        notices[0].ends_with("did you mean `execution_kind`（强制执行类型）?"),
        "{}",
        notices[0]
    );
    // Whether EXE-DEMOLITION applies hangs on the field it should have been.
    let explained = run_expect(
        jiandu(dir.path())
            .args(["explain", "EXE-TYPO", "--file"])
            .arg(fixture("contract/execution-type.jsonl")),
        0,
    );
    assert!(
        stderr(&explained).contains("did you mean `execution_kind`"),
        "{}",
        stderr(&explained)
    );
    assert!(
        stdout(&explained)
            .contains("whether the rule applies depends on execution_kind, not recorded"),
        "{}",
        stdout(&explained)
    );
}
