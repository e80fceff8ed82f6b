//! The reference data routing reads: units, the item catalogue, and the parties in question.

use std::collections::HashMap;

use jiandu_model::ReferenceRow;
use serde::Serialize;

/// A unit as routing and notices need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitInfo {
    pub unit_id: String,
    pub name: String,
    pub department_code: Option<String>,
    pub region_code: Option<String>,
    /// The sector code (`sector_profile` of the items it handles), when the unit row gives it.
    pub sector: Option<String>,
    pub email: Option<String>,
    pub is_dispatcher: bool,
}

impl UnitInfo {
    pub fn from_row(row: &ReferenceRow) -> UnitInfo {
        let text = |f: &str| row.text(f).map(str::to_owned).filter(|s| !s.is_empty());
        UnitInfo {
            unit_id: row.key().to_owned(),
            name: text("name").unwrap_or_else(|| row.key().to_owned()),
            department_code: text("department_code"),
            region_code: text("region_code"),
            sector: text("sector"),
            email: text("email"),
            is_dispatcher: row.body().get("is_dispatcher").and_then(|v| v.as_bool()) == Some(true),
        }
    }
}

/// What the party data says of a respondent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyInfo {
    pub operating_region: Option<String>,
    pub domicile_region: Option<String>,
    /// The industry the party data records (行业), read by the text model as words.
    pub industry: Option<String>,
}

/// The reference data routing reads: units, the item catalogue, and the parties in question
/// (looked up one by one by their key, the USCC or ID number, never all loaded).
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub units: Vec<UnitInfo>,
    /// item code → (name, department code)
    pub items: HashMap<String, (String, Option<String>)>,
    /// USCC or id → what the party data says
    pub parties: HashMap<String, PartyInfo>,
}

impl Directory {
    pub fn new(
        units: &[ReferenceRow],
        items: &[ReferenceRow],
        parties: &[ReferenceRow],
    ) -> Directory {
        let text =
            |row: &ReferenceRow, f: &str| row.text(f).map(str::to_owned).filter(|s| !s.is_empty());
        let mut directory = Directory {
            units: units.iter().map(UnitInfo::from_row).collect(),
            items: items
                .iter()
                .map(|row| {
                    (
                        row.key().to_owned(),
                        (
                            text(row, "name").unwrap_or_default(),
                            text(row, "department_code"),
                        ),
                    )
                })
                .collect(),
            parties: HashMap::new(),
        };
        for row in parties {
            directory.add_party(row);
        }
        directory
    }

    /// A party's regions and industry, under its key and its USCC and id.
    pub fn add_party(&mut self, row: &ReferenceRow) {
        let text = |f: &str| row.text(f).map(str::to_owned).filter(|s| !s.is_empty());
        let info = PartyInfo {
            operating_region: text("operating_region"),
            domicile_region: text("domicile_region"),
            industry: text("industry"),
        };
        self.parties.insert(row.key().to_owned(), info.clone());
        for field in ["uscc", "id"] {
            if let Some(code) = text(field) {
                self.parties.insert(code, info.clone());
            }
        }
    }

    /// What the party data says of an item's respondent, found by its USCC or ID number.
    pub fn respondent(&self, intake: &crate::envelope::Intake) -> Option<&PartyInfo> {
        intake
            .respondent
            .cert_code
            .as_ref()
            .and_then(|code| self.parties.get(code))
    }

    pub fn unit(&self, id: &str) -> Option<&UnitInfo> {
        self.units.iter().find(|u| u.unit_id == id)
    }

    /// The unified receiving body (统一受理机构), if the units name one.
    pub fn dispatcher(&self) -> Option<&UnitInfo> {
        self.units.iter().find(|u| u.is_dispatcher)
    }

    /// The unit of `department` in `region` (never the dispatcher).
    pub fn unit_of(&self, department: &str, region: &str) -> Option<&UnitInfo> {
        self.units.iter().find(|u| {
            !u.is_dispatcher
                && u.department_code.as_deref() == Some(department)
                && u.region_code.as_deref() == Some(region)
        })
    }
}
