//! `GET /healthz`: is the server up, can it reach its database, when did it last sweep.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;

pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let scheduler = state
        .scheduler
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    match state.store.last_completed_sweep().await {
        Ok(last) => (
            StatusCode::OK,
            Json(json!({
                "status": "ok",
                "database": state.store.backend().name(),
                "last_sweep": last,
                "scheduler": scheduler,
            })),
        ),
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "database unreachable", "error": err.to_string()})),
        ),
    }
}
