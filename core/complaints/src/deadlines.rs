//! The deadlines of a complaint or report, from its handover events, counted with the
//! statutory calendar (working days skip weekends and holidays and count 调休 weekends).
//!
//! | milestone | from | period | basis |
//! |---|---|---|---|
//! | 签收 sign for | the latest assign or transfer to the unit | `sign_for_wd` WD (1, U) | local 12345 rules (CPL-SIGN-1WD) |
//! | 受理决定 accept or not (complaint) | the same day: the unit's receipt | 7 WD | 投诉举报办法第十四条 (CPL-ACCEPT-7WD) |
//! | 立案决定 file or not (report) | the unit's receipt | 15 WD (+15 approved in time) | 投诉举报办法第三十一条 → 程序规定第十八条 (CPL-REPORT-VERIFY-15WD) |
//! | 办结 resolve (complaint) | acceptance | 45 WD | 投诉举报办法第二十条 (CPL-MEDIATION-45WD) |
//! | 办结 resolve (report) | the decision to file | 90 days | 行政处罚法第六十条 |
//!
//! The rows after 签收 are 《市场监督管理投诉举报处理暂行办法》's (in force 2020-01-01): they bind
//! a market-regulation unit, and only for items it received from that date. Every other
//! assignment follows the profile's general 12345 limit instead: 办理并答复 within
//! `hotline_resolve_wd` (15) working days of receipt (《广东省12345政务服务便民热线管理办法》, in
//! force `hotline_limits_from`, 2022-09-01; before it no figure is known and only 签收 is timed).

use jiandu_calendar::{Calendar, NoCalendarData, Roll};
use jiandu_model::{ActionKind, ComplaintKind, ComplaintState, Date};
use jiandu_rules::Profile;
use serde::Serialize;

/// The periods, from the profile where the catalogue leaves them open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub sign_wd: i64,
    pub accept_wd: i64,
    pub report_verify_wd: i64,
    pub mediation_wd: i64,
    pub report_resolve_days: i64,
    /// Whether a calendar-day period ending on a day off rolls to the next working day.
    pub roll: bool,
    /// The general 12345 limit for handling and replying (办理并答复), in working days.
    pub hotline_resolve_wd: i64,
    /// From when that limit applies (before it, none is known).
    pub hotline_from: Option<Date>,
}

impl Periods {
    pub fn from_profile(profile: &Profile) -> Periods {
        let int = |name: &str, default: i64| {
            profile
                .get(name, None)
                .and_then(toml::Value::as_integer)
                .unwrap_or(default)
        };
        Periods {
            sign_wd: int("sign_for_wd", 1),
            accept_wd: 7,
            report_verify_wd: 15,
            mediation_wd: 45,
            report_resolve_days: 90,
            roll: profile.bool("roll_last_day").unwrap_or(true),
            hotline_resolve_wd: int("hotline_resolve_wd", 15),
            hotline_from: match profile.get("hotline_limits_from", None) {
                Some(toml::Value::Datetime(d)) => Date::parse(&d.to_string()).ok(),
                Some(toml::Value::String(s)) => Date::parse(s).ok(),
                _ => Date::from_ymd(2022, 9, 1),
            },
        }
    }
}

impl Default for Periods {
    fn default() -> Self {
        Periods::from_profile(&Profile::builtin())
    }
}

pub use jiandu_model::complaint::DueKind;

/// One deadline: when it falls, and when (if) it was met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    pub kind: DueKind,
    pub from: Date,
    pub due: Date,
    pub done: Option<Date>,
    pub basis: &'static str,
}

/// One handover event as deadlines need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: ActionKind,
    pub on: Date,
    /// The unit an assign or transfer sent the item to.
    pub to_unit: Option<String>,
    /// An `extension_approved_date` the unit stated with this action.
    pub extension_approved: Option<Date>,
}

/// Whose deadlines an assignment follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regime {
    /// 《市场监督管理投诉举报处理暂行办法》: a market-regulation unit, an item received from
    /// 2020-01-01.
    MarketRegulation,
    /// The profile's general 12345 limits.
    Hotline,
}

/// The day 《市场监督管理投诉举报处理暂行办法》 came into force.
fn market_rules_from() -> Option<Date> {
    Date::from_ymd(2020, 1, 1)
}

impl Regime {
    /// The regime of an assignment to a unit of `sector` on `received`.
    pub fn of(sector: Option<&str>, received: Date) -> Regime {
        match (sector, market_rules_from()) {
            (Some("market_regulation"), Some(from)) if received >= from => Regime::MarketRegulation,
            _ => Regime::Hotline,
        }
    }
}

