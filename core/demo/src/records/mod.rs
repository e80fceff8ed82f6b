//! Generated enforcement records with procedural defects injected at known rates.
//!
//! Each defect has an id (`pen.late_service`), the rule it should trip, and a rate. A record
//! carries the ids of the defects injected into it in `demo_defects`, an extra field that
//! rules ignore, so that a sweep's findings can be compared with what was planted.

mod compulsory;
mod execution;
mod inspection;
mod penalty;

use std::collections::BTreeMap;

use jiandu_calendar::Calendar;
use jiandu_model::{Date, Moment};
use serde_json::{Value, json};

use crate::reference::{Officer, Party, Reference, Unit};
use crate::rng::Rng;
use crate::vocabulary::DEPARTMENTS;

/// A planted defect: its id, the rule(s) it should trip (comma-separated when one defect
/// breaks several requirements), and the chance it is planted in an eligible record.
#[derive(Debug, Clone, Copy)]
pub struct Defect {
    pub id: &'static str,
    pub rule: &'static str,
    pub rate: f64,
}

pub(crate) const fn defect(id: &'static str, rule: &'static str, rate: f64) -> Defect {
    Defect { id, rule, rate }
}

/// How many records of each kind the demo makes.
#[derive(Debug, Clone, Copy)]
pub struct Volumes {
    pub inspections_without_penalty: usize,
    pub penalties: usize,
    pub compulsory_measures: usize,
    pub executions: usize,
    /// Platform pushes of complaints and reports.
    pub complaints: usize,
}

impl Default for Volumes {
    fn default() -> Volumes {
        Volumes {
            inspections_without_penalty: 1400,
            penalties: 2000,
            compulsory_measures: 750,
            executions: 450,
            complaints: 320,
        }
    }
}

/// The state shared while generating: randomness, reference data, calendar, tallies.
pub(crate) struct Gen<'a> {
    pub rng: Rng,
    pub reference: &'a Reference,
    pub calendar: &'a Calendar,
    pub planted: BTreeMap<&'static str, u64>,
    pub eligible: BTreeMap<&'static str, u64>,
    pub seq: u64,
}

/// The last act date the demo uses: every deadline from it (a late decision, then 20 working
/// days to publish) stays inside the calendar's data, which ends with 2026.
pub fn last_act_date() -> Date {
    Date::from_ymd(2026, 6, 30).expect("valid date")
}

