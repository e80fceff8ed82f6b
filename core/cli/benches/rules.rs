//! Benchmark: the penalty pack in Rhai over generated penalty records, with three of its rules
//! written natively in Rust as the baseline, measured in the same run.
//!
//! `cargo bench --bench rules` (BENCH_RECORDS=N to change the 100,000 records).
//! Prints records/s and rule evaluations/s for the whole pack on one and on all threads, and
//! the same three rules in Rhai and natively, with their ratio. The native rules must agree
//! with the Rhai ones on every record; the run fails if they do not.

use std::sync::Arc;
use std::time::Instant;

use jiandu_calendar::{Calendar, Roll};
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

/// The three rules written directly in Rust, as a rule engine without scripts would.
struct Native<'c> {
    calendar: &'c Calendar,
    roll: bool,
}

fn date(r: &Record, field: &str) -> Result<Option<Date>, Outcome> {
    match r.lookup(field) {
        Lookup::Absent => Err(Outcome::Unknown),
        Lookup::Null => Ok(None),
        Lookup::Value(v) => Ok(v.as_str().and_then(|s| Date::parse(s).ok())),
    }
}

fn text<'r>(r: &'r Record, field: &str) -> Result<Option<&'r str>, Outcome> {
    match r.lookup(field) {
        Lookup::Absent => Err(Outcome::Unknown),
        Lookup::Null => Ok(None),
        Lookup::Value(v) => Ok(v.as_str()),
    }
}

fn new_law() -> Date {
    Date::parse("2021-07-15").expect("valid")
}

fn old_law() -> Date {
    Date::parse("1996-10-01").expect("valid")
}

