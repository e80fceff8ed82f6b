//! The native baseline: rules of the shipped catalogue written directly in Rust, as a rule
//! engine without scripts would, with the same policy (applicability first, version by the
//! act date, an absent field the answer needs is `unknown`, a deadline reaching a year
//! without a notice decides outside its interval). `jiandu bench` times them against the
//! Rhai rules over the same records and fails unless both give the same outcome; a test keeps
//! them in step with the rules.

use jiandu_calendar::{Calendar, Roll, Span};
use jiandu_model::{Date, Lookup, Money, Outcome, Record, RecordType, Uscc};
use jiandu_rules::Profile;
use serde_json::Value;

/// The rules with a native twin, in the order the bench reports them.
pub const RULES: [&str; 10] = [
    "PEN-DEADLINE-90D",
    "PEN-SERVICE-7WD",
    "PEN-SUMMARY-LIMIT",
    "PEN-OFFICERS-2",
    "PEN-HEARING-NOTICE-7WD",
    "PEN-LEGAL-REVIEW",
    "CMP-EMERGENCY-24H",
    "CMP-SEIZURE-30D",
    "PUB-DECISION-7WD",
    "DATA-USCC",
];

/// The rules SQL can express in calendar days (the SQL baseline's three).
pub const SQL_RULES: [&str; 3] = ["PEN-DEADLINE-90D", "PEN-SERVICE-7WD", "PEN-SUMMARY-LIMIT"];

/// The three rules written directly in Rust, as a rule engine without scripts would, with
/// the same policy: applicability first, an absent field the answer needs is `unknown`, a
/// deadline reaching a year without a notice decides outside its interval.
pub struct Native<'c> {
    calendar: &'c Calendar,
    roll: bool,
    publicity_includes_summary: bool,
    strict_hearing_notice: bool,
    immediately_within_hours: f64,
    restraint_roll: bool,
}

type Judged<T> = Result<T, Outcome>;

/// `[applies_when] procedure = want`.
fn procedure_is(r: &Record, want: &str) -> Judged<()> {
    match r.lookup("procedure") {
        Lookup::Absent => Err(Outcome::Unknown),
        Lookup::Value(Value::String(s)) if s == want => Ok(()),
        _ => Err(Outcome::NotApplicable),
    }
}

/// A date the answer needs: absent is unknown, null is `None`.
fn date(r: &Record, field: &str) -> Judged<Option<Date>> {
    match r.lookup(field) {
        Lookup::Absent => Err(Outcome::Unknown),
        Lookup::Null => Ok(None),
        Lookup::Value(v) => Ok(v.as_str().and_then(|s| Date::parse(s).ok())),
    }
}

/// The date choosing the version: absent is unknown, null means the act has not happened.
fn act_date(r: &Record, field: &str) -> Judged<Date> {
    date(r, field)?.ok_or(Outcome::NotApplicable)
}

/// A date inside a list element: absent unknown, anything else not a date an error.
fn element_date(e: &Value, field: &str) -> Judged<Date> {
    match e.get(field) {
        None => Err(Outcome::Unknown),
        Some(v) => v
            .as_str()
            .and_then(|s| Date::parse(s).ok())
            .ok_or(Outcome::Error),
    }
}

/// Whether `act` is on or before a deadline that is an interval while a notice is missing.
fn on_or_before(act: Date, due: &Span) -> Judged<bool> {
    due.date_on_or_before(act).ok_or(Outcome::Unknown)
}

fn publicity_from() -> Date {
    Date::parse("2019-01-03").expect("valid")
}

fn new_law() -> Date {
    Date::parse("2021-07-15").expect("valid")
}

fn old_law() -> Date {
    Date::parse("1996-10-01").expect("valid")
}

