//! `jiandu demo`'s data: realistic generated enforcement data for 清远市 and its eight
//! counties and districts, with procedural defects planted at known rates.
//!
//! Deterministic for a seed: the same seed gives byte-identical data on every machine.
//!
//! ```
//! let calendar = jiandu_calendar::Calendar::builtin();
//! let data = jiandu_demo::generate(7, &calendar);
//! assert!(data.records.len() >= 5000);
//! ```

// The generator indexes its own fixed tables with indexes its own RNG draws in range, and
// expects what it built a line before: a panic here is a bug in the generator that its
// tests catch, never a reaction to input.
#![allow(clippy::indexing_slicing, clippy::expect_used)]

pub mod complaints;
mod records;
mod reference;
mod rng;
mod vocabulary;

use std::collections::BTreeMap;

use jiandu_calendar::Calendar;
use serde_json::Value;

pub use records::{Defect, STOPPED_AFTER, STOPPED_UNIT, Volumes, defects, last_act_date};

/// How often one defect was planted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Planted {
    pub id: &'static str,
    pub rule: &'static str,
    pub rate: f64,
    /// Records the defect could have been planted in.
    pub eligible: u64,
    pub planted: u64,
}

/// Everything the demo generates, as JSON rows ready for import.
#[derive(Debug, Clone)]
pub struct DemoData {
    pub units: Vec<Value>,
    pub officers: Vec<Value>,
    pub parties: Vec<Value>,
    pub items: Vec<Value>,
    pub records: Vec<Value>,
    pub planted: Vec<Planted>,
    /// Platform pushes and what is done with them, to run through the complaint service.
    pub complaints: complaints::DemoComplaints,
}

/// The demo city's units and its 12345 dispatcher as import rows (what routing needs to know
/// of the city: `jiandu complaints route-eval` reads its shipped set against these).
pub fn units(seed: u64) -> Vec<Value> {
    let reference = reference::generate(&mut rng::Rng::new(seed).fork(1));
    let mut units: Vec<Value> = reference.units.iter().map(|u| u.to_json(false)).collect();
    units.push(reference.dispatcher.to_json(true));
    units
}

pub fn generate(seed: u64, calendar: &Calendar) -> DemoData {
    generate_with(seed, calendar, Volumes::default())
}

pub fn generate_with(seed: u64, calendar: &Calendar, volumes: Volumes) -> DemoData {
    let root = rng::Rng::new(seed);
    let reference = reference::generate(&mut root.fork(1));
    let mut mk = records::Gen::new(root.fork(2), &reference, calendar);
    let records = records::generate(&mut mk, volumes);
    let mut planted = BTreeMap::new();
    tally_planted(&records, &mut planted);
    let planted = planted_rates(&mk, &planted);
    let complaints =
        complaints::generate(&mut root.fork(3), &reference, calendar, volumes.complaints);
    demo_data(&reference, records, planted, complaints)
}

/// A demo of exactly `n` records for measuring: the base demo's units, officers and items, a
/// party for every [`RECORDS_PER_PARTY`] records (more than the base demo's when `n` is large,
/// so that look-ups grow as a province's do), and records made in rounds of the base demo's
/// mix, each round handed to `sink` and dropped, so that memory does not grow with `n`.
/// Returns the demo without its records (they went to `sink`).
pub fn generate_scaled<E>(
    seed: u64,
    calendar: &Calendar,
    n: usize,
    mut sink: impl FnMut(Vec<Value>) -> Result<(), E>,
) -> Result<DemoData, E> {
    let root = rng::Rng::new(seed);
    let mut reference = reference::generate(&mut root.fork(1));
    let extra = (n / RECORDS_PER_PARTY).saturating_sub(reference.parties.len());
    reference::more_parties(&mut root.fork(4), &mut reference, extra);
    let mut mk = records::Gen::new(root.fork(2), &reference, calendar);
    let round = Volumes {
        complaints: 0,
        ..Volumes::default()
    };
    let mut planted = BTreeMap::new();
    let mut left = n;
    while left > 0 {
        let mut records = records::generate(&mut mk, round);
        records.truncate(left);
        left -= records.len();
        tally_planted(&records, &mut planted);
        sink(records)?;
    }
    let planted = planted_rates(&mk, &planted);
    let complaints = complaints::generate(
        &mut root.fork(3),
        &reference,
        calendar,
        Volumes::default().complaints,
    );
    Ok(demo_data(&reference, Vec::new(), planted, complaints))
}

/// Records per party in a scaled demo (the base demo has about 2.8).
pub const RECORDS_PER_PARTY: usize = 3;

/// Counts each planted defect on the records kept (the stopped unit's late acts are left
/// out).
fn tally_planted(records: &[Value], planted: &mut BTreeMap<String, u64>) {
    for record in records {
        for id in record["demo_defects"].as_array().into_iter().flatten() {
            if let Some(id) = id.as_str() {
                *planted.entry(id.to_owned()).or_default() += 1;
            }
        }
    }
}

fn planted_rates(mk: &records::Gen<'_>, planted: &BTreeMap<String, u64>) -> Vec<Planted> {
    defects()
        .into_iter()
        .map(|d| Planted {
            id: d.id,
            rule: d.rule,
            rate: d.rate,
            eligible: mk.eligible.get(d.id).copied().unwrap_or(0),
            planted: planted.get(d.id).copied().unwrap_or(0),
        })
        .collect()
}