impl Native<'_> {
    fn run(f: impl FnOnce() -> Result<Outcome, Outcome>) -> Outcome {
        f().unwrap_or_else(|o| o)
    }

    fn summary_limit(&self, r: &Record) -> Outcome {
        Native::run(|| {
            let decided = date(r, "decision_date")
                .map_err(|_| Outcome::Unknown)?
                .ok_or(Outcome::Unknown)?;
            if decided < old_law() {
                return Ok(Outcome::NotApplicable);
            }
            let (person_cap, org_cap) = if decided >= new_law() {
                (200, 3000)
            } else {
                (50, 1000)
            };
            if text(r, "procedure")? != Some("summary") {
                return Ok(Outcome::NotApplicable);
            }
            if r.lookup("special_law_exemption") == Lookup::Value(&Value::Bool(true)) {
                return Ok(Outcome::Pass);
            }
            let types: Vec<&str> = match r.lookup("penalty_types") {
                Lookup::Absent => return Err(Outcome::Unknown),
                Lookup::Null => return Err(Outcome::Error),
                Lookup::Value(v) => v
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default(),
            };
            if types.iter().any(|t| *t != "warning" && *t != "fine") {
                return Ok(Outcome::Violation);
            }
            if !types.contains(&"fine") {
                return Ok(Outcome::Pass);
            }
            let person = matches!(
                text(r, "party.nature")?,
                Some("natural_person" | "individual_business")
            );
            let cap = Money::from_yuan(if person { person_cap } else { org_cap });
            let fine = match r.lookup("fine_amount") {
                Lookup::Absent => return Err(Outcome::Unknown),
                Lookup::Null => return Err(Outcome::Error),
                Lookup::Value(v) => Money::from_json(v).map_err(|_| Outcome::Error)?,
            };
            Ok(if fine <= cap {
                Outcome::Pass
            } else {
                Outcome::Violation
            })
        })
    }

    fn service_7wd(&self, r: &Record) -> Outcome {
        Native::run(|| {
            let decided = date(r, "decision_date")
                .map_err(|_| Outcome::Unknown)?
                .ok_or(Outcome::Unknown)?;
            if decided < old_law() {
                return Ok(Outcome::NotApplicable);
            }
            let working_days = decided >= new_law();
            if working_days {
                let method = match r.lookup("service_method") {
                    Lookup::Value(v) => v.as_str(),
                    _ => None,
                };
                let confirmed =
                    r.lookup("e_service_confirmation") == Lookup::Value(&Value::Bool(true));
                if matches!(method, Some("email" | "fax" | "electronic")) && !confirmed {
                    return Ok(Outcome::Violation);
                }
            }
            if text(r, "procedure")? == Some("summary") {
                return Ok(Outcome::NotApplicable);
            }
            match r.lookup("party_present_at_announcement") {
                Lookup::Absent => return Err(Outcome::Unknown),
                Lookup::Value(Value::Bool(true)) => return Ok(Outcome::Pass),
                _ => {}
            }
            let Some(served) = date(r, "service_date")? else {
                return Ok(Outcome::Violation);
            };
            // 7 working days span at least 7 calendar days: no calendar needed that close.
            if served <= decided.add_days(7) {
                return Ok(Outcome::Pass);
            }
            let due = if working_days {
                self.calendar.add_working_days(decided, 7)
            } else {
                self.calendar
                    .add_days(decided, 7, Roll::from_flag(self.roll))
            };
            let due = due.map_err(|_| Outcome::Unknown)?;
            Ok(if served <= due {
                Outcome::Pass
            } else {
                Outcome::Violation
            })
        })
    }

    fn deadline_90d(&self, r: &Record) -> Outcome {
        Native::run(|| {
            let filed = date(r, "filing_date")
                .map_err(|_| Outcome::Unknown)?
                .ok_or(Outcome::Unknown)?;
            if filed < old_law() {
                return Ok(Outcome::NotApplicable);
            }
            if filed < new_law() {
                return Ok(Outcome::NotApplicable);
            }
            if text(r, "procedure")? == Some("summary") {
                return Ok(Outcome::NotApplicable);
            }
            let Some(decided) = date(r, "decision_date")? else {
                return Ok(Outcome::NotApplicable);
            };
            let market = matches!(r.lookup("sector_profile"), Lookup::Value(Value::String(s)) if s == "market_regulation");
            let excluded: i64 = match (market, r.lookup("excluded_periods")) {
                (true, Lookup::Value(Value::Array(periods))) => periods
                    .iter()
                    .filter_map(|p| {
                        let start = Date::parse(p.get("start")?.as_str()?).ok()?;
                        let end = Date::parse(p.get("end")?.as_str()?).ok()?;
                        Some(start.days_until(end) + 1)
                    })
                    .sum(),
                _ => 0,
            };
            let roll = Roll::from_flag(self.roll);
            let mut total = 90 + excluded;
            if decided <= filed.add_days(total) {
                return Ok(Outcome::Pass);
            }
            let mut due = self
                .calendar
                .add_days(filed, total, roll)
                .map_err(|_| Outcome::Unknown)?;
            if let (true, Lookup::Value(Value::Array(extensions))) =
                (market, r.lookup("extensions"))
            {
                let mut extensions: Vec<(Date, &Value)> = extensions
                    .iter()
                    .filter_map(|e| Some((Date::parse(e.get("approved_date")?.as_str()?).ok()?, e)))
                    .collect();
                extensions.sort_by_key(|(d, _)| *d);
                for (i, (approved, e)) in extensions.iter().enumerate() {
                    if *approved > due {
                        break;
                    }
                    let days = e.get("days").and_then(Value::as_i64).unwrap_or(0);
                    let by_head = e.get("approver_role").and_then(Value::as_str) == Some("head")
                        && days <= 30;
                    let collective = e.get("collective").and_then(Value::as_bool) == Some(true);
                    if (i == 0 && by_head) || collective {
                        total += days;
                        due = self
                            .calendar
                            .add_days(filed, total, roll)
                            .map_err(|_| Outcome::Unknown)?;
                    } else {
                        break;
                    }
                }
            }
            Ok(if decided <= due {
                Outcome::Pass
            } else {
                Outcome::Violation
            })
        })
    }
}
