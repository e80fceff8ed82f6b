//! `SweepStatus`: where a sweep stands. Only one sweep is `running` at a time (the store
//! enforces it with a unique index); a sweep leaves `running` once, to `completed` when its
//! last batch is done or to `abandoned` when a person gives it up.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepStatus {
    Running,
    Completed,
    /// Given up with `jiandu sweep --abandon` (a run that failed or was killed with a rule
    /// set no longer wanted). Its done batches' findings stay; the next sweep judges all.
    Abandoned,
}

impl SweepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SweepStatus::Running => "running",
            SweepStatus::Completed => "completed",
            SweepStatus::Abandoned => "abandoned",
        }
    }

    /// Whether a sweep may move from `self` to `to`.
    pub fn can_move_to(self, to: SweepStatus) -> bool {
        self == SweepStatus::Running && to != SweepStatus::Running
    }
}

impl fmt::Display for SweepStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SweepStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<SweepStatus, String> {
        match s {
            "running" => Ok(SweepStatus::Running),
            "completed" => Ok(SweepStatus::Completed),
            "abandoned" => Ok(SweepStatus::Abandoned),
            other => Err(format!("`{other}` is not a sweep status")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SweepStatus::*;

    #[test]
    fn a_sweep_leaves_running_once() {
        assert!(Running.can_move_to(Completed));
        assert!(Running.can_move_to(Abandoned));
        assert!(!Completed.can_move_to(Abandoned));
        assert!(!Abandoned.can_move_to(Running));
        for s in [Running, Completed, Abandoned] {
            assert_eq!(s.as_str().parse::<super::SweepStatus>(), Ok(s));
        }
    }
}
