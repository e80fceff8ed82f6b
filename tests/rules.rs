//! The shipped rules: complete, passing their own cases, listed by id, describable to editors.

use crate::support::{jiandu, repo_root, run_expect, stderr, stdout, temp_dir};

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

#[test]
fn fields_lists_every_field_a_shipped_rule_reads_with_its_type_and_vocabulary() {
    let dir = temp_dir();
    let listed: Vec<serde_json::Value> = serde_json::from_str(&stdout(&run_expect(
        jiandu(dir.path()).args(["fields", "--format", "json"]),
        0,
    )))
    .unwrap();
    let by_path: std::collections::HashMap<&str, &serde_json::Value> = listed
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f))
        .collect();
    // Read each rule's `reads` from its file, independently of the program.
    let mut checked = 0;
    for pack in std::fs::read_dir(repo_root().join("rules")).unwrap() {
        for file in std::fs::read_dir(pack.unwrap().path())
            .into_iter()
            .flatten()
        {
            let file = file.unwrap().path();
            if file.extension().is_none_or(|e| e != "rhai")
                || file.to_string_lossy().contains("routing")
            {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let front = &text[text.find("/*---").unwrap() + 5..text.find("---*/").unwrap()];
            let meta: toml::Table = toml::from_str(front).unwrap();
            let id = meta["id"].as_str().unwrap();
            let reads = meta
                .get("reads")
                .and_then(|r| r.as_array())
                .cloned()
                .unwrap_or_default();
            for path in reads.iter().map(|p| p.as_str().unwrap()) {
                let field = by_path.get(path).unwrap_or_else(|| {
                    panic!("{id} reads {path}, which `jiandu fields` does not list")
                });
                assert!(field["type"].is_string(), "{path}");
                assert!(
                    field["rules"].as_array().unwrap().iter().any(|r| r == id),
                    "{path} does not name {id}"
                );
                if field["type"] == "enum" {
                    assert!(field["vocabulary"].is_string(), "{path}");
                    assert!(!field["values"].as_array().unwrap().is_empty(), "{path}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked} reads checked");
    let role = by_path["extensions[].approver_role"];
    assert_eq!(role["vocabulary"], "roles");
    assert_eq!(role["values"][0]["code"], "head");
    assert_eq!(role["values"][0]["zh"], "行政机关负责人");
    // --rule narrows the list to that rule's fields.
    let one: Vec<serde_json::Value> = serde_json::from_str(&stdout(&run_expect(
        jiandu(dir.path()).args(["fields", "--format", "json", "--rule", "CPL-SIGN-1WD"]),
        0,
    )))
    .unwrap();
    let paths: Vec<&str> = one.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "received_date",
            "handover_log",
            "handover_log[].action",
            "handover_log[].at",
            "handover_log[].unit",
            "handover_log[].to_unit"
        ]
    );
    let unknown = run_expect(
        jiandu(dir.path()).args(["fields", "--rule", "CPL-SIGN-2WD"]),
        2,
    );
    assert!(
        stderr(&unknown).contains("CPL-SIGN-1WD"),
        "{}",
        stderr(&unknown)
    );
}
