//! How each complaint was handled, assignment by assignment: whether the unit signed for it,
//! decided on it and resolved it in time (the deadlines of `jiandu_complaints::deadlines`
//! by the statutory calendar), its returns, transfers and escalations. The `units` and
//! `complaints` reports both count from this.

use std::collections::BTreeMap;

use jiandu_complaints::{Milestone, Periods, milestones_by_assignment, steps_of_events};
use jiandu_model::{ActionKind, Date, DueKind};
use jiandu_store::{ComplaintFilter, EventRow};

use crate::context::{Context, ReportError};

/// Whether one deadline was met, as of the report's last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    OnTime,
    Late,
    /// Not due yet, or the item left the unit before it was due: not counted.
    Open,
}

impl Verdict {
    /// `(on time, counted)` for a rate.
    pub(crate) fn tally(self) -> (u64, u64) {
        match self {
            Verdict::OnTime => (1, 1),
            Verdict::Late => (0, 1),
            Verdict::Open => (0, 0),
        }
    }
}

/// One assignment of an item to a unit.
#[derive(Debug, Clone)]
pub(crate) struct Assignment {
    pub unit: String,
    pub on: Date,
    pub sign: Verdict,
    pub decide: Verdict,
    pub resolve: Verdict,
}

/// One complaint or report as the reports count it.
#[derive(Debug, Clone)]
pub(crate) struct Handled {
    /// Its deadline has passed and it is still open, as of the report's last day.
    pub overdue: bool,
    pub holder: Option<String>,
    pub first_unit: Option<String>,
    pub assignments: Vec<Assignment>,
    /// (unit, day): returns by the unit.
    pub returns: Vec<(String, Date)>,
    /// (unit, day): the item transferred away from the unit.
    pub transfers_away: Vec<(String, Date)>,
    /// (unit, level 1 催办 or 2 督办, day).
    pub escalations: Vec<(String, u8, Date)>,
}

impl Handled {
    /// The item went to another unit after its first assignment.
    pub(crate) fn rerouted(&self) -> bool {
        self.assignments
            .iter()
            .any(|a| Some(&a.unit) != self.first_unit.as_ref())
    }
}

fn verdict(milestone: Option<&Milestone>, still_held: bool, as_of: Date) -> Verdict {
    match milestone {
        None => Verdict::Open,
        Some(m) => match m.done {
            Some(done) if done <= m.due => Verdict::OnTime,
            Some(_) => Verdict::Late,
            None if still_held && m.due < as_of => Verdict::Late,
            None => Verdict::Open,
        },
    }
}

/// Every complaint and report received on or before `as_of`, as handled up to then.
pub(crate) async fn handled(ctx: &Context<'_>, as_of: Date) -> Result<Vec<Handled>, ReportError> {
    let periods = Periods::from_profile(ctx.profile);
    // Whose law an assignment follows depends on the unit's sector.
    let units = ctx.units().await?;
    let sector_of = |unit: &str| units.get(unit).and_then(|u| u.sector.clone());
    let complaints = ctx
        .store
        .list_complaints(&ComplaintFilter::default())
        .await?;
    let mut events: BTreeMap<String, Vec<EventRow>> = BTreeMap::new();
    for event in ctx.store.complaint_events_through(as_of).await? {
        if event.at.date() <= as_of {
            events
                .entry(event.complaint_id.clone())
                .or_default()
                .push(event);
        }
    }
    let mut out = Vec::new();
    for row in complaints {
        let received = row.received_at.date();
        if received > as_of {
            continue;
        }
        let events = events.remove(&row.complaint_id).unwrap_or_default();
        let steps = steps_of_events(&events);
        let by_assignment =
            milestones_by_assignment(row.kind, &steps, ctx.calendar, &periods, &sector_of);
        let n_assignments = by_assignment.len();
        let mut assignments = Vec::new();
        for (idx, (unit, milestones)) in by_assignment.into_iter().enumerate() {
            let Some(unit) = unit else { continue };
            let still_held = idx + 1 == n_assignments && row.unit_id.as_deref() == Some(&unit);
            let milestones = milestones.unwrap_or_default();
            let find = |kinds: &[DueKind]| milestones.iter().find(|m| kinds.contains(&m.kind));
            let on = milestones.first().map_or(received, |m| m.from);
            assignments.push(Assignment {
                sign: verdict(find(&[DueKind::Sign]), still_held, as_of),
                decide: verdict(
                    find(&[DueKind::Accept, DueKind::FilingDecision]),
                    still_held,
                    as_of,
                ),
                resolve: verdict(find(&[DueKind::Resolve]), still_held, as_of),
                unit,
                on,
            });
        }
        let mut holder: Option<String> = None;
        let mut level = 0u8;
        let mut returns = Vec::new();
        let mut transfers_away = Vec::new();
        let mut escalations = Vec::new();
        for event in &events {
            let day = event.at.date();
            match event.action {
                ActionKind::Assign => holder = event.to_unit.clone(),
                ActionKind::Transfer => {
                    if let Some(previous) = holder.take() {
                        transfers_away.push((previous, day));
                    }
                    holder = event.to_unit.clone();
                }
                ActionKind::Return => {
                    if let Some(unit) = event.unit_id.clone().or_else(|| holder.clone()) {
                        returns.push((unit, day));
                    }
                    holder = None;
                }
                ActionKind::Escalate => {
                    level = (level + 1).min(2);
                    if let Some(unit) = holder.clone() {
                        escalations.push((unit, level, day));
                    }
                }
                _ => {}
            }
        }
        let open = row.state.is_open();
        out.push(Handled {
            overdue: open && row.due_date.is_some_and(|d| d < as_of),
            holder: row.unit_id.clone(),
            first_unit: assignments.first().map(|a| a.unit.clone()),
            assignments,
            returns,
            transfers_away,
            escalations,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn milestone(due: &str, done: Option<&str>) -> Milestone {
        let d = |s: &str| Date::parse(s).unwrap();
        Milestone {
            kind: DueKind::Sign,
            from: d("2026-03-02"),
            due: d(due),
            done: done.map(d),
            basis: "",
        }
    }

    #[test]
    fn a_step_is_late_only_when_done_late_or_still_owed_past_its_deadline() {
        let as_of = Date::parse("2026-03-10").unwrap();
        let check = |due, done, held, expect| {
            assert_eq!(
                verdict(Some(&milestone(due, done)), held, as_of),
                expect,
                "{due} {done:?} {held}"
            )
        };
        check("2026-03-03", Some("2026-03-03"), true, Verdict::OnTime);
        check("2026-03-03", Some("2026-03-04"), false, Verdict::Late);
        check("2026-03-03", None, true, Verdict::Late);
        // The item moved on before anyone owed it: not counted.
        check("2026-03-03", None, false, Verdict::Open);
        // Due on the report's last day: not late yet.
        check("2026-03-10", None, true, Verdict::Open);
        assert_eq!(verdict(None, true, as_of), Verdict::Open);
        assert_eq!(Verdict::Late.tally(), (0, 1));
    }
}
