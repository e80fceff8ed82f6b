//! Generated reference data: units, officers, parties and the supervision-item catalogue.

use jiandu_model::{Date, Uscc};
use serde_json::{Value, json};

use crate::rng::Rng;
use crate::vocabulary::{
    DEPARTMENTS, Department, GIVEN, INDUSTRIES, ITEMS, REGIONS, STREETS, SURNAMES, TRADE_NAMES,
};

/// Characters allowed in an organisation-code body that also fit the USCC character set.
const ORG_BODY_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

pub struct Unit {
    pub unit_id: String,
    pub name: String,
    pub department: Department,
    pub region_code: &'static str,
    pub uscc: String,
    pub email: String,
}

pub struct Officer {
    pub cert_no: String,
    pub name: String,
    pub unit_idx: usize,
    pub valid_from: Date,
    pub valid_until: Date,
    pub is_auxiliary: bool,
}

pub struct Party {
    pub party_id: String,
    pub name: String,
    pub nature: &'static str,
    pub uscc: Option<String>,
    pub id_number: Option<String>,
    pub birth_date: Option<Date>,
    pub region_code: &'static str,
    pub address: String,
}

pub struct Item {
    pub code: String,
    pub name: &'static str,
    pub department: &'static str,
    pub kind: &'static str,
    pub listed_from: Date,
}

pub struct Reference {
    pub units: Vec<Unit>,
    pub dispatcher: Unit,
    pub officers: Vec<Officer>,
    pub parties: Vec<Party>,
    pub items: Vec<Item>,
}

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).expect("valid constant date")
}

/// A GB 11714 organisation code (8 body characters and the check character).
fn org_code(rng: &mut Rng) -> String {
    {
        let body: String = (0..8).map(|_| *rng.pick(ORG_BODY_CHARS) as char).collect();
        let sum: u32 = body
            .bytes()
            .zip([3u32, 7, 9, 10, 5, 8, 4, 2])
            .map(|(b, w)| {
                let v = if b.is_ascii_digit() {
                    (b - b'0') as u32
                } else {
                    (b - b'A') as u32 + 10
                };
                v * w
            })
            .sum();
        let check = match 11 - sum % 11 {
            10 => 'X',
            11 => '0',
            n => char::from(b'0' + n as u8),
        };
        format!("{body}{check}")
    }
}

/// A valid USCC: registration authority + category, region, organisation code, check character.
pub fn uscc(rng: &mut Rng, prefix: &str, region: &str) -> String {
    let body = format!("{prefix}{region}{}", org_code(rng));
    Uscc::complete(&body)
        .expect("generated USCC body uses the USCC alphabet")
        .to_string()
}

