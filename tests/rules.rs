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
fn the_list_has_exactly_the_95_ids_of_the_catalogue() {
    let dir = temp_dir();
    let listed = stdout(&run_expect(jiandu(dir.path()).args(["rules", "list"]), 0));
    let mut ids: Vec<&str> = listed
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    ids.sort();
    let catalogue =
        std::fs::read_to_string(repo_root().join("tests/fixtures/catalogue-ids.txt")).unwrap();
    let mut expected: Vec<&str> = catalogue.lines().collect();
    expected.sort();
    assert_eq!(expected.len(), 95);
    assert_eq!(ids, expected);
}

#[test]
fn every_rule_has_three_cases_and_every_version_is_exercised() {
    let root = repo_root().join("rules");
    let mut n_rules = 0;
    for pack in std::fs::read_dir(&root).unwrap() {
        let pack = pack.unwrap().path();
        // routing/ holds the routing table and script, not rules.
        if pack.ends_with("routing") {
            continue;
        }
        for file in std::fs::read_dir(&pack).into_iter().flatten() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "rhai") {
                n_rules += 1;
                let cases = file.with_extension("cases.json");
                let list: Vec<serde_json::Value> =
                    serde_json::from_str(&std::fs::read_to_string(&cases).unwrap()).unwrap();
                assert!(
                    list.len() >= 3,
                    "{} has {} cases",
                    cases.display(),
                    list.len()
                );
            }
        }
    }
    assert_eq!(n_rules, 95);
    // Version coverage is part of `rules test`: it fails on any uncovered version.
    let dir = temp_dir();
    let output = run_expect(jiandu(dir.path()).args(["rules", "test"]), 0);
    assert!(
        stdout(&output).contains("0 uncovered versions"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_rule_catalogue_document_is_generated_from_the_rules() {
    let dir = temp_dir();
    let fresh = dir.path().join("catalogue.md");
    run_expect(
        jiandu(dir.path())
            .args(["rules", "catalogue", "--out"])
            .arg(&fresh),
        0,
    );
    let committed =
        std::fs::read_to_string(repo_root().join("docs/user/rule-catalogue.md")).unwrap();
    assert!(
        committed == std::fs::read_to_string(&fresh).unwrap(),
        "docs/user/rule-catalogue.md is stale: run `cargo run -- rules catalogue --out docs/user/rule-catalogue.md`"
    );
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
