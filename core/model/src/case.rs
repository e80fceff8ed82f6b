//! Supervision cases (监督案件): the current findings one unit must rectify, gathered so the
//! legal-affairs office can notify the unit and follow the rectification.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Opened by a sweep; the unit has not been told yet.
    Open,
    /// The unit has been notified.
    Notified,
    /// The unit is rectifying.
    Rectifying,
    /// Done.
    Closed,
}

impl CaseState {
    pub const ALL: [CaseState; 4] = [
        CaseState::Open,
        CaseState::Notified,
        CaseState::Rectifying,
        CaseState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Open => "open",
            CaseState::Notified => "notified",
            CaseState::Rectifying => "rectifying",
            CaseState::Closed => "closed",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            CaseState::Open => "待通知",
            CaseState::Notified => "已通知",
            CaseState::Rectifying => "整改中",
            CaseState::Closed => "已办结",
        }
    }

    /// The moves allowed: forward one step, or to closed from any open state (all findings
    /// dismissed or resolved); a closed case stays closed (a new one opens instead).
    pub fn can_move_to(self, next: CaseState) -> bool {
        matches!(
            (self, next),
            (CaseState::Open, CaseState::Notified)
                | (CaseState::Notified, CaseState::Rectifying)
                | (
                    CaseState::Open | CaseState::Notified | CaseState::Rectifying,
                    CaseState::Closed
                )
        )
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| {
                format!("unknown case state `{s}`; expected open, notified, rectifying or closed")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_forward_or_to_closed_only() {
        assert!(CaseState::Open.can_move_to(CaseState::Notified));
        assert!(CaseState::Notified.can_move_to(CaseState::Rectifying));
        assert!(CaseState::Rectifying.can_move_to(CaseState::Closed));
        assert!(CaseState::Open.can_move_to(CaseState::Closed));
        assert!(!CaseState::Open.can_move_to(CaseState::Rectifying));
        assert!(!CaseState::Closed.can_move_to(CaseState::Open));
        assert!(!CaseState::Rectifying.can_move_to(CaseState::Notified));
    }
}
