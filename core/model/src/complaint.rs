//! Complaints (投诉) and reports (举报) as work items handed between the dispatcher and the
//! units: their states, the actions that move them, and who may take each action.
//!
//! ```text
//! received ─assign─► assigned ─acknowledge─► acknowledged ─accept─► accepted ─resolve─► resolved ─feedback─► feedback_sent
//!    ▲                  │  ▲                     │   │                                       ▲
//!    └──── returned ◄───┘  └──── transfer ───────┘   └─not_accept─► not_accepted ─feedback───┘
//!          (return, with a reason; the dispatcher assigns or transfers it again)
//! ```
//!
//! Only the dispatcher (the unified receiving body, 统一受理机构) assigns and transfers: a unit
//! without power returns the item and may not move it onward itself (投诉举报办法第二十九条,
//! CPL-NO-SELF-TRANSFER). Escalation (催办, then 督办) is a level beside the state.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// 投诉 or 举报: they follow different deadlines (CATALOGUE §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintKind {
    Complaint,
    Report,
}

impl ComplaintKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintKind::Complaint => "complaint",
            ComplaintKind::Report => "report",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            ComplaintKind::Complaint => "投诉",
            ComplaintKind::Report => "举报",
        }
    }
}

impl FromStr for ComplaintKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "complaint" => Ok(ComplaintKind::Complaint),
            "report" => Ok(ComplaintKind::Report),
            _ => Err(format!("unknown kind `{s}`; expected complaint or report")),
        }
    }
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal / $zh:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn chinese(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    format!("unknown {} `{s}`; expected one of {}", stringify!($name), names.join(", "))
                })
            }
        }
    };
}

named_enum! {
    /// Where a complaint stands.
    ComplaintState {
        Received = "received" / "待派单",
        Assigned = "assigned" / "已派单",
        Acknowledged = "acknowledged" / "已签收",
        Returned = "returned" / "已退回",
        Accepted = "accepted" / "已受理",
        NotAccepted = "not_accepted" / "不予受理",
        Resolved = "resolved" / "已办结",
        FeedbackSent = "feedback_sent" / "已反馈",
    }
}

named_enum! {
    /// What happens to a complaint; the names are those of `handover_log[].action`.
    ActionKind {
        Assign = "assign" / "派单",
        Acknowledge = "acknowledge" / "签收",
        Return = "return" / "退回",
        Transfer = "transfer" / "转办",
        Accept = "accept" / "受理",
        NotAccept = "not_accept" / "不予受理",
        Resolve = "resolve" / "办结",
        Escalate = "escalate" / "催办/督办",
        Feedback = "feedback" / "反馈",
    }
}

named_enum! {
    /// The grounds on which a complaint may be refused (投诉举报办法第十五条).
    NonAcceptGround {
        OutsideRemit = "outside_remit" / "不属于本部门职责范围",
        HandledElsewhere = "handled_elsewhere" / "已由其他部门受理或处理",
        NotConsumerDispute = "not_consumer_dispute" / "不属于消费者权益争议",
        Over3Years = "over_3_years" / "自知道或应当知道权益受损超过三年",
        MissingMaterials = "missing_materials" / "未提供必要材料",
        OtherStatutory = "other_statutory" / "法律法规规定的其他情形",
    }
}

impl ComplaintState {
    /// Still being handled: deadlines run and escalation applies.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            ComplaintState::Resolved | ComplaintState::NotAccepted | ComplaintState::FeedbackSent
        )
    }
}

/// One action with what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Assign { to_unit: String },
    Acknowledge,
    Return { reason: String },
    Transfer { to_unit: String },
    Accept,
    NotAccept { ground: NonAcceptGround },
    Resolve { result: String },
    Escalate,
    Feedback { suggestion: String },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Assign { .. } => ActionKind::Assign,
            Action::Acknowledge => ActionKind::Acknowledge,
            Action::Return { .. } => ActionKind::Return,
            Action::Transfer { .. } => ActionKind::Transfer,
            Action::Accept => ActionKind::Accept,
            Action::NotAccept { .. } => ActionKind::NotAccept,
            Action::Resolve { .. } => ActionKind::Resolve,
            Action::Escalate => ActionKind::Escalate,
            Action::Feedback { .. } => ActionKind::Feedback,
        }
    }
}

