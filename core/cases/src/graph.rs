//! The graph: typed nodes keyed `kind:id`, typed edges, built from what the store holds.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::str::FromStr;

use jiandu_model::{Date, Record, RecordType, ReferenceKind, ReferenceRow};
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::load::GraphData;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Case,
    Finding,
    Record,
    Complaint,
    Unit,
    Officer,
    Party,
    Item,
}

impl NodeKind {
    pub const ALL: [NodeKind; 8] = [
        NodeKind::Case,
        NodeKind::Finding,
        NodeKind::Record,
        NodeKind::Complaint,
        NodeKind::Unit,
        NodeKind::Officer,
        NodeKind::Party,
        NodeKind::Item,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Case => "case",
            NodeKind::Finding => "finding",
            NodeKind::Record => "record",
            NodeKind::Complaint => "complaint",
            NodeKind::Unit => "unit",
            NodeKind::Officer => "officer",
            NodeKind::Party => "party",
            NodeKind::Item => "item",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            NodeKind::Case => "监督案件",
            NodeKind::Finding => "问题",
            NodeKind::Record => "执法记录",
            NodeKind::Complaint => "投诉举报",
            NodeKind::Unit => "单位",
            NodeKind::Officer => "执法人员",
            NodeKind::Party => "当事人",
            NodeKind::Item => "监管事项",
        }
    }
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NodeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NodeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown node kind `{s}`"))
    }
}

/// The relations of DESIGN §7, plus the unit a case is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// A case gathers a finding.
    CaseFinding,
    /// A case is addressed to the unit that must rectify.
    CaseUnit,
    /// A finding is about a record (or a complaint).
    FindingRecord,
    /// The unit that made the record.
    RecordUnit,
    /// An officer who took part.
    RecordOfficer,
    /// The party the act was against.
    RecordParty,
    /// The supervision item the act was under.
    RecordItem,
    /// The inspection a penalty came from (same `check_action_code`).
    InspectionPenalty,
    /// Two records of the same act (`act_id`), in either direction.
    SameAct,
    /// The party a complaint is about.
    ComplaintParty,
    /// A handover of a complaint to or by a unit, one edge per handover.
    ComplaintUnit,
}

impl EdgeKind {
    pub const ALL: [EdgeKind; 11] = [
        EdgeKind::CaseFinding,
        EdgeKind::CaseUnit,
        EdgeKind::FindingRecord,
        EdgeKind::RecordUnit,
        EdgeKind::RecordOfficer,
        EdgeKind::RecordParty,
        EdgeKind::RecordItem,
        EdgeKind::InspectionPenalty,
        EdgeKind::SameAct,
        EdgeKind::ComplaintParty,
        EdgeKind::ComplaintUnit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::CaseFinding => "case_finding",
            EdgeKind::CaseUnit => "case_unit",
            EdgeKind::FindingRecord => "finding_record",
            EdgeKind::RecordUnit => "record_unit",
            EdgeKind::RecordOfficer => "record_officer",
            EdgeKind::RecordParty => "record_party",
            EdgeKind::RecordItem => "record_item",
            EdgeKind::InspectionPenalty => "inspection_penalty",
            EdgeKind::SameAct => "same_act",
            EdgeKind::ComplaintParty => "complaint_party",
            EdgeKind::ComplaintUnit => "complaint_unit",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            EdgeKind::CaseFinding => "包含问题",
            EdgeKind::CaseUnit => "整改单位",
            EdgeKind::FindingRecord => "问题所在",
            EdgeKind::RecordUnit => "实施单位",
            EdgeKind::RecordOfficer => "执法人员",
            EdgeKind::RecordParty => "当事人",
            EdgeKind::RecordItem => "监管事项",
            EdgeKind::InspectionPenalty => "检查转处罚",
            EdgeKind::SameAct => "同一行为",
            EdgeKind::ComplaintParty => "被投诉人",
            EdgeKind::ComplaintUnit => "流转",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub kind: NodeKind,
    pub id: String,
    /// What a person reads: a name, a rule id, a case number.
    pub label: String,
    /// The act date of records, complaints and findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub attrs: Map<String, Value>,
}

impl Node {
    fn new(kind: NodeKind, id: &str, label: impl Into<String>) -> Node {
        Node {
            kind,
            id: id.to_owned(),
            label: label.into(),
            date: None,
            attrs: Map::new(),
        }
    }

