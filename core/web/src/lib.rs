//! `jiandu serve`: the HTTP server and what runs beside it.
//!
//! [`app`] builds the router from an [`AppState`]; [`schedule`] runs the nightly sweep at a
//! configured Beijing time. The binary wires them together and serves on a socket; tests do
//! the same on a loopback port.

mod error;
mod health;
mod intake;
pub mod schedule;
mod server;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::{get, post};
use jiandu_complaints::Complaints;
use jiandu_store::Store;

pub use error::AppError;
pub use schedule::{NightlySweep, RuleLoader, SchedulerStatus, TimeOfDay};
pub use server::{ServerLimits, serve};

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub scheduler: Arc<Mutex<SchedulerStatus>>,
    /// Complaint handling; `None` when the routing table could not be loaded.
    pub complaints: Option<Arc<Complaints>>,
    /// The bearer token of the platform's pushes; `None` turns intake off.
    pub platform_token: Option<String>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store.backend())
            .finish_non_exhaustive()
    }
}

/// The router: `/healthz`, and `POST /api/v1/platform/complaints` for the platform's pushes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::health))
        .route("/api/v1/platform/complaints", post(intake::push))
        .with_state(state)
}

#[cfg(test)]
mod tests;
