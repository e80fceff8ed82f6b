//! Complaints (投诉) and reports (举报) from the national "互联网+监管" platform: intake,
//! routing to the responsible unit, handovers with working-day deadlines, notices and the
//! platform feedback.
//!
//! ```text
//! push (HTTP or file) ─envelope─► Intake ─routing─► Route ─┐
//!                                                          ▼
//!   dispatcher / unit action ─model::complaint::apply─► ComplaintChange ─store (one transaction)─►
//!       complaints + complaint_events + mirror record + audit event + outbox mails
//! ```
//!
//! The mirror record (`record_type` complaint or report) lets the `CPL-*` rules judge each
//! item in the ordinary sweep and puts its handovers in the case graph.

pub mod deadlines;
pub mod envelope;
mod learning;
mod mirror;
mod notices;
pub mod routing;
mod service;

pub use deadlines::{DueKind, Milestone, Periods, Regime, milestones_by_assignment};
pub use envelope::{EnvelopeError, Intake};
pub use learning::Trained;
pub use routing::{
    Directory, LearnedModel, Route, Router, RoutingLoadError, RoutingSettings, RoutingTable,
    UnitInfo,
};
pub use service::{
    ComplaintError, Complaints, FACTS, Handling, Ingested, Timeline, Watch, feedback_entry,
    sectors, state_label, steps_of_events,
};
