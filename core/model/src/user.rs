//! People who use jiandu through its pages and API, their roles, and what each role may see
//! and do. The web layer asks [`Role::may`] before it shows or changes anything, and
//! [`Role::unit`] narrows every query of a unit's user to that unit.
//!
//! | area | admin | legal | dispatcher | unit | auditor |
//! |---|---|---|---|---|---|
//! | complaints | read, act | read | read, act | its own: read, act | read |
//! | findings, records, cases | read, change | read, change | — | its own: read | read |
//! | rules | read | read | read | read | read |
//! | gaps, imports, audit | read | read | — | — | read |
//! | users | read, change | — | — | — | — |

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a user is, with the unit a unit's user belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    /// Everything, including users.
    Admin,
    /// Legal-affairs staff: rules, findings, cases.
    Legal,
    /// The unified receiving body (统一受理机构): all complaints.
    Dispatcher,
    /// A handler of one unit: that unit's complaints, findings, records and cases only.
    Unit { unit_id: String },
    /// Auditors and leaders: read everything, change nothing.
    Auditor,
}

/// A part of jiandu that a role may read or change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    Complaints,
    Findings,
    Records,
    Cases,
    Rules,
    Gaps,
    Imports,
    Users,
    /// Reports: which kinds, [`Role::report_kinds`] says.
    Reports,
}

/// Reading or changing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    Change,
}

pub const ROLE_NAMES: &[&str] = &["admin", "legal", "dispatcher", "unit", "auditor"];

impl Role {
    /// From the stored or typed name and, for `unit`, the unit.
    pub fn new(name: &str, unit: Option<&str>) -> Result<Role, String> {
        let unit = unit.map(str::trim).filter(|u| !u.is_empty());
        let role = match name.trim() {
            "admin" => Role::Admin,
            "legal" => Role::Legal,
            "dispatcher" => Role::Dispatcher,
            "auditor" => Role::Auditor,
            "unit" => {
                return unit
                    .map(|u| Role::Unit {
                        unit_id: u.to_owned(),
                    })
                    .ok_or_else(|| "the role unit needs the unit it belongs to (--unit)".into());
            }
            other => {
                return Err(format!(
                    "unknown role `{other}`; expected one of {}",
                    ROLE_NAMES.join(", ")
                ));
            }
        };
        match unit {
            Some(u) => Err(format!(
                "only the role unit belongs to a unit; {} sees every unit (drop --unit {u})",
                role.as_str()
            )),
            None => Ok(role),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Legal => "legal",
            Role::Dispatcher => "dispatcher",
            Role::Unit { .. } => "unit",
            Role::Auditor => "auditor",
        }
    }

    pub fn chinese(&self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Legal => "法制审核人员",
            Role::Dispatcher => "派单员",
            Role::Unit { .. } => "承办单位",
            Role::Auditor => "审计/领导（只读）",
        }
    }

    /// The unit a unit's user is confined to; `None` for roles that see every unit.
    pub fn unit(&self) -> Option<&str> {
        match self {
            Role::Unit { unit_id } => Some(unit_id),
            _ => None,
        }
    }

    /// Whether this role may read or change `area` at all (a unit's user only its own items:
    /// see [`Role::unit`]).
    pub fn may(&self, area: Area, access: Access) -> bool {
        use Access::{Change, Read};
        use Area::*;
        match (self, area, access) {
            (Role::Admin, _, _) => true,
            (_, Rules | Reports, Read) => true,
            (Role::Auditor, Users, _) => false,
            (Role::Auditor, _, Read) => true,
            (Role::Auditor, _, Change) => false,
            (Role::Legal, Complaints, Read) => true,
            (Role::Legal, Findings | Records | Cases, _) => true,
            (Role::Legal, Gaps | Imports, Read) => true,
            (Role::Legal, _, _) => false,
            (Role::Dispatcher, Complaints, _) => true,
            (Role::Dispatcher, _, _) => false,
            (Role::Unit { .. }, Complaints, _) => true,
            (Role::Unit { .. }, Findings | Records | Cases, Read) => true,
            (Role::Unit { .. }, _, _) => false,
        }
    }

    /// The reports this role may read: a unit its own scorecard, a dispatcher the complaint
    /// figures and the scorecards, everyone else all five.
    pub fn report_kinds(&self) -> &'static [&'static str] {
        match self {
            Role::Unit { .. } => &["units"],
            Role::Dispatcher => &["complaints", "units"],
            _ => &["sweep", "units", "complaints", "coverage", "publicity"],
        }
    }

    /// Whether this role changes nothing anywhere (every POST refused).
    pub fn read_only(&self) -> bool {
        matches!(self, Role::Auditor)
    }

    /// Whether `unit` (the unit an item belongs to) is visible to this role.
    pub fn sees_unit(&self, unit: Option<&str>) -> bool {
        match self.unit() {
            None => true,
            Some(own) => unit == Some(own),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Unit { unit_id } => write!(f, "unit {unit_id}"),
            other => f.write_str(other.as_str()),
        }
    }
}

