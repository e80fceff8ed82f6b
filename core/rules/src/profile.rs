//! Profiles: the settings the law leaves to local choice or that are open to interpretation
//! (DESIGN §5), read by rules through `setting(…)`.
//!
//! ```toml
//! name = "qingyuan-default"
//! [settings]
//! roll_last_day = true
//! [sectors.market_regulation]        # overrides for records whose sector_profile says so
//! hearing_threshold_organisation = 100000
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiandu_model::record::dictionary::dictionary;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    #[serde(default)]
    description: Option<String>,
    /// Another profile read first (a file name in the same directory, without `.toml`).
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    settings: BTreeMap<String, toml::Value>,
    #[serde(default)]
    sectors: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

/// A loaded profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub description: Option<String>,
    pub source: String,
    settings: BTreeMap<String, toml::Value>,
    sectors: BTreeMap<String, BTreeMap<String, toml::Value>>,
    /// SHA-256 of the profile's files: a changed profile means every record must be judged again.
    pub content_hash: String,
}

pub const DEFAULT_PROFILE: &str = "qingyuan-default";

impl Profile {
    /// `NAME` (a file `rules/profiles/NAME.toml`) or a path to a `.toml` file.
    pub fn resolve(name_or_file: &str, rules_dir: Option<&Path>) -> Result<Profile, RuleError> {
        let as_path = Path::new(name_or_file);
        if name_or_file.ends_with(".toml") || as_path.components().count() > 1 {
            return Profile::load(as_path);
        }
        match rules_dir {
            Some(dir) => Profile::load(&dir.join("profiles").join(format!("{name_or_file}.toml"))),
            None if name_or_file == DEFAULT_PROFILE => Ok(Profile::builtin()),
            None => Err(RuleError::Profile {
                file: name_or_file.to_owned(),
                reason:
                    "no rules directory to find the profile in; give the path of its .toml file"
                        .into(),
            }),
        }
    }

    pub fn load(path: &Path) -> Result<Profile, RuleError> {
        let mut hasher = Sha256::new();
        let file = Profile::read_chain(path, &mut hasher, 0)?;
        Ok(Profile {
            content_hash: crate::hex(&hasher.finalize()),
            source: path.display().to_string(),
            ..file
        })
    }

