//! The nightly sweep: at a configured Beijing time every day, the current rules directory is
//! loaded again (legal staff may have changed it during the day) and a sweep runs to its end.
//! A failed night is logged and reported by `/healthz`; the next night tries again.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiandu_model::{Moment, clock};
use jiandu_rules::RuleSet;
use jiandu_store::Store;
use jiandu_sweep::SweepOptions;
use serde::Serialize;

/// A wall-clock time of day in Beijing time (`02:00` or `02:00:30`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TimeOfDay {
    hour: u32,
    minute: u32,
    second: u32,
}

impl TimeOfDay {
    pub fn new(hour: u32, minute: u32, second: u32) -> Option<TimeOfDay> {
        (hour < 24 && minute < 60 && second < 60).then_some(TimeOfDay {
            hour,
            minute,
            second,
        })
    }

    /// The first moment strictly after `now` at this time of day, in +08:00.
    #[allow(
        clippy::expect_used,
        reason = "hour and minute are checked by TimeOfDay::new"
    )]
    pub fn next_after(self, now: Moment) -> Moment {
        let today = now.date();
        let at = |date: jiandu_model::Date| {
            Moment::at(date, self.hour, self.minute)
                .expect("a valid time of day")
                .add_seconds(i64::from(self.second))
        };
        let candidate = at(today);
        if candidate > now {
            candidate
        } else {
            at(today.succ())
        }
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)?;
        if self.second > 0 {
            write!(f, ":{:02}", self.second)?;
        }
        Ok(())
    }
}

impl FromStr for TimeOfDay {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a time of day; write HH:MM (Beijing time), e.g. 02:00");
        let parts: Vec<&str> = s.trim().split(':').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let number = |p: &str| p.parse::<u32>().map_err(|_| bad());
        let second = match parts.get(2) {
            Some(p) => number(p)?,
            None => 0,
        };
        let part = |i: usize| parts.get(i).copied().ok_or_else(bad);
        TimeOfDay::new(number(part(0)?)?, number(part(1)?)?, second).ok_or_else(bad)
    }
}

/// What `/healthz` shows of the scheduler.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SchedulerStatus {
    pub enabled: bool,
    pub sweep_at: Option<String>,
    pub next_run: Option<String>,
    pub last_run: Option<String>,
    pub last_result: Option<String>,
}

/// Loads the rule set afresh for each night.
pub type RuleLoader = Arc<dyn Fn() -> Result<RuleSet, String> + Send + Sync>;

pub struct NightlySweep {
    pub store: Store,
    pub rules: RuleLoader,
    pub at: TimeOfDay,
    pub options: SweepOptions,
    pub status: Arc<Mutex<SchedulerStatus>>,
    /// Where the sweep report and the coverage warnings are mailed after each night.
    pub report_to: Vec<String>,
    /// Complaint handling, whose routing model is trained again each night when dispatchers
    /// labelled something new.
    pub complaints: Option<Arc<jiandu_complaints::Complaints>>,
}

impl fmt::Debug for NightlySweep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NightlySweep")
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

impl NightlySweep {
    fn set_status(&self, change: impl FnOnce(&mut SchedulerStatus)) {
        if let Ok(mut status) = self.status.lock() {
            change(&mut status);
        }
    }

