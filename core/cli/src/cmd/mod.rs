//! One module per subcommand.

pub mod calendar;
pub mod check;
pub mod demo;
pub mod explain;
pub mod import;
pub mod init;
pub mod rules;
pub mod sweep;