    fn read_chain(path: &Path, hasher: &mut Sha256, depth: usize) -> Result<Profile, RuleError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RuleError::Profile {
            file: shown.clone(),
            reason: e.to_string(),
        })?;
        hasher.update(text.as_bytes());
        let parsed = Profile::parse_file(&text, &shown)?;
        let mut profile = match &parsed.extends {
            Some(base) if depth < 4 => {
                let base_path: PathBuf = path.with_file_name(format!("{base}.toml"));
                Profile::read_chain(&base_path, hasher, depth + 1)?
            }
            Some(_) => {
                return Err(RuleError::Profile {
                    file: shown,
                    reason: "`extends` goes more than four profiles deep (a loop?)".into(),
                });
            }
            None => Profile::empty(),
        };
        profile.name = parsed.name;
        profile.description = parsed.description.or(profile.description);
        profile.settings.extend(parsed.settings);
        for (sector, settings) in parsed.sectors {
            profile.sectors.entry(sector).or_default().extend(settings);
        }
        Ok(profile)
    }

    fn parse_file(text: &str, file: &str) -> Result<ProfileFile, RuleError> {
        let parsed: ProfileFile = toml::from_str(text).map_err(|e| RuleError::Profile {
            file: file.to_owned(),
            reason: e.to_string(),
        })?;
        // A section for a sector no record can name would silently never apply.
        let Some(sectors) = dictionary().vocabulary("sectors") else {
            return Err(RuleError::Profile {
                file: file.to_owned(),
                reason: "the field dictionary has no sectors vocabulary".into(),
            });
        };
        for name in parsed.sectors.keys() {
            if !sectors.contains_code(name) {
                let hint = sectors
                    .closest(name)
                    .map(|t| format!(" (did you mean `{}`?)", t.code))
                    .unwrap_or_default();
                return Err(RuleError::Profile {
                    file: file.to_owned(),
                    reason: format!(
                        "[sectors.{name}]: `{name}` is not a sector code of the field dictionary{hint}; allowed: {}",
                        sectors.allowed()
                    ),
                });
            }
        }
        Ok(parsed)
    }

    fn empty() -> Profile {
        Profile {
            name: String::new(),
            description: None,
            source: String::new(),
            settings: BTreeMap::new(),
            sectors: BTreeMap::new(),
            content_hash: String::new(),
        }
    }

    /// The shipped default profile, compiled in for a binary run away from its rules directory.
    #[allow(clippy::expect_used, reason = "compiled-in data, checked by the tests")]
    pub fn builtin() -> Profile {
        let text = include_str!("../../../rules/profiles/qingyuan-default.toml");
        let parsed = Profile::parse_file(text, "qingyuan-default.toml (built in)")
            .expect("the shipped profile parses");
        Profile {
            name: parsed.name,
            description: parsed.description,
            source: "rules/profiles/qingyuan-default.toml (built in)".into(),
            settings: parsed.settings,
            sectors: parsed.sectors,
            content_hash: crate::hex(&Sha256::digest(text.as_bytes())),
        }
    }

    /// A setting, with the sector's override when the sector sets one.
    pub fn get(&self, name: &str, sector: Option<&str>) -> Option<&toml::Value> {
        sector
            .and_then(|s| self.sectors.get(s))
            .and_then(|settings| settings.get(name))
            .or_else(|| self.settings.get(name))
    }

    /// Whether some sector section sets `name` to something else than the general setting:
    /// then a record's sector must be known to read it.
    pub fn varies_by_sector(&self, name: &str) -> bool {
        let general = self.settings.get(name);
        self.sectors
            .values()
            .filter_map(|settings| settings.get(name))
            .any(|value| Some(value) != general)
    }

    /// The sectors the profile has sections for.
    pub fn sectors(&self) -> impl Iterator<Item = &String> {
        self.sectors.keys()
    }

    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.settings.keys()
    }

    pub fn has(&self, name: &str) -> bool {
        self.settings.contains_key(name)
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.get(name, None).and_then(toml::Value::as_bool)
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name, None).and_then(toml::Value::as_str)
    }

    /// A copy with some settings replaced (test cases that try another reading).
    pub fn with_overrides(&self, overrides: &BTreeMap<String, toml::Value>) -> Profile {
        let mut profile = self.clone();
        profile.settings.extend(overrides.clone());
        profile
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_profile_has_the_design_settings() {
        let profile = Profile::builtin();
        assert_eq!(profile.name, DEFAULT_PROFILE);
        assert_eq!(profile.bool("roll_last_day"), Some(true));
        assert_eq!(profile.bool("restraint_duration_roll"), Some(false));
        assert_eq!(profile.str("night_start"), Some("22:00"));
        assert_eq!(profile.str("night_end"), Some("06:00"));
        assert_eq!(profile.str("ordinary_weekend_execution"), Some("warning"));
        assert_eq!(profile.bool("market_regulation_extension"), Some(true));
        assert_eq!(
            profile
                .get("sign_for_wd", None)
                .and_then(toml::Value::as_integer),
            Some(1)
        );
        assert_eq!(
            profile
                .get("hearing_threshold_natural_person", None)
                .and_then(toml::Value::as_integer),
            Some(10_000)
        );
        assert_eq!(
            profile
                .get("hearing_threshold_organisation", None)
                .and_then(toml::Value::as_integer),
            Some(100_000)
        );
        assert_eq!(
            profile.bool("individual_business_as_natural_person"),
            Some(true)
        );
    }

    #[test]
    fn a_sector_section_must_name_a_dictionary_sector() {
        let text = "name = \"t\"\n[sectors.market_regulations]\na = 2\n";
        let err = Profile::parse_file(text, "t.toml").unwrap_err().to_string();
        assert!(err.contains("t.toml"), "{err}");
        assert!(
            err.contains("`market_regulations` is not a sector code"),
            "{err}"
        );
        assert!(err.contains("did you mean `market_regulation`?"), "{err}");
    }

    #[test]
    fn sectors_override_and_overrides_replace() {
        let text = r#"
            name = "t"
            [settings]
            a = 1
            [sectors.market_regulation]
            a = 2
        "#;
        let parsed = Profile::parse_file(text, "t.toml").unwrap();
        let profile = Profile {
            name: parsed.name,
            settings: parsed.settings,
            sectors: parsed.sectors,
            ..Profile::empty()
        };
        assert_eq!(
            profile.get("a", None).and_then(toml::Value::as_integer),
            Some(1)
        );
        assert_eq!(
            profile
                .get("a", Some("market_regulation"))
                .and_then(toml::Value::as_integer),
            Some(2)
        );
        assert_eq!(
            profile
                .get("a", Some("other"))
                .and_then(toml::Value::as_integer),
            Some(1)
        );
        let changed =
            profile.with_overrides(&BTreeMap::from([("a".to_owned(), toml::Value::Integer(5))]));
        assert_eq!(
            changed.get("a", None).and_then(toml::Value::as_integer),
            Some(5)
        );
    }
}
