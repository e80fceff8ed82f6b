//! The graph written out: DOT for Graphviz users, JSON for programs, SVG for people.

mod svg;

use serde_json::{Value, json};

use crate::graph::Shape;
use crate::{CaseGraph, EdgeKind, NodeKind};

pub use svg::svg;

/// The colour of a node kind, shared by the DOT and SVG drawings.
pub(crate) fn colour(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Case => "#d62728",
        NodeKind::Finding => "#ff7f0e",
        NodeKind::Record => "#1f77b4",
        NodeKind::Complaint => "#9467bd",
        NodeKind::Unit => "#2ca02c",
        NodeKind::Officer => "#17becf",
        NodeKind::Party => "#8c564b",
        NodeKind::Item => "#7f7f7f",
    }
}

pub(crate) fn edge_colour(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::CaseFinding | EdgeKind::CaseUnit => "#d62728",
        EdgeKind::FindingRecord => "#ff7f0e",
        EdgeKind::InspectionPenalty | EdgeKind::SameAct => "#1f77b4",
        EdgeKind::ComplaintParty | EdgeKind::ComplaintUnit => "#9467bd",
        EdgeKind::RecordUnit
        | EdgeKind::RecordOfficer
        | EdgeKind::RecordParty
        | EdgeKind::RecordItem => "#aaaaaa",
    }
}

/// Nodes (with key, kind, label, date and attributes), edges (from, to, kind, label) and
/// the count of every node and edge kind.
pub fn json(g: &CaseGraph) -> Value {
    let nodes: Vec<Value> = g
        .nodes()
        .map(|(_, node)| {
            let mut value = serde_json::to_value(node).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("key".into(), Value::String(node.key()));
            }
            value
        })
        .collect();
    let edges: Vec<Value> = g
        .edges()
        .map(|(a, b, edge)| {
            json!({
                "from": g.node(a).key(),
                "to": g.node(b).key(),
                "kind": edge.kind,
                "label": edge.label,
            })
        })
        .collect();
    let (node_counts, edge_counts) = g.counts();
    let total = match g.shape {
        Shape::Whole { of_nodes } => of_nodes,
        Shape::Around { .. } => g.node_count(),
    };
    json!({
        "node_count": g.node_count(),
        "edge_count": g.edge_count(),
        "graph_node_count": total,
        "counts": {"nodes": node_counts, "edges": edge_counts},
        "nodes": nodes,
        "edges": edges,
    })
}

fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Graphviz DOT, with a CJK font named so Chinese labels render.
pub fn dot(g: &CaseGraph) -> String {
    let mut out = String::from("digraph jiandu {\n");
    out.push_str("  graph [rankdir=LR, fontname=\"Noto Sans CJK SC\", label=\"jiandu 案件关系图 case graph\"];\n");
    out.push_str("  node [fontname=\"Noto Sans CJK SC\", style=filled, fontcolor=white];\n");
    out.push_str("  edge [fontname=\"Noto Sans CJK SC\", fontsize=9];\n");
    for (_, node) in g.nodes() {
        let shape = match node.kind {
            NodeKind::Case | NodeKind::Unit => "box",
            NodeKind::Finding => "diamond",
            NodeKind::Officer | NodeKind::Party => "ellipse",
            _ => "note",
        };
        out.push_str(&format!(
            "  {} [label={}, shape={shape}, fillcolor=\"{}\", tooltip={}];\n",
            dot_string(&node.key()),
            dot_string(&node.label),
            colour(node.kind),
            dot_string(&format!("{} {}", node.kind.chinese(), node.id)),
        ));
    }
    for (a, b, edge) in g.edges() {
        let mut attrs = format!("color=\"{}\"", edge_colour(edge.kind));
        let label = edge.label.as_deref().unwrap_or(edge.kind.chinese());
        attrs.push_str(&format!(", label={}", dot_string(label)));
        if edge.kind == EdgeKind::SameAct {
            attrs.push_str(", dir=none, style=dashed");
        }
        out.push_str(&format!(
            "  {} -> {} [{attrs}];\n",
            dot_string(&g.node(a).key()),
            dot_string(&g.node(b).key())
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_strings_escape_quotes_and_backslashes() {
        assert_eq!(dot_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(dot_string("x\ny"), r#""x\ny""#);
    }
}