impl<'c> Native<'c> {
    pub fn new(calendar: &'c Calendar, profile: &Profile) -> Native<'c> {
        Native {
            calendar,
            roll: profile.bool("roll_last_day").unwrap_or(true),
            publicity_includes_summary: profile.bool("publicity_includes_summary").unwrap_or(false),
            strict_hearing_notice: profile.str("hearing_notice_counting") == Some("strict"),
            restraint_roll: profile.bool("restraint_duration_roll").unwrap_or(false),
            immediately_within_hours: profile
                .get("immediately_within_hours", None)
                .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
                .unwrap_or(24.0),
        }
    }

    /// The outcome of `rule` on `record`, `None` when the rule does not judge its type.
    pub fn evaluate(&self, rule: &str, record: &Record) -> Option<Outcome> {
        let penalty = record.record_type() == RecordType::Penalty;
        Some(match rule {
            "PEN-DEADLINE-90D" if penalty => self.deadline_90d(record),
            "PEN-SERVICE-7WD" if penalty => self.service_7wd(record),
            "PEN-SUMMARY-LIMIT" if penalty => self.summary_limit(record),
            "PUB-DECISION-7WD" if penalty => self.publish_7wd(record),
            "PEN-OFFICERS-2" if penalty => officers_2(record),
            "PEN-HEARING-NOTICE-7WD" if penalty => self.hearing_notice(record),
            "PEN-LEGAL-REVIEW" if penalty => legal_review(record),
            "CMP-EMERGENCY-24H" if record.record_type() == RecordType::CompulsoryMeasure => {
                self.emergency_24h(record)
            }
            "CMP-SEIZURE-30D" if record.record_type() == RecordType::CompulsoryMeasure => {
                self.seizure_30d(record)
            }
            // DATA-USCC judges every record type.
            "DATA-USCC" => uscc(record),
            _ => return None,
        })
    }

    fn run(f: impl FnOnce() -> Judged<Outcome>) -> Outcome {
        f().unwrap_or_else(|o| o)
    }

    fn days(&self, start: Date, n: i64) -> Judged<Span> {
        self.calendar
            .add_days_span(start, n, Roll::from_flag(self.roll))
            .map_err(|_| Outcome::Unknown)
    }

    fn summary_limit(&self, r: &Record) -> Outcome {
        Native::run(|| {
            procedure_is(r, "summary")?;
            let decided = act_date(r, "decision_date")?;
            if decided < old_law() {
                return Ok(Outcome::NotApplicable);
            }
            let (person_cap, org_cap) = if decided >= new_law() {
                (200, 3000)
            } else {
                (50, 1000)
            };
            let types: Vec<&str> = match r.lookup("penalty_types") {
                Lookup::Absent => return Err(Outcome::Unknown),
                Lookup::Null => return Err(Outcome::Error),
                Lookup::Value(v) => v
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default(),
            };
            let lawful = if types.iter().any(|t| *t != "warning" && *t != "fine") {
                false
            } else if types.contains(&"fine") {
                let fine = match r.lookup("fine_amount") {
                    Lookup::Absent => return Err(Outcome::Unknown),
                    Lookup::Null => return Err(Outcome::Error),
                    Lookup::Value(v) => Money::from_json(v).map_err(|_| Outcome::Error)?,
                };
                if fine <= Money::from_yuan(person_cap) {
                    true
                } else if fine > Money::from_yuan(org_cap) {
                    false
                } else {
                    // Only between the ceilings does the kind of party matter.
                    match r.lookup("party.nature") {
                        Lookup::Value(Value::String(n))
                            if n == "natural_person" || n == "individual_business" =>
                        {
                            false
                        }
                        Lookup::Value(Value::String(_)) => true,
                        _ => return Err(Outcome::Unknown),
                    }
                }
            } else {
                true
            };
            if lawful {
                return Ok(Outcome::Pass);
            }
            match r.lookup("special_law_exemption") {
                Lookup::Absent => Err(Outcome::Unknown),
                Lookup::Value(Value::Bool(true)) => Ok(Outcome::Pass),
                _ => Ok(Outcome::Violation),
            }
        })
    }

    fn service_7wd(&self, r: &Record) -> Outcome {
        Native::run(|| {
            procedure_is(r, "ordinary")?;
            let decided = act_date(r, "decision_date")?;
            if decided < old_law() {
                return Ok(Outcome::NotApplicable);
            }
            let working_days = decided >= new_law();
            match r.lookup("party_present_at_announcement") {
                Lookup::Absent => return Err(Outcome::Unknown),
                Lookup::Value(Value::Bool(true)) => return Ok(Outcome::Pass),
                _ => {}
            }
            let Some(served) = date(r, "service_date")? else {
                return Ok(Outcome::Violation);
            };
            // 7 working days span at least 7 calendar days: no calendar needed that close.
            if served > decided.add_days(7) {
                let due = if working_days {
                    self.calendar
                        .add_working_days_span(decided, 7)
                        .map_err(|_| Outcome::Unknown)?
                } else {
                    self.days(decided, 7)?
                };
                if !on_or_before(served, &due)? {
                    return Ok(Outcome::Violation);
                }
            }
            if !working_days {
                return Ok(Outcome::Pass);
            }
            let electronic = match r.lookup("service_method") {
                Lookup::Absent => return Err(Outcome::Unknown),
                Lookup::Value(Value::String(m)) => {
                    matches!(m.as_str(), "email" | "fax" | "electronic")
                }
                _ => false,
            };
            if !electronic {
                return Ok(Outcome::Pass);
            }
            match r.lookup("e_service_confirmation") {
                Lookup::Absent => Err(Outcome::Unknown),
                Lookup::Value(Value::Bool(true)) => Ok(Outcome::Pass),
                _ => Ok(Outcome::Violation),
            }
        })
    }

    fn deadline_90d(&self, r: &Record) -> Outcome {
        Native::run(|| {
            procedure_is(r, "ordinary")?;
            // The version by the filing date, else the decision date.
            let filed = match r.lookup("filing_date") {
                Lookup::Value(v) => v.as_str().and_then(|s| Date::parse(s).ok()),
                _ => None,
            };
            let version_day = match filed {
                Some(day) => day,
                None => match (r.lookup("filing_date"), r.lookup("decision_date")) {
                    (_, Lookup::Value(v)) => v
                        .as_str()
                        .and_then(|s| Date::parse(s).ok())
                        .ok_or(Outcome::Error)?,
                    (Lookup::Null, Lookup::Null) => return Ok(Outcome::NotApplicable),
                    _ => return Err(Outcome::Unknown),
                },
            };
            if version_day < new_law() {
                // Before 1996 nothing is in force; until 2021-07-14 the profile's default
                // reading sets no deadline.
                return Ok(Outcome::NotApplicable);
            }
            let filed = act_date(r, "filing_date").map_err(|o| match o {
                Outcome::NotApplicable => Outcome::Error,
                other => other,
            })?;
            let Some(decided) = date(r, "decision_date")? else {
                return Ok(Outcome::NotApplicable);
            };
            if on_or_before(decided, &self.days(filed, 90)?)? {
                return Ok(Outcome::Pass);
            }
            let market = match r.lookup("sector_profile") {
                // The profile leaves periods out for one sector only: the sector decides.
                Lookup::Absent => return Err(Outcome::Unknown),
                Lookup::Value(Value::String(s)) => s == "market_regulation",
                _ => false,
            };
            let excluded: i64 = if market {
                match r.lookup("excluded_periods") {
                    Lookup::Absent => return Err(Outcome::Unknown),
                    Lookup::Value(Value::Array(periods)) => {
                        let mut days = 0;
                        for p in periods {
                            days +=
                                element_date(p, "start")?.days_until(element_date(p, "end")?) + 1;
                        }
                        days
                    }
                    _ => 0,
                }
            } else {
                0
            };
            let mut total = 90 + excluded;
            let mut due = self.days(filed, total)?;
            if excluded > 0 && on_or_before(decided, &due)? {
                return Ok(Outcome::Pass);
            }
            let extensions = match r.lookup("extensions") {
                Lookup::Absent => return Err(Outcome::Unknown),
                Lookup::Value(Value::Array(list)) => list.as_slice(),
                _ => &[],
            };
            if market && !extensions.is_empty() {
                let mut dated = Vec::with_capacity(extensions.len());
                for e in extensions {
                    dated.push((element_date(e, "approved_date")?, e));
                }
                dated.sort_by_key(|(d, _)| *d);
                for (i, (approved, e)) in dated.iter().enumerate() {
                    if !on_or_before(*approved, &due)? {
                        break;
                    }
                    let role = match e.get("approver_role") {
                        None => return Err(Outcome::Unknown),
                        Some(v) => v.as_str().unwrap_or(""),
                    };
                    let days = || {
                        e.get("days")
                            .and_then(Value::as_i64)
                            .ok_or(Outcome::Unknown)
                    };
                    let by_head = i == 0 && role == "head" && days()? <= 30;
                    let by_collective = role == "collective"
                        || (!by_head
                            && match e.get("collective") {
                                None => return Err(Outcome::Unknown),
                                Some(v) => v.as_bool() == Some(true),
                            });
                    if !(by_head || by_collective) {
                        break;
                    }
                    total += days()?;
                    due = self.days(filed, total)?;
                }
            }
            Ok(if on_or_before(decided, &due)? {
                Outcome::Pass
            } else {
                Outcome::Violation
            })
        })
    }

    fn publish_7wd(&self, r: &Record) -> Outcome {
        Native::run(|| {
            let decided = act_date(r, "decision_date")?;
            if decided < publicity_from() {
                return Ok(Outcome::NotApplicable);
            }
            match r.lookup("procedure") {
                Lookup::Absent => return Err(Outcome::Unknown),
                Lookup::Value(Value::String(p))
                    if p == "summary" && !self.publicity_includes_summary =>
                {
                    return Ok(Outcome::NotApplicable);
                }
                _ => {}
            }
            let on_time = match date(r, "published_date")? {
                None => false,
                Some(published) => {
                    published <= decided.add_days(7)
                        || on_or_before(
                            published,
                            &self
                                .calendar
                                .add_working_days_span(decided, 7)
                                .map_err(|_| Outcome::Unknown)?,
                        )?
                }
            };
            if on_time {
                return Ok(Outcome::Pass);
            }
            match r.lookup("special_law_exemption") {
                Lookup::Absent => Err(Outcome::Unknown),
                Lookup::Value(Value::Bool(true)) => Ok(Outcome::NotApplicable),
                _ => Ok(Outcome::Violation),
            }
        })
    }
}

/// The version's date as the engine chooses it: the first of `fields` holding a date; all
/// null means the act has not happened (not applicable), otherwise absent is unknown.
fn version_day(r: &Record, fields: &[&str]) -> Judged<Date> {
    let mut all_null = true;
    for field in fields {
        match r.lookup(field) {
            Lookup::Absent => all_null = false,
            Lookup::Null => {}
            Lookup::Value(v) => {
                all_null = false;
                if let Some(day) = v
                    .as_str()
                    .and_then(|s| s.get(..10))
                    .and_then(|s| Date::parse(s).ok())
                {
                    return Ok(day);
                }
            }
        }
    }
    Err(if all_null {
        Outcome::NotApplicable
    } else {
        Outcome::Unknown
    })
}

/// A yes/no a script compares with `== true`: absent stops the rule (unknown).
fn flag(r: &Record, field: &str) -> Judged<bool> {
    match r.lookup(field) {
        Lookup::Absent => Err(Outcome::Unknown),
        Lookup::Value(Value::Bool(b)) => Ok(*b),
        _ => Ok(false),
    }
}

/// A moment: absent unknown, null `None`.
fn moment(r: &Record, field: &str) -> Judged<Option<jiandu_model::Moment>> {
    match r.lookup(field) {
        Lookup::Absent => Err(Outcome::Unknown),
        Lookup::Null => Ok(None),
        Lookup::Value(v) => Ok(v.as_str().and_then(|s| jiandu_model::Moment::parse(s).ok())),
    }
}

/// Whether `day` is on or after a deadline that is an interval while a notice is missing.
fn on_or_after(day: Date, due: &Span) -> Judged<bool> {
    if day >= due.latest {
        Ok(true)
    } else if day < due.earliest {
        Ok(false)
    } else {
        Err(Outcome::Unknown)
    }
}

fn ordinary(r: &Record) -> Judged<()> {
    procedure_is(r, "ordinary")
}

fn officers_2(r: &Record) -> Outcome {
    Native::run(|| {
        let on = version_day(r, &["act_date", "decision_date"])?;
        if on < old_law() {
            return Ok(Outcome::NotApplicable);
        }
        if on < new_law() {
            match r.lookup("procedure") {
                Lookup::Absent => return Err(Outcome::Unknown),
                Lookup::Value(Value::String(p)) if p == "summary" => {
                    return Ok(Outcome::NotApplicable);
                }
                _ => {}
            }
        }
        let officers = match r.lookup("officers") {
            Lookup::Absent => return Err(Outcome::Unknown),
            Lookup::Null => &[][..],
            Lookup::Value(Value::Array(list)) => list.as_slice(),
            Lookup::Value(_) => return Err(Outcome::Error),
        };
        let (mut qualified, mut validity_unknown) = (0, 0);
        for officer in officers {
            if officer.get("is_auxiliary").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            if officer
                .get("cert_no")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                continue;
            }
            match officer
                .get("cert_valid_until")
                .and_then(Value::as_str)
                .and_then(|s| Date::parse(s).ok())
            {
                Some(until) if until >= on => qualified += 1,
                Some(_) => {}
                None => validity_unknown += 1,
            }
        }
        if qualified >= 2 {
            return Ok(Outcome::Pass);
        }
        if qualified + validity_unknown >= 2 {
            return Err(Outcome::Unknown);
        }
        Ok(if flag(r, "special_law_exemption")? {
            Outcome::Pass
        } else {
            Outcome::Violation
        })
    })
}