/// Who takes an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Actor {
    /// The unified receiving body (12345 / 统一受理机构), by a named person.
    Dispatcher { name: String },
    /// A person of a unit.
    Unit { unit_id: String, name: String },
    /// jiandu itself: routing on intake, escalation of overdue items.
    System { name: String },
}

impl Actor {
    pub fn name(&self) -> &str {
        match self {
            Actor::Dispatcher { name } | Actor::Unit { name, .. } | Actor::System { name } => name,
        }
    }

    pub fn unit(&self) -> Option<&str> {
        match self {
            Actor::Unit { unit_id, .. } => Some(unit_id),
            _ => None,
        }
    }

    /// As the audit log and the timeline show it.
    pub fn describe(&self) -> String {
        match self {
            Actor::Dispatcher { name } => format!("dispatcher {name}"),
            Actor::Unit { unit_id, name } => format!("{unit_id} {name}"),
            Actor::System { name } => format!("jiandu {name}"),
        }
    }
}

/// What the store holds of a complaint, as far as the rules of handling need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub state: ComplaintState,
    /// The unit the item is with (after assign or transfer), if any.
    pub unit: Option<String>,
    /// 0 none, 1 催办 (urged), 2 督办 (supervised).
    pub escalation: u8,
}

/// Why an action was refused; the message says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{action} is not possible while the item is {state} ({state_zh})", action = .action.as_str(), state = .state.as_str(), state_zh = .state.chinese())]
    WrongState {
        action: ActionKind,
        state: ComplaintState,
    },
    #[error(
        "only the dispatcher (统一受理机构) may {action}; a unit without power returns the item with a reason (《市场监督管理投诉举报处理暂行办法》第二十九条)", action = .action.as_str()
    )]
    DispatcherOnly { action: ActionKind },
    #[error("the item is with {assigned}, not {unit}; only that unit may {action}", action = .action.as_str())]
    NotYourItem {
        action: ActionKind,
        unit: String,
        assigned: String,
    },
    #[error("{action} needs a unit to act as (--unit)", action = .action.as_str())]
    UnitOnly { action: ActionKind },
    #[error("{action} needs {what}", action = .action.as_str())]
    Missing {
        action: ActionKind,
        what: &'static str,
    },
    #[error("the item is already with {0}; assign or transfer it to another unit")]
    SameUnit(String),
    #[error("the item is already at the highest escalation (督办)")]
    FullyEscalated,
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// The state after `action` by `actor`, or why it is refused.
pub fn apply(current: &Standing, action: &Action, actor: &Actor) -> Result<Standing, Refusal> {
    use ComplaintState as S;
    let kind = action.kind();
    let wrong_state = || Refusal::WrongState {
        action: kind,
        state: current.state,
    };
    // Who may act.
    match kind {
        ActionKind::Assign | ActionKind::Transfer => {
            if matches!(actor, Actor::Unit { .. }) {
                return Err(Refusal::DispatcherOnly { action: kind });
            }
        }
        ActionKind::Acknowledge
        | ActionKind::Return
        | ActionKind::Accept
        | ActionKind::NotAccept
        | ActionKind::Resolve => {
            let Some(unit) = actor.unit() else {
                return Err(Refusal::UnitOnly { action: kind });
            };
            match &current.unit {
                Some(assigned) if assigned == unit => {}
                Some(assigned) => {
                    return Err(Refusal::NotYourItem {
                        action: kind,
                        unit: unit.to_owned(),
                        assigned: assigned.clone(),
                    });
                }
                None => return Err(wrong_state()),
            }
        }
        ActionKind::Escalate => {
            if matches!(actor, Actor::Unit { .. }) {
                return Err(Refusal::DispatcherOnly { action: kind });
            }
        }
        // The unit answers the platform; the dispatcher may do it for the unit.
        ActionKind::Feedback => {
            if let (Some(unit), Some(assigned)) = (actor.unit(), &current.unit)
                && unit != assigned
            {
                return Err(Refusal::NotYourItem {
                    action: kind,
                    unit: unit.to_owned(),
                    assigned: assigned.clone(),
                });
            }
        }
    }
    let mut next = current.clone();
    match action {
        Action::Assign { to_unit } => {
            if blank(to_unit) {
                return Err(Refusal::Missing {
                    action: kind,
                    what: "the unit to assign to",
                });
            }
            if !matches!(current.state, S::Received | S::Returned) {
                return Err(wrong_state());
            }
            next.state = S::Assigned;
            next.unit = Some(to_unit.trim().to_owned());
        }
        Action::Transfer { to_unit } => {
            if blank(to_unit) {
                return Err(Refusal::Missing {
                    action: kind,
                    what: "the unit to transfer to",
                });
            }
            if !matches!(current.state, S::Assigned | S::Acknowledged | S::Returned) {
                return Err(wrong_state());
            }
            if current.unit.as_deref() == Some(to_unit.trim()) && current.state != S::Returned {
                return Err(Refusal::SameUnit(to_unit.trim().to_owned()));
            }
            next.state = S::Assigned;
            next.unit = Some(to_unit.trim().to_owned());
        }
        Action::Acknowledge => {
            if current.state != S::Assigned {
                return Err(wrong_state());
            }
            next.state = S::Acknowledged;
        }
        Action::Return { reason } => {
            if blank(reason) {
                return Err(Refusal::Missing {
                    action: kind,
                    what: "a reason (why the item is outside the unit's remit)",
                });
            }
            if !matches!(current.state, S::Assigned | S::Acknowledged) {
                return Err(wrong_state());
            }
            next.state = S::Returned;
        }
        Action::Accept => {
            if current.state != S::Acknowledged {
                return Err(wrong_state());
            }
            next.state = S::Accepted;
        }
        Action::NotAccept { .. } => {
            if current.state != S::Acknowledged {
                return Err(wrong_state());
            }
            next.state = S::NotAccepted;
        }
        Action::Resolve { result } => {
            if blank(result) {
                return Err(Refusal::Missing {
                    action: kind,
                    what: "the result (办结情况)",
                });
            }
            if current.state != S::Accepted {
                return Err(wrong_state());
            }
            next.state = S::Resolved;
        }
        Action::Escalate => {
            if !current.state.is_open() {
                return Err(wrong_state());
            }
            if current.escalation >= 2 {
                return Err(Refusal::FullyEscalated);
            }
            next.escalation += 1;
        }
        Action::Feedback { suggestion } => {
            if blank(suggestion) {
                return Err(Refusal::Missing {
                    action: kind,
                    what: "the feedback (反馈意见)",
                });
            }
            if !matches!(current.state, S::Resolved | S::NotAccepted) {
                return Err(wrong_state());
            }
            next.state = S::FeedbackSent;
        }
    }
    Ok(next)
}

