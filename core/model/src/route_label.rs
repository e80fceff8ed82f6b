//! When a dispatcher's hand teaches routing: an assignment or transfer a person (not the
//! router) made is a labelled example of where such an item belongs, and why it was made says
//! how much it teaches.

use serde::{Deserialize, Serialize};

use crate::complaint::{Action, Actor, ComplaintState};

/// Why a dispatcher's assignment is an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelSource {
    /// The router chose another unit and the dispatcher moved the item.
    Reroute,
    /// A unit returned the item (退回) and the dispatcher, accepting that, sent it on.
    Return,
    /// The router could not place the item and the dispatcher did.
    Queue,
    /// The dispatcher sent the item by hand to the unit the router had chosen.
    Confirm,
}

impl LabelSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LabelSource::Reroute => "reroute",
            LabelSource::Return => "return",
            LabelSource::Queue => "queue",
            LabelSource::Confirm => "confirm",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            LabelSource::Reroute => "改派",
            LabelSource::Return => "退回后改派",
            LabelSource::Queue => "人工派单",
            LabelSource::Confirm => "人工确认",
        }
    }
}

impl std::str::FromStr for LabelSource {
    type Err = String;

    fn from_str(s: &str) -> Result<LabelSource, String> {
        [
            LabelSource::Reroute,
            LabelSource::Return,
            LabelSource::Queue,
            LabelSource::Confirm,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| {
            format!("`{s}` is not a routing label source (reroute, return, queue, confirm)")
        })
    }
}

/// Whether `action` by `actor` on an item in state `before`, which the router had sent to
/// `routed_unit`, is a labelled example, and of what kind. Only a person at the dispatching
/// body teaches: the router's own assignment and a unit's actions do not.
pub fn label_source(
    action: &Action,
    actor: &Actor,
    before: ComplaintState,
    routed_unit: Option<&str>,
) -> Option<LabelSource> {
    let (Action::Assign { to_unit } | Action::Transfer { to_unit }) = action else {
        return None;
    };
    if !matches!(actor, Actor::Dispatcher { .. }) {
        return None;
    }
    Some(match routed_unit {
        _ if before == ComplaintState::Returned => LabelSource::Return,
        None => LabelSource::Queue,
        Some(routed) if routed != to_unit.trim() => LabelSource::Reroute,
        Some(_) => LabelSource::Confirm,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Actor {
        Actor::Dispatcher {
            name: "王某".into(),
        }
    }

    #[test]
    fn only_a_person_at_the_dispatching_body_teaches() {
        let to = |u: &str| Action::Transfer { to_unit: u.into() };
        let assign = Action::Assign {
            to_unit: "441802-sthj".into(),
        };
        for (action, actor, before, routed, expect) in [
            (
                &assign,
                person(),
                ComplaintState::Received,
                None,
                Some(LabelSource::Queue),
            ),
            (
                &assign,
                person(),
                ComplaintState::Received,
                Some("441802-scjg"),
                Some(LabelSource::Reroute),
            ),
            (
                &assign,
                person(),
                ComplaintState::Received,
                Some("441802-sthj"),
                Some(LabelSource::Confirm),
            ),
            (
                &assign,
                person(),
                ComplaintState::Returned,
                Some("441802-scjg"),
                Some(LabelSource::Return),
            ),
            (
                &to("441802-sthj"),
                person(),
                ComplaintState::Acknowledged,
                Some("441802-scjg"),
                Some(LabelSource::Reroute),
            ),
            (
                &assign,
                Actor::System {
                    name: "routing".into(),
                },
                ComplaintState::Received,
                None,
                None,
            ),
            (
                &Action::Acknowledge,
                person(),
                ComplaintState::Assigned,
                None,
                None,
            ),
        ] {
            assert_eq!(
                label_source(action, &actor, before, routed),
                expect,
                "{action:?} {before:?} {routed:?}"
            );
        }
        assert_eq!("return".parse::<LabelSource>(), Ok(LabelSource::Return));
    }
}