    /// `kind:id`, unique in a graph.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).and_then(Value::as_str)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    pub kind: EdgeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// How an export should lay the graph out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The whole graph, or the first part of it.
    Whole { of_nodes: usize },
    /// The neighbourhood of one node.
    Around { centre: NodeIndex },
}

#[derive(Debug, Clone)]
pub struct CaseGraph {
    pub(crate) graph: DiGraph<Node, Edge>,
    index: HashMap<String, NodeIndex>,
    pub(crate) shape: Shape,
}

impl Default for CaseGraph {
    fn default() -> Self {
        CaseGraph {
            graph: DiGraph::new(),
            index: HashMap::new(),
            shape: Shape::Whole { of_nodes: 0 },
        }
    }
}

impl CaseGraph {
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    pub fn node(&self, index: NodeIndex) -> &Node {
        &self.graph[index]
    }

    pub fn nodes(&self) -> impl Iterator<Item = (NodeIndex, &Node)> {
        self.graph
            .node_indices()
            .map(move |index| (index, &self.graph[index]))
    }

    pub fn edges(&self) -> impl Iterator<Item = (NodeIndex, NodeIndex, &Edge)> {
        self.graph
            .edge_references()
            .map(|e| (e.source(), e.target(), e.weight()))
    }

    /// The nodes at the other end of `kind` edges leaving (`Outgoing`) or entering a node.
    pub fn linked(
        &self,
        index: NodeIndex,
        kind: EdgeKind,
        direction: Direction,
    ) -> impl Iterator<Item = NodeIndex> + '_ {
        self.graph
            .edges_directed(index, direction)
            .filter(move |e| e.weight().kind == kind)
            .map(move |e| match direction {
                Direction::Outgoing => e.target(),
                Direction::Incoming => e.source(),
            })
    }

    /// Counts per node kind and per edge kind, every kind listed (zero when absent).
    pub fn counts(&self) -> (BTreeMap<NodeKind, usize>, BTreeMap<EdgeKind, usize>) {
        let mut nodes: BTreeMap<NodeKind, usize> = NodeKind::ALL.iter().map(|k| (*k, 0)).collect();
        let mut edges: BTreeMap<EdgeKind, usize> = EdgeKind::ALL.iter().map(|k| (*k, 0)).collect();
        for (_, node) in self.nodes() {
            *nodes.entry(node.kind).or_default() += 1;
        }
        for (_, _, edge) in self.edges() {
            *edges.entry(edge.kind).or_default() += 1;
        }
        (nodes, edges)
    }

    /// A node by `kind:id` (`unit:441802-scjg`, `case:3`), or by a bare id tried as a record,
    /// complaint, unit, officer, party and item in that order.
    pub fn find(&self, query: &str) -> Option<NodeIndex> {
        let query = query.trim();
        if let Some((kind, id)) = query.split_once(':')
            && kind.parse::<NodeKind>().is_ok()
        {
            return self.index.get(&format!("{kind}:{}", id.trim())).copied();
        }
        [
            NodeKind::Record,
            NodeKind::Complaint,
            NodeKind::Unit,
            NodeKind::Officer,
            NodeKind::Party,
            NodeKind::Item,
        ]
        .into_iter()
        .find_map(|kind| self.index.get(&format!("{kind}:{query}")).copied())
    }

    /// The node's distance from `centre` for every node within `depth` edges (either
    /// direction), in breadth-first order.
    pub fn distances(&self, centre: NodeIndex, depth: usize) -> Vec<(NodeIndex, usize)> {
        let mut seen = HashSet::from([centre]);
        let mut order = vec![(centre, 0)];
        let mut queue = VecDeque::from([(centre, 0)]);
        while let Some((index, d)) = queue.pop_front() {
            if d == depth {
                continue;
            }
            let mut next: Vec<NodeIndex> = self
                .graph
                .neighbors_undirected(index)
                .filter(|n| !seen.contains(n))
                .collect();
            next.sort_by_key(|n| (self.graph[*n].kind, self.graph[*n].id.clone()));
            next.dedup();
            for n in next {
                seen.insert(n);
                order.push((n, d + 1));
                queue.push_back((n, d + 1));
            }
        }
        order
    }

