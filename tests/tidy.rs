//! House rules checked by a test: every Rust file says what it is for in its first line, and
//! the documents generated from the program are the ones committed.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_doc_line() {
    let root = crate::support::repo_root();
    let mut files = Vec::new();
    rust_files(&root.join("core"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    let missing: Vec<String> = files
        .iter()
        .filter(|path| !std::fs::read_to_string(path).unwrap().starts_with("//!"))
        .map(|path| path.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` first line: {missing:?}"
    );
}

#[test]
fn the_field_dictionary_document_is_generated_from_the_program() {
    let dir = crate::support::temp_dir();
    let output = crate::support::run_expect(
        crate::support::jiandu(dir.path()).args(["fields", "--format", "markdown"]),
        0,
    );
    let committed =
        std::fs::read_to_string(crate::support::repo_root().join("docs/user/fields.md")).unwrap();
    assert!(
        committed == crate::support::stdout(&output),
        "docs/user/fields.md is stale: run `cargo run -- fields --format markdown > docs/user/fields.md`"
    );
}

/// Repository paths a text names (`tests/fixtures/…`, `rules/mappings/….toml`).
fn named_paths(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '`' | '(' | ')' | '[' | ']' | ',' | '\''))
        .filter(|w| w.starts_with("tests/fixtures/") || w.starts_with("rules/mappings/"))
        .map(|w| w.trim_end_matches(['.', ':', ';']).to_owned())
        .collect()
}

#[test]
fn the_files_readme_and_import_help_name_exist() {
    let root = crate::support::repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let help = crate::support::stdout(&crate::support::run_expect(
        crate::support::jiandu(&root).args(["import", "--help"]),
        0,
    ));
    for (what, text) in [("README.md", &readme), ("jiandu import --help", &help)] {
        let paths = named_paths(text);
        assert!(!paths.is_empty(), "{what} names example files");
        for path in paths {
            assert!(
                root.join(&path).exists(),
                "{what} names {path}, which does not exist"
            );
        }
    }
}
