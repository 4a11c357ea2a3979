//! The crate's error type.

use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuardErrorKind {
    /// The policy file does not parse or has out-of-range values.
    Policy,
    /// A rule file does not parse or a pattern does not compile.
    Rules,
    /// An evaluation set line does not parse.
    EvalSet,
}

/// An error from building a guard or reading its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardError {
    kind: GuardErrorKind,
    message: String,
}

impl GuardError {
    /// A new error.
    pub fn new(kind: GuardErrorKind, message: impl Into<String>) -> GuardError {
        GuardError {
            kind,
            message: message.into(),
        }
    }

    /// The kind of error.
    pub fn kind(&self) -> GuardErrorKind {
        self.kind
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for GuardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            GuardErrorKind::Policy => "invalid guard policy",
            GuardErrorKind::Rules => "invalid guard rules",
            GuardErrorKind::EvalSet => "invalid evaluation set",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

impl std::error::Error for GuardError {}

impl From<crate::rules::RuleError> for GuardError {
    fn from(e: crate::rules::RuleError) -> Self {
        GuardError::new(GuardErrorKind::Rules, e.to_string())
    }
}