/// A unit's sector (its `sector` in the unit list), as deadlines ask for it.
pub type SectorOf<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The milestones of the item's current assignment, in order. Events before the latest
/// assign or transfer belong to an earlier unit and do not count for this one.
pub fn milestones(
    kind: ComplaintKind,
    steps: &[Step],
    calendar: &Calendar,
    periods: &Periods,
    sector_of: SectorOf<'_>,
) -> Result<Vec<Milestone>, NoCalendarData> {
    let Some(start) = steps
        .iter()
        .rposition(|s| matches!(s.action, ActionKind::Assign | ActionKind::Transfer))
    else {
        return Ok(Vec::new());
    };
    let (assigned, after) = steps.split_at(start + 1);
    let Some(current) = assigned.last() else {
        return Ok(Vec::new());
    };
    let received = current.on;
    let regime = Regime::of(
        current.to_unit.as_deref().and_then(sector_of).as_deref(),
        received,
    );
    let first = |actions: &[ActionKind]| {
        after
            .iter()
            .find(|s| actions.contains(&s.action))
            .map(|s| s.on)
    };
    let mut out = vec![Milestone {
        kind: DueKind::Sign,
        from: received,
        due: calendar.add_working_days(received, periods.sign_wd)?,
        done: first(&[ActionKind::Acknowledge, ActionKind::Return]),
        basis: "派单签收期限（本地12345工单规定，profile sign_for_wd） / local 12345 rules",
    }];
    if regime == Regime::Hotline {
        if periods.hotline_from.is_none_or(|from| received >= from) {
            out.push(Milestone {
                kind: DueKind::Resolve,
                from: received,
                due: calendar.add_working_days(received, periods.hotline_resolve_wd)?,
                done: first(&[ActionKind::Resolve, ActionKind::NotAccept]),
                basis: "《广东省12345政务服务便民热线管理办法》（投诉、举报类诉求自收到之日起办理并答复，profile hotline_resolve_wd）",
            });
        }
        return Ok(out);
    }
    let decided = first(&[ActionKind::Accept, ActionKind::NotAccept]);
    match kind {
        ComplaintKind::Complaint => out.push(Milestone {
            kind: DueKind::Accept,
            from: received,
            due: calendar.add_working_days(received, periods.accept_wd)?,
            done: decided,
            basis: "《市场监督管理投诉举报处理暂行办法》第十四条（七个工作日）",
        }),
        ComplaintKind::Report => {
            // 15 working days, 15 more when the head approved an extension within the first.
            let first_due = calendar.add_working_days(received, periods.report_verify_wd)?;
            let extended = after
                .iter()
                .filter_map(|s| s.extension_approved)
                .any(|approved| approved <= first_due);
            let (due, basis) = if extended {
                (
                    calendar.add_working_days(received, 2 * periods.report_verify_wd)?,
                    "《市场监督管理投诉举报处理暂行办法》第三十一条、《市场监督管理行政处罚程序规定》第十八条（十五个工作日，经批准延长十五个工作日）",
                )
            } else {
                (
                    first_due,
                    "《市场监督管理投诉举报处理暂行办法》第三十一条、《市场监督管理行政处罚程序规定》第十八条（十五个工作日）",
                )
            };
            out.push(Milestone {
                kind: DueKind::FilingDecision,
                from: received,
                due,
                done: decided,
                basis,
            })
        }
    }
    let accepted = after
        .iter()
        .find(|s| s.action == ActionKind::Accept)
        .map(|s| s.on);
    if let Some(accepted) = accepted {
        let resolved = first(&[ActionKind::Resolve]);
        out.push(match kind {
            ComplaintKind::Complaint => Milestone {
                kind: DueKind::Resolve,
                from: accepted,
                due: calendar.add_working_days(accepted, periods.mediation_wd)?,
                done: resolved,
                basis: "《市场监督管理投诉举报处理暂行办法》第二十条（调解四十五个工作日）",
            },
            ComplaintKind::Report => Milestone {
                kind: DueKind::Resolve,
                from: accepted,
                due: calendar.add_days(
                    accepted,
                    periods.report_resolve_days,
                    Roll::from_flag(periods.roll),
                )?,
                done: resolved,
                basis: "《中华人民共和国行政处罚法》第六十条（立案之日起九十日）",
            },
        });
    }
    Ok(out)
}

/// The unit an assignment went to, and its milestones (or the notice the calendar lacks).
pub type AssignmentMilestones = (Option<String>, Result<Vec<Milestone>, NoCalendarData>);

/// The milestones of every assignment in turn: for each assign or transfer, the unit it went
/// to and the milestones counted from it up to the next one (what that unit had to meet,
/// whether or not it still holds the item).
pub fn milestones_by_assignment(
    kind: ComplaintKind,
    steps: &[Step],
    calendar: &Calendar,
    periods: &Periods,
    sector_of: SectorOf<'_>,
) -> Vec<AssignmentMilestones> {
    let starts: Vec<usize> = steps
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.action, ActionKind::Assign | ActionKind::Transfer))
        .map(|(idx, _)| idx)
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &start)| {
            let end = starts.get(n + 1).copied().unwrap_or(steps.len());
            let unit = steps.get(start).and_then(|s| s.to_unit.clone());
            let window = steps.get(..end).unwrap_or(steps);
            (unit, milestones(kind, window, calendar, periods, sector_of))
        })
        .collect()
}

