//! What every report reads: the store, the calendar, the profile, the rules' titles, the
//! period and the units; and the request that names a kind, a period and perhaps a unit.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiandu_calendar::Calendar;
use jiandu_model::{Date, Moment, RecordType, ReferenceKind};
use jiandu_rules::{Profile, RuleSet};
use jiandu_store::{PeriodRecord, Store, StoreError};

/// The five reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Sweep,
    Units,
    Complaints,
    Coverage,
    Publicity,
}

impl ReportKind {
    pub const ALL: [ReportKind; 5] = [
        ReportKind::Sweep,
        ReportKind::Units,
        ReportKind::Complaints,
        ReportKind::Coverage,
        ReportKind::Publicity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Sweep => "sweep",
            ReportKind::Units => "units",
            ReportKind::Complaints => "complaints",
            ReportKind::Coverage => "coverage",
            ReportKind::Publicity => "publicity",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Sweep => "执法监督巡查报告 Sweep report",
            ReportKind::Units => "执法单位评分表 Unit scorecards",
            ReportKind::Complaints => "投诉举报办理情况 Complaint handling",
            ReportKind::Coverage => "监管行为数据覆盖与归集预警 Data coverage and early warnings",
            ReportKind::Publicity => "行政处罚信息公示 Enforcement information for publication",
        }
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReportKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown report `{s}`; expected sweep, units, complaints, coverage or publicity"
                )
            })
    }
}

/// Which report, over which period, for which unit (`None`: every unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub kind: ReportKind,
    pub from: Date,
    pub to: Date,
    pub unit: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the period ends ({to}) before it starts ({from})")]
    Period { from: Date, to: Date },
    #[error("no unit `{0}` in the reference data")]
    UnknownUnit(String),
    #[error("cannot read the export mapping: {0}")]
    Mapping(String),
    #[error("cannot render the report: {0}")]
    Render(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl ReportError {
    /// Bad input from the person asking, not a failure of jiandu.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            ReportError::Period { .. } | ReportError::UnknownUnit(_)
        )
    }
}

/// Every unit of the reference data, by id: read once per report.
pub type Units = BTreeMap<String, UnitInfo>;

/// A unit as reports name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitInfo {
    pub unit_id: String,
    pub name: String,
    pub department: String,
    pub department_code: String,
    pub is_dispatcher: bool,
    /// Items the unit states it implements (`item_codes`), when it states them.
    pub item_codes: Option<Vec<String>>,
    /// The sector of the items it handles (whose complaint deadlines apply).
    pub sector: Option<String>,
}

impl UnitInfo {
    /// A unit records name that the reference data does not list: shown by its id, so its
    /// records are counted, never dropped.
    pub fn unlisted(unit_id: &str) -> UnitInfo {
        UnitInfo {
            unit_id: unit_id.to_owned(),
            name: format!("{unit_id}（未列入单位名录 not in the unit list）"),
            department: String::new(),
            department_code: String::new(),
            is_dispatcher: false,
            item_codes: Some(Vec::new()),
            sector: None,
        }
    }
}

/// Everything a report reads besides the request.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub store: &'a Store,
    pub calendar: &'a Calendar,
    pub profile: &'a Profile,
    /// For the rules' titles; reports name a rule by its id alone without it.
    pub rules: Option<&'a RuleSet>,
    pub now: Moment,
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context").field("now", &self.now).finish()
    }
}

/// Behaviour records: what the units' enforcement produces (complaints are not).
pub const BEHAVIOUR: [RecordType; 4] = [
    RecordType::Inspection,
    RecordType::Penalty,
    RecordType::CompulsoryMeasure,
    RecordType::CompulsoryExecution,
];

const PAGE: u64 = 1000;

impl Context<'_> {
    /// The supervising office's name (profile `office_name`).
    pub fn office(&self) -> String {
        self.profile
            .str("office_name")
            .unwrap_or("司法局 legal-affairs office")
            .to_owned()
    }

    /// An integer setting of the profile.
    pub fn setting(&self, name: &str, default: i64) -> i64 {
        self.profile
            .get(name, None)
            .and_then(toml::Value::as_integer)
            .unwrap_or(default)
    }

    pub fn rule_title(&self, rule_id: &str) -> String {
        self.rules
            .and_then(|r| r.rule(rule_id))
            .map(|r| r.meta.title_zh.clone())
            .unwrap_or_default()
    }

    /// Every unit of the reference data, by id.
    pub async fn units(&self) -> Result<Units, StoreError> {
        let rows = self.store.list_reference(ReferenceKind::Unit).await?;
        Ok(rows
            .iter()
            .map(|row| {
                let text = |f: &str| row.text(f).unwrap_or_default().to_owned();
                let item_codes =
                    row.body()
                        .get("item_codes")
                        .and_then(|v| v.as_array())
                        .map(|codes| {
                            codes
                                .iter()
                                .filter_map(|c| c.as_str().map(str::to_owned))
                                .collect()
                        });
                let info = UnitInfo {
                    unit_id: row.key().to_owned(),
                    name: row.text("name").unwrap_or(row.key()).to_owned(),
                    department: text("department"),
                    department_code: text("department_code"),
                    is_dispatcher: row.body().get("is_dispatcher") == Some(&true.into()),
                    item_codes,
                    sector: row
                        .text("sector")
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                };
                (info.unit_id.clone(), info)
            })
            .collect())
    }

    /// The store-wide revision up to which records have been judged: the last completed
    /// sweep's (a record changed after it is not judged yet); `None` before any sweep.
    pub async fn judged_through(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .store
            .last_completed_sweep()
            .await?
            .map(|s| s.to_revision))
    }

    /// Calls `visit` with every record of `types` dated in `from..=to`, a page at a time.
    pub async fn visit_records(
        &self,
        types: &[RecordType],
        from: Date,
        to: Date,
        mut visit: impl FnMut(PeriodRecord),
    ) -> Result<(), StoreError> {
        let mut after: Option<String> = None;
        loop {
            let page = self
                .store
                .records_in_period(types, from, to, after.as_deref(), PAGE)
                .await?;
            let full = page.len() as u64 == PAGE;
            after = page
                .last()
                .map(|r| r.stored.record.id().as_str().to_owned());
            page.into_iter().for_each(&mut visit);
            if !full {
                return Ok(());
            }
        }
    }
}

/// `YYYY-MM` of a date.
pub fn month_of(date: Date) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// The months `from..=to` touches, as `YYYY-MM`.
pub fn months(from: Date, to: Date) -> Vec<String> {
    let mut out = Vec::new();
    let (mut year, mut month) = (from.year(), from.month());
    while (year, month) <= (to.year(), to.month()) {
        out.push(format!("{year:04}-{month:02}"));
        if month == 12 {
            year += 1;
            month = 1;
        } else {
            month += 1;
        }
    }
    out
}

/// The median of some durations, `None` of none.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values.get(mid).copied()
    } else {
        Some((values.get(mid - 1)? + values.get(mid)?) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_span_the_period_and_the_median_is_the_middle() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(
            months(d("2025-11-15"), d("2026-02-01")),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }
}
