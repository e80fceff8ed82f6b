//! Engine tests on small rule directories written here: outcomes, the missing-field policy,
//! version selection, the sandbox and error positions.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiandu_model::{Outcome, Record};
use serde_json::json;

use crate::{Evaluator, Lookups, Profile, RuleError, RuleSet};

const SERVICE: &str = r#"/*---
id = "T-SERVICE"
title_zh = "送达"
title_en = "Service"
record_types = ["penalty"]
date_field = "decision_date"
reads = ["decision_date", "service_date", "payment.paid_to"]

[[versions]]
from = "2021-07-15"
basis = "新法"
check = "check_new"

[[versions]]
from = "1996-10-01"
to = "2021-07-14"
basis = "旧法"
check = "check_old"
---*/
fn check_new(r) {
    let served = r.service_date;
    if served == () { return violation("未送达", "not served"); }
    let due = deadline_wd(r.decision_date, 7);
    if served <= due { pass() } else { violation("逾期", "late", #{deadline: due, served: served}) }
}

fn check_old(r) {
    let due = deadline_days(r.decision_date, 7);
    if r.service_date <= due { pass() } else { violation("逾期", "late", #{deadline: due}) }
}
"#;

const LOOP: &str = r#"/*---
id = "T-LOOP"
title_zh = "死循环"
title_en = "Runaway"
record_types = ["penalty"]

[[versions]]
basis = "无"
check = "check"
---*/
fn check(r) {
    loop {}
}
"#;

const TYPO: &str = r#"/*---
id = "T-TYPO"
title_zh = "拼写错误"
title_en = "Typo"
record_types = ["penalty"]

[[versions]]
basis = "无"
check = "check"
---*/
fn check(r) {
    if r.servce_date == () { pass() } else { pass() }
}
"#;

fn rules_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("test");
    std::fs::create_dir_all(&pack).unwrap();
    for (name, text) in files {
        std::fs::write(pack.join(name), text).unwrap();
    }
    dir
}

fn load(files: &[(&str, &str)]) -> (tempfile::TempDir, RuleSet) {
    let dir = rules_dir(files);
    let set = RuleSet::load(
        dir.path(),
        Profile::builtin(),
        jiandu_calendar::Calendar::builtin(),
        jiandu_model::RegionTable::builtin(),
    )
    .unwrap();
    (dir, set)
}

fn record(value: serde_json::Value) -> Record {
    let mut value = value;
    value["record_id"] = json!("R1");
    value["record_type"] = json!("penalty");
    Record::from_json(value).unwrap()
}

fn outcome_of(set: &RuleSet, rule: &str, value: serde_json::Value) -> jiandu_model::Evaluation {
    Evaluator::new(set, Arc::new(Lookups::empty()))
        .evaluate_rule(rule, &record(value))
        .unwrap()
}

#[test]
fn chooses_the_version_by_the_act_date_and_counts_working_days() {
    let (_dir, set) = load(&[("T-SERVICE.rhai", SERVICE)]);
    // 7 working days from 2025-09-26 end on 2025-10-13 (国庆 with its adjusted weekends).
    let on_time = outcome_of(
        &set,
        "T-SERVICE",
        json!({"decision_date": "2025-09-26", "service_date": "2025-10-13"}),
    );
    assert_eq!(
        (on_time.outcome, on_time.version.as_deref()),
        (Outcome::Pass, Some("2021-07-15"))
    );
    let late = outcome_of(
        &set,
        "T-SERVICE",
        json!({"decision_date": "2025-09-26", "service_date": "2025-10-14"}),
    );
    assert_eq!(late.outcome, Outcome::Violation);
    assert_eq!(late.evidence["deadline"], "2025-10-13");
    assert_eq!(late.basis.as_deref(), Some("新法"));
    // The old law counts calendar days: 2020-03-02 + 7 = 2020-03-09.
    let old = outcome_of(
        &set,
        "T-SERVICE",
        json!({"decision_date": "2020-03-02", "service_date": "2020-03-10"}),
    );
    assert_eq!(
        (old.outcome, old.version.as_deref()),
        (Outcome::Violation, Some("1996-10-01"))
    );
    let before = outcome_of(
        &set,
        "T-SERVICE",
        json!({"decision_date": "1995-03-02", "service_date": "1995-03-10"}),
    );
    assert_eq!(before.outcome, Outcome::NotApplicable);
}

#[test]
fn absent_fields_give_unknown_and_null_fields_are_judged() {
    let (_dir, set) = load(&[("T-SERVICE.rhai", SERVICE)]);
    let absent = outcome_of(&set, "T-SERVICE", json!({"decision_date": "2025-09-26"}));
    assert_eq!(absent.outcome, Outcome::Unknown);
    assert_eq!(absent.evidence["absent_field"], "service_date");
    let null = outcome_of(
        &set,
        "T-SERVICE",
        json!({"decision_date": "2025-09-26", "service_date": null}),
    );
    assert_eq!(null.outcome, Outcome::Violation);
    let no_date = outcome_of(&set, "T-SERVICE", json!({"service_date": "2025-10-01"}));
    assert_eq!(no_date.outcome, Outcome::Unknown);
    let calendar_missing = outcome_of(
        &set,
        "T-SERVICE",
        json!({"decision_date": "2026-12-28", "service_date": "2027-01-08"}),
    );
    assert_eq!(calendar_missing.outcome, Outcome::Unknown);
    assert!(
        calendar_missing
            .message_en
            .contains("the 2027 State Council holiday notice is not in the calendar"),
        "{}",
        calendar_missing.message_en
    );
}

#[test]
fn a_runaway_rule_errors_quickly_and_the_others_still_run() {
    let (_dir, set) = load(&[("T-SERVICE.rhai", SERVICE), ("T-LOOP.rhai", LOOP)]);
    let started = Instant::now();
    let outcomes = Evaluator::new(&set, Arc::new(Lookups::empty())).evaluate(&record(
        json!({"decision_date": "2025-09-26", "service_date": "2025-09-30"}),
    ));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(outcomes.len(), 2, "one outcome per rule: {outcomes:?}");
    let by_rule: std::collections::HashMap<_, _> =
        outcomes.iter().map(|e| (e.rule_id.as_str(), e)).collect();
    assert_eq!(by_rule["T-LOOP"].outcome, Outcome::Error);
    assert!(
        by_rule["T-LOOP"].message_en.contains("operation"),
        "{}",
        by_rule["T-LOOP"].message_en
    );
    assert!(
        by_rule["T-LOOP"].message_en.contains("T-LOOP.rhai:11"),
        "{}",
        by_rule["T-LOOP"].message_en
    );
    assert_eq!(by_rule["T-SERVICE"].outcome, Outcome::Pass);
}

#[test]
fn an_undeclared_field_is_an_error_not_an_unknown() {
    let (_dir, set) = load(&[("T-TYPO.rhai", TYPO)]);
    let typo = outcome_of(&set, "T-TYPO", json!({"decision_date": "2025-09-26"}));
    assert_eq!(typo.outcome, Outcome::Error);
    assert!(
        typo.message_en.contains("servce_date"),
        "{}",
        typo.message_en
    );
}

#[test]
fn a_syntax_error_is_reported_at_its_line_and_column() {
    let broken = SERVICE.replace(
        "    let served = r.service_date;",
        "    let served = r.service_date +* ;",
    );
    let (_dir, set) = load(&[("T-SERVICE.rhai", &broken), ("T-LOOP.rhai", LOOP)]);
    let problem = set.rule("T-SERVICE").unwrap().problem.clone().unwrap();
    match &problem {
        RuleError::Syntax { location, .. } => {
            assert_eq!(location.line, 21, "{problem}");
            assert!(location.file.ends_with("T-SERVICE.rhai"));
        }
        other => panic!("{other:?}"),
    }
    let outcome = outcome_of(&set, "T-SERVICE", json!({"decision_date": "2025-09-26"}));
    assert_eq!(outcome.outcome, Outcome::Error);
    assert!(
        outcome.message_en.contains("T-SERVICE.rhai:21:"),
        "{}",
        outcome.message_en
    );
}

#[test]
fn the_sandbox_has_no_way_out() {
    let escape = LOOP
        .replace("T-LOOP", "T-ESCAPE")
        .replace("loop {}", r#"import "/etc/passwd" as p; pass()"#);
    let (_dir, set) = load(&[("T-ESCAPE.rhai", &escape)]);
    let outcome = outcome_of(&set, "T-ESCAPE", json!({}));
    assert_eq!(outcome.outcome, Outcome::Error, "{}", outcome.message_en);
    assert!(
        outcome.message_en.contains("T-ESCAPE.rhai"),
        "{}",
        outcome.message_en
    );
    assert!(
        !outcome.message_en.contains("root:"),
        "nothing of the file reached the rule: {}",
        outcome.message_en
    );
    let eval = LOOP
        .replace("T-LOOP", "T-EVAL")
        .replace("loop {}", r#"eval("1 + 1"); pass()"#);
    let (_dir, set) = load(&[("T-EVAL.rhai", &eval)]);
    let outcome = outcome_of(&set, "T-EVAL", json!({}));
    assert_eq!(outcome.outcome, Outcome::Error);
    assert!(
        outcome.message_en.contains("eval"),
        "{}",
        outcome.message_en
    );
    let big = LOOP.replace("T-LOOP", "T-BIG").replace(
        "loop {}",
        r#"let s = "x"; for i in 0..100 { s += s; } pass()"#,
    );
    let (_dir, set) = load(&[("T-BIG.rhai", &big)]);
    let outcome = outcome_of(&set, "T-BIG", json!({}));
    assert_eq!(outcome.outcome, Outcome::Error, "{}", outcome.message_en);
    assert!(
        outcome.message_en.contains("Length of string too large"),
        "{}",
        outcome.message_en
    );
}

#[test]
fn a_file_named_unlike_its_id_or_missing_a_check_function_is_broken() {
    let (_dir, set) = load(&[("T-OTHER.rhai", SERVICE)]);
    assert!(matches!(
        set.rules[0].problem,
        Some(RuleError::Invalid { .. })
    ));
    let missing = SERVICE.replace("fn check_old(r)", "fn check_older(r)");
    let (_dir, set) = load(&[("T-SERVICE.rhai", &missing)]);
    let problem = set.rules[0].problem.clone().unwrap().to_string();
    assert!(problem.contains("check_old"), "{problem}");
}

const TRI: &str = r#"/*---
id = "T-TRI"
title_zh = "三值"
title_en = "Three values"
record_types = ["penalty"]
reads = ["service_method", "e_service_confirmation", "extensions[].approver_role", "penalty_types", "decision_date", "service_date"]

[applies_when]
procedure = "ordinary"
"party.nature" = ["legal_person", "other_org"]

[[versions]]
basis = "无"
check = "check"
---*/
fn check(r) {
    let how = get(r, "service_method");
    if how in ["email", "fax"] && get(r, "e_service_confirmation") != true {
        return violation("无确认书", "no confirmation");
    }
    for e in get(r, "extensions") {
        if get(e, "approver_role") != "head" { return violation("非负责人", "not the head"); }
    }
    if !recorded(get(r, "decision_date")) {
        return not_applicable("未决定", `no decision: ${get(r, "decision_date")}`);
    }
    if within_wd(r.decision_date, 7, r.service_date) { pass(`${1.0 * 25 / 3} h, ${money(1150000)} 元`, "") } else { violation("逾期", "late", #{deadline: deadline_wd(r.decision_date, 7)}) }
}
"#;

fn tri(value: serde_json::Value) -> jiandu_model::Evaluation {
    let (_dir, set) = load(&[("T-TRI.rhai", TRI)]);
    let mut value = value;
    value["procedure"] = json!("ordinary");
    value["party"] = json!({"nature": "legal_person"});
    outcome_of(&set, "T-TRI", value)
}

#[test]
fn a_field_not_recorded_is_never_taken_as_false() {
    // `get(..) != true` on an absent confirmation: unknown, naming the field.
    let e =
        tri(json!({"service_method": "email", "extensions": [], "decision_date": "2025-03-03"}));
    assert_eq!(e.outcome, Outcome::Unknown, "{}", e.message);
    assert_eq!(e.evidence["absent_field"], "e_service_confirmation");
    // A nested field absent inside a list element is named by its dictionary path.
    let e = tri(json!({"service_method": "mail", "extensions": [{"approved_date": "2025-04-01"}]}));
    assert_eq!(e.outcome, Outcome::Unknown, "{}", e.message);
    assert_eq!(e.evidence["absent_field"], "extensions[].approver_role");
    assert!(e.message.contains("延长批准人"), "{}", e.message);
    // An `if` on a value not recorded, and a loop over one, are unknown too.
    let e = tri(json!({"service_method": "mail"}));
    assert_eq!(e.outcome, Outcome::Unknown, "{}", e.message);
    assert_eq!(e.evidence["absent_field"], "extensions");
    // The value may be shown without deciding on it.
    let e = tri(json!({"service_method": "mail", "extensions": []}));
    assert_eq!(e.outcome, Outcome::NotApplicable);
    assert_eq!(e.message_en, "no decision: 未记录");
    // Known values decide.
    let e =
        tri(json!({"service_method": "email", "e_service_confirmation": false, "extensions": []}));
    assert_eq!(e.outcome, Outcome::Violation);
}

#[test]
fn every_operator_on_a_value_not_recorded_stops_the_rule_whichever_side_it_is_on() {
    for expr in [
        r#"v == "x""#,
        r#""x" != v"#,
        "v == 1",
        "1.5 < v",
        "v >= date(\"2024-01-01\")",
        "moment(\"2024-01-01T09:00:00+08:00\") > v",
        "v <= money(1)",
        "v == ()",
        "[] != v",
        "#{} == v",
        "v == true",
        "!v",
        "v + 1 > 2",
        "1 - v > 0",
    ] {
        let rule = format!(
            "/*---\nid = \"T-OPS\"\ntitle_zh = \"运算\"\ntitle_en = \"ops\"\nrecord_types = [\"penalty\"]\n\
             reads = [\"e_service_confirmation\"]\n\n[[versions]]\nbasis = \"无\"\ncheck = \"check\"\n---*/\n\
             fn check(r) {{ let v = get(r, \"e_service_confirmation\"); if {expr} {{ pass() }} else {{ violation(\"否\", \"no\") }} }}\n"
        );
        let (_dir, set) = load(&[("T-OPS.rhai", rule.as_str())]);
        let e = outcome_of(&set, "T-OPS", json!({}));
        assert_eq!(e.outcome, Outcome::Unknown, "{expr}: {}", e.message);
        assert_eq!(
            e.evidence["absent_field"], "e_service_confirmation",
            "{expr}"
        );
    }
}

#[test]
fn applicability_comes_before_the_version_and_the_fields() {
    let (_dir, set) = load(&[("T-TRI.rhai", TRI)]);
    let summary = outcome_of(&set, "T-TRI", json!({"procedure": "summary"}));
    assert_eq!(summary.outcome, Outcome::NotApplicable);
    assert_eq!(
        summary.message,
        "不适用：处罚程序为「简易程序」，本规则只适用于：普通程序"
    );
    let person = outcome_of(
        &set,
        "T-TRI",
        json!({"procedure": "ordinary", "party": {"nature": "natural_person"}}),
    );
    assert_eq!(person.outcome, Outcome::NotApplicable);
    let untold = outcome_of(&set, "T-TRI", json!({"procedure": "ordinary"}));
    assert_eq!(untold.outcome, Outcome::Unknown);
    assert_eq!(untold.evidence["absent_field"], "party.nature");
}

#[test]
fn a_deadline_in_a_year_without_a_notice_decides_outside_its_interval() {
    let base = json!({"service_method": "mail", "extensions": [], "decision_date": "2026-12-25"});
    let with = |served: &str| {
        let mut v = base.clone();
        v["service_date"] = json!(served);
        tri(v)
    };
    // 7 working days from 2026-12-25 end between 2027-01-02 and 2027-01-15.
    assert_eq!(with("2027-01-01").outcome, Outcome::Pass);
    let inside = with("2027-01-08");
    assert_eq!(inside.outcome, Outcome::Unknown, "{}", inside.message);
    assert_eq!(inside.evidence["calendar_missing_year"], 2027);
    let late = with("2027-01-18");
    assert_eq!(late.outcome, Outcome::Violation);
    assert_eq!(
        late.evidence["deadline"],
        json!({"earliest": "2027-01-02", "latest": "2027-01-15", "missing_notices": [2027]})
    );
}

#[test]
fn numbers_in_messages_read_as_a_person_writes_them() {
    let e = tri(
        json!({"service_method": "mail", "extensions": [], "decision_date": "2025-03-03", "service_date": "2025-03-04"}),
    );
    assert_eq!(e.outcome, Outcome::Pass);
    assert_eq!(e.message, "8.3 h, 1,150,000.00 元");
}

fn hostile(id: &str, body: &str) -> jiandu_model::Evaluation {
    let script = LOOP.replace("T-LOOP", id).replace("loop {}", body);
    let (_dir, set) = load(&[(&format!("{id}.rhai"), script.as_str())]);
    outcome_of(&set, id, json!({}))
}

#[test]
fn hostile_rules_end_in_error_with_the_reason_and_never_panic() {
    let cases = [
        (
            "T-NEST",
            r#"let a = []; for i in 0..5000 { a = [a, a]; } pass()"#,
            "Size of array",
        ),
        (
            "T-MAP",
            r#"let s = "x"; for i in 0..15 { s += s; } let m = #{}; for i in 0..9000 { m[`k${i}`] = s + i; } pass()"#,
            "more than 64 MB of memory",
        ),
        (
            "T-SLOW",
            r#"let a = []; for i in 0..9000 { a.push(i); } let b = []; for i in 0..100000 { b = a; b.push(1); } pass()"#,
            "longer than 500 ms",
        ),
        (
            "T-ARR",
            r#"let s = "x"; for i in 0..15 { s += s; } let m = []; for i in 0..9000 { m.push(s); } pass()"#,
            "Length of string too large",
        ),
        (
            "T-ADD",
            r#"add_days(date("2024-01-01"), -9223372036854775808); pass()"#,
            "out of range for a legal period",
        ),
        (
            "T-PLUS",
            r#"let d = date("2024-01-01"); for i in 0..100 { d = d + 100000; } pass()"#,
            "leaves the years 1–9999",
        ),
        (
            "T-MINUS",
            r#"let d = date("2024-01-01") - -9223372036854775808; pass()"#,
            "out of range",
        ),
        (
            "T-MONEY",
            r#"let m = money(9223372036854775807); pass()"#,
            "amount out of range in money()",
        ),
        (
            "T-MONEY-MUL",
            r#"let m = money(1) * 9223372036854775807; pass()"#,
            "amount out of range in *",
        ),
        (
            "T-HOURS",
            r#"add_hours(moment("2024-01-01T00:00:00+08:00"), -9223372036854775808); pass()"#,
            "hours is out of range",
        ),
        (
            "T-CRASH",
            r#"crash_for_test(); pass()"#,
            "crashed the engine",
        ),
    ];
    for (id, body, reason) in cases {
        let started = Instant::now();
        let e = hostile(id, body);
        assert_eq!(e.outcome, Outcome::Error, "{id}: {}", e.message_en);
        assert!(e.message_en.contains(reason), "{id}: {}", e.message_en);
        assert!(started.elapsed() < Duration::from_secs(5), "{id}");
    }
}

#[test]
fn percentages_are_exact_decimals() {
    let e = hostile(
        "T-PCT",
        r#"let a = percent(money(100), 0.5); let b = percent(money(33.33), 3); let c = percent(money(0.05), 50);
           if a == money(0.5) && b == money(1.0) && c == money(0.03) { pass() } else { violation(`${a} ${b} ${c}`, "wrong") }"#,
    );
    assert_eq!(e.outcome, Outcome::Pass, "{}", e.message_en);
    let e = hostile("T-PCT-BAD", r#"percent(money(100), 1.0e300); pass()"#);
    assert_eq!(e.outcome, Outcome::Error, "{}", e.message_en);
}

#[test]
fn a_rule_that_fails_too_often_is_switched_off_for_the_run() {
    let failing = LOOP
        .replace("T-LOOP", "T-FAIL")
        .replace("loop {}", r#"throw "always""#);
    let (_dir, set) = load(&[("T-FAIL.rhai", &failing), ("T-SERVICE.rhai", SERVICE)]);
    let mut evaluator = Evaluator::new(&set, Arc::new(Lookups::empty()));
    let rec = record(json!({"decision_date": "2025-09-26", "service_date": "2025-09-30"}));
    let runs: Vec<_> = (0..crate::DEFAULT_ERROR_LIMIT + 3)
        .map(|_| evaluator.evaluate(&rec))
        .collect();
    let fail_messages: Vec<_> = runs
        .iter()
        .map(|outcomes| {
            assert_eq!(outcomes.len(), 2);
            assert_eq!(
                outcomes[1].outcome,
                Outcome::Pass,
                "{}",
                outcomes[1].message_en
            );
            assert_eq!(outcomes[0].outcome, Outcome::Error);
            outcomes[0].message_en.clone()
        })
        .collect();
    let off = fail_messages
        .iter()
        .filter(|m| m.contains("switched off"))
        .count();
    assert_eq!(off, 3, "{fail_messages:?}");
    assert!(fail_messages[0].contains("always"), "{}", fail_messages[0]);
    assert_eq!(
        set.switched_off_rules(),
        vec![("T-FAIL".to_owned(), crate::DEFAULT_ERROR_LIMIT)]
    );
    // The next run (sweep) starts with the rule on again.
    set.reset_errors();
    assert!(set.switched_off_rules().is_empty());
    let again = evaluator.evaluate(&rec);
    assert!(
        again[0].message_en.contains("always"),
        "{}",
        again[0].message_en
    );
}
