//! The shipped rules: complete, passing their own cases, listed by id, describable to editors.

use crate::support::{jiandu, repo_root, run_expect, stdout, temp_dir};

#[test]
fn every_shipped_rule_passes_its_cases() {
    let dir = temp_dir();
    let output = run_expect(jiandu(dir.path()).args(["rules", "test"]), 0);
    assert!(
        stdout(&output).contains("0 failed; 0 uncovered versions; 0 problems"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn every_shipped_rule_is_complete() {
    let dir = temp_dir();
    run_expect(jiandu(dir.path()).args(["rules", "check"]), 0);
}

#[test]
fn the_list_has_every_penalty_id_of_the_catalogue() {
    let dir = temp_dir();
    let listed = stdout(&run_expect(jiandu(dir.path()).args(["rules", "list"]), 0));
    let ids: Vec<&str> = listed
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    let catalogue =
        std::fs::read_to_string(repo_root().join("tests/fixtures/catalogue-ids.txt")).unwrap();
    for id in catalogue.lines().filter(|id| id.starts_with("PEN-")) {
        assert!(ids.contains(&id), "{id} is not shipped");
    }
}

#[test]
fn definitions_describe_the_host_api() {
    let dir = temp_dir();
    let out = dir.path().join("defs");
    run_expect(
        jiandu(dir.path())
            .args(["rules", "definitions", "--out"])
            .arg(&out),
        0,
    );
    let mut text = String::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for name in [
        "deadline_wd",
        "within_wd",
        "need",
        "violation",
        "setting",
        "same_act",
    ] {
        assert!(text.contains(name), "{name} is not in the definitions");
    }
}