    /// Runs forever: sleeps until the next run time, sweeps, repeats.
    pub async fn run(self) {
        self.set_status(|s| {
            s.enabled = true;
            s.sweep_at = Some(format!("{} +08:00", self.at));
        });
        loop {
            let now = clock::wall();
            let next = self.at.next_after(now);
            self.set_status(|s| s.next_run = Some(next.to_string()));
            tracing::info!(%next, "next nightly sweep");
            let wait = now.seconds_until(next).max(0) as u64;
            tokio::time::sleep(Duration::from_secs(wait)).await;
            // Sleeping can end a little early; never run twice in the same second.
            while clock::wall() < next {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let result = self.once().await;
            self.set_status(|s| {
                s.last_run = Some(clock::wall().to_string());
                s.last_result = Some(result.clone());
            });
        }
    }

    async fn once(&self) -> String {
        let set = match (self.rules)() {
            Ok(set) => Arc::new(set),
            Err(reason) => {
                tracing::error!(%reason, "the nightly sweep could not load the rules");
                return format!("rules could not be loaded: {reason}");
            }
        };
        match jiandu_sweep::sweep(&self.store, set.clone(), &self.options, &|_, _| {}).await {
            Ok(report) => {
                let t = &report.totals;
                tracing::info!(
                    sweep_id = report.sweep_id,
                    records = t.records_evaluated,
                    new = t.findings_new,
                    resolved = t.findings_resolved,
                    "nightly sweep done"
                );
                let ctx = jiandu_report::Context {
                    store: &self.store,
                    calendar: &set.calendar,
                    profile: &set.profile,
                    rules: Some(&set),
                    now: clock::now(),
                };
                let mailed = match jiandu_report::digest::queue(
                    &ctx,
                    report.sweep_id,
                    ctx.now.date(),
                    &self.report_to,
                )
                .await
                {
                    Ok(n) => format!(", report mailed to {n}"),
                    Err(err) => {
                        tracing::error!(%err, "the sweep report could not be queued");
                        format!(", report not mailed: {err}")
                    }
                };
                let learned = match &self.complaints {
                    None => String::new(),
                    Some(service) => match service.retrain_if_changed("nightly", ctx.now).await {
                        Ok(Some(trained)) => format!(
                            ", routing model #{} trained on {} examples",
                            trained.model_id, trained.model.examples
                        ),
                        Ok(None) => String::new(),
                        Err(err) => {
                            tracing::error!(%err, "the routing model could not be trained");
                            format!(", routing model not trained: {err}")
                        }
                    },
                };
                format!(
                    "sweep {}: {} records, {} new, {} reopened, {} resolved{mailed}{learned}",
                    report.sweep_id,
                    t.records_evaluated,
                    t.findings_new,
                    t.findings_reopened,
                    t.findings_resolved
                )
            }
            Err(err) => {
                tracing::error!(%err, "the nightly sweep failed");
                format!("failed: {err}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Moment {
        Moment::parse(text).unwrap()
    }

    #[test]
    fn parses_times_of_day() {
        assert_eq!("02:00".parse(), Ok(TimeOfDay::new(2, 0, 0).unwrap()));
        assert_eq!("23:59:30".parse(), Ok(TimeOfDay::new(23, 59, 30).unwrap()));
        assert!("24:00".parse::<TimeOfDay>().is_err());
        assert!("2am".parse::<TimeOfDay>().is_err());
        assert_eq!(TimeOfDay::new(2, 0, 0).unwrap().to_string(), "02:00");
    }

    #[test]
    fn the_next_run_is_in_beijing_time() {
        let two = TimeOfDay::new(2, 0, 0).unwrap();
        // 01:59 Beijing: tonight at 02:00.
        assert_eq!(
            two.next_after(at("2025-10-01T01:59:00+08:00")),
            at("2025-10-01T02:00:00+08:00")
        );
        // Exactly 02:00 has just run: tomorrow.
        assert_eq!(
            two.next_after(at("2025-10-01T02:00:00+08:00")),
            at("2025-10-02T02:00:00+08:00")
        );
        // 18:30 UTC on 30 September is 02:30 on 1 October in Beijing.
        assert_eq!(
            two.next_after(at("2025-09-30T18:30:00Z")),
            at("2025-10-02T02:00:00+08:00")
        );
        // Across the end of a year.
        assert_eq!(
            two.next_after(at("2025-12-31T23:00:00+08:00")),
            at("2026-01-01T02:00:00+08:00")
        );
    }
}