/// The next deadline still to meet, for an item in `state`.
pub fn next_due(state: ComplaintState, milestones: &[Milestone]) -> Option<&Milestone> {
    if !state.is_open() || matches!(state, ComplaintState::Received | ComplaintState::Returned) {
        return None;
    }
    milestones.iter().find(|m| m.done.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn step(action: ActionKind, on: &str) -> Step {
        Step {
            action,
            on: d(on),
            to_unit: matches!(action, ActionKind::Assign | ActionKind::Transfer)
                .then(|| "441802-scjg".to_owned()),
            extension_approved: None,
        }
    }

    fn market(_: &str) -> Option<String> {
        Some("market_regulation".into())
    }

    #[test]
    fn national_day_2025_counts_its_adjusted_working_days() {
        let calendar = Calendar::builtin();
        let m = milestones(
            ComplaintKind::Complaint,
            &[step(ActionKind::Assign, "2025-09-26")],
            &calendar,
            &Periods::default(),
            &market,
        )
        .unwrap();
        // Friday 26 September; Sunday 28 September is an adjusted working day.
        assert_eq!(m[0].kind, DueKind::Sign);
        assert_eq!(m[0].due, d("2025-09-28"));
        // 28, 29, 30 September, then 9, 10, 11 (Saturday, adjusted) and 13 October.
        assert_eq!(m[1].kind, DueKind::Accept);
        assert_eq!(m[1].due, d("2025-10-13"));
        assert_eq!(
            next_due(ComplaintState::Assigned, &m).unwrap().kind,
            DueKind::Sign
        );
    }

    #[test]
    fn a_transfer_restarts_the_clock_and_acceptance_starts_the_next() {
        let calendar = Calendar::builtin();
        let steps = [
            step(ActionKind::Assign, "2025-03-03"),
            step(ActionKind::Return, "2025-03-03"),
            step(ActionKind::Transfer, "2025-03-04"),
            step(ActionKind::Acknowledge, "2025-03-05"),
            step(ActionKind::Accept, "2025-03-10"),
        ];
        let m = milestones(
            ComplaintKind::Complaint,
            &steps,
            &calendar,
            &Periods::default(),
            &market,
        )
        .unwrap();
        assert_eq!(
            (m[0].from, m[0].done),
            (d("2025-03-04"), Some(d("2025-03-05")))
        );
        assert_eq!(m[1].done, Some(d("2025-03-10")));
        assert_eq!(m[2].kind, DueKind::Resolve);
        assert_eq!(
            m[2].due,
            calendar.add_working_days(d("2025-03-10"), 45).unwrap()
        );
        assert_eq!(
            next_due(ComplaintState::Accepted, &m).unwrap().kind,
            DueKind::Resolve
        );
        assert!(next_due(ComplaintState::Resolved, &m).is_none());
    }

    #[test]
    fn reports_have_fifteen_working_days_to_decide_on_filing() {
        let calendar = Calendar::builtin();
        let m = milestones(
            ComplaintKind::Report,
            &[step(ActionKind::Assign, "2026-02-12")],
            &calendar,
            &Periods::default(),
            &market,
        )
        .unwrap();
        assert_eq!(m[1].kind, DueKind::FilingDecision);
        assert_eq!(
            m[1].due,
            calendar.add_working_days(d("2026-02-12"), 15).unwrap()
        );
        assert!(
            milestones(
                ComplaintKind::Report,
                &[],
                &calendar,
                &Periods::default(),
                &market
            )
            .unwrap()
            .is_empty()
        );
    }

    #[test]
    fn other_departments_and_earlier_items_follow_the_hotline_limit() {
        let calendar = Calendar::builtin();
        let ecology = |_: &str| Some("ecology_environment".to_owned());
        let steps = [
            step(ActionKind::Assign, "2025-03-03"),
            step(ActionKind::Acknowledge, "2025-03-03"),
        ];
        let m = milestones(
            ComplaintKind::Complaint,
            &steps,
            &calendar,
            &Periods::default(),
            &ecology,
        )
        .unwrap();
        let kinds: Vec<DueKind> = m.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, [DueKind::Sign, DueKind::Resolve]);
        assert_eq!(
            m[1].due,
            calendar.add_working_days(d("2025-03-03"), 15).unwrap()
        );
        assert!(m[1].basis.contains("12345"));
        // A market-regulation unit before 投诉举报办法 came into force: the hotline rules too,
        // and before the hotline limit was set, only signing is timed.
        let before = [step(ActionKind::Assign, "2019-12-30")];
        let m = milestones(
            ComplaintKind::Complaint,
            &before,
            &calendar,
            &Periods::default(),
            &market,
        )
        .unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].kind, DueKind::Sign);
        let in_force = [step(ActionKind::Assign, "2020-01-02")];
        let m = milestones(
            ComplaintKind::Complaint,
            &in_force,
            &calendar,
            &Periods::default(),
            &market,
        )
        .unwrap();
        assert_eq!(m[1].kind, DueKind::Accept);
    }
}
