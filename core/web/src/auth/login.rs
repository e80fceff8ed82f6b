//! `GET /login`, `POST /login` (fields `username`, `password`, `csrf_token`), `POST
//! /logout`, and `GET /api/v1/me`. Every login, failed login, refused login and logout is
//! an audit event.

use std::net::SocketAddr;
use std::time::Instant;

use askama::Template;
use axum::Json;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use jiandu_model::{UserName, clock};
use serde::Deserialize;
use serde_json::json;

use super::password::{new_token, same, token_hash, verify_password};
use super::session::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, Viewer, cookie};
use crate::pages::{PageError, PageResult, see_other, unavailable};
use crate::{AppError, AppState};

/// A hash no password matches, verified when the user does not exist so that a wrong name
/// takes as long as a wrong password.
const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$6hmiMyN2VRvR0mW4ZtU6ldxTSg1IhkUtTuvq5Q4D6mo";

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginPage {
    csrf_token: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: Option<String>,
    password: Option<String>,
    csrf_token: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf_token: Option<String>,
}

/// Only a path of this site: never `//host` or a scheme (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    page: LoginPage,
) -> PageResult {
    let body = page.render().map_err(AppError::internal)?;
    let cookie = state
        .policy
        .cookie(headers, LOGIN_CSRF_COOKIE, &page.csrf_token, Some(3600));
    Ok((status, [(header::SET_COOKIE, cookie)], Html(body)).into_response())
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> PageResult {
    // Keep the token a browser already holds, so two open login tabs both work.
    let csrf_token = match cookie(&headers, LOGIN_CSRF_COOKIE) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => t.to_owned(),
        _ => new_token().map_err(AppError::internal)?,
    };
    let page = LoginPage {
        csrf_token,
        next: safe_next(query.next.as_deref()),
        username: String::new(),
        error: None,
    };
    login_page(&state, &headers, StatusCode::OK, page)
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE);
    match (form.csrf_token.as_deref(), expected) {
        (Some(given), Some(expected))
            if !given.is_empty() && same(given.as_bytes(), expected.as_bytes()) => {}
        _ => {
            return Err(PageError(AppError::Forbidden(
                "the login form's csrf_token is missing or does not match; open the login page again (请重新打开登录页)"
                    .into(),
            )));
        }
    }
    let address = state
        .policy
        .client_address(&headers, peer.map(|Extension(ConnectInfo(a))| a));
    let typed = form.username.as_deref().unwrap_or("").trim().to_owned();
    let keys = vec![format!("user:{typed}"), format!("addr:{address}")];
    let now = clock::now();
    if let Some(lock) = state.limiter.locked(&keys, Instant::now()) {
        if lock.first {
            state
                .store
                .audit_access(&typed, "login_refused", json!({ "address": address }), now)
                .await
                .map_err(unavailable)?;
        }
        let minutes = lock.wait.as_secs().div_ceil(60);
        return Err(PageError(AppError::TooManyRequests {
            message: format!(
                "too many failed logins; try again in {minutes} minutes (登录失败次数过多，请 {minutes} 分钟后再试)"
            ),
            retry_after: lock.wait.as_secs().max(1),
        }));
    }
    let password = form.password.unwrap_or_default();
    let user = match typed.parse::<UserName>() {
        Ok(name) => state
            .store
            .user_credentials(&name)
            .await
            .map_err(unavailable)?,
        Err(_) => None,
    };
    let user = match user {
        Some((user, phc)) if !user.disabled && verify_password(&password, &phc) => Some(user),
        Some(_) => None,
        None => {
            verify_password(&password, DUMMY_PHC);
            None
        }
    };
    let Some(user) = user else {
        state.limiter.failed(&keys, Instant::now());
        state
            .store
            .audit_access(&typed, "login_failed", json!({ "address": address }), now)
            .await
            .map_err(unavailable)?;
        let page = LoginPage {
            csrf_token: expected.unwrap_or_default().to_owned(),
            next: safe_next(form.next.as_deref()),
            username: typed,
            error: Some("用户名或密码错误 (wrong user name or password)".into()),
        };
        return login_page(&state, &headers, StatusCode::UNAUTHORIZED, page);
    };
    state.limiter.succeeded(&format!("user:{typed}"));
    let token = new_token().map_err(AppError::internal)?;
    let csrf = new_token().map_err(AppError::internal)?;
    let wall = clock::wall();
    state
        .store
        .create_session(
            &token_hash(&token),
            user.user_id,
            &csrf,
            wall,
            state.policy.expiry(wall, wall),
        )
        .await
        .map_err(unavailable)?;
    state
        .store
        .audit_access(
            user.name.as_str(),
            "login",
            json!({ "address": address, "role": user.role.as_str() }),
            now,
        )
        .await
        .map_err(unavailable)?;
    let session = state.policy.cookie(&headers, SESSION_COOKIE, &token, None);
    let clear = state
        .policy
        .cookie(&headers, LOGIN_CSRF_COOKIE, "", Some(0));
    let mut response = see_other(&safe_next(form.next.as_deref()));
    for value in [session, clear] {
        if let Ok(value) = value.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<LogoutForm>,
) -> PageResult {
    viewer.check_csrf(form.csrf_token.as_deref())?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state
            .store
            .end_session(&token_hash(token), clock::wall())
            .await
            .map_err(unavailable)?;
    }
    state
        .store
        .audit_access(viewer.name(), "logout", json!({}), clock::now())
        .await
        .map_err(unavailable)?;
    let mut response = see_other("/login");
    if let Ok(value) = state
        .policy
        .cookie(&headers, SESSION_COOKIE, "", Some(0))
        .parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `GET /api/v1/me`: who the credential belongs to, and the CSRF token for its POSTs.
pub async fn me(viewer: Viewer) -> Response {
    Json(json!({
        "name": viewer.name(),
        "role": viewer.role().as_str(),
        "unit_id": viewer.role().unit(),
        "csrf_token": viewer.csrf_token(),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            super::safe_next(Some("/complaints?page=2")),
            "/complaints?page=2"
        );
        assert_eq!(super::safe_next(Some("//evil.example")), "/");
        assert_eq!(super::safe_next(Some("https://evil.example")), "/");
        assert_eq!(super::safe_next(Some("/\\evil")), "/");
        assert_eq!(super::safe_next(None), "/");
    }

    #[test]
    fn the_dummy_hash_is_a_valid_phc_string() {
        assert!(argon2::password_hash::PasswordHash::new(super::DUMMY_PHC).is_ok());
    }
}