fn legal_review(r: &Record) -> Outcome {
    Native::run(|| {
        ordinary(r)?;
        let decided = act_date(r, "decision_date")?;
        if decided < Date::parse("2018-01-01").expect("valid") {
            return Ok(Outcome::NotApplicable);
        }
        if decided >= new_law() {
            let mut required = false;
            let mut unrecorded = false;
            for field in [
                "major_public_interest",
                "hearing_held",
                "complex_case",
                "law_requires_review",
            ] {
                match r.lookup(field) {
                    Lookup::Absent => unrecorded = true,
                    Lookup::Value(Value::Bool(true)) => required = true,
                    _ => {}
                }
            }
            if !required {
                return Err(if unrecorded {
                    Outcome::Unknown
                } else {
                    Outcome::NotApplicable
                });
            }
        }
        let Some(reviewed) = date(r, "legal_review_date")? else {
            return Ok(Outcome::Violation);
        };
        if reviewed > decided || !flag(r, "legal_review_passed")? {
            return Ok(Outcome::Violation);
        }
        match r.lookup("reviewer") {
            Lookup::Absent => Err(Outcome::Unknown),
            Lookup::Value(reviewer @ Value::Object(_)) => {
                let first_time = match reviewer.get("first_time") {
                    None => return Err(Outcome::Unknown),
                    Some(v) => v.as_bool() == Some(true),
                };
                if !first_time {
                    return Ok(Outcome::Pass);
                }
                match reviewer.get("has_legal_qualification") {
                    None => Err(Outcome::Unknown),
                    Some(v) if v.as_bool() == Some(true) => Ok(Outcome::Pass),
                    Some(_) => Ok(Outcome::Violation),
                }
            }
            _ => Ok(Outcome::Pass),
        }
    })
}