/// What a milestone is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    Sign,
    Accept,
    FilingDecision,
    Resolve,
}

impl DueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DueKind::Sign => "sign",
            DueKind::Accept => "accept",
            DueKind::FilingDecision => "filing_decision",
            DueKind::Resolve => "resolve",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            DueKind::Sign => "签收",
            DueKind::Accept => "受理决定",
            DueKind::FilingDecision => "立案决定",
            DueKind::Resolve => "办结",
        }
    }
}

impl std::str::FromStr for DueKind {
    type Err = String;

    fn from_str(s: &str) -> Result<DueKind, String> {
        [
            DueKind::Sign,
            DueKind::Accept,
            DueKind::FilingDecision,
            DueKind::Resolve,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| {
            format!("`{s}` is not a complaint deadline (sign, accept, filing_decision, resolve)")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dispatcher() -> Actor {
        Actor::Dispatcher {
            name: "王某".into(),
        }
    }

    fn unit(id: &str) -> Actor {
        Actor::Unit {
            unit_id: id.into(),
            name: "李某".into(),
        }
    }

    fn received() -> Standing {
        Standing {
            state: ComplaintState::Received,
            unit: None,
            escalation: 0,
        }
    }

    fn run(steps: &[(Action, Actor)]) -> Result<Standing, Refusal> {
        let mut s = received();
        for (action, actor) in steps {
            s = apply(&s, action, actor)?;
        }
        Ok(s)
    }

    fn assign(to: &str) -> Action {
        Action::Assign { to_unit: to.into() }
    }

    #[test]
    fn the_whole_way_through() {
        let s = run(&[
            (assign("U1"), dispatcher()),
            (Action::Acknowledge, unit("U1")),
            (Action::Accept, unit("U1")),
            (
                Action::Resolve {
                    result: "已调解".into(),
                },
                unit("U1"),
            ),
            (
                Action::Feedback {
                    suggestion: "已办结".into(),
                },
                unit("U1"),
            ),
        ])
        .unwrap();
        assert_eq!(s.state, ComplaintState::FeedbackSent);
        assert_eq!(s.unit.as_deref(), Some("U1"));
    }

    #[test]
    fn a_unit_may_not_transfer_onward() {
        let s = run(&[
            (assign("U1"), dispatcher()),
            (Action::Acknowledge, unit("U1")),
        ])
        .unwrap();
        let refused = apply(
            &s,
            &Action::Transfer {
                to_unit: "U2".into(),
            },
            &unit("U1"),
        );
        assert_eq!(
            refused,
            Err(Refusal::DispatcherOnly {
                action: ActionKind::Transfer
            })
        );
        assert!(refused.unwrap_err().to_string().contains("第二十九条"));
        let moved = apply(
            &s,
            &Action::Transfer {
                to_unit: "U2".into(),
            },
            &dispatcher(),
        )
        .unwrap();
        assert_eq!(
            (moved.state, moved.unit.as_deref()),
            (ComplaintState::Assigned, Some("U2"))
        );
    }

    #[test]
    fn a_return_needs_a_reason_and_goes_back_to_the_dispatcher() {
        let s = run(&[(assign("U1"), dispatcher())]).unwrap();
        let blank = apply(
            &s,
            &Action::Return {
                reason: "  ".into(),
            },
            &unit("U1"),
        );
        assert!(matches!(blank, Err(Refusal::Missing { .. })), "{blank:?}");
        let back = apply(
            &s,
            &Action::Return {
                reason: "不属于本单位职责".into(),
            },
            &unit("U1"),
        )
        .unwrap();
        assert_eq!(back.state, ComplaintState::Returned);
        let again = apply(&back, &assign("U3"), &dispatcher()).unwrap();
        assert_eq!(again.unit.as_deref(), Some("U3"));
    }

    #[test]
    fn only_the_assigned_unit_handles_the_item() {
        let s = run(&[(assign("U1"), dispatcher())]).unwrap();
        assert!(matches!(
            apply(&s, &Action::Acknowledge, &unit("U2")),
            Err(Refusal::NotYourItem { .. })
        ));
        assert!(matches!(
            apply(&s, &Action::Acknowledge, &dispatcher()),
            Err(Refusal::UnitOnly { .. })
        ));
        assert!(matches!(
            apply(&s, &Action::Accept, &unit("U1")),
            Err(Refusal::WrongState { .. })
        ));
    }

    #[test]
    fn escalation_goes_to_supervision_and_stops() {
        let mut s = run(&[(assign("U1"), dispatcher())]).unwrap();
        s = apply(&s, &Action::Escalate, &dispatcher()).unwrap();
        s = apply(&s, &Action::Escalate, &dispatcher()).unwrap();
        assert_eq!((s.state, s.escalation), (ComplaintState::Assigned, 2));
        assert_eq!(
            apply(&s, &Action::Escalate, &dispatcher()),
            Err(Refusal::FullyEscalated)
        );
    }

    #[test]
    fn refusing_a_complaint_names_a_statutory_ground() {
        assert_eq!(
            "over_3_years".parse::<NonAcceptGround>(),
            Ok(NonAcceptGround::Over3Years)
        );
        assert!("dislike".parse::<NonAcceptGround>().is_err());
        let s = run(&[
            (assign("U1"), dispatcher()),
            (Action::Acknowledge, unit("U1")),
            (
                Action::NotAccept {
                    ground: NonAcceptGround::OutsideRemit,
                },
                unit("U1"),
            ),
        ])
        .unwrap();
        assert!(!s.state.is_open());
    }
}
