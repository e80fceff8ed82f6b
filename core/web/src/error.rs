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
    /// Not logged in: a page redirects to the login form (back to `next` after it), the API
    /// answers 401.
    LoginRequired { api: bool, next: String },
    /// 403: logged in, but the role may not (or a form without its CSRF token).
    Forbidden(String),
    /// 404: no such item, or one outside the viewer's unit.
    NotFound(String),
    /// 409: someone else changed the item meanwhile.
    Conflict(String),
    /// 429: too many failed logins; try again after `retry_after` seconds.
    TooManyRequests { message: String, retry_after: u64 },
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
    /// 422 with the reason a request was refused.
    pub fn refused(message: impl std::fmt::Display) -> AppError {
        AppError::Unprocessable {
            message: message.to_string(),
            extra: Value::Null,
        }
    }

    pub fn internal(err: impl std::fmt::Display) -> AppError {
        AppError::Internal {
            detail: err.to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::LoginRequired { api: true, .. } => StatusCode::UNAUTHORIZED,
            AppError::LoginRequired { api: false, .. } => StatusCode::SEE_OTHER,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl AppError {
    /// The message a person reads, with the logged detail left out (and an id given to it).
    pub fn message(&self) -> (String, Option<String>) {
        match self {
            AppError::BadRequest { message, .. }
            | AppError::Unprocessable { message, .. }
            | AppError::Unauthorized(message)
            | AppError::Forbidden(message)
            | AppError::NotFound(message)
            | AppError::Conflict(message)
            | AppError::TooManyRequests { message, .. } => (message.clone(), None),
            AppError::LoginRequired { .. } => ("please log in (请先登录)".into(), None),
            AppError::Unavailable { message, detail } => {
                let id = next_id();
                tracing::error!(%id, %detail, "{message}");
                (message.clone(), Some(id))
            }
            AppError::Internal { detail } => {
                let id = next_id();
                tracing::error!(%id, %detail, "internal error");
                (
                    "internal error (内部错误); quote the id to the administrator".into(),
                    Some(id),
                )
            }
        }
    }

    /// Headers some statuses need: where to log in, when to retry.
    pub fn headers(&self) -> Vec<(axum::http::HeaderName, String)> {
        use axum::http::header;
        match self {
            AppError::LoginRequired { api: false, next } => {
                vec![(header::LOCATION, format!("/login?next={}", encode(next)))]
            }
            AppError::TooManyRequests { retry_after, .. } => {
                vec![(header::RETRY_AFTER, retry_after.to_string())]
            }
            _ => Vec::new(),
        }
    }
}

/// Percent-encodes a path for a query value (everything but unreserved characters).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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
        let headers = self.headers();
        let body = match &self {
            AppError::BadRequest { message, extra }
            | AppError::Unprocessable { message, extra } => with_error(message, extra),
            _ => match self.message() {
                (message, Some(id)) => json!({ "error": message, "id": id }),
                (message, None) => json!({ "error": message }),
            },
        };
        let mut response = (status, Json(body)).into_response();
        for (name, value) in headers {
            if let Ok(value) = axum::http::HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
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