impl<'a> Gen<'a> {
    pub fn new(rng: Rng, reference: &'a Reference, calendar: &'a Calendar) -> Gen<'a> {
        Gen {
            rng,
            reference,
            calendar,
            planted: BTreeMap::new(),
            eligible: BTreeMap::new(),
            seq: 0,
        }
    }

    /// Rolls for a defect on an eligible record and tallies it; pushes its id onto `planted`.
    pub fn plant(&mut self, defect: Defect, planted: &mut Vec<&'static str>) -> bool {
        *self.eligible.entry(defect.id).or_default() += 1;
        if self.rng.chance(defect.rate) {
            *self.planted.entry(defect.id).or_default() += 1;
            planted.push(defect.id);
            true
        } else {
            false
        }
    }

    /// Tallies a defect that follows from the data rather than from a roll.
    pub fn tally(&mut self, defect: Defect, present: bool, planted: &mut Vec<&'static str>) {
        *self.eligible.entry(defect.id).or_default() += 1;
        if present {
            *self.planted.entry(defect.id).or_default() += 1;
            planted.push(defect.id);
        }
    }

    /// Takes back a defect that could not be planted after all (no suitable data).
    pub fn unplant(&mut self, defect: Defect, planted: &mut Vec<&'static str>) {
        if planted.last() == Some(&defect.id) {
            planted.pop();
            if let Some(n) = self.planted.get_mut(defect.id) {
                *n -= 1;
            }
        }
    }

    /// A working day between 2019-01-02 and the last act date, later years more likely.
    pub fn act_date(&mut self) -> Date {
        let year = 2019 + self.rng.weighted(&[8, 9, 11, 12, 14, 15, 16, 11]) as i32;
        let last = last_act_date();
        loop {
            let day = Date::from_ymd(year, 1, 2)
                .expect("valid date")
                .add_days(self.rng.range(0, 363));
            if day > last || day.year() != year {
                continue;
            }
            if self.calendar.is_working_day(day).unwrap_or(false) {
                return day;
            }
        }
    }

    /// `n` working days after `date` (start excluded). The demo only asks inside the data.
    pub fn wd(&self, date: Date, n: i64) -> Date {
        self.calendar
            .add_working_days(date, n)
            .unwrap_or_else(|_| date.add_days(n + n / 2))
    }

    /// Between `lo` and `hi` working days after `date`, at random.
    pub fn wd_in(&mut self, date: Date, lo: i64, hi: i64) -> Date {
        let n = self.rng.range(lo, hi);
        self.wd(date, n)
    }

    pub fn moment(&mut self, date: Date, from_hour: i64, to_hour: i64) -> Moment {
        let hour = self.rng.range(from_hour, to_hour) as u32;
        let minute = self.rng.range(0, 11) as u32 * 5;
        Moment::at(date, hour, minute).expect("valid time")
    }

    pub fn next_id(&mut self, unit: &Unit, kind: &str, date: Date) -> String {
        self.seq += 1;
        format!(
            "{}-{}-{}-{:05}",
            unit.unit_id.replace('-', ""),
            kind,
            date.year(),
            self.seq
        )
    }

    /// A unit of a department that has supervision items of `kind`, weighted by department size.
    pub fn unit_for(&mut self, kind: &str) -> usize {
        loop {
            let dept = DEPARTMENTS[self.rng.weighted(&DEPARTMENTS.map(|d| d.weight))];
            if !self
                .reference
                .items
                .iter()
                .any(|i| i.department == dept.code && i.kind == kind)
            {
                continue;
            }
            // County units do most of the work.
            let region_idx = if self.rng.chance(0.15) {
                0
            } else {
                self.rng.range(1, 8) as usize
            };
            return self.unit_index(crate::vocabulary::REGIONS[region_idx].0, dept.code);
        }
    }

    pub fn unit_index(&self, region_code: &str, department_code: &str) -> usize {
        self.reference
            .units
            .iter()
            .position(|u| u.region_code == region_code && u.department.code == department_code)
            .expect("every region has every department")
    }

    pub fn item_code(&mut self, unit: &Unit, kind: &str) -> String {
        let candidates: Vec<&str> = self
            .reference
            .items
            .iter()
            .filter(|i| i.department == unit.department.code && i.kind == kind)
            .map(|i| i.code.as_str())
            .collect();
        self.rng.pick(&candidates).to_string()
    }

    /// A party in the unit's area (city units act anywhere).
    pub fn party_for(&mut self, unit: &Unit) -> usize {
        loop {
            let idx = self.rng.range(0, self.reference.parties.len() as i64 - 1) as usize;
            let party = &self.reference.parties[idx];
            if unit.region_code == "441800"
                || party.region_code == unit.region_code
                || self.rng.chance(0.05)
            {
                return idx;
            }
        }
    }

    /// `n` certified officers of the unit whose certificates are valid on `date`.
    pub fn officers_for(&mut self, unit_idx: usize, date: Date, n: usize) -> Vec<&'a Officer> {
        self.officers_valid(unit_idx, date, date, n)
    }

    /// `n` certified officers of the unit whose certificates are valid from `from` to `to`
    /// (a case handled over months keeps its officers).
    pub fn officers_valid(
        &mut self,
        unit_idx: usize,
        from: Date,
        to: Date,
        n: usize,
    ) -> Vec<&'a Officer> {
        let mut pool: Vec<&Officer> = self
            .reference
            .officers
            .iter()
            .filter(|o| {
                o.unit_idx == unit_idx
                    && !o.is_auxiliary
                    && o.valid_from <= from
                    && to <= o.valid_until
            })
            .collect();
        if pool.len() < n {
            // Few certificates span the whole case: take those valid when it began.
            pool = self
                .reference
                .officers
                .iter()
                .filter(|o| {
                    o.unit_idx == unit_idx
                        && !o.is_auxiliary
                        && o.valid_from <= from
                        && from <= o.valid_until
                })
                .collect();
        }
        let mut chosen = Vec::new();
        while chosen.len() < n && !pool.is_empty() {
            let idx = self.rng.range(0, pool.len() as i64 - 1) as usize;
            chosen.push(pool.swap_remove(idx));
        }
        chosen
    }

    /// An officer of the unit whose certificate had expired by `date`, if there is one.
    pub fn expired_officer(&mut self, unit_idx: usize, date: Date) -> Option<&'a Officer> {
        let pool: Vec<&Officer> = self
            .reference
            .officers
            .iter()
            .filter(|o| o.unit_idx == unit_idx && !o.is_auxiliary && o.valid_until < date)
            .collect();
        (!pool.is_empty()).then(|| *self.rng.pick(&pool))
    }

    pub fn auxiliary_officer(&self, unit_idx: usize) -> Option<&'a Officer> {
        self.reference
            .officers
            .iter()
            .find(|o| o.unit_idx == unit_idx && o.is_auxiliary)
    }

    /// The party object of a record, with the data-quality defects that apply to every record.
    pub fn party_on_record(&mut self, party: &Party, planted: &mut Vec<&'static str>) -> Value {
        let mut value = party.on_record();
        if party.uscc.is_some() && self.plant(DATA_BAD_USCC, planted) {
            let uscc = party.uscc.as_deref().unwrap_or_default();
            let last = uscc.chars().last().unwrap_or('0');
            let wrong = if last == '1' { '2' } else { '1' };
            let broken = format!("{}{wrong}", &uscc[..17]);
            value["uscc"] = json!(broken);
            value["id"] = json!(broken);
        }
        value
    }

    /// The `region_code` of a record: the unit's area, or the party's for city units.
    pub fn region_code(
        &mut self,
        unit: &Unit,
        party: &Party,
        date: Date,
        planted: &mut Vec<&'static str>,
    ) -> &'static str {
        let region = if unit.region_code == "441800" {
            party.region_code
        } else {
            unit.region_code
        };
        if region == "441803" && date.year() >= 2015 && self.plant(DATA_OLD_REGION, planted) {
            return "441827";
        }
        region
    }
}

