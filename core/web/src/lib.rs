//! `jiandu serve`: the HTTP server and what runs beside it.
//!
//! [`app`] builds the router from an [`AppState`]: the pages and the JSON API (`pages/`),
//! login (`auth/`), health and the platform's pushes; [`schedule`] runs the nightly sweep at
//! a configured Beijing time. The binary wires them together and serves on a socket; tests
//! do the same on a loopback port.

pub mod auth;
mod error;
mod health;
mod intake;
mod pages;
pub mod schedule;
mod server;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use jiandu_complaints::Complaints;
use jiandu_rules::RuleSet;
use jiandu_store::Store;

pub use auth::{LoginLimiter, SessionPolicy};
pub use error::AppError;
pub use schedule::{NightlySweep, RuleLoader, SchedulerStatus, TimeOfDay};
pub use server::{ServerLimits, Tls, serve};

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub scheduler: Arc<Mutex<SchedulerStatus>>,
    /// Complaint handling; `None` when the routing table could not be loaded.
    pub complaints: Option<Arc<Complaints>>,
    /// The bearer token of the platform's pushes; `None` turns intake off.
    pub platform_token: Option<String>,
    /// The rules in force when the server started (rule pages, explain traces).
    pub rules: Option<Arc<RuleSet>>,
    pub policy: SessionPolicy,
    pub limiter: Arc<LoginLimiter>,
}

impl AppState {
    /// A state with only the store: no complaints, rules or platform token.
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            scheduler: Arc::new(Mutex::new(SchedulerStatus::default())),
            complaints: None,
            platform_token: None,
            rules: None,
            policy: SessionPolicy::default(),
            limiter: Arc::new(LoginLimiter::default()),
        }
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store.backend())
            .finish_non_exhaustive()
    }
}

/// The router. Pages need a session (else they redirect to `/login`); the API under
/// `/api/v1/` takes the session cookie or a user's API token; the platform push its own
/// bearer token.
pub fn app(state: AppState) -> Router {
    use pages::{assets, cases, complaints, dashboard, findings, gaps, records, reports, rules};
    Router::new()
        .route("/healthz", get(health::health))
        .route("/api/v1/platform/complaints", post(intake::push))
        .route("/login", get(auth::login::form).post(auth::login::submit))
        .route("/logout", post(auth::login::logout))
        .route("/assets/jiandu.css", get(assets::css))
        .route("/assets/jiandu.js", get(assets::js))
        .route("/", get(dashboard::page))
        .route("/complaints", get(complaints::list_page))
        .route("/complaints/{task_no}", get(complaints::detail_page))
        .route("/complaints/{task_no}/act", post(complaints::act_form))
        .route("/findings", get(findings::list_page))
        .route("/findings/{id}/status", post(findings::status_form))
        .route("/records/{record_id}", get(records::page))
        .route("/cases", get(cases::list_page))
        .route("/cases/{id}", get(cases::detail_page))
        .route("/cases/{id}/state", post(cases::move_form))
        .route("/rules", get(rules::list_page))
        .route("/rules/{id}", get(rules::detail_page))
        .route("/gaps", get(gaps::gaps_page))
        .route("/imports", get(gaps::imports_page))
        .route("/reports", get(reports::index_page))
        .route("/reports/{kind}", get(reports::report_page))
        .route("/api/v1/me", get(auth::login::me))
        .route("/api/v1/dashboard", get(dashboard::api))
        .route("/api/v1/complaints", get(complaints::list_api))
        .route("/api/v1/complaints/{task_no}", get(complaints::detail_api))
        .route(
            "/api/v1/complaints/{task_no}/actions",
            post(complaints::act_api),
        )
        .route("/api/v1/findings", get(findings::list_api))
        .route("/api/v1/findings/{id}", get(findings::detail_api))
        .route("/api/v1/findings/{id}/status", post(findings::status_api))
        .route("/api/v1/records/{record_id}", get(records::api))
        .route("/api/v1/cases", get(cases::list_api))
        .route("/api/v1/cases/{id}", get(cases::detail_api))
        .route("/api/v1/rules", get(rules::list_api))
        .route("/api/v1/gaps", get(gaps::gaps_api))
        .route("/api/v1/imports", get(gaps::imports_api))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Headers every answer carries: no framing by other sites, no sniffing, nothing loaded from
/// elsewhere, no caching of pages that hold personal data.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests;
