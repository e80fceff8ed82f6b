//! The case graph from the store: every kind of node and edge, a well-formed SVG with
//! Chinese labels, neighbourhoods and the analyses.

use serde_json::Value;

use crate::support::db::sqlite;
use crate::support::{
    fixture, import_data, jiandu, repo_root, run_expect, stderr, stdout, sweep_json,
};

#[test]
fn the_graph_has_every_kind_of_node_and_edge_and_draws_as_svg() {
    let db = sqlite();
    let url = db.url.as_str();
    import_data(url, &fixture("sweep"));
    sweep_json(url, &[]);

    let output = run_expect(
        jiandu(&repo_root()).args(["--db", url, "graph", "export", "--format", "json"]),
        0,
    );
    let graph: Value = serde_json::from_slice(&output.stdout).unwrap();
    let kinds = |what: &str| -> Vec<(String, u64)> {
        graph["counts"][what]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect()
    };
    // DESIGN §7: eight node kinds and the edges between them.
    let node_kinds = kinds("nodes");
    for kind in [
        "record",
        "finding",
        "case",
        "unit",
        "officer",
        "party",
        "item",
        "complaint",
    ] {
        assert!(
            node_kinds.iter().any(|(k, n)| k == kind && *n > 0),
            "node kind {kind}: {node_kinds:?}"
        );
    }
    let edge_kinds = kinds("edges");
    for kind in [
        "finding_record",
        "record_unit",
        "record_officer",
        "record_party",
        "record_item",
        "inspection_penalty",
        "same_act",
        "complaint_party",
        "complaint_unit",
        "case_finding",
    ] {
        assert!(
            edge_kinds.iter().any(|(k, n)| k == kind && *n > 0),
            "edge kind {kind}: {edge_kinds:?}"
        );
    }
    // Every edge joins two listed nodes, and the counts add up.
    let nodes: std::collections::HashSet<&str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["key"].as_str().unwrap())
        .collect();
    let edges = graph["edges"].as_array().unwrap();
    assert_eq!(
        edges.len() as u64,
        edge_kinds.iter().map(|(_, n)| n).sum::<u64>()
    );
    for edge in edges {
        assert!(nodes.contains(edge["from"].as_str().unwrap()), "{edge}");
        assert!(nodes.contains(edge["to"].as_str().unwrap()), "{edge}");
    }
    // The natural person's name is masked.
    assert!(nodes.contains("party:441802198001011234"));
    let party = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["key"] == "party:441802198001011234")
        .unwrap();
    assert_eq!(party["label"], "张某");

    let dir = crate::support::temp_dir();
    let svg_path = dir.path().join("graph.svg");
    run_expect(
        jiandu(&repo_root())
            .args(["--db", url, "graph", "export", "--format", "svg", "--out"])
            .arg(&svg_path),
        0,
    );
    let text = std::fs::read_to_string(&svg_path).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("a well-formed SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert!(
        root.attribute("font-family")
            .unwrap()
            .contains("Noto Sans CJK SC")
    );
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("清城区市场监督管理局")),
        "{texts:?}"
    );
    let circles = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    assert!(
        circles >= nodes.len(),
        "{circles} circles for {} nodes",
        nodes.len()
    );

    let around = run_expect(
        jiandu(&repo_root()).args([
            "--db",
            url,
            "graph",
            "export",
            "--format",
            "dot",
            "--around",
            "SW-P-SERVED",
            "--depth",
            "1",
        ]),
        0,
    );
    let dot = stdout(&around);
    assert!(dot.starts_with("digraph jiandu {"), "{dot}");
    assert!(dot.contains("\"unit:441802-scjg\""), "{dot}");
    assert!(
        dot.contains("\"record:SW-I-1\" -> \"record:SW-P-SERVED\""),
        "{dot}"
    );
    assert!(!dot.contains("SW-P-SUMMARY"), "depth 1 stays near: {dot}");

    let missing = run_expect(
        jiandu(&repo_root()).args([
            "--db",
            url,
            "graph",
            "export",
            "--format",
            "svg",
            "--around",
            "unit:nowhere",
        ]),
        2,
    );
    assert!(
        stderr(&missing).contains("no node `unit:nowhere`"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn analyses_find_the_act_fined_by_two_units() {
    let db = sqlite();
    let url = db.url.as_str();
    import_data(url, &fixture("sweep"));
    sweep_json(url, &[]);
    let output = run_expect(
        jiandu(&repo_root()).args([
            "--db", url, "graph", "analyse", "--format", "json", "--min", "1",
        ]),
        0,
    );
    let found: Value = serde_json::from_slice(&output.stdout).unwrap();
    let doubles = found["double_fines"].as_array().unwrap();
    assert_eq!(doubles.len(), 1, "{found}");
    assert_eq!(doubles[0]["act_id"], "SW-ACT-1");
    let records: Vec<&str> = doubles[0]["fines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["record_id"].as_str().unwrap())
        .collect();
    assert_eq!(records, ["SW-P-DOUBLE", "SW-P-SERVED"]);
    let repeats = found["repeat_patterns"].as_array().unwrap();
    assert!(
        repeats
            .iter()
            .any(|p| p["subject"] == "officer" && p["subject_id"] == "44180220130123"),
        "{found}"
    );
    assert!(found["inspections_over_cap"].as_array().unwrap().is_empty());
}
