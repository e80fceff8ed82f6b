//! Loading rule packs: every `<RULE-ID>.rhai` under a rules directory, its metadata, its
//! compiled script and its test cases. A broken rule is kept, marked broken, so that it is
//! reported and its outcomes are `error` while the other rules run.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use jiandu_calendar::Calendar;
use jiandu_model::{RecordType, RegionTable};
use rhai::AST;
use sha2::{Digest, Sha256};

use crate::error::Location;
use crate::host::HostContext;
use crate::meta::{RuleMeta, parse_front_matter};
use crate::profile::Profile;
use crate::{Lookups, RuleError, engine};

/// Subdirectories of a rules directory that hold data, not rules.
const NOT_PACKS: &[&str] = &["calendar", "profiles", "reference", "mappings", "routing"];

/// One rule as loaded.
#[derive(Debug, Clone)]
pub struct Rule {
    pub meta: RuleMeta,
    /// The pack (directory) it came from: `penalty`, `compulsory` …
    pub pack: String,
    pub path: PathBuf,
    /// The path as shown in messages (relative to the rules directory's parent).
    pub shown: String,
    pub(crate) ast: Option<Arc<AST>>,
    /// Why the rule cannot run; its outcomes are then `error`.
    pub problem: Option<RuleError>,
    /// Field names (any path segment) the rule declares in `reads`: reading one of them when
    /// absent makes the outcome `unknown`; reading anything else that is absent is an error.
    pub(crate) declared: Arc<HashSet<String>>,
    /// The line of each function definition, for errors that Rhai reports without a position.
    pub(crate) fn_lines: HashMap<String, usize>,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.meta.id
    }

    pub fn applies_to(&self, record_type: RecordType) -> bool {
        self.meta.record_types.contains(&record_type)
    }

    pub fn cases_path(&self) -> PathBuf {
        self.path.with_extension("cases.json")
    }
}

/// Every rule of a rules directory, with the profile, calendar and region table they run with.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    by_type: HashMap<RecordType, Vec<usize>>,
    pub profile: Profile,
    pub calendar: Calendar,
    pub regions: RegionTable,
    pub dir: PathBuf,
    /// SHA-256 over every rule file, the profile, the calendar and the region table: when it
    /// changes, every record must be judged again.
    pub content_hash: String,
    /// `error` outcomes of each rule (by index) since the set was loaded, shared by every
    /// evaluator: past `error_limit` a rule is switched off for the rest of the run.
    errors: Vec<AtomicU32>,
    /// Of those, the ones that ran out of operations, time or memory: each costs up to the
    /// time limit, so `RUNAWAYS_BEFORE_OFF` of them switch the rule off.
    runaways: Vec<AtomicU32>,
    /// The profile's `rule_error_limit` (default `DEFAULT_ERROR_LIMIT`).
    pub error_limit: u32,
}

/// A rule that fails on this many records in one run is switched off for the rest of it.
pub const DEFAULT_ERROR_LIMIT: u32 = 100;
/// A rule that runs away (operations, time, memory) this often in one run is switched off.
pub const RUNAWAYS_BEFORE_OFF: u32 = 5;

