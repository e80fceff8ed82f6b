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

use crate::AppState;

type Reply = (StatusCode, Json<Value>);

fn error(status: StatusCode, message: impl Into<String>) -> Reply {
    (status, Json(json!({"error": message.into()})))
}

/// Compares in constant time, so the token cannot be guessed byte by byte from timings.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn push(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Reply {
    let Some(token) = state.platform_token.as_deref() else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "complaint intake is off: the server has no platform token (JIANDU_PLATFORM_TOKEN or platform_token in jiandu.toml)",
        );
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(given) if same(given.as_bytes(), token.as_bytes()) => {}
        Some(_) => return error(StatusCode::UNAUTHORIZED, "the bearer token is wrong"),
        None => {
            return error(
                StatusCode::UNAUTHORIZED,
                "missing `Authorization: Bearer TOKEN`",
            );
        }
    }
    let Some(service) = state.complaints.as_ref() else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "complaint handling is not configured (no routing table)",
        );
    };
    let directory = match service.directory().await {
        Ok(d) => d,
        Err(err) => return error(StatusCode::SERVICE_UNAVAILABLE, err.to_string()),
    };
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
            (
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
            )
        }
        Err(ComplaintError::Malformed { error, reject_id }) => {
            let status = match error {
                EnvelopeError::NotJson(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (
                status,
                Json(json!({"error": error.to_string(), "reject_id": reject_id})),
            )
        }
        Err(other) => {
            tracing::error!(%other, "a platform push failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, other.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