/// A resident identity number (GB 11643) with a valid ISO 7064 MOD 11-2 check digit.
fn id_number(rng: &mut Rng, region: &str, birth: Date) -> String {
    let body = format!(
        "{region}{:04}{:02}{:02}{:03}",
        birth.year(),
        birth.month(),
        birth.day(),
        rng.range(1, 999)
    );
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| (b - b'0') as u32 * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

pub fn person_name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn address(rng: &mut Rng, region_name: &str) -> String {
    format!("{region_name}{}{}号", rng.pick(STREETS), rng.range(1, 388))
}

/// The parties of the base demo; a scaled demo adds more (`more_parties`).
pub const PARTIES: usize = 2400;

/// One generated party: a company, an individual business or a natural person of a county.
fn party(rng: &mut Rng, seq: usize) -> Party {
    let (region_code, region_name) = *rng.pick(&REGIONS[1..]);
    let kind = rng.weighted(&[62, 20, 18]);
    let party = match kind {
        0 => Party {
            party_id: String::new(),
            name: format!(
                "清远市{}{}{}有限公司",
                rng.pick(TRADE_NAMES),
                rng.pick(TRADE_NAMES),
                rng.pick(INDUSTRIES)
            ),
            nature: "legal_person",
            uscc: Some(uscc(rng, "91", region_code)),
            id_number: None,
            birth_date: None,
            region_code,
            address: address(rng, region_name),
        },
        1 => Party {
            party_id: String::new(),
            name: format!(
                "{}{}{}店",
                region_name,
                rng.pick(TRADE_NAMES),
                rng.pick(INDUSTRIES)
            ),
            nature: "individual_business",
            uscc: Some(uscc(rng, "92", region_code)),
            id_number: None,
            birth_date: None,
            region_code,
            address: address(rng, region_name),
        },
        _ => {
            let birth = d(
                rng.range(1955, 2005) as i32,
                rng.range(1, 12) as u32,
                rng.range(1, 28) as u32,
            );
            Party {
                party_id: String::new(),
                name: person_name(rng),
                nature: "natural_person",
                uscc: None,
                id_number: Some(id_number(rng, region_code, birth)),
                birth_date: Some(birth),
                region_code,
                address: address(rng, region_name),
            }
        }
    };
    let party_id = party
        .uscc
        .clone()
        .or_else(|| party.id_number.clone())
        .unwrap_or_else(|| format!("P{seq}"));
    Party { party_id, ..party }
}

/// `n` more parties for a scaled demo, numbered after the base ones, drawn from their own
/// stream so the base demo stays as it was.
pub fn more_parties(rng: &mut Rng, reference: &mut Reference, n: usize) {
    let mut ids: std::collections::HashSet<String> = reference
        .parties
        .iter()
        .map(|p| p.party_id.clone())
        .collect();
    let target = reference.parties.len() + n;
    let mut seq = reference.parties.len();
    while reference.parties.len() < target {
        let party = party(rng, seq);
        seq += 1;
        // Random codes collide now and then among hundreds of thousands: draw again.
        if ids.insert(party.party_id.clone()) {
            reference.parties.push(party);
        }
    }
}

pub fn generate(rng: &mut Rng) -> Reference {
    let mut units = Vec::new();
    for (region_code, region_name) in REGIONS {
        for department in DEPARTMENTS {
            // 生态环境 is vertically managed: counties have branches of the city bureau.
            let name = if department.code == "sthj" && region_code != "441800" {
                format!(
                    "清远市生态环境局{}分局",
                    region_name.trim_end_matches(['区', '县', '市'])
                )
            } else {
                format!("{region_name}{}", department.bureau)
            };
            units.push(Unit {
                unit_id: format!("{region_code}-{}", department.code),
                name,
                department,
                region_code,
                uscc: uscc(rng, "11", region_code),
                email: format!("{}.{region_code}@qingyuan.example", department.code),
            });
        }
    }
    let dispatcher = Unit {
        unit_id: "441800-12345".into(),
        name: "清远市12345政务服务便民热线".into(),
        department: DEPARTMENTS[0],
        region_code: "441800",
        uscc: uscc(rng, "11", "441800"),
        email: "12345@qingyuan.example".into(),
    };

    let mut officers = Vec::new();
    for (unit_idx, unit) in units.iter().enumerate() {
        let n = if unit.region_code == "441800" { 12 } else { 9 };
        for seq in 0..n {
            let valid_from = d(rng.range(2012, 2018) as i32, rng.range(1, 12) as u32, 1);
            // Certificates are renewed every five years; most in the demo were renewed in time.
            let valid_until = valid_from.add_years(if rng.chance(0.85) { 12 } else { 5 });
            officers.push(Officer {
                cert_no: format!(
                    "{}{}{:04}",
                    unit.region_code,
                    valid_from.year(),
                    unit_idx * 20 + seq
                ),
                name: person_name(rng),
                unit_idx,
                valid_from,
                valid_until,
                is_auxiliary: seq == n - 1,
            });
        }
    }

    let parties = (0..PARTIES).map(|seq| party(rng, seq)).collect();

    let mut items = Vec::new();
    for (seq, (dept, name, kind)) in ITEMS.iter().enumerate() {
        let prefix = DEPARTMENTS
            .iter()
            .find(|d| d.code == *dept)
            .map(|d| d.item_prefix)
            .unwrap_or("00");
        let kind_digit = match *kind {
            "检查" => 1,
            "处罚" => 2,
            _ => 3,
        };
        items.push(Item {
            code: format!("44{prefix}{kind_digit}{:09}", 100 + seq),
            name,
            department: dept,
            kind,
            // Two items joined the published list late; inspections before that are flagged.
            listed_from: if seq % 17 == 3 {
                d(2022, 3, 1)
            } else {
                d(2018, 1, 1)
            },
        });
    }

    Reference {
        units,
        dispatcher,
        officers,
        parties,
        items,
    }
}

impl Unit {
    pub fn to_json(&self, is_dispatcher: bool) -> Value {
        json!({
            "unit_id": self.unit_id, "name": self.name, "department": self.department.name,
            "department_code": self.department.code, "region_code": self.region_code,
            "uscc": self.uscc, "email": self.email, "is_dispatcher": is_dispatcher,
            "sector": self.department.sector,
        })
    }

    /// The `agency{}` object of a record this unit made.
    pub fn agency(&self) -> Value {
        json!({
            "name": self.name, "uscc": self.uscc, "region_code": self.region_code,
            "unit_id": self.unit_id, "department": self.department.name,
            "is_enforcement_subject": true, "legal_basis_ok": true,
            "level": self.level(), "vertical": false, "kind": "other",
        })
    }

    /// The level whose people's government reviews the unit's acts: a city bureau and the
    /// city ecology bureau's district branches (派出机构, 行政复议法 第二十四条) are city level.
    pub fn level(&self) -> &'static str {
        if self.region_code.ends_with("00") || self.department.code == "sthj" {
            "city"
        } else {
            "county"
        }
    }
}

