//! Where the database and the rules directory are, from flags, environment and `jiandu.toml`.
//!
//! Precedence, highest first:
//! - database: `--db`, `JIANDU_DATABASE_URL`, `database_url` in `./jiandu.toml`, `sqlite://jiandu.db`;
//! - rules: `--rules`, `JIANDU_RULES_DIR`, `rules_dir` in `./jiandu.toml`, `./rules`, the
//!   rules directory of the source tree the binary was built from, the built-in copies.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use jiandu_calendar::Calendar;
use jiandu_model::RegionTable;
use jiandu_rules::{Profile, RuleSet};
use jiandu_store::Store;
use serde::{Deserialize, Serialize};

use crate::BadInput;

pub const CONFIG_FILE: &str = "jiandu.toml";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://jiandu.db";

/// The optional `jiandu.toml` in the working directory (`jiandu demo` writes one).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub database_url: Option<String>,
    pub rules_dir: Option<PathBuf>,
    /// When `jiandu serve` runs the nightly sweep (Beijing time, `HH:MM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep_at: Option<String>,
    /// Where `jiandu serve` mails the report after each nightly sweep.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub report_to: Vec<String>,
    /// The bearer token the national platform pushes with (else `JIANDU_PLATFORM_TOKEN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_token: Option<String>,
    /// The SMTP server for notices, e.g. `smtp://127.0.0.1:2525` (else `JIANDU_SMTP_URL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_url: Option<String>,
    /// The sender of notices (else `JIANDU_MAIL_FROM`, else `jiandu <jiandu@localhost>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_from: Option<String>,
    /// The file holding the key that seals the audit log (else `JIANDU_AUDIT_KEY_FILE`);
    /// `jiandu init` creates it and writes this line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_key_file: Option<PathBuf>,
}

impl ConfigFile {
    fn read(path: &Path) -> Result<Option<ConfigFile>> {
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let config = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid jiandu configuration", path.display()))?;
        Ok(Some(config))
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    /// `sweep_at` of `jiandu.toml`, if set.
    pub sweep_at: Option<String>,
    /// `report_to` of `jiandu.toml`.
    pub report_to: Vec<String>,
    /// `JIANDU_PLATFORM_TOKEN`, else `platform_token` of `jiandu.toml`.
    pub platform_token: Option<String>,
    /// `JIANDU_SMTP_URL`, else `smtp_url` of `jiandu.toml`.
    pub smtp_url: Option<String>,
    /// `JIANDU_MAIL_FROM`, else `mail_from` of `jiandu.toml`, else `jiandu <jiandu@localhost>`.
    pub mail_from: String,
    /// `None` when no rules directory was found: built-in copies of the shipped data are used.
    pub rules_dir: Option<PathBuf>,
    /// `JIANDU_AUDIT_KEY_FILE`, else `audit_key_file` of `jiandu.toml`.
    pub audit_key_file: Option<PathBuf>,
}

impl Settings {
    pub fn resolve(db_flag: Option<&str>, rules_flag: Option<&Path>) -> Result<Settings> {
        let config = ConfigFile::read(Path::new(CONFIG_FILE))?.unwrap_or_default();
        let database_url = db_flag
            .map(str::to_owned)
            .or_else(|| {
                std::env::var("JIANDU_DATABASE_URL")
                    .ok()
                    .filter(|s| !s.is_empty())
            })
            .or(config.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let rules_dir = match rules_flag
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("JIANDU_RULES_DIR").map(PathBuf::from))
            .or(config.rules_dir)
        {
            Some(dir) => {
                anyhow::ensure!(
                    dir.is_dir(),
                    "rules directory {} does not exist",
                    dir.display()
                );
                Some(dir)
            }
            None => default_rules_dir(),
        };
        let env = |name: &str| std::env::var(name).ok().filter(|s| !s.trim().is_empty());
        Ok(Settings {
            database_url,
            platform_token: env("JIANDU_PLATFORM_TOKEN").or(config.platform_token),
            smtp_url: env("JIANDU_SMTP_URL").or(config.smtp_url),
            mail_from: env("JIANDU_MAIL_FROM")
                .or(config.mail_from)
                .unwrap_or_else(|| "jiandu <jiandu@localhost>".to_owned()),
            sweep_at: config.sweep_at,
            report_to: config.report_to,
            rules_dir,
            audit_key_file: env("JIANDU_AUDIT_KEY_FILE")
                .map(PathBuf::from)
                .or(config.audit_key_file),
        })
    }

    /// Whether the database exists already (PostgreSQL: assumed; SQLite: its file).
    pub fn store_exists(&self) -> bool {
        Store::sqlite_file(&self.database_url).is_none_or(|path| path.exists())
    }

    /// Opens a database that must exist already: commands that only read or change what
    /// is stored say so instead of leaving an empty database behind.
    pub async fn open_existing_store(&self) -> Result<Store> {
        if !self.store_exists() {
            return Err(crate::BadInput(format!(
                "there is no database at {} (数据库不存在); import data first (`jiandu import …`, `jiandu demo`), or name another with --db",
                self.database_url
            ))
            .into());
        }
        self.open_store().await
    }