/// Sets the fields a real case file would state even when nothing happened ("no hearing was
/// requested", "no evidence was held"), unless the generator already set them: without them
/// every rule about an optional step would be `unknown`.
pub(crate) fn fill_known(record: &mut Value, defaults: &[(&str, Value)]) {
    let Value::Object(map) = record else {
        return;
    };
    for (field, value) in defaults {
        map.entry((*field).to_owned())
            .or_insert_with(|| value.clone());
    }
}

/// The sharing with the provincial platform (广东省市场监管条例), a few days after creation.
pub(crate) fn shared(mk: &mut Gen<'_>, record: &mut Value, created: Date) {
    let shared = mk.wd_in(created, 1, 12);
    fill_known(
        record,
        &[
            ("created_at", json!(created)),
            ("shared_at", json!(shared)),
            ("major_decision", json!(false)),
        ],
    );
}

pub(crate) const DATA_BAD_USCC: Defect = defect("data.bad_uscc", "DATA-USCC", 0.005);
pub(crate) const DATA_OLD_REGION: Defect = defect("data.old_region_code", "DATA-REGION", 0.02);

/// Every defect the demo plants, for the printed summary and the documentation.
pub fn defects() -> Vec<Defect> {
    let mut all = vec![DATA_BAD_USCC, DATA_OLD_REGION];
    all.extend_from_slice(inspection::DEFECTS);
    all.extend_from_slice(penalty::DEFECTS);
    all.extend_from_slice(compulsory::DEFECTS);
    all.extend_from_slice(execution::DEFECTS);
    all
}

/// Generates every record; returns them with the tallies of planted defects.
pub(crate) fn generate(mk: &mut Gen<'_>, volumes: Volumes) -> Vec<Value> {
    let mut records = Vec::new();
    for _ in 0..volumes.inspections_without_penalty {
        records.push(inspection::generate(mk, false).record);
    }
    for _ in 0..volumes.penalties {
        let inspection = inspection::generate(mk, true);
        let penalty = penalty::generate(mk, &inspection);
        records.push(inspection.record);
        records.push(penalty);
    }
    records.extend(penalty::double_fines(mk, &records));
    for _ in 0..volumes.compulsory_measures {
        records.push(compulsory::generate(mk));
    }
    for _ in 0..volumes.executions {
        records.push(execution::generate(mk));
    }
    stop_sending(records)
}

/// The unit that stops sending behaviour data: none of its acts after [`STOPPED_AFTER`] is in
/// the demo, so the coverage report's early warning has something to find.
pub const STOPPED_UNIT: &str = "441881-scjg";

/// The last act date of [`STOPPED_UNIT`].
pub const STOPPED_AFTER: &str = "2026-03-31";

/// The record's act date by its type's act-date fields (a moment gives its date).
fn act_date_of(record: &Value) -> Option<String> {
    let kind: jiandu_model::RecordType = record["record_type"].as_str()?.parse().ok()?;
    kind.act_date_fields().iter().find_map(|path| {
        let mut value = record;
        for part in path.split('.') {
            value = value.get(part)?;
        }
        value.as_str().and_then(|s| s.get(..10)).map(str::to_owned)
    })
}

/// Leaves out the stopped unit's acts after its last day, with every record linked to one of
/// them (the same act, the same inspection), so no record loses its partner.
fn stop_sending(records: Vec<Value>) -> Vec<Value> {
    let late = |r: &Value| {
        r["agency"]["unit_id"] == STOPPED_UNIT
            && act_date_of(r).is_some_and(|d| d.as_str() > STOPPED_AFTER)
    };
    let link = |r: &Value, key: &str| r[key].as_str().map(|k| format!("{key}:{k}"));
    let dropped: std::collections::BTreeSet<String> = records
        .iter()
        .filter(|r| late(r))
        .flat_map(|r| [link(r, "act_id"), link(r, "check_action_code")])
        .flatten()
        .collect();
    records
        .into_iter()
        .filter(|r| {
            !late(r)
                && ![link(r, "act_id"), link(r, "check_action_code")]
                    .iter()
                    .flatten()
                    .any(|k| dropped.contains(k))
        })
        .collect()
}