/// A user name: what one types at the login form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserName(String);

impl UserName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for UserName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() || s.chars().count() > 64 {
            return Err("a user name has 1 to 64 characters".into());
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "user name `{}` holds a space or a control character",
                s.escape_debug()
            ));
        }
        Ok(UserName(s.to_owned()))
    }
}

impl TryFrom<String> for UserName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<UserName> for String {
    fn from(name: UserName) -> String {
        name.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::{Access, Area, Role, UserName};

    #[test]
    fn a_unit_role_needs_its_unit_and_no_other_role_takes_one() {
        assert_eq!(
            Role::new("unit", Some("U-SCJ")).unwrap(),
            Role::Unit {
                unit_id: "U-SCJ".into()
            }
        );
        assert!(Role::new("unit", None).unwrap_err().contains("--unit"));
        assert!(
            Role::new("legal", Some("U-SCJ"))
                .unwrap_err()
                .contains("only the role unit")
        );
        assert!(Role::new("boss", None).unwrap_err().contains("dispatcher"));
    }

    #[test]
    fn the_table_of_the_module_doc_holds() {
        let unit = Role::new("unit", Some("U1")).unwrap();
        let cases = [
            (Role::Dispatcher, Area::Complaints, Access::Change, true),
            (Role::Dispatcher, Area::Findings, Access::Read, false),
            (Role::Legal, Area::Complaints, Access::Change, false),
            (Role::Legal, Area::Findings, Access::Change, true),
            (Role::Legal, Area::Users, Access::Read, false),
            (Role::Auditor, Area::Findings, Access::Read, true),
            (Role::Auditor, Area::Complaints, Access::Change, false),
            (Role::Auditor, Area::Users, Access::Read, false),
            (unit.clone(), Area::Complaints, Access::Change, true),
            (unit.clone(), Area::Findings, Access::Change, false),
            (unit.clone(), Area::Gaps, Access::Read, false),
            (unit.clone(), Area::Rules, Access::Read, true),
            (Role::Admin, Area::Users, Access::Change, true),
            (unit.clone(), Area::Reports, Access::Read, true),
            (Role::Dispatcher, Area::Reports, Access::Change, false),
            (Role::Auditor, Area::Reports, Access::Read, true),
        ];
        for (role, area, access, expected) in cases {
            assert_eq!(
                role.may(area, access),
                expected,
                "{role} {area:?} {access:?}"
            );
        }
        assert!(unit.sees_unit(Some("U1")));
        assert!(!unit.sees_unit(Some("U2")));
        assert!(!unit.sees_unit(None));
        assert!(Role::Auditor.sees_unit(None));
    }

    #[test]
    fn a_unit_reads_only_the_scorecards_and_a_dispatcher_the_complaint_figures_too() {
        let unit = Role::new("unit", Some("441802-scjg")).unwrap();
        assert_eq!(unit.report_kinds(), ["units"]);
        assert_eq!(Role::Dispatcher.report_kinds(), ["complaints", "units"]);
        assert_eq!(Role::Legal.report_kinds().len(), 5);
        assert_eq!(Role::Auditor.report_kinds(), Role::Admin.report_kinds());
    }

    #[test]
    fn user_names_are_one_word() {
        assert!("dispatcher".parse::<UserName>().is_ok());
        assert!("张三".parse::<UserName>().is_ok());
        assert!("a b".parse::<UserName>().is_err());
        assert!("".parse::<UserName>().is_err());
    }
}
