//! `POST /api/v1/platform/complaints`: the national platform pushes a complaint or report.
//!
//! Authenticated with `Authorization: Bearer TOKEN`. Idempotent on the task number: the first
//! push answers 201 with the new complaint, a repeat 200 with the stored one and changes
//! nothing. A body that is not JSON gets 400, a JSON body that lacks what a push must carry
//! 422, each with the reason; both are kept for inspection (`jiandu complaints rejects`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use jiandu_complaints::{ComplaintError, EnvelopeError};
use jiandu_model::clock;
use serde_json::{Value, json};

use crate::auth::password::same;
use crate::{AppError, AppState};

type Reply = Result<(StatusCode, Json<Value>), AppError>;

fn off(message: &str) -> AppError {
    AppError::Unavailable {
        message: message.to_owned(),
        detail: String::new(),
    }
}

pub async fn push(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Reply {
    let Some(token) = state.platform_token.as_deref() else {
        return Err(off(
            "complaint intake is off: the server has no platform token (JIANDU_PLATFORM_TOKEN or platform_token in jiandu.toml)",
        ));
    };
    // Exactly `Bearer TOKEN`: no padding is trimmed, so what is compared is what was sent.
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(given) if same(given.as_bytes(), token.as_bytes()) => {}
        Some(_) => return Err(AppError::Unauthorized("the bearer token is wrong".into())),
        None => {
            return Err(AppError::Unauthorized(
                "missing `Authorization: Bearer TOKEN`".into(),
            ));
        }
    }
    let Some(service) = state.complaints.as_ref() else {
        return Err(off(
            "complaint handling is not configured (no routing table)",
        ));
    };
    let directory = service
        .directory()
        .await
        .map_err(|err| AppError::Unavailable {
            message: "the unit directory cannot be read (数据库不可用)".into(),
            detail: err.to_string(),
        })?;
    match service
        .ingest(&body, "http", &directory, clock::now())
        .await
    {
        Ok(done) => {
            let status = if done.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let c = &done.complaint;
            Ok((
                status,
                Json(json!({
                    "complaint_id": c.complaint_id,
                    "task_no": c.task_no,
                    "created": done.created,
                    "state": c.state,
                    "unit_id": c.unit_id,
                    "route_reason": c.route_reason,
                    "due_date": c.due_date,
                })),
            ))
        }
        Err(ComplaintError::Malformed { error, reject_id }) => {
            let message = error.to_string();
            let extra = json!({ "reject_id": reject_id });
            Err(match error {
                EnvelopeError::NotJson(_) => AppError::BadRequest { message, extra },
                _ => AppError::Unprocessable { message, extra },
            })
        }
        Err(other) => Err(AppError::internal(format!(
            "a platform push failed: {other}"
        ))),
    }
}
