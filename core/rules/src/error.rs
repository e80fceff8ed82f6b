//! Errors of loading rule packs and profiles. Each names the file and, where it can, the line
//! and column.

use std::fmt;

/// A position in a rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum RuleError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{file}:{line}: metadata: {reason}")]
    Metadata {
        file: String,
        line: usize,
        reason: String,
    },
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
    #[error("profile {file}: {reason}")]
    Profile { file: String, reason: String },
    #[error("{file}: test cases: {reason}")]
    Cases { file: String, reason: String },
}

impl RuleError {
    pub fn file(&self) -> &str {
        match self {
            RuleError::Read { path, .. } => path,
            RuleError::Metadata { file, .. }
            | RuleError::Invalid { file, .. }
            | RuleError::Profile { file, .. }
            | RuleError::Cases { file, .. } => file,
            RuleError::Syntax { location, .. } => &location.file,
        }
    }
}