fn rule_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, RuleError> {
    let read = |d: &Path| {
        std::fs::read_dir(d).map_err(|e| RuleError::Read {
            path: d.display().to_string(),
            reason: e.to_string(),
        })
    };
    let mut files = Vec::new();
    let top_pack = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for entry in read(dir)? {
        let path = entry
            .map_err(|e| RuleError::Read {
                path: dir.display().to_string(),
                reason: e.to_string(),
            })?
            .path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() && !NOT_PACKS.contains(&name.as_str()) && !name.starts_with('.') {
            for inner in read(&path)? {
                let inner = inner
                    .map_err(|e| RuleError::Read {
                        path: path.display().to_string(),
                        reason: e.to_string(),
                    })?
                    .path();
                if inner.extension().is_some_and(|e| e == "rhai") {
                    files.push((name.clone(), inner));
                }
            }
        } else if path.extension().is_some_and(|e| e == "rhai") {
            files.push((top_pack.clone(), path));
        }
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(files)
}

fn shown_path(dir: &Path, path: &Path) -> String {
    let base = dir.parent().unwrap_or(dir);
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The field names a rule declares, split into path segments (`payment.paid_to` declares
/// `payment` and `paid_to`).
fn declared_segments(meta: &RuleMeta) -> HashSet<String> {
    let date_fields: Vec<String> = meta
        .date_field
        .iter()
        .flat_map(|f| f.fields().into_iter().map(str::to_owned))
        .collect();
    meta.reads
        .iter()
        .chain(date_fields.iter())
        .chain(meta.applies_when.keys())
        .flat_map(|path| path.split('.').map(|s| s.trim_end_matches("[]").to_owned()))
        .collect()
}

impl RuleSet {
    /// Loads every rule under `dir`. Only an unreadable directory is an error; a broken rule
    /// is loaded as broken.
    pub fn load(
        dir: &Path,
        profile: Profile,
        calendar: Calendar,
        regions: RegionTable,
    ) -> Result<RuleSet, RuleError> {
        let files = rule_files(dir)?;
        let compiler = engine::sandboxed(Arc::new(HostContext {
            calendar: calendar.clone(),
            profile: profile.clone(),
            regions: regions.clone(),
            lookups: Arc::new(Lookups::empty()),
        }));
        let mut hasher = Sha256::new();
        let mut rules = Vec::new();
        for (pack, path) in files {
            let shown = shown_path(dir, &path);
            let text = std::fs::read_to_string(&path).map_err(|e| RuleError::Read {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
            hasher.update(shown.as_bytes());
            hasher.update(text.as_bytes());
            rules.push(load_rule(&compiler, pack, path, shown, &text));
        }
        hasher.update(profile.content_hash.as_bytes());
        hasher.update(calendar.content_hash().as_bytes());
        hasher.update(regions.content_hash().as_bytes());
        rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        let mut by_type: HashMap<RecordType, Vec<usize>> = HashMap::new();
        for (idx, rule) in rules.iter().enumerate() {
            for record_type in &rule.meta.record_types {
                by_type.entry(*record_type).or_default().push(idx);
            }
        }
        let error_limit = profile
            .get("rule_error_limit", None)
            .and_then(toml::Value::as_integer)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(DEFAULT_ERROR_LIMIT);
        Ok(RuleSet {
            errors: rules.iter().map(|_| AtomicU32::new(0)).collect(),
            runaways: rules.iter().map(|_| AtomicU32::new(0)).collect(),
            error_limit,
            rules,
            by_type,
            profile,
            calendar,
            regions,
            dir: dir.to_path_buf(),
            content_hash: crate::hex(&hasher.finalize()),
        })
    }

    /// Counts one `error` of the rule at `idx` (a runaway also as a runaway).
    pub(crate) fn count_error(&self, idx: usize, runaway: bool) {
        if let Some(n) = self.errors.get(idx) {
            n.fetch_add(1, Ordering::Relaxed);
        }
        if runaway && let Some(n) = self.runaways.get(idx) {
            n.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Forgets the failures counted so far: a new run (a sweep) starts with every rule on.
    pub fn reset_errors(&self) {
        for n in self.errors.iter().chain(&self.runaways) {
            n.store(0, Ordering::Relaxed);
        }
    }

    /// Whether the rule at `idx` has been switched off for failing too often.
    pub(crate) fn switched_off(&self, idx: usize) -> bool {
        let count = |v: &[AtomicU32]| v.get(idx).map_or(0, |n| n.load(Ordering::Relaxed));
        count(&self.errors) >= self.error_limit || count(&self.runaways) >= RUNAWAYS_BEFORE_OFF
    }

    /// The rules switched off in this run, with how many records they failed on before.
    pub fn switched_off_rules(&self) -> Vec<(String, u32)> {
        (0..self.rules.len())
            .filter(|&idx| self.switched_off(idx))
            .filter_map(|idx| {
                let n = self.errors.get(idx)?.load(Ordering::Relaxed);
                Some((self.rules.get(idx)?.meta.id.clone(), n))
            })
            .collect()
    }

    /// Indexes of the rules that apply to a record type.
    pub fn rules_for(&self, record_type: RecordType) -> &[usize] {
        self.by_type
            .get(&record_type)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.meta.id == id)
    }

    /// Rules that cannot run, with why.
    pub fn problems(&self) -> impl Iterator<Item = (&Rule, &RuleError)> {
        self.rules
            .iter()
            .filter_map(|rule| rule.problem.as_ref().map(|p| (rule, p)))
    }
}

fn load_rule(
    compiler: &rhai::Engine,
    pack: String,
    path: PathBuf,
    shown: String,
    text: &str,
) -> Rule {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fn_lines = function_lines(text);
    let broken = |meta: RuleMeta, problem: RuleError| Rule {
        fn_lines: fn_lines.clone(),
        declared: Arc::new(declared_segments(&meta)),
        meta,
        pack: pack.clone(),
        path: path.clone(),
        shown: shown.clone(),
        ast: None,
        problem: Some(problem),
    };
    let meta = match parse_front_matter(text, &shown) {
        Ok(meta) => meta,
        Err(problem) => return broken(placeholder_meta(&stem), problem),
    };
    if meta.id != stem {
        let reason = format!(
            "the file is named {stem}.rhai but its id is {}; name the file after the id",
            meta.id
        );
        return broken(
            meta,
            RuleError::Invalid {
                file: shown.clone(),
                reason,
            },
        );
    }
    let ast = match compiler.compile(text) {
        Ok(ast) => ast,
        Err(err) => {
            let location = Location {
                file: shown.clone(),
                line: err.position().line().unwrap_or(0),
                column: err.position().position().unwrap_or(0),
            };
            let message = err.err_type().to_string();
            return broken(meta, RuleError::Syntax { location, message });
        }
    };
    let functions: HashSet<(String, usize)> = ast
        .iter_functions()
        .map(|f| (f.name.to_string(), f.params.len()))
        .collect();
    for version in &meta.versions {
        if let Some(check) = &version.check
            && !functions.contains(&(check.clone(), 1))
        {
            let reason = format!(
                "version {} names check function `{check}`, but the file has no `fn {check}(r)`",
                version.label()
            );
            return broken(
                meta,
                RuleError::Invalid {
                    file: shown.clone(),
                    reason,
                },
            );
        }
    }
    Rule {
        fn_lines,
        declared: Arc::new(declared_segments(&meta)),
        meta,
        pack,
        path,
        shown,
        ast: Some(Arc::new(ast)),
        problem: None,
    }
}

/// `fn name(` at the start of a line → its line number.
fn function_lines(text: &str) -> HashMap<String, usize> {
    text.lines()
        .enumerate()
        .filter_map(|(idx, line)| {
            let rest = line.trim_start().strip_prefix("fn ")?;
            let name = rest.split('(').next()?.trim();
            Some((name.to_owned(), idx + 1))
        })
        .collect()
}

/// Metadata for a file whose own could not be read: it applies to every record type so that
/// its `error` outcome is seen wherever it would have run.
fn placeholder_meta(stem: &str) -> RuleMeta {
    RuleMeta {
        id: stem.to_owned(),
        title_zh: String::new(),
        title_en: String::new(),
        record_types: RecordType::ALL.to_vec(),
        date_field: None,
        reads: Vec::new(),
        applies_when: Default::default(),
        settings: Vec::new(),
        catalogue: None,
        interpretations: Vec::new(),
        versions: Vec::new(),
    }
}