    pub async fn open_store(&self) -> Result<Store> {
        let store = Store::open(&self.database_url).await.with_context(|| {
            format!(
                "failed to open the database (set it with --db, JIANDU_DATABASE_URL or {CONFIG_FILE})"
            )
        })?;
        Ok(match &self.audit_key_file {
            Some(path) => store.with_audit_key(crate::audit_key::read(path)?),
            None => store,
        })
    }

    /// A data file of the rules directory (`calendar/…`, `profiles/…`, `reference/…`): from
    /// the chosen rules directory when it has it, else from the default one. A directory
    /// holding only a few rules still runs with the shipped calendar and profiles.
    pub fn data_file(&self, relative: &str) -> Option<PathBuf> {
        self.rules_dir
            .iter()
            .cloned()
            .chain(default_rules_dir())
            .map(|dir| dir.join(relative))
            .find(|path| path.exists())
    }

    /// The statutory calendar from the rules directory, or the built-in copy.
    pub fn calendar(&self) -> Result<Calendar> {
        match self.data_file("calendar/cn-statutory.json") {
            Some(path) => {
                Calendar::load(&path).with_context(|| "failed to load the statutory calendar")
            }
            None => Ok(Calendar::builtin()),
        }
    }

    /// The calendar file a new year's notice is written into: the chosen rules directory's
    /// (it need not hold one yet: it then starts from the default one's), else the default's.
    pub fn calendar_file(&self) -> Option<PathBuf> {
        self.data_file("calendar/cn-statutory.json")
    }

    /// The GB/T 2260 table from the rules directory, or the built-in copy.
    pub fn regions(&self) -> Result<RegionTable> {
        match self.data_file("reference/gb2260-qingyuan.tsv") {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                RegionTable::parse(&text)
                    .with_context(|| format!("{} is not a valid region table", path.display()))
            }
            None => Ok(RegionTable::builtin()),
        }
    }

    /// A profile by name (`rules/profiles/NAME.toml`) or by file.
    pub fn profile(&self, name_or_file: &str) -> Result<Profile> {
        let profiles_dir = self
            .data_file("profiles")
            .and_then(|p| p.parent().map(Path::to_path_buf));
        Profile::resolve(name_or_file, profiles_dir.as_deref())
            .map_err(|e| BadInput(e.to_string()).into())
    }

    /// The complaint router of the rules directory: its routing table, lexicon and script,
    /// the city's place names, and the profile's routing settings.
    pub fn router(&self, profile: &Profile) -> Result<jiandu_complaints::Router> {
        let routing = self
            .data_file("routing/table.toml")
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .ok_or_else(|| {
                BadInput(
                    "no routing table: expected routing/table.toml in the rules directory".into(),
                )
            })?;
        let places = self
            .data_file("reference/qingyuan-places.tsv")
            .ok_or_else(|| {
                BadInput(
                    "no place names: expected reference/qingyuan-places.tsv in the rules directory"
                        .into(),
                )
            })?;
        jiandu_complaints::Router::load(
            &routing,
            &places,
            profile.clone(),
            self.calendar()?,
            self.regions()?,
        )
        .map_err(|e| BadInput(e.to_string()).into())
    }

    /// Complaint handling over `store`: the router, the calendar, and the profile's periods
    /// and handling settings.
    pub fn complaints(&self, store: Store, profile: &str) -> Result<jiandu_complaints::Complaints> {
        let profile = self.profile(profile)?;
        let calendar = self.calendar()?;
        let router = self.router(&profile)?;
        let handling = jiandu_complaints::Handling {
            auto_assign: profile.bool("complaint_auto_assign").unwrap_or(true),
            supervise_after_wd: profile
                .get("escalate_supervise_wd", None)
                .and_then(toml::Value::as_integer)
                .unwrap_or(2),
        };
        Ok(jiandu_complaints::Complaints {
            store,
            router,
            periods: jiandu_complaints::Periods::from_profile(&profile),
            calendar,
            handling,
        })
    }

    /// The rules directory for rule commands: `dir` if given, else the configured one.
    pub fn rule_set(&self, dir: Option<&Path>, profile: &str) -> Result<RuleSet> {
        let dir = match dir
            .map(Path::to_path_buf)
            .or_else(|| self.rules_dir.clone())
        {
            Some(dir) => dir,
            None => {
                return Err(BadInput("no rules directory found; pass --rules DIR".into()).into());
            }
        };
        let set = RuleSet::load(
            &dir,
            self.profile(profile)?,
            self.calendar()?,
            self.regions()?,
        )
        .map_err(|e| BadInput(e.to_string()))?;
        Ok(set)
    }
}

/// `./rules`, else the source tree's `rules/` (a binary run by `cargo run` anywhere on this
/// machine), when it holds the calendar.
fn default_rules_dir() -> Option<PathBuf> {
    let candidates = [
        PathBuf::from("rules"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules"),
    ];
    candidates
        .into_iter()
        .find(|dir| dir.join("calendar").join("cn-statutory.json").is_file())
        .map(|dir| dir.canonicalize().unwrap_or(dir))
}
