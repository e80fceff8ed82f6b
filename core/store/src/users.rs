//! Users of the pages and the API, and their login sessions. Passwords arrive hashed
//! (argon2, by the web layer); API and session tokens arrive as their SHA-256, so the
//! database never holds a usable credential. Every change of a user is an audit event.

use jiandu_model::{Moment, Role, UserName};
use serde_json::{Value, json};
use sqlx::Row;

use crate::audit::{AuditEvent, append};
use crate::{Store, StoreError, query_error};

/// A user as listed (never with the password hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UserRow {
    pub user_id: i64,
    pub name: UserName,
    pub role: Role,
    pub disabled: bool,
    pub has_api_token: bool,
    pub created_at: Moment,
    pub updated_at: Moment,
}

/// A logged-in session, found by its token.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub csrf_token: String,
    pub created_at: Moment,
    pub last_seen_at: Moment,
    pub expires_at: Moment,
}

/// Why a change of a user was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserChangeError {
    #[error("there is already a user {0}")]
    Exists(String),
    #[error("there is no user {0} (`jiandu users list` shows them)")]
    NoSuchUser(String),
}

const SELECT_USER: &str = "SELECT user_id, name, role, unit_id, disabled, api_token_hash, created_at, updated_at FROM users";

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<UserRow, StoreError> {
    let id: i64 = row.get(0);
    let corrupt = |column, reason: String| StoreError::corrupt("users", id, column, reason);
    let name: String = row.get(1);
    let role: String = row.get(2);
    let unit: Option<String> = row.get(3);
    let moment = |i: usize, column| {
        Moment::parse(&row.get::<String, _>(i)).map_err(|e| corrupt(column, e.to_string()))
    };
    Ok(UserRow {
        user_id: id,
        name: name.parse().map_err(|e| corrupt("name", e))?,
        role: Role::new(&role, unit.as_deref()).map_err(|e| corrupt("role", e))?,
        disabled: row.get::<i64, _>(4) != 0,
        has_api_token: row.get::<Option<String>, _>(5).is_some(),
        created_at: moment(6, "created_at")?,
        updated_at: moment(7, "updated_at")?,
    })
}

/// One user change with its audit event, in one transaction; `Ok(Err(NoSuchUser))` when no
/// row matched.
async fn change_user(
    store: &Store,
    name: &UserName,
    set: &str,
    binds: Vec<Option<String>>,
    (action, details): (&str, Value),
    actor: &str,
    now: Moment,
) -> Result<Result<(), UserChangeError>, StoreError> {
    let now = now.to_string();
    let mut tx = store
        .pool()
        .begin()
        .await
        .map_err(query_error("starting a user change"))?;
    let n = binds.len();
    let sql = format!(
        "UPDATE users SET {set}, updated_at = ${} WHERE name = ${} RETURNING user_id",
        n + 1,
        n + 2
    );
    let mut query = sqlx::query(&sql);
    for bind in binds {
        query = query.bind(bind);
    }
    let row = query
        .bind(now.clone())
        .bind(name.as_str().to_owned())
        .fetch_optional(&mut *tx)
        .await
        .map_err(query_error("changing a user"))?;
    let Some(row) = row else {
        return Ok(Err(UserChangeError::NoSuchUser(name.to_string())));
    };
    let user_id: i64 = row.get(0);
    // A changed password or a disabled account ends every session it had.
    if matches!(action, "passwd" | "disable") {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(query_error("ending a user's sessions"))?;
    }
    let event = AuditEvent {
        actor: actor.to_owned(),
        entity: "user",
        entity_id: name.to_string(),
        action: action.to_owned(),
        details,
    };
    append(&mut tx, store.audit_key(), &[event], &now).await?;
    tx.commit()
        .await
        .map_err(query_error("committing a user change"))?;
    Ok(Ok(()))
}

impl Store {
    /// Adds a user; refused when the name is taken.
    pub async fn add_user(
        &self,
        name: &UserName,
        role: &Role,
        password_hash: &str,
        actor: &str,
        now: Moment,
    ) -> Result<Result<UserRow, UserChangeError>, StoreError> {
        let at = now.to_string();
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting to add a user"))?;
        let row = sqlx::query(
            "INSERT INTO users (name, role, unit_id, password_hash, disabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $5) ON CONFLICT (name) DO NOTHING RETURNING user_id",
        )
        .bind(name.as_str().to_owned())
        .bind(role.as_str())
        .bind(role.unit().map(str::to_owned))
        .bind(password_hash.to_owned())
        .bind(at.clone())
        .fetch_optional(&mut *tx)
        .await
        .map_err(query_error("adding a user"))?;
        if row.is_none() {
            return Ok(Err(UserChangeError::Exists(name.to_string())));
        }
        let event = AuditEvent {
            actor: actor.to_owned(),
            entity: "user",
            entity_id: name.to_string(),
            action: "add".into(),
            details: json!({ "role": role.as_str(), "unit_id": role.unit() }),
        };
        append(&mut tx, self.audit_key(), &[event], &at).await?;
        tx.commit()
            .await
            .map_err(query_error("committing a new user"))?;
        let user = self
            .get_user(name)
            .await?
            .ok_or_else(|| StoreError::corrupt("users", name, "*", "vanished after insert"))?;
        Ok(Ok(user))
    }

