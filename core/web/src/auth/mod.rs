//! Login and who may do what: argon2 passwords, sessions in HttpOnly SameSite=Strict
//! cookies, CSRF tokens on every form, login rate limiting, per-user API tokens.

pub mod limit;
pub mod login;
pub mod password;
pub mod session;

pub use limit::LoginLimiter;
pub use password::{hash_password, new_token, token_hash, verify_password};
pub use session::{Credential, SessionPolicy, Viewer};
