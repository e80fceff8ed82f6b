//! One module per subcommand.

pub mod calendar;
pub mod demo;
pub mod import;
pub mod init;