fn demo_data(
    reference: &reference::Reference,
    records: Vec<Value>,
    planted: Vec<Planted>,
    complaints: complaints::DemoComplaints,
) -> DemoData {
    let mut units: Vec<Value> = reference.units.iter().map(|u| u.to_json(false)).collect();
    units.push(reference.dispatcher.to_json(true));
    DemoData {
        units,
        officers: reference
            .officers
            .iter()
            .map(|o| o.to_json(&reference.units))
            .collect(),
        parties: reference
            .parties
            .iter()
            .map(reference::Party::to_json)
            .collect(),
        items: reference
            .items
            .iter()
            .map(reference::Item::to_json)
            .collect(),
        records,
        planted,
        complaints,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiandu_model::{Record, RecordType, ReferenceKind, ReferenceRow};

    #[test]
    fn every_generated_row_passes_the_import_checks() {
        let calendar = Calendar::builtin();
        let data = generate(11, &calendar);
        let mut per_type = std::collections::BTreeMap::new();
        for value in &data.records {
            let record =
                Record::from_json(value.clone()).unwrap_or_else(|e| panic!("{value}: {e:?}"));
            *per_type.entry(record.record_type()).or_insert(0) += 1;
        }
        assert!(data.records.len() >= 5000, "{}", data.records.len());
        for record_type in [
            RecordType::Inspection,
            RecordType::Penalty,
            RecordType::CompulsoryMeasure,
            RecordType::CompulsoryExecution,
        ] {
            assert!(
                per_type.get(&record_type).copied().unwrap_or(0) >= 300,
                "{record_type}: {per_type:?}"
            );
        }
        for (kind, rows) in [
            (ReferenceKind::Unit, &data.units),
            (ReferenceKind::Officer, &data.officers),
            (ReferenceKind::Party, &data.parties),
            (ReferenceKind::Item, &data.items),
        ] {
            for row in rows {
                ReferenceRow::from_json(kind, row.clone())
                    .unwrap_or_else(|e| panic!("{row}: {e:?}"));
            }
        }
        let ids: std::collections::HashSet<_> = data
            .records
            .iter()
            .map(|r| r["record_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), data.records.len(), "record ids are unique");
    }

    #[test]
    fn is_deterministic_for_a_seed_and_varies_across_seeds() {
        let calendar = Calendar::builtin();
        let small = Volumes {
            inspections_without_penalty: 50,
            penalties: 50,
            compulsory_measures: 20,
            executions: 20,
            complaints: 30,
        };
        let a = generate_with(3, &calendar, small);
        let b = generate_with(3, &calendar, small);
        let c = generate_with(4, &calendar, small);
        assert_eq!(a.records, b.records);
        let envelopes = |d: &DemoData| -> Vec<Value> {
            d.complaints
                .items
                .iter()
                .map(|c| c.envelope.clone())
                .collect()
        };
        assert_eq!(envelopes(&a), envelopes(&b));
        assert_ne!(envelopes(&a), envelopes(&c));
        assert_ne!(a.records, c.records);
    }

    #[test]
    fn a_scaled_demo_has_exactly_the_records_asked_for_each_once() {
        let calendar = Calendar::builtin();
        let mut ids = std::collections::HashSet::new();
        let mut rounds = 0;
        let data = generate_scaled(3, &calendar, 15_000, |round| {
            rounds += 1;
            for value in round {
                let record = Record::from_json(value).map_err(|e| format!("{e:?}"))?;
                assert!(
                    ids.insert(record.id().as_str().to_owned()),
                    "{}",
                    record.id()
                );
            }
            Ok::<(), String>(())
        })
        .unwrap();
        assert_eq!(ids.len(), 15_000);
        assert_eq!(
            rounds, 3,
            "rounds of the base mix, about 6,600 records each"
        );
        assert!(data.records.is_empty(), "the records went to the sink");
        assert_eq!(data.parties.len(), 15_000 / RECORDS_PER_PARTY);
        let party_ids: std::collections::HashSet<_> =
            data.parties.iter().map(|p| p["party_id"].clone()).collect();
        assert_eq!(party_ids.len(), data.parties.len(), "party ids are unique");
    }

    #[test]
    fn plants_defects_near_their_rates() {
        let calendar = Calendar::builtin();
        let data = generate(5, &calendar);
        for planted in &data.planted {
            // Rate 0: defects that follow from the data (tallied), not rolled.
            if planted.eligible < 1000 || planted.rate == 0.0 {
                continue;
            }
            let observed = planted.planted as f64 / planted.eligible as f64;
            assert!(
                (observed - planted.rate).abs() < 0.02 + planted.rate * 0.5,
                "{planted:?}"
            );
        }
        let late_service = data
            .planted
            .iter()
            .find(|p| p.id == "pen.late_service")
            .unwrap();
        assert!(late_service.planted > 20, "{late_service:?}");
    }

    #[test]
    fn generated_codes_are_valid() {
        let calendar = Calendar::builtin();
        let data = generate(9, &calendar);
        for party in &data.parties {
            if let Some(uscc) = party["uscc"].as_str() {
                let parsed = jiandu_model::Uscc::parse(uscc).unwrap();
                assert!(parsed.org_code_ok(), "{uscc}");
            }
        }
        assert_eq!(data.units.len(), 9 * 6 + 1);
    }
}
