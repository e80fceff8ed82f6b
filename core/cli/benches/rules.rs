//! Benchmark: the penalty pack in Rhai over generated penalty records, with three of its rules
//! written natively in Rust as the baseline, measured in the same run.
//!
//! `cargo bench --bench rules` (BENCH_RECORDS=N to change the 100,000 records).
//! Prints records/s and rule evaluations/s for the whole pack on one and on all threads, and
//! the same three rules in Rhai and natively, with their ratio. The native rules must agree
//! with the Rhai ones on every record; the run fails if they do not.

// Tests and benchmarks stop at the line that failed: unwrapping and indexing are the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::Instant;

use jiandu_calendar::{Calendar, Roll, Span};
use jiandu_model::{Date, Lookup, Money, Outcome, Record, RecordType};
use jiandu_rules::{Lookups, Profile, RuleSet, evaluate_all};
use serde_json::Value;

const NATIVE_RULES: [&str; 3] = ["PEN-DEADLINE-90D", "PEN-SERVICE-7WD", "PEN-SUMMARY-LIMIT"];

fn main() {
    let n: usize = std::env::var("BENCH_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let calendar = Calendar::load(&root.join("calendar/cn-statutory.json")).expect("calendar");
    let profile = Profile::load(&root.join("profiles/qingyuan-default.toml")).expect("profile");
    let regions = jiandu_model::RegionTable::builtin();

    let started = Instant::now();
    let records = penalties(n, &calendar);
    println!(
        "generated {} penalty records in {:.1} s",
        records.len(),
        started.elapsed().as_secs_f64()
    );
    let lookups = Arc::new(Lookups::from_records(&records));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);

    let pack = RuleSet::load(
        &root.join("penalty"),
        profile.clone(),
        calendar.clone(),
        regions.clone(),
    )
    .expect("penalty pack");
    assert!(
        pack.problems().next().is_none(),
        "the penalty pack loads cleanly"
    );
    let n_rules = pack.rules_for(RecordType::Penalty).len();
    println!("penalty pack: {n_rules} rules");
    println!();
    println!(
        "{:<36} {:>8} {:>12} {:>14} {:>12}",
        "run", "threads", "seconds", "records/s", "evals/s"
    );
    let row = |name: &str, threads: usize, seconds: f64, n_evals: usize| {
        println!(
            "{name:<36} {threads:>8} {seconds:>12.3} {:>14.0} {:>12.0}",
            records.len() as f64 / seconds,
            n_evals as f64 / seconds
        );
    };

    let (seconds, n_evals) = time_batched(&pack, &records, &lookups, 1);
    row("rhai: penalty pack", 1, seconds, n_evals);
    let (seconds, n_evals) = time_batched(&pack, &records, &lookups, threads);
    row("rhai: penalty pack", threads, seconds, n_evals);
    // A rule switched off for failing too often would be skipped and look fast.
    assert_eq!(
        pack.switched_off_rules(),
        Vec::<(String, u32)>::new(),
        "no rule of the pack may be switched off in the benchmark"
    );

    // Fixed costs: one rule that only returns pass() (converting the record, calling a check).
    let empty_dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        empty_dir.path().join("B-EMPTY.rhai"),
        "/*---\nid = \"B-EMPTY\"\ntitle_zh = \"空\"\ntitle_en = \"empty\"\nrecord_types = [\"penalty\"]\n[[versions]]\nbasis = \"-\"\ncheck = \"check\"\n---*/\nfn check(r) { pass() }\n",
    )
    .expect("write rule");
    let empty = RuleSet::load(
        empty_dir.path(),
        profile.clone(),
        calendar.clone(),
        regions.clone(),
    )
    .expect("empty rule");
    let (seconds, n_evals, _) = time(|| evaluate_all(&empty, &records, lookups.clone(), 1));
    row("rhai: 1 rule returning pass()", 1, seconds, n_evals);

    // The same three rules in Rhai: a directory holding only them.
    let three_dir = tempfile::tempdir().expect("temp dir");
    for id in NATIVE_RULES {
        std::fs::copy(
            root.join(format!("penalty/{id}.rhai")),
            three_dir.path().join(format!("{id}.rhai")),
        )
        .expect("copy rule");
    }
    let three = RuleSet::load(three_dir.path(), profile.clone(), calendar.clone(), regions)
        .expect("three rules");
    let (rhai_seconds, n_evals, rhai_results) =
        time(|| evaluate_all(&three, &records, lookups.clone(), 1));
    row("rhai: 3 rules", 1, rhai_seconds, n_evals);
    let native = Native {
        calendar: &calendar,
        roll: profile.bool("roll_last_day").unwrap_or(true),
    };
    let (native_seconds, n_evals, native_results) = time(|| {
        records
            .iter()
            .map(|r| {
                vec![
                    native.deadline_90d(r),
                    native.service_7wd(r),
                    native.summary_limit(r),
                ]
            })
            .collect::<Vec<_>>()
    });
    row("native rust: same 3 rules", 1, native_seconds, n_evals);
    println!();
    println!(
        "rhai / native time for the same 3 rules: {:.1}×",
        rhai_seconds / native_seconds
    );

    let mut disagreements = 0;
    for (rhai, native) in rhai_results.iter().zip(&native_results) {
        for (evaluation, outcome) in rhai.iter().zip(native) {
            if evaluation.outcome != *outcome {
                disagreements += 1;
                if disagreements <= 5 {
                    eprintln!(
                        "disagree on {} {}: rhai {} native {}",
                        evaluation.record_id, evaluation.rule_id, evaluation.outcome, outcome
                    );
                }
            }
        }
    }
    assert_eq!(
        disagreements, 0,
        "the native baseline must give the Rhai rules' outcomes"
    );
    println!(
        "native and rhai agree on all {} outcomes",
        records.len() * 3
    );
}

