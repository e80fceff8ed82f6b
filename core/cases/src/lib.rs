//! The case graph (案件关系图): who did what to whom, and what supervision found.
//!
//! Nodes are records, findings, supervision cases, units, officers, parties, supervision
//! items and complaints; edges are the relations of DESIGN §7 (a finding is about a record,
//! a record was made by a unit and its officers against a party under an item, an
//! inspection led to a penalty, records share an act, a complaint names a party and was
//! handed between units, a case gathers findings). The graph is built in memory from the
//! store ([`load`] then [`CaseGraph::build`]), analysed ([`analysis`]) and exported as DOT,
//! JSON or SVG ([`export`]).
//!
//! ```no_run
//! # async fn demo(store: &jiandu_store::Store) -> Result<(), jiandu_store::StoreError> {
//! let graph = jiandu_cases::CaseGraph::build(&jiandu_cases::load(store).await?);
//! if let Some(unit) = graph.find("unit:441802-scjg") {
//!     println!("{}", jiandu_cases::export::dot(&graph.neighbourhood(unit, 2)));
//! }
//! # Ok(()) }
//! ```

pub mod analysis;
pub mod export;
mod graph;
mod load;

pub use graph::{CaseGraph, Edge, EdgeKind, Node, NodeKind};
pub use load::{GraphData, load};