impl Native<'_> {
    fn hearing_notice(&self, r: &Record) -> Outcome {
        Native::run(|| {
            ordinary(r)?;
            let day = version_day(r, &["hearing_notice_date", "hearing_date", "decision_date"])?;
            if day < old_law() {
                return Ok(Outcome::NotApplicable);
            }
            let held = match r.lookup("hearing_date") {
                Lookup::Value(_) => true,
                Lookup::Null => false,
                Lookup::Absent => flag(r, "hearing_held")?,
            };
            if !held {
                return Ok(Outcome::NotApplicable);
            }
            let Some(notice) = date(r, "hearing_notice_date")? else {
                return Ok(Outcome::Violation);
            };
            let hearing = date(r, "hearing_date")?.ok_or(Outcome::Error)?;
            let ok = if day < new_law() {
                notice.add_days(7) <= hearing
            } else if self.strict_hearing_notice {
                let earliest = self
                    .calendar
                    .add_working_days_span(notice, 7)
                    .map_err(|_| Outcome::Unknown)?;
                on_or_after(hearing, &earliest.add_days(1))?
            } else {
                let earliest = self
                    .calendar
                    .add_working_days_span(notice, 7)
                    .map_err(|_| Outcome::Unknown)?;
                on_or_after(hearing, &earliest)?
            };
            Ok(if ok {
                Outcome::Pass
            } else {
                Outcome::Violation
            })
        })
    }

    fn emergency_24h(&self, r: &Record) -> Outcome {
        Native::run(|| {
            if !matches!(
                r.lookup("emergency_on_site"),
                Lookup::Value(Value::Bool(true))
            ) {
                return Err(match r.lookup("emergency_on_site") {
                    Lookup::Absent => Outcome::Unknown,
                    _ => Outcome::NotApplicable,
                });
            }
            let day = version_day(r, &["measure_start", "freeze_date"])?;
            if day < Date::parse("2012-01-01").expect("valid") {
                return Ok(Outcome::NotApplicable);
            }
            let start = moment(r, "measure_start")?.ok_or(Outcome::Unknown)?;
            let Some(reported) = moment(r, "head_report_time")? else {
                return Ok(Outcome::Violation);
            };
            if start.hours_until(reported) > 24.0 {
                return Ok(Outcome::Violation);
            }
            if flag(r, "head_disapproved")? {
                let Some(released) = moment(r, "released_time")? else {
                    return Ok(Outcome::Violation);
                };
                return Ok(
                    if reported.hours_until(released) > self.immediately_within_hours {
                        Outcome::Warning
                    } else {
                        Outcome::Pass
                    },
                );
            }
            Ok(match moment(r, "head_approval_time")? {
                Some(approved) if start.hours_until(approved) <= 24.0 => Outcome::Pass,
                _ => Outcome::Violation,
            })
        })
    }
}

