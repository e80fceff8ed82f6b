//! Who is asking: a [`Viewer`] from the session cookie (pages and API) or a per-user API
//! token (`Authorization: Bearer`, API only). Sessions end after [`SessionPolicy::idle`]
//! without use and at the latest [`SessionPolicy::max`] after login; the clock is the real
//! one (`clock::wall`), also under `JIANDU_NOW`.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use jiandu_model::{Access, Area, Moment, Role, clock};
use jiandu_store::UserRow;

use super::password::{same, token_hash};
use crate::pages::unavailable;
use crate::{AppError, AppState};

pub const SESSION_COOKIE: &str = "jiandu_session";
/// The login form's CSRF token (double submit: the cookie and the hidden field must match).
pub const LOGIN_CSRF_COOKIE: &str = "jiandu_login_csrf";
/// The header an API client using the session cookie sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How long sessions last, and whether cookies are marked `Secure`.
#[derive(Debug, Clone)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub max: Duration,
    /// Always `Secure` (served over TLS).
    pub secure: bool,
    /// Trust `X-Forwarded-Proto` and `X-Forwarded-For` (behind a reverse proxy).
    pub behind_proxy: bool,
}

impl Default for SessionPolicy {
    fn default() -> SessionPolicy {
        SessionPolicy {
            idle: Duration::from_secs(2 * 3600),
            max: Duration::from_secs(12 * 3600),
            secure: false,
            behind_proxy: false,
        }
    }
}

impl SessionPolicy {
    /// The client's address: the socket's peer, or behind a proxy the first address of
    /// `X-Forwarded-For`.
    pub fn client_address(
        &self,
        headers: &HeaderMap,
        peer: Option<std::net::SocketAddr>,
    ) -> String {
        if self.behind_proxy
            && let Some(first) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        {
            return first.to_owned();
        }
        peer.map(|p| p.ip().to_string())
            .unwrap_or_else(|| "unknown".into())
    }

    /// Whether this request reached us over TLS (directly, or as the proxy says).
    pub fn secure_request(&self, headers: &HeaderMap) -> bool {
        self.secure
            || (self.behind_proxy
                && headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.eq_ignore_ascii_case("https")))
    }

    /// A `Set-Cookie` value: always `HttpOnly`, `SameSite=Strict`, path `/`.
    pub fn cookie(
        &self,
        headers: &HeaderMap,
        name: &str,
        value: &str,
        max_age: Option<u64>,
    ) -> String {
        let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
        if let Some(age) = max_age {
            cookie.push_str(&format!("; Max-Age={age}"));
        }
        if self.secure_request(headers) {
            cookie.push_str("; Secure");
        }
        cookie
    }

    /// When a session used at `now` expires.
    pub fn expiry(&self, created: Moment, now: Moment) -> Moment {
        let idle = now.add_seconds(secs(self.idle));
        let max = created.add_seconds(secs(self.max));
        if idle.seconds_until(max) < 0 {
            max
        } else {
            idle
        }
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 4)
}

/// How the viewer proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session, with the CSRF token its forms must carry.
    Session { csrf_token: String },
    /// A per-user API token: no CSRF (a browser never sends it by itself).
    ApiToken,
}

/// The logged-in user of a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: UserRow,
    pub credential: Credential,
}

impl Viewer {
    pub fn role(&self) -> &Role {
        &self.user.role
    }

    pub fn name(&self) -> &str {
        self.user.name.as_str()
    }

    /// 403 unless the role may `access` `area`; every POST of a read-only role is refused.
    pub fn require(&self, area: Area, access: Access) -> Result<(), AppError> {
        if self.user.role.may(area, access) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "{} ({}) may not {} this (无权{})",
                self.user.role.as_str(),
                self.user.role.chinese(),
                match access {
                    Access::Read => "see",
                    Access::Change => "change",
                },
                match access {
                    Access::Read => "查看",
                    Access::Change => "修改",
                }
            )))
        }
    }

    /// 404 (not 403: a unit does not learn that another unit's item exists) unless the item
    /// of `unit` is visible to this viewer.
    pub fn scope(&self, unit: Option<&str>, what: &str) -> Result<(), AppError> {
        if self.user.role.sees_unit(unit) {
            Ok(())
        } else {
            Err(AppError::NotFound(format!("{what} not found (未找到)")))
        }
    }

    /// The CSRF token the pages put in their forms (empty for an API token).
    pub fn csrf_token(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf_token } => csrf_token,
            Credential::ApiToken => "",
        }
    }

    /// A state-changing request must carry the session's CSRF token (form field
    /// `csrf_token` or header `X-CSRF-Token`); API tokens need none.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), AppError> {
        match &self.credential {
            Credential::ApiToken => Ok(()),
            Credential::Session { csrf_token } => match given {
                Some(given) if same(given.as_bytes(), csrf_token.as_bytes()) => Ok(()),
                _ => Err(AppError::Forbidden(
                    "the form's csrf_token is missing or stale; reload the page (表单已过期，请刷新页面)"
                        .into(),
                )),
            },
        }
    }
}

/// The value of cookie `name` in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Viewer, AppError> {
        let api = parts.uri.path().starts_with("/api/");
        let login_required = || AppError::LoginRequired {
            api,
            next: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
        };
        if api
            && let Some(token) = parts
                .headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        {
            let user = state
                .store
                .user_by_api_token(&token_hash(token))
                .await
                .map_err(unavailable)?
                .ok_or_else(|| {
                    AppError::Unauthorized("the API token is wrong (令牌无效)".into())
                })?;
            return Ok(Viewer {
                user,
                credential: Credential::ApiToken,
            });
        }
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(login_required());
        };
        let hash = token_hash(token);
        let Some(session) = state.store.session(&hash).await.map_err(unavailable)? else {
            return Err(login_required());
        };
        let now = clock::wall();
        if session.expires_at.seconds_until(now) >= 0 {
            state
                .store
                .end_session(&hash, now)
                .await
                .map_err(unavailable)?;
            return Err(login_required());
        }
        // Renewed at most once a minute: a page with many requests writes once.
        if session.last_seen_at.seconds_until(now) >= 60 {
            let expires = state.policy.expiry(session.created_at, now);
            state
                .store
                .touch_session(&hash, now, expires)
                .await
                .map_err(unavailable)?;
        }
        Ok(Viewer {
            user: session.user,
            credential: Credential::Session {
                csrf_token: session.csrf_token,
            },
        })
    }
}
