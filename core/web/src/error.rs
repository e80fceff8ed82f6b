//! `AppError`: every way a handler can fail, and the one place that turns each into a status
//! code and a JSON body. A failure on our side answers 500 (or 503) with an id to quote;
//! what went wrong inside is logged under that id and never sent to the client.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Debug)]
pub enum AppError {
    /// 400: the body cannot be read at all.
    BadRequest { message: String, extra: Value },
    /// 401: no or a wrong credential.
    Unauthorized(String),
    /// 422: readable, but not what the endpoint accepts.
    Unprocessable { message: String, extra: Value },
    /// 503: a part the request needs is off or unreachable; `detail` is only logged.
    Unavailable { message: String, detail: String },
    /// 500: a failure on our side; `detail` is only logged.
    Internal { detail: String },
}

/// Ids of logged failures: the process start in seconds and a counter, unique enough to
/// find a line in one server's log.
fn next_id() -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    // The real clock, not `JIANDU_NOW`: ids must differ between runs of a test server too.
    let start = START.get_or_init(|| {
        u64::try_from(jiandu_model::clock::wall().as_datetime().timestamp()).unwrap_or(0)
    });
    format!("{start:x}-{}", SEQ.fetch_add(1, Ordering::Relaxed))
}

impl AppError {
    pub fn internal(err: impl std::fmt::Display) -> AppError {
        AppError::Internal {
            detail: err.to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

fn with_error(message: &str, extra: &Value) -> Value {
    let mut body = json!({ "error": message });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra.clone());
    }
    body
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            AppError::BadRequest { message, extra }
            | AppError::Unprocessable { message, extra } => with_error(message, extra),
            AppError::Unauthorized(message) => json!({ "error": message }),
            AppError::Unavailable { message, detail } => {
                let id = next_id();
                tracing::error!(%id, %detail, "{message}");
                json!({ "error": message, "id": id })
            }
            AppError::Internal { detail } => {
                let id = next_id();
                tracing::error!(%id, %detail, "internal error");
                json!({ "error": "internal error (内部错误); quote the id to the administrator", "id": id })
            }
        };
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::AppError;
    use axum::response::IntoResponse;

    #[tokio::test]
    async fn an_internal_error_answers_with_an_id_and_not_its_text() {
        let response =
            AppError::internal("password authentication failed for user x").into_response();
        assert_eq!(response.status(), 500);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(!body.to_string().contains("password"), "{body}");
        assert!(
            body["id"].as_str().is_some_and(|id| !id.is_empty()),
            "{body}"
        );
    }
}
