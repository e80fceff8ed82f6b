//! Cross-record look-ups, prepared before evaluation so that a rule can ask about other
//! records without touching the store: penalties for the same act (一事不再罚), inspections of
//! one party by one agency in a year, the inspection behind a penalty.
//!
//! `jiandu check` prepares them from every record of its input file; a sweep from the store.

use std::collections::HashMap;
use std::sync::Arc;

use jiandu_model::{Date, Record, RecordId, RecordType, ReferenceRow};
use serde_json::{Map, Value};

/// The fields of another record a rule may see.
const SUMMARY_FIELDS: &[&str] = &[
    "record_id",
    "record_type",
    "agency",
    "party",
    "act_id",
    "procedure",
    "decision_date",
    "filing_date",
    "fine_amount",
    "penalty_types",
    "check_date",
    "check_time",
    "check_action_code",
    "inspection_kind",
    "joint_inspection_id",
    "supervision_item_code",
    "officers",
];

#[derive(Debug, Clone)]
pub struct Summary {
    pub record_id: RecordId,
    pub body: Map<String, Value>,
}

impl Summary {
    fn of(record: &Record) -> Summary {
        let body = SUMMARY_FIELDS
            .iter()
            .filter_map(|field| {
                record
                    .body()
                    .get(*field)
                    .map(|v| ((*field).to_owned(), v.clone()))
            })
            .collect();
        Summary {
            record_id: record.id().clone(),
            body,
        }
    }
}

#[derive(Debug, Default)]
pub struct Lookups {
    by_act: HashMap<String, Vec<Arc<Summary>>>,
    inspections: HashMap<(String, String, i32), Vec<Arc<Summary>>>,
    inspection_by_code: HashMap<String, Arc<Summary>>,
    /// The published supervision-item list: code → (listed from, listed to). `None` when no
    /// catalogue was loaded, so that rules answer `unknown` rather than guess.
    items: Option<HashMap<String, ListedPeriod>>,
}

/// When an item was on the published list: (from, to), either open.
type ListedPeriod = (Option<Date>, Option<Date>);

/// What the item catalogue says of a code on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemListing {
    Listed,
    NotYetOrNoLonger,
    NotInCatalogue,
    NoCatalogue,
}

impl Lookups {
    pub fn empty() -> Lookups {
        Lookups::default()
    }

    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a Record>) -> Lookups {
        let mut lookups = Lookups::default();
        for record in records {
            lookups.add(record);
        }
        lookups
    }

    pub fn add(&mut self, record: &Record) {
        let summary = Arc::new(Summary::of(record));
        match record.record_type() {
            RecordType::Penalty => {
                if let Some(act) = record.act_key() {
                    self.by_act.entry(act).or_default().push(summary);
                }
            }
            RecordType::Inspection => {
                let keys = record.link_keys();
                if let Some(code) = keys.check_action_code {
                    self.inspection_by_code.insert(code, summary.clone());
                }
                if let (Some(party), Some(agency), Some(date)) = (
                    keys.party,
                    keys.agency,
                    record
                        .date_at("check_date")
                        .or_else(|| record.date_at("check_time")),
                ) {
                    self.inspections
                        .entry((party, agency, date.year()))
                        .or_default()
                        .push(summary);
                }
            }
            _ => {}
        }
    }

    /// Other penalties for the same `act_id`.
    pub fn same_act(&self, act_id: &str, except: &RecordId) -> Vec<Arc<Summary>> {
        self.by_act
            .get(act_id.trim())
            .map(|list| {
                list.iter()
                    .filter(|s| &s.record_id != except)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Inspections of one party by one agency in one year (the record itself included).
    pub fn inspections(&self, party: &str, agency: &str, year: i32) -> Vec<Arc<Summary>> {
        self.inspections
            .get(&(party.to_owned(), agency.to_owned(), year))
            .cloned()
            .unwrap_or_default()
    }

    /// Loads the supervision-item catalogue (reference rows of kind `items`).
    pub fn with_items<'a>(mut self, rows: impl IntoIterator<Item = &'a ReferenceRow>) -> Lookups {
        let items = rows
            .into_iter()
            .map(|row| {
                (
                    row.key().to_owned(),
                    (row.date("listed_from"), row.date("listed_to")),
                )
            })
            .collect::<HashMap<_, _>>();
        // A store into which no catalogue was imported has no catalogue: every item would
        // otherwise be "not in the catalogue", a false violation on every inspection.
        self.items = (!items.is_empty()).then_some(items);
        self
    }

    pub fn item_listing(&self, code: &str, on: Date) -> ItemListing {
        let Some(items) = &self.items else {
            return ItemListing::NoCatalogue;
        };
        match items.get(code.trim()) {
            None => ItemListing::NotInCatalogue,
            Some((from, to)) => {
                if from.is_none_or(|f| f <= on) && to.is_none_or(|t| on <= t) {
                    ItemListing::Listed
                } else {
                    ItemListing::NotYetOrNoLonger
                }
            }
        }
    }

    /// The inspection whose `check_action_code` is `code`.
    pub fn inspection(&self, code: &str) -> Option<Arc<Summary>> {
        self.inspection_by_code.get(code.trim()).cloned()
    }
}