impl Officer {
    pub fn to_json(&self, units: &[Unit]) -> Value {
        json!({
            "cert_no": self.cert_no, "name": self.name, "unit_id": units[self.unit_idx].unit_id,
            "cert_valid_from": self.valid_from, "cert_valid_until": self.valid_until,
            "is_auxiliary": self.is_auxiliary,
        })
    }

    /// The entry in a record's `officers[]`.
    pub fn on_record(&self) -> Value {
        json!({
            "name": self.name, "cert_no": if self.is_auxiliary { Value::Null } else { json!(self.cert_no) },
            "cert_valid_until": self.valid_until, "is_auxiliary": self.is_auxiliary,
            "conflict_of_interest": false,
        })
    }
}

impl Party {
    pub fn to_json(&self) -> Value {
        let mut row = json!({
            "party_id": self.party_id, "name": self.name, "nature": self.nature,
            "operating_region": self.region_code, "domicile_region": self.region_code,
            "address": self.address,
        });
        if let Some(uscc) = &self.uscc {
            row["uscc"] = json!(uscc);
        }
        if let Some(birth) = self.birth_date {
            row["birth_date"] = json!(birth);
        }
        row
    }

    /// The `party{}` object of a record.
    pub fn on_record(&self) -> Value {
        let mut party = json!({
            "name": self.name, "nature": self.nature, "address": self.address,
            "registration_province": "440000", "operating_region": self.region_code,
        });
        match (&self.uscc, &self.id_number) {
            (Some(uscc), _) => {
                party["id_type"] = json!("uscc");
                party["id"] = json!(uscc);
                party["uscc"] = json!(uscc);
            }
            (None, Some(id)) => {
                party["id_type"] = json!("resident_id");
                party["id"] = json!(id);
            }
            _ => {}
        }
        if let Some(birth) = self.birth_date {
            party["birth_date"] = json!(birth);
        }
        party
    }
}

impl Item {
    pub fn to_json(&self) -> Value {
        json!({
            "item_code": self.code, "name": self.name, "department_code": self.department,
            "kind": self.kind, "listed_from": self.listed_from,
        })
    }
}
