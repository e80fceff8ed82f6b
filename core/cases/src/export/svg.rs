//! The graph drawn as SVG in pure Rust (no Graphviz at run time).
//!
//! Two layouts: the neighbourhood of a node in rings by distance from it, and the whole
//! graph (or its first part) in columns by kind — cases, findings, records and complaints,
//! units, officers, parties, items — each column ordered by the positions of the nodes it
//! links to on its left, so lines mostly run across rather than up and down. Labels are
//! text in a CJK font stack; the full name and kind of every node are in its `<title>`.

use std::collections::HashMap;
use std::f64::consts::TAU;
use std::fmt::Write;

use petgraph::graph::NodeIndex;

use super::{colour, edge_colour};
use crate::graph::Shape;
use crate::{CaseGraph, EdgeKind, NodeKind};

const FONT: &str = "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif";
const ROW: f64 = 24.0;
const COLUMN: f64 = 230.0;
const MARGIN: f64 = 40.0;
const HEADER: f64 = 90.0;
const LABEL_CHARS: usize = 32;
/// Room beyond the outer ring for labels written outwards.
const LABEL_ROOM: f64 = 300.0;

/// Where a node sits, and the angle of its label in degrees when it is written along a ring
/// radius (`None`: written to the right).
type Positions = HashMap<NodeIndex, (f64, f64, Option<f64>)>;

fn escape(text: &str) -> String {
    jiandu_model::escape_xml(text)
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let mut s: String = label.chars().take(LABEL_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// The column of a node kind in the whole-graph layout.
fn column_of(kind: NodeKind) -> usize {
    match kind {
        NodeKind::Case => 0,
        NodeKind::Finding => 1,
        NodeKind::Record | NodeKind::Complaint => 2,
        NodeKind::Unit => 3,
        NodeKind::Officer => 4,
        NodeKind::Party => 5,
        NodeKind::Item => 6,
    }
}

#[allow(
    clippy::indexing_slicing,
    reason = "column_of gives 0..7, the vector's length"
)]
fn columns_layout(g: &CaseGraph) -> (Positions, f64, f64) {
    let mut columns: Vec<Vec<NodeIndex>> = vec![Vec::new(); 7];
    for (index, node) in g.nodes() {
        columns[column_of(node.kind)].push(index);
    }
    columns.retain(|c| !c.is_empty());
    let mut positions = Positions::new();
    let mut height: f64 = 0.0;
    for (col, nodes) in columns.iter_mut().enumerate() {
        // Order by the mean row of the neighbours already placed (barycentre), then by id.
        let mut keyed: Vec<(f64, String, NodeIndex)> = nodes
            .iter()
            .map(|&n| {
                let rows: Vec<f64> = g
                    .graph
                    .neighbors_undirected(n)
                    .filter_map(|m| positions.get(&m).map(|p| p.1))
                    .collect();
                let centre = if rows.is_empty() {
                    f64::MAX
                } else {
                    rows.iter().sum::<f64>() / rows.len() as f64
                };
                (centre, g.node(n).id.clone(), n)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let x = MARGIN + col as f64 * COLUMN;
        for (row, (_, _, n)) in keyed.iter().enumerate() {
            let y = HEADER + MARGIN + row as f64 * ROW;
            positions.insert(*n, (x, y, None));
            height = height.max(y);
        }
    }
    let width = MARGIN * 2.0 + columns.len().max(1) as f64 * COLUMN;
    (positions, width, height + MARGIN * 2.0)
}

#[allow(
    clippy::indexing_slicing,
    reason = "rings and radii have max_depth + 1 entries, every distance is at most max_depth"
)]
fn rings_layout(g: &CaseGraph, centre: NodeIndex) -> (Positions, f64, f64) {
    let distances = g.distances(centre, usize::MAX);
    let max_depth = distances.iter().map(|(_, d)| *d).max().unwrap_or(0);
    let mut rings: Vec<Vec<NodeIndex>> = vec![Vec::new(); max_depth + 1];
    for (n, d) in distances {
        rings[d].push(n);
    }
    // Nodes not reachable from the centre (none in a neighbourhood) go on an outer ring.
    let placed: usize = rings.iter().map(Vec::len).sum();
    if placed < g.node_count() {
        let reached: std::collections::HashSet<NodeIndex> =
            rings.iter().flatten().copied().collect();
        rings.push(
            g.nodes()
                .map(|(i, _)| i)
                .filter(|i| !reached.contains(i))
                .collect(),
        );
    }
    let mut radii = vec![0.0];
    for (d, ring) in rings.iter().enumerate().skip(1) {
        let previous: f64 = radii[d - 1];
        let needed = ring.len() as f64 * ROW * 1.1 / TAU;
        radii.push((previous + 170.0).max(needed));
    }
    let outer = radii.last().copied().unwrap_or(0.0) + LABEL_ROOM;
    let size = outer * 2.0;
    let (cx, cy) = (size / 2.0, HEADER + size / 2.0);
    let mut positions = Positions::new();
    for (d, ring) in rings.iter_mut().enumerate() {
        ring.sort_by_key(|n| (g.node(*n).kind, g.node(*n).id.clone()));
        let step = TAU / ring.len().max(1) as f64;
        for (i, n) in ring.iter().enumerate() {
            let angle = step * i as f64 - TAU / 4.0;
            let label_angle = (d > 0).then(|| angle.to_degrees());
            positions.insert(
                *n,
                (
                    cx + radii[d] * angle.cos(),
                    cy + radii[d] * angle.sin(),
                    label_angle,
                ),
            );
        }
    }
    (positions, size, size + HEADER)
}