/// A seizure's limit as `restraint_limit` computes it.
struct Limit {
    base: Span,
    limit: Span,
    /// The testing periods or the extension are not recorded, and what is missing is known.
    open: bool,
}

fn element_date_opt(e: &Value, field: &str) -> Option<Date> {
    e.get(field)
        .and_then(Value::as_str)
        .and_then(|s| Date::parse(s).ok())
}

impl Native<'_> {
    fn restraint_end(&self, start: Date, days: i64) -> Judged<Span> {
        self.calendar
            .add_days_span(start, days, Roll::from_flag(self.restraint_roll))
            .map_err(|_| Outcome::Unknown)
    }

    fn restraint_limit(&self, r: &Record, start: Date) -> Judged<Limit> {
        let mut testing_days = 0;
        let mut testing_unrecorded = false;
        match r.lookup("testing_periods") {
            Lookup::Absent => testing_unrecorded = true,
            Lookup::Value(Value::Array(periods)) => {
                for p in periods {
                    let (Some(from), Some(to)) =
                        (element_date_opt(p, "start"), element_date_opt(p, "end"))
                    else {
                        testing_unrecorded = true;
                        continue;
                    };
                    match p.get("notified_in_writing") {
                        Some(Value::Bool(true)) => testing_days += (from.days_until(to) + 1).max(0),
                        None => testing_unrecorded = true,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        let base = self.restraint_end(start, 30 + testing_days)?;
        let mut limit = base.clone();
        let extension_unrecorded = match r.lookup("extension") {
            Lookup::Absent => true,
            Lookup::Value(ext @ Value::Object(_)) => {
                let days = ext.get("days").and_then(Value::as_i64);
                let role = ext.get("approved_by_role").and_then(Value::as_str);
                match element_date_opt(ext, "approved_date") {
                    None => true,
                    Some(a) if !on_or_before(a, &base)? => false,
                    Some(_) => match (days, role) {
                        (_, Some(role)) if role != "head" && role != "collective" => false,
                        (None, _) | (_, None) => true,
                        (Some(days), _) if days > 30 => false,
                        (Some(days), _) => {
                            limit = self.restraint_end(start, 30 + testing_days + days)?;
                            false
                        }
                    },
                }
            }
            _ => false,
        };
        Ok(Limit {
            base,
            limit,
            open: extension_unrecorded || testing_unrecorded,
        })
    }

    fn seizure_30d(&self, r: &Record) -> Outcome {
        Native::run(|| {
            match r.lookup("measure_type") {
                Lookup::Absent => return Err(Outcome::Unknown),
                Lookup::Value(Value::String(t)) if t == "seal_up" || t == "seize" => {}
                _ => return Ok(Outcome::NotApplicable),
            }
            let start = version_day(r, &["measure_start"])?;
            if start < Date::parse("2012-01-01").expect("valid") {
                return Ok(Outcome::NotApplicable);
            }
            let limit = self.restraint_limit(r, start)?;
            let fields: &[&str] = if matches!(r.lookup("released_or_disposed_date"), Lookup::Absent)
            {
                &["released_date", "disposal_decision_date"]
            } else {
                &["released_or_disposed_date"]
            };
            let mut first: Option<Date> = None;
            let mut open = 0;
            for field in fields {
                match r.lookup(field) {
                    Lookup::Absent => open += 1,
                    Lookup::Null => {}
                    Lookup::Value(v) => {
                        if let Some(day) = v.as_str().and_then(|s| Date::parse(s).ok()) {
                            first = Some(first.map_or(day, |f| f.min(day)));
                        }
                    }
                }
            }
            let Some(end) = first else {
                return Err(Outcome::Unknown);
            };
            if on_or_before(end, &limit.base)? || on_or_before(end, &limit.limit)? {
                return Ok(Outcome::Pass);
            }
            if limit.open || open > 0 {
                return Err(Outcome::Unknown);
            }
            Ok(Outcome::Violation)
        })
    }
}

fn text<'r>(r: &'r Record, path: &str) -> Option<&'r str> {
    match r.lookup(path) {
        Lookup::Value(Value::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

fn uscc(r: &Record) -> Outcome {
    let party = text(r, "party.uscc").or_else(|| {
        (text(r, "party.id_type") == Some("uscc"))
            .then(|| text(r, "party.id"))
            .flatten()
    });
    let codes: Vec<&str> = [party, text(r, "agency.uscc")]
        .into_iter()
        .flatten()
        .filter(|c| !c.is_empty())
        .collect();
    if codes.is_empty() {
        return Outcome::NotApplicable;
    }
    let mut irregular = false;
    for code in codes {
        match Uscc::parse(code) {
            Err(_) => return Outcome::Violation,
            Ok(uscc) => irregular |= !uscc.org_code_ok(),
        }
    }
    if irregular {
        Outcome::Warning
    } else {
        Outcome::Pass
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jiandu_rules::{Lookups, RuleSet, evaluate_all};

    use super::*;

    /// The native twins give the Rhai rules' outcome on every generated record: a change to a
    /// rule that its twin does not follow fails here, not silently in the bench.
    #[test]
    fn native_twins_agree_with_the_rules() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
        let calendar = Calendar::load(&root.join("calendar/cn-statutory.json")).expect("calendar");
        let profile = Profile::load(&root.join("profiles/qingyuan-default.toml")).expect("profile");
        let records = crate::cmd::bench::generate_records(3, &calendar, 8_000).expect("records");
        let lookups = Arc::new(Lookups::from_records(&records));
        let native = Native::new(&calendar, &profile);
        let catalogue = RuleSet::load(
            &root,
            profile.clone(),
            calendar.clone(),
            jiandu_model::RegionTable::builtin(),
        )
        .expect("the catalogue loads");
        for rule in RULES {
            let dir = crate::cmd::bench::subset_dir(&catalogue, &[rule]).expect("rule copied");
            let set = RuleSet::load(
                dir.path(),
                profile.clone(),
                calendar.clone(),
                jiandu_model::RegionTable::builtin(),
            )
            .expect("rule loads");
            let rhai = evaluate_all(&set, &records, lookups.clone(), 1);
            let mut outcomes = std::collections::BTreeMap::new();
            for (record, evaluations) in records.iter().zip(&rhai) {
                let twin = native.evaluate(rule, record);
                assert_eq!(
                    evaluations.first().map(|e| e.outcome),
                    twin,
                    "{rule} on {}",
                    record.id()
                );
                if let Some(outcome) = twin {
                    *outcomes.entry(outcome.to_string()).or_insert(0) += 1;
                }
            }
            // The records exercise the rule: it passes some and finds something in others.
            assert!(outcomes.contains_key("pass"), "{rule}: {outcomes:?}");
            assert!(outcomes.keys().any(|o| o != "pass"), "{rule}: {outcomes:?}");
        }
    }
}
