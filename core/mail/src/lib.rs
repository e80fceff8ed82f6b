//! Mail to units: what a notice says ([`render`], from the askama templates in
//! `reports/templates/email/`) and how it leaves ([`sender`], lettre over SMTP, emptying the
//! store's outbox with retries).
//!
//! Notices carry what a unit needs to handle an item — the respondent, the supervision item,
//! the matter and the deadline — and never the complainant's or reporter's identity.

mod render;
pub mod sender;

pub use render::{MailContext, MailKind, Rendered, render};
pub use sender::{SendError, Sender, SenderOptions};
