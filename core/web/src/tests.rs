//! The handlers called in process (`oneshot`), on a real SQLite store.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use crate::{AppState, app};

async fn state(token: Option<&str>) -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("jiandu.db").display());
    let store = jiandu_store::Store::open(&url).await.unwrap();
    let state = AppState {
        platform_token: token.map(str::to_owned),
        ..AppState::new(store)
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

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(Body::empty()).unwrap()
}

/// A user of `role` with a session expiring `expires_in` seconds from now; its cookie and
/// CSRF token.
async fn session(
    state: &AppState,
    name: &str,
    role: jiandu_model::Role,
    expires_in: i64,
) -> (String, String) {
    let now = jiandu_model::clock::wall();
    let user = state
        .store
        .add_user(
            &name.parse().unwrap(),
            &role,
            &crate::auth::hash_password("long password").unwrap(),
            "test",
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let token = crate::auth::new_token().unwrap();
    state
        .store
        .create_session(
            &crate::auth::token_hash(&token),
            user.user_id,
            "csrf-of-session",
            now.add_seconds(-10),
            now.add_seconds(expires_in),
        )
        .await
        .unwrap();
    (
        format!("jiandu_session={token}"),
        "csrf-of-session".to_owned(),
    )
}

#[tokio::test]
async fn pages_send_strangers_to_the_login_and_the_api_answers_401() {
    let (_dir, state) = state(None).await;
    let response = app(state.clone())
        .oneshot(get("/findings?rule=PEN-DEADLINE-90D", None))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "/login?next=%2Ffindings%3Frule%3DPEN-DEADLINE-90D"
    );
    let (status, body) = call(state.clone(), get("/api/v1/findings", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // A forged or unknown session cookie is no session.
    let (status, _) = call(state, get("/api/v1/me", Some("jiandu_session=00"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_login_form_carries_the_token_of_its_cookie_and_every_answer_its_security_headers() {
    let (_dir, state) = state(None).await;
    let response = app(state).oneshot(get("/login", None)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    for name in [
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
    ] {
        assert!(headers.contains_key(name), "{name}: {headers:?}");
    }
    assert_eq!(headers["cache-control"], "no-store");
    let cookie = headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let body = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        body.contains(&format!("name=\"csrf_token\" value=\"{token}\"")),
        "{body}"
    );
    assert!(body.contains("用户名"), "{body}");
}

#[tokio::test]
async fn an_expired_session_ends_and_an_auditor_changes_nothing() {
    let (_dir, state) = state(None).await;
    let (old, _) = session(&state, "late", jiandu_model::Role::Legal, -1).await;
    let (status, _) = call(state.clone(), get("/api/v1/me", Some(&old))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (cookie, csrf) = session(&state, "reader", jiandu_model::Role::Auditor, 3600).await;
    let (status, body) = call(state.clone(), get("/api/v1/me", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["role"].as_str(), body["csrf_token"].as_str()),
        (Some("auditor"), Some("csrf-of-session"))
    );
    let post = Request::post("/findings/1/status")
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "status=confirmed&reason=x&csrf_token={csrf}"
        )))
        .unwrap();
    let response = app(state.clone()).oneshot(post).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // The dashboard renders for the auditor, in Chinese.
    let response = app(state).oneshot(get("/", Some(&cookie))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("工作台"));
}
