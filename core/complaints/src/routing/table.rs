//! `rules/routing/table.toml`: the city's departments (the 派单目录) and the item-code prefixes
//! of its local catalogue.

use std::collections::HashMap;

use serde::Deserialize;

/// Where a department's items are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// By the unit of the county (区、县、市) where the matter is.
    County,
    /// Only by the city's unit.
    City,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub code: String,
    pub name: String,
    #[serde(default = "county")]
    pub level: Level,
    /// Superseded by `lexicon.toml`; kept only to say so when an old table still has it.
    #[serde(default)]
    keywords: Vec<String>,
}

fn county() -> Level {
    Level::County
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemPrefix {
    pub prefix: String,
    pub department: String,
}

/// `rules/routing/table.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingTable {
    pub city_region: String,
    #[serde(default)]
    pub region_aliases: HashMap<String, String>,
    #[serde(default)]
    pub department: Vec<Department>,
    #[serde(default)]
    pub item_prefix: Vec<ItemPrefix>,
}

#[derive(Debug, thiserror::Error)]
pub enum RoutingLoadError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: {reason}")]
    Table { path: String, reason: String },
    #[error(transparent)]
    Script(#[from] jiandu_rules::RuleError),
}

impl RoutingTable {
    pub fn parse(text: &str, path: &str) -> Result<RoutingTable, RoutingLoadError> {
        let table: RoutingTable = toml::from_str(text).map_err(|e| RoutingLoadError::Table {
            path: path.into(),
            reason: e.to_string(),
        })?;
        let refuse = |reason: String| RoutingLoadError::Table {
            path: path.into(),
            reason,
        };
        for dept in &table.department {
            if !dept.keywords.is_empty() {
                return Err(refuse(format!(
                    "department `{}` has `keywords`: words now live in lexicon.toml beside the table, with weights (see rules/README.md, Routing)",
                    dept.code
                )));
            }
            if table
                .department
                .iter()
                .filter(|d| d.code == dept.code)
                .count()
                > 1
            {
                return Err(refuse(format!(
                    "department `{}` is defined twice",
                    dept.code
                )));
            }
        }
        for prefix in &table.item_prefix {
            if table.department(&prefix.department).is_none() {
                return Err(refuse(format!(
                    "item prefix {} names department `{}`, which no [[department]] defines",
                    prefix.prefix, prefix.department
                )));
            }
        }
        Ok(table)
    }

    pub fn department(&self, code: &str) -> Option<&Department> {
        self.department.iter().find(|d| d.code == code)
    }

    /// `市场监管部门`, or the code itself when the table does not know it.
    pub fn department_label(&self, code: &str) -> String {
        self.department(code)
            .map(|d| format!("{}部门", d.name))
            .unwrap_or_else(|| code.to_owned())
    }

    /// A region code as it is today (清新县 441827 → 清新区 441803).
    pub fn normalise_region(&self, code: &str) -> String {
        self.region_aliases
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    }

    /// Whether a region code lies in this city.
    pub fn in_city(&self, region: &str) -> bool {
        region.get(..4) == self.city_region.get(..4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_names_its_mistakes() {
        for (text, says) in [
            (
                "city_region = \"441800\"\n[[item_prefix]]\nprefix = \"44\"\ndepartment = \"nope\"\n",
                "no [[department]] defines",
            ),
            (
                "city_region = \"441800\"\n[[department]]\ncode = \"a\"\nname = \"A\"\nkeywords = [\"x\"]\n",
                "lexicon.toml",
            ),
            (
                "city_region = \"441800\"\n[[department]]\ncode = \"a\"\nname = \"A\"\n[[department]]\ncode = \"a\"\nname = \"B\"\n",
                "defined twice",
            ),
            (
                "city_region = \"441800\"\n[[department]]\ncode = \"a\"\nname = \"A\"\nlevel = \"province\"\n",
                "unknown variant",
            ),
        ] {
            let error = RoutingTable::parse(text, "t.toml").unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
            assert!(error.starts_with("t.toml"), "{error}");
        }
    }
}
