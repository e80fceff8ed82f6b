//! The handlers called in process (`oneshot`), on a real SQLite store.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use crate::{AppState, SchedulerStatus, app};

async fn state(token: Option<&str>) -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("jiandu.db").display());
    let store = jiandu_store::Store::open(&url).await.unwrap();
    let state = AppState {
        store,
        scheduler: Arc::new(Mutex::new(SchedulerStatus::default())),
        complaints: None,
        platform_token: token.map(str::to_owned),
    };
    (dir, state)
}

async fn call(state: AppState, request: Request<Body>) -> (StatusCode, Value) {
    let response = app(state).oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn push(authorization: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/api/v1/platform/complaints");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.body(Body::from("{}")).unwrap()
}

#[tokio::test]
async fn health_says_ok_and_hides_the_driver_when_the_database_is_gone() {
    let (_dir, state) = state(None).await;
    let (status, body) = call(
        state.clone(),
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "SQLite");
    state.store.close().await;
    let (status, body) = call(state, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(
        body["error"], "database unavailable (数据库不可用)",
        "{body}"
    );
    assert!(
        body["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{body}"
    );
    assert_eq!(
        body.as_object().map(|o| o.len()),
        Some(2),
        "nothing else: {body}"
    );
}

#[tokio::test]
async fn a_push_needs_exactly_the_bearer_token() {
    let (_dir, state) = state(Some("s3cret")).await;
    for (header, why) in [
        (None, "missing `Authorization: Bearer TOKEN`"),
        (Some("Bearer s3cret "), "the bearer token is wrong"),
        (Some("Bearer  s3cret"), "the bearer token is wrong"),
        (Some("Bearer wrong"), "the bearer token is wrong"),
        (
            Some("bearer s3cret"),
            "missing `Authorization: Bearer TOKEN`",
        ),
    ] {
        let (status, body) = call(state.clone(), push(header)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{header:?}: {body}");
        assert_eq!(body["error"], why, "{header:?}");
    }
    // The right token gets past authentication to the next check.
    let (status, body) = call(state, push(Some("Bearer s3cret"))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(
        body["error"],
        "complaint handling is not configured (no routing table)"
    );
}

#[tokio::test]
async fn intake_without_a_token_is_off() {
    let (_dir, state) = state(None).await;
    let (status, body) = call(state, push(Some("Bearer anything"))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .starts_with("complaint intake is off"),
        "{body}"
    );
}
