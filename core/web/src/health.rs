//! `GET /healthz`: is the server up, can it reach its database, when did it last sweep.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::{AppError, AppState};

pub async fn health(State(state): State<AppState>) -> Result<(StatusCode, Json<Value>), AppError> {
    let scheduler = state
        .scheduler
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    let last = state
        .store
        .last_completed_sweep()
        .await
        .map_err(|err| AppError::Unavailable {
            message: "database unavailable (数据库不可用)".into(),
            detail: format!("{err:#}"),
        })?;
    Ok((
        StatusCode::OK,
        Json(json!({
            "status": "ok",
            "database": state.store.backend().name(),
            "last_sweep": last,
            "scheduler": scheduler,
        })),
    ))
}