/// Evaluates in batches and keeps only counts, as a sweep does: holding every outcome of
/// 100,000 records in memory would measure the allocator, not the rules.
fn time_batched(
    set: &RuleSet,
    records: &[Record],
    lookups: &Arc<Lookups>,
    threads: usize,
) -> (f64, usize) {
    let started = Instant::now();
    let mut n_evals = 0;
    for batch in records.chunks(5_000) {
        n_evals += evaluate_all(set, batch, lookups.clone(), threads)
            .iter()
            .map(Vec::len)
            .sum::<usize>();
    }
    (started.elapsed().as_secs_f64(), n_evals)
}

fn time<T: AsNested>(f: impl FnOnce() -> T) -> (f64, usize, T) {
    let started = Instant::now();
    let result = f();
    let seconds = started.elapsed().as_secs_f64();
    (seconds, result.count(), result)
}

trait AsNested {
    fn count(&self) -> usize;
}

impl<T> AsNested for Vec<Vec<T>> {
    fn count(&self) -> usize {
        self.iter().map(Vec::len).sum()
    }
}

fn penalties(n: usize, calendar: &Calendar) -> Vec<Record> {
    let volumes = jiandu_demo::Volumes {
        inspections_without_penalty: 0,
        penalties: n,
        compulsory_measures: 0,
        executions: 0,
        complaints: 0,
    };
    jiandu_demo::generate_with(7, calendar, volumes)
        .records
        .into_iter()
        .filter(|r| r["record_type"] == "penalty")
        .take(n)
        .map(|r| Record::from_json(r).expect("generated records are valid"))
        .collect()
}

/// The three rules written directly in Rust, as a rule engine without scripts would, with
/// the same policy: applicability first, an absent field the answer needs is `unknown`, a
/// deadline reaching a year without a notice decides outside its interval.
struct Native<'c> {
    calendar: &'c Calendar,
    roll: bool,
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

fn new_law() -> Date {
    Date::parse("2021-07-15").expect("valid")
}

fn old_law() -> Date {
    Date::parse("1996-10-01").expect("valid")
}

impl Native<'_> {
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
}