    /// A new password hash; the user's sessions end.
    pub async fn set_password(
        &self,
        name: &UserName,
        password_hash: &str,
        actor: &str,
        now: Moment,
    ) -> Result<Result<(), UserChangeError>, StoreError> {
        change_user(
            self,
            name,
            "password_hash = $1",
            vec![Some(password_hash.to_owned())],
            ("passwd", json!({})),
            actor,
            now,
        )
        .await
    }

    /// Disables (or enables again) a user; disabling ends its sessions and its API token.
    pub async fn set_user_disabled(
        &self,
        name: &UserName,
        disabled: bool,
        actor: &str,
        now: Moment,
    ) -> Result<Result<(), UserChangeError>, StoreError> {
        let (set, action) = if disabled {
            ("disabled = 1, api_token_hash = NULL", "disable")
        } else {
            ("disabled = 0", "enable")
        };
        change_user(self, name, set, vec![], (action, json!({})), actor, now).await
    }

    /// Sets the SHA-256 of a user's API token (replacing any earlier one), or removes it.
    pub async fn set_api_token(
        &self,
        name: &UserName,
        token_hash: Option<&str>,
        actor: &str,
        now: Moment,
    ) -> Result<Result<(), UserChangeError>, StoreError> {
        let action = if token_hash.is_some() {
            "api_token"
        } else {
            "api_token_revoked"
        };
        change_user(
            self,
            name,
            "api_token_hash = $1",
            vec![token_hash.map(str::to_owned)],
            (action, json!({})),
            actor,
            now,
        )
        .await
    }

    pub async fn list_users(&self) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT_USER} ORDER BY name"))
            .fetch_all(self.pool())
            .await
            .map_err(query_error("listing users"))?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn get_user(&self, name: &UserName) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(&format!("{SELECT_USER} WHERE name = $1"))
            .bind(name.as_str().to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(query_error("reading a user"))?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// A user with its password hash, for checking a login.
    pub async fn user_credentials(
        &self,
        name: &UserName,
    ) -> Result<Option<(UserRow, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT u.user_id, u.name, u.role, u.unit_id, u.disabled, u.api_token_hash, u.created_at, u.updated_at, u.password_hash \
             FROM users u WHERE u.name = $1",
        )
        .bind(name.as_str().to_owned())
        .fetch_optional(self.pool())
        .await
        .map_err(query_error("reading a user's credentials"))?;
        row.map(|row| Ok((user_from_row(&row)?, row.get::<String, _>(8))))
            .transpose()
    }

    /// The enabled user whose API token has this SHA-256.
    pub async fn user_by_api_token(&self, token_hash: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(&format!(
            "{SELECT_USER} WHERE api_token_hash = $1 AND disabled = 0"
        ))
        .bind(token_hash.to_owned())
        .fetch_optional(self.pool())
        .await
        .map_err(query_error("reading a user by API token"))?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        now: Moment,
        expires_at: Moment,
    ) -> Result<(), StoreError> {
        // Sessions nobody logged out of end here, at the next login.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now.to_string())
            .execute(self.pool())
            .await
            .map_err(query_error("removing expired sessions"))?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(token_hash.to_owned())
        .bind(user_id)
        .bind(csrf_token.to_owned())
        .bind(now.to_string())
        .bind(expires_at.to_string())
        .execute(self.pool())
        .await
        .map_err(query_error("creating a session"))?;
        Ok(())
    }

    /// The session with this token hash, if its user is enabled (expiry is the caller's to
    /// judge, by [`SessionRow::expires_at`]).
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT u.user_id, u.name, u.role, u.unit_id, u.disabled, u.api_token_hash, u.created_at, u.updated_at, \
             s.csrf_token, s.created_at, s.last_seen_at, s.expires_at \
             FROM sessions s JOIN users u ON u.user_id = s.user_id WHERE s.token_hash = $1 AND u.disabled = 0",
        )
        .bind(token_hash.to_owned())
        .fetch_optional(self.pool())
        .await
        .map_err(query_error("reading a session"))?;
        let Some(row) = row else { return Ok(None) };
        let moment = |i: usize, column| {
            Moment::parse(&row.get::<String, _>(i))
                .map_err(|e| StoreError::corrupt("sessions", "?", column, e))
        };
        Ok(Some(SessionRow {
            user: user_from_row(&row)?,
            csrf_token: row.get(8),
            created_at: moment(9, "created_at")?,
            last_seen_at: moment(10, "last_seen_at")?,
            expires_at: moment(11, "expires_at")?,
        }))
    }

    /// Records a session's use and its new expiry.
    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: Moment,
        expires_at: Moment,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(now.to_string())
            .bind(expires_at.to_string())
            .bind(token_hash.to_owned())
            .execute(self.pool())
            .await
            .map_err(query_error("renewing a session"))?;
        Ok(())
    }

    /// Ends a session (logout, expiry); also removes every session expired before `now`.
    pub async fn end_session(&self, token_hash: &str, now: Moment) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at < $2")
            .bind(token_hash.to_owned())
            .bind(now.to_string())
            .execute(self.pool())
            .await
            .map_err(query_error("ending a session"))?;
        Ok(())
    }

    /// Appends one audit event of its own (a login, a failed login, a logout).
    pub async fn audit_access(
        &self,
        actor: &str,
        action: &str,
        details: Value,
        now: Moment,
    ) -> Result<(), StoreError> {
        let event = AuditEvent {
            actor: actor.to_owned(),
            entity: "session",
            entity_id: actor.to_owned(),
            action: action.to_owned(),
            details,
        };
        self.append_audit(&[event], &now.to_string()).await
    }
}