/// The SVG document.
pub fn svg(g: &CaseGraph) -> String {
    let (positions, width, height) = match g.shape {
        Shape::Around { centre } if g.node_count() > 0 => rings_layout(g, centre),
        _ => columns_layout(g),
    };
    let width = width.max(760.0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT}" font-size="12">"#
    );
    let title = match g.shape {
        Shape::Around { centre } => format!(
            "jiandu 案件关系图 · case graph around {} — {} nodes, {} edges",
            g.node(centre).key(),
            g.node_count(),
            g.edge_count()
        ),
        Shape::Whole { of_nodes } if of_nodes > g.node_count() => format!(
            "jiandu 案件关系图 · case graph — showing {} of {} nodes (use --around NODE --depth N for one neighbourhood)",
            g.node_count(),
            of_nodes
        ),
        Shape::Whole { .. } => format!(
            "jiandu 案件关系图 · case graph — {} nodes, {} edges",
            g.node_count(),
            g.edge_count()
        ),
    };
    let _ = writeln!(out, "<title>{}</title>", escape(&title));
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        out,
        r#"<text x="{MARGIN}" y="28" font-size="16" font-weight="bold">{}</text>"#,
        escape(&title)
    );
    legend(&mut out, g);
    let _ = writeln!(out, r#"<g class="edges" stroke-width="1" fill="none">"#);
    for (a, b, edge) in g.edges() {
        let (Some(&(x1, y1, _)), Some(&(x2, y2, _))) = (positions.get(&a), positions.get(&b))
        else {
            continue;
        };
        let dash = if edge.kind == EdgeKind::SameAct {
            r#" stroke-dasharray="4 3""#
        } else {
            ""
        };
        let _ = writeln!(
            out,
            r#"<line class="{}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{}" stroke-opacity="0.6"{dash}><title>{}</title></line>"#,
            edge.kind.as_str(),
            edge_colour(edge.kind),
            escape(&format!(
                "{} {}{}",
                edge.kind.chinese(),
                edge.kind.as_str(),
                edge.label
                    .as_deref()
                    .map(|l| format!(": {l}"))
                    .unwrap_or_default()
            )),
        );
    }
    let _ = writeln!(out, "</g>");
    let _ = writeln!(out, r#"<g class="nodes">"#);
    for (index, node) in g.nodes() {
        let Some(&(x, y, label_angle)) = positions.get(&index) else {
            continue;
        };
        let radius = if matches!(node.kind, NodeKind::Case | NodeKind::Unit) {
            8.0
        } else {
            6.0
        };
        let label = match label_angle {
            // Along the radius, outwards; upside-down text on the left half is turned over.
            Some(degrees)
                if degrees.rem_euclid(360.0) > 90.0 && degrees.rem_euclid(360.0) < 270.0 =>
            {
                format!(
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="end" transform="rotate({:.1} {x:.1} {y:.1})">{}</text>"#,
                    x - radius - 4.0,
                    y + 4.0,
                    degrees - 180.0,
                    escape(&short(&node.label)),
                )
            }
            Some(degrees) => format!(
                r#"<text x="{:.1}" y="{:.1}" transform="rotate({degrees:.1} {x:.1} {y:.1})">{}</text>"#,
                x + radius + 4.0,
                y + 4.0,
                escape(&short(&node.label)),
            ),
            None => format!(
                r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
                x + radius + 4.0,
                y + 4.0,
                escape(&short(&node.label)),
            ),
        };
        let _ = writeln!(
            out,
            r##"<g class="node {}"><title>{}</title><circle cx="{x:.1}" cy="{y:.1}" r="{radius}" fill="{}" stroke="#ffffff" stroke-width="1.5"/>{label}</g>"##,
            node.kind.as_str(),
            escape(&format!(
                "{} {} · {}",
                node.kind.chinese(),
                node.key(),
                node.label
            )),
            colour(node.kind),
        );
    }
    let _ = writeln!(out, "</g>\n</svg>");
    out
}

/// One swatch per node kind present, Chinese with English beside.
fn legend(out: &mut String, g: &CaseGraph) {
    let (counts, _) = g.counts();
    let mut x = MARGIN;
    for (kind, n) in counts.into_iter().filter(|(_, n)| *n > 0) {
        let text = format!("{} {} ({n})", kind.chinese(), kind.as_str());
        let _ = writeln!(
            out,
            r#"<g class="legend"><circle cx="{x:.1}" cy="56" r="6" fill="{}"/><text x="{:.1}" y="60">{}</text></g>"#,
            colour(kind),
            x + 10.0,
            escape(&text)
        );
        x += 30.0 + text.chars().count() as f64 * 8.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos; ");
    }

    #[test]
    fn shortens_long_labels_by_characters_not_bytes() {
        let long = "清远市清城区市场监督管理局东城市场监督管理所".repeat(2);
        let s = short(&long);
        assert_eq!(s.chars().count(), LABEL_CHARS);
        assert!(s.ends_with('…'));
        assert_eq!(short("清城区"), "清城区");
    }

    #[test]
    fn an_empty_graph_is_still_a_document() {
        let text = svg(&CaseGraph::default());
        let doc = roxmltree::Document::parse(&text).expect("well-formed");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
    }
}