    /// The nodes reached from `start` along edges in their direction (case → findings →
    /// records → units, officers, parties, items), breadth first.
    fn downstream(&self, start: NodeIndex, depth: usize) -> Vec<NodeIndex> {
        let mut seen = HashSet::from([start]);
        let mut order = vec![start];
        let mut frontier = vec![start];
        for _ in 0..depth {
            let mut next = Vec::new();
            for n in frontier {
                let mut targets: Vec<NodeIndex> = self
                    .graph
                    .neighbors_directed(n, Direction::Outgoing)
                    .collect();
                targets.sort_by_key(|t| (self.graph[*t].kind, self.graph[*t].id.clone()));
                for t in targets {
                    if seen.insert(t) {
                        order.push(t);
                        next.push(t);
                    }
                }
            }
            frontier = next;
        }
        order
    }

    /// The subgraph within `depth` edges of `centre`.
    pub fn neighbourhood(&self, centre: NodeIndex, depth: usize) -> CaseGraph {
        let nodes: Vec<NodeIndex> = self
            .distances(centre, depth)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let mut sub = self.subgraph(&nodes);
        sub.shape = Shape::Around {
            centre: NodeIndex::new(0),
        };
        sub
    }

    /// At most `max_nodes` nodes, chosen so a picture stays readable: each case with its
    /// findings, their records and what those touch, case after case (units first when there
    /// are no cases).
    pub fn overview(&self, max_nodes: usize) -> CaseGraph {
        if self.node_count() <= max_nodes {
            let mut all = self.clone();
            all.shape = Shape::Whole {
                of_nodes: self.node_count(),
            };
            return all;
        }
        let mut seeds: Vec<NodeIndex> = self
            .nodes()
            .filter(|(_, n)| n.kind == NodeKind::Case)
            .map(|(i, _)| i)
            .collect();
        if seeds.is_empty() {
            seeds = self
                .nodes()
                .filter(|(_, n)| n.kind == NodeKind::Unit)
                .map(|(i, _)| i)
                .collect();
        }
        let mut chosen: Vec<NodeIndex> = Vec::new();
        let mut taken = HashSet::new();
        'seeds: for seed in seeds {
            for n in self.downstream(seed, 3) {
                if chosen.len() == max_nodes {
                    break 'seeds;
                }
                if taken.insert(n) {
                    chosen.push(n);
                }
            }
        }
        let mut sub = self.subgraph(&chosen);
        sub.shape = Shape::Whole {
            of_nodes: self.node_count(),
        };
        sub
    }

    fn subgraph(&self, nodes: &[NodeIndex]) -> CaseGraph {
        let mut sub = CaseGraph::default();
        let mut map = HashMap::new();
        for &n in nodes {
            let node = self.graph[n].clone();
            let key = node.key();
            let new = sub.graph.add_node(node);
            sub.index.insert(key, new);
            map.insert(n, new);
        }
        for edge in self.graph.edge_references() {
            if let (Some(&a), Some(&b)) = (map.get(&edge.source()), map.get(&edge.target())) {
                sub.graph.add_edge(a, b, edge.weight().clone());
            }
        }
        sub.shape = Shape::Whole {
            of_nodes: sub.node_count(),
        };
        sub
    }

    fn get_or_add(&mut self, kind: NodeKind, id: &str, make: impl FnOnce() -> Node) -> NodeIndex {
        let key = format!("{kind}:{id}");
        if let Some(&index) = self.index.get(&key) {
            return index;
        }
        let index = self.graph.add_node(make());
        self.index.insert(key, index);
        index
    }

    fn link(&mut self, from: NodeIndex, to: NodeIndex, kind: EdgeKind, label: Option<String>) {
        self.graph.add_edge(from, to, Edge { kind, label });
    }

    /// Builds the graph from the store's contents.
    pub fn build(data: &GraphData) -> CaseGraph {
        let mut g = CaseGraph::default();
        for row in &data.units {
            g.add_reference(NodeKind::Unit, row);
        }
        for row in &data.officers {
            g.add_reference(NodeKind::Officer, row);
        }
        for row in &data.parties {
            g.add_reference(NodeKind::Party, row);
        }
        for row in &data.items {
            g.add_reference(NodeKind::Item, row);
        }
        let mut records = Vec::with_capacity(data.records.len());
        for record in &data.records {
            records.push((g.add_record(record), record));
        }
        g.link_same_acts(&records);
        g.link_inspections(&records);
        for finding in &data.findings {
            if !finding.status.is_current() {
                continue;
            }
            let id = finding.finding_id.to_string();
            let mut node = Node::new(NodeKind::Finding, &id, finding.rule_id.as_str());
            node.date = finding.act_date;
            node.attrs = json_map(json!({
                "rule_id": finding.rule_id,
                "record_id": finding.record_id,
                "outcome": finding.outcome.as_str(),
                "status": finding.status.as_str(),
                "unit_id": finding.unit_id,
                "message": finding.message,
            }));
            let index = g.get_or_add(NodeKind::Finding, &id, || node);
            if let Some(record) = g
                .find(&format!("record:{}", finding.record_id))
                .or_else(|| g.find(&format!("complaint:{}", finding.record_id)))
            {
                g.link(index, record, EdgeKind::FindingRecord, None);
            }
        }
        for case in &data.cases {
            let id = case.case_id.to_string();
            let unit = g.unit(&case.unit_id, None);
            let unit_name = g.graph[unit].label.clone();
            let mut node = Node::new(NodeKind::Case, &id, format!("案件{id} {unit_name}"));
            node.attrs = json_map(json!({
                "unit_id": case.unit_id,
                "state": case.state.as_str(),
                "opened_at": case.opened_at,
                "current_findings": case.n_current,
            }));
            let index = g.get_or_add(NodeKind::Case, &id, || node);
            g.link(index, unit, EdgeKind::CaseUnit, None);
        }
        for finding in &data.findings {
            if let (true, Some(case_id)) = (finding.status.is_current(), finding.case_id)
                && let (Some(case), Some(f)) = (
                    g.find(&format!("case:{case_id}")),
                    g.find(&format!("finding:{}", finding.finding_id)),
                )
            {
                g.link(case, f, EdgeKind::CaseFinding, None);
            }
        }
        g.shape = Shape::Whole {
            of_nodes: g.node_count(),
        };
        g
    }

    fn add_reference(&mut self, kind: NodeKind, row: &ReferenceRow) {
        let label = row.text("name").unwrap_or(row.key()).to_owned();
        let label = if kind == NodeKind::Party && row.text("nature") == Some("natural_person") {
            mask_name(&label)
        } else {
            label
        };
        let mut node = Node::new(kind, row.key(), label);
        let keep: &[&str] = match row.kind() {
            ReferenceKind::Unit => &["department", "region_code"],
            ReferenceKind::Officer => &["unit_id", "cert_valid_until"],
            ReferenceKind::Party => &["nature", "operating_region"],
            ReferenceKind::Item => &["department_code", "kind"],
        };
        for field in keep {
            if let Some(value) = row.body().get(*field) {
                node.attrs.insert((*field).to_owned(), value.clone());
            }
        }
        self.get_or_add(kind, row.key(), || node);
    }

    fn unit(&mut self, id: &str, name: Option<&str>) -> NodeIndex {
        self.get_or_add(NodeKind::Unit, id, || {
            Node::new(NodeKind::Unit, id, name.unwrap_or(id))
        })
    }

    fn add_record(&mut self, record: &Record) -> NodeIndex {
        let is_complaint = matches!(
            record.record_type(),
            RecordType::Complaint | RecordType::Report
        );
        let kind = if is_complaint {
            NodeKind::Complaint
        } else {
            NodeKind::Record
        };
        let id = record.id().as_str();
        let mut node = Node::new(
            kind,
            id,
            format!("{} {id}", short_type(record.record_type())),
        );
        node.date = record.act_date();
        node.attrs.insert(
            "record_type".into(),
            Value::String(record.record_type().as_str().into()),
        );
        for field in [
            "act_id",
            "check_action_code",
            "inspection_kind",
            "joint_inspection_id",
            "procedure",
        ] {
            if let Some(text) = record.text_at(field).filter(|s| !s.trim().is_empty()) {
                node.attrs
                    .insert(field.into(), Value::String(text.trim().to_owned()));
            }
        }
        if let Some(fine) = record.body().get("fine_amount").filter(|v| !v.is_null()) {
            node.attrs.insert("fine_amount".into(), fine.clone());
        }
        let index = self.get_or_add(kind, id, || node);

        let party = record.party_key().map(|key| strip_key(&key).to_owned());
        if let Some(party) = party {
            let name = record.text_at("party.name").unwrap_or(&party).to_owned();
            let natural = record.text_at("party.nature") == Some("natural_person");
            let p = self.get_or_add(NodeKind::Party, &party, || {
                Node::new(
                    NodeKind::Party,
                    &party,
                    if natural { mask_name(&name) } else { name },
                )
            });
            let kind = if is_complaint {
                EdgeKind::ComplaintParty
            } else {
                EdgeKind::RecordParty
            };
            self.link(index, p, kind, None);
        }
        if is_complaint {
            self.add_handovers(index, record);
            return index;
        }
        if let Some(unit) = record.unit_id() {
            let u = self.unit(&unit, record.text_at("agency.name"));
            self.link(index, u, EdgeKind::RecordUnit, None);
        }
        if let Some(Value::Array(officers)) = record.body().get("officers") {
            for officer in officers {
                let Some(cert) = officer.get("cert_no").and_then(Value::as_str) else {
                    continue;
                };
                let name = officer.get("name").and_then(Value::as_str).unwrap_or(cert);
                let o = self.get_or_add(NodeKind::Officer, cert, || {
                    Node::new(NodeKind::Officer, cert, name)
                });
                self.link(index, o, EdgeKind::RecordOfficer, None);
            }
        }
        if let Some(code) = record
            .text_at("supervision_item_code")
            .filter(|s| !s.trim().is_empty())
        {
            let code = code.trim();
            let i = self.get_or_add(NodeKind::Item, code, || {
                Node::new(NodeKind::Item, code, code)
            });
            self.link(index, i, EdgeKind::RecordItem, None);
        }
        index
    }

    /// One edge per handover, to the unit that received or acted on the complaint.
    fn add_handovers(&mut self, complaint: NodeIndex, record: &Record) {
        let Some(Value::Array(log)) = record.body().get("handover_log") else {
            return;
        };
        for entry in log {
            let action = entry.get("action").and_then(Value::as_str).unwrap_or("?");
            let unit = ["to_unit", "unit", "from_unit"]
                .iter()
                .find_map(|f| entry.get(*f).and_then(Value::as_str))
                .filter(|s| !s.trim().is_empty());
            let Some(unit) = unit else { continue };
            let at = entry.get("at").and_then(Value::as_str).unwrap_or("");
            let u = self.unit(unit, None);
            let label = format!("{action} {at}").trim().to_owned();
            self.link(complaint, u, EdgeKind::ComplaintUnit, Some(label));
        }
    }

    /// Records sharing an `act_id`, linked pairwise (smaller id first).
    fn link_same_acts(&mut self, records: &[(NodeIndex, &Record)]) {
        let mut by_act: BTreeMap<&str, Vec<NodeIndex>> = BTreeMap::new();
        for (index, record) in records {
            if let Some(act) = record.text_at("act_id").filter(|s| !s.trim().is_empty()) {
                by_act.entry(act.trim()).or_default().push(*index);
            }
        }
        for (act, members) in by_act {
            for (i, &a) in members.iter().enumerate() {
                for &b in members.iter().skip(i + 1) {
                    self.link(a, b, EdgeKind::SameAct, Some(act.to_owned()));
                }
            }
        }
    }

    /// Each penalty to the inspection whose `check_action_code` it carries.
    fn link_inspections(&mut self, records: &[(NodeIndex, &Record)]) {
        let inspections: HashMap<&str, NodeIndex> = records
            .iter()
            .filter(|(_, r)| r.record_type() == RecordType::Inspection)
            .filter_map(|(i, r)| r.text_at("check_action_code").map(|c| (c.trim(), *i)))
            .collect();
        for (index, record) in records {
            if record.record_type() != RecordType::Penalty {
                continue;
            }
            if let Some(&inspection) = record
                .text_at("check_action_code")
                .and_then(|c| inspections.get(c.trim()))
            {
                self.link(inspection, *index, EdgeKind::InspectionPenalty, None);
            }
        }
    }
}

/// The record type in two or four characters, for labels.
fn short_type(record_type: RecordType) -> &'static str {
    match record_type {
        RecordType::Inspection => "检查",
        RecordType::Penalty => "处罚",
        RecordType::CompulsoryMeasure => "强制措施",
        RecordType::CompulsoryExecution => "强制执行",
        RecordType::Complaint => "投诉",
        RecordType::Report => "举报",
    }
}

/// `uscc:9144…` → `9144…`.
fn strip_key(key: &str) -> &str {
    key.split_once(':').map_or(key, |(_, v)| v)
}

/// A natural person's name as public exports show it (one definition, in the model).
pub(crate) fn mask_name(name: &str) -> String {
    jiandu_model::personal::mask_name(name)
}

fn json_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_natural_persons() {
        assert_eq!(mask_name("张三丰"), "张某");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn every_kind_has_a_name_in_both_languages() {
        for kind in NodeKind::ALL {
            assert_eq!(kind.as_str().parse::<NodeKind>(), Ok(kind));
            assert!(!kind.chinese().is_empty());
        }
        let names: HashSet<&str> = EdgeKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), EdgeKind::ALL.len());
    }
}
