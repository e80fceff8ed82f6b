//! Test support: running the `jiandu` binary, fixtures, and fresh databases on both backends.

pub mod db;
pub mod http;
pub mod smtp;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use db::{TestDb, for_each_db, postgres_base_url};

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

/// One `jiandu demo` run, made the first time a test asks and shared by the tests of this
/// process: its directory (database, `data/*.jsonl`, `jiandu.toml`) and what it printed.
/// Tests read its data files; only `demo_then_sweep_finds_nothing_new` sweeps its database.
pub fn shared_demo() -> &'static (PathBuf, String) {
    static DEMO: std::sync::OnceLock<(PathBuf, String)> = std::sync::OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-demo");
        let output = run_expect(jiandu(&repo_root()).args(["demo", "--dir"]).arg(&dir), 0);
        (dir, stdout(&output))
    })
}

/// A copy of the demo's database (the tests change it). `VACUUM INTO` makes a consistent
/// snapshot even while another test sweeps the shared demo.
pub fn demo_copy() -> (tempfile::TempDir, String) {
    let (demo, _) = shared_demo();
    let dir = crate::support::temp_dir();
    let copy = dir.path().join("jiandu.db");
    block_on(async {
        use sqlx::ConnectOptions;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(demo.join("jiandu.db"))
            .read_only(true)
            .connect()
            .await
            .unwrap();
        sqlx::query("VACUUM INTO $1")
            .bind(copy.display().to_string())
            .execute(&mut conn)
            .await
            .unwrap();
    });
    let url = format!("sqlite://{}", copy.display());
    (dir, url)
}

/// Imports reference data and records from `data_dir` (`units.jsonl`, …, `records.jsonl`,
/// whichever exist) into the database at `url`.
pub fn import_data(url: &str, data_dir: &Path) {
    for kind in ["units", "officers", "parties", "items", "records"] {
        let file = data_dir.join(format!("{kind}.jsonl"));
        if file.exists() {
            run_expect(
                jiandu(data_dir)
                    .args(["--db", url, "import", kind])
                    .arg(&file),
                0,
            );
        }
    }
}

/// Runs `jiandu --db URL sweep ARGS --format json` and returns its summary object.
pub fn sweep_json(url: &str, args: &[&str]) -> serde_json::Value {
    let output = run_expect(
        jiandu(&repo_root())
            .args(["--db", url, "sweep", "--format", "json"])
            .args(args),
        0,
    );
    serde_json::from_slice(&output.stdout).expect("the sweep prints one JSON object")
}

/// The current findings (not resolved by the data) as (record, rule, outcome), sorted.
pub fn current_findings(url: &str) -> Vec<(String, String, String)> {
    block_on(async {
        let store = jiandu_store::Store::open(url).await.expect("store opens");
        let mut found: Vec<(String, String, String)> = store
            .list_findings(&jiandu_store::FindingFilter::default())
            .await
            .expect("findings")
            .into_iter()
            .filter(|f| f.status != jiandu_model::FindingStatus::ResolvedByData)
            .map(|f| (f.record_id, f.rule_id, f.outcome.as_str().to_owned()))
            .collect();
        store.close().await;
        found.sort();
        found
    })
}

/// Copies a directory tree (a rules directory to change in a test).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("target directory");
    for entry in std::fs::read_dir(from).expect("source directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
