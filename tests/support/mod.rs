//! Test support: running the `jiandu` binary, fixtures, and fresh databases on both backends.

pub mod db;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use db::{TestDb, for_each_db};

/// The `jiandu` binary under test, with no database or rules settings leaking in from the
/// environment, run in `dir`.
pub fn jiandu(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jiandu"));
    command
        .current_dir(dir)
        .env_remove("JIANDU_DATABASE_URL")
        .env_remove("JIANDU_NOW")
        .env("JIANDU_RULES_DIR", repo_root().join("rules"));
    command
}

/// Runs a command and returns its output, with stdout and stderr in the panic message when
/// the exit code is not the expected one.
pub fn run_expect(command: &mut Command, expected_code: i32) -> Output {
    let output = command.output().expect("the jiandu binary runs");
    assert_eq!(
        output.status.code(),
        Some(expected_code),
        "{command:?}\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

pub fn fixture(path: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(path)
}

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("jiandu-test-")
        .tempdir()
        .expect("temp dir")
}

/// Runs a future to completion on a fresh runtime (tests are plain `#[test]` functions).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}
