//! The one error shape the UI sees: `{ code, message }`, with the core's stable codes.

use serde::Serialize;
use warden_core::CoreError;

/// An error as the UI gets it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    /// A stable code (`CoreError::code`, or one of this shell's own).
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

impl ApiError {
    /// An error of this shell.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<warden_audit::AuditError> for ApiError {
    fn from(e: warden_audit::AuditError) -> Self {
        CoreError::from(e).into()
    }
}

impl From<tauri::Error> for ApiError {
    fn from(e: tauri::Error) -> Self {
        Self::new("internal", e.to_string())
    }
}

/// What a command returns.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_stable_code() {
        let e: ApiError = CoreError::Internal("disk on fire".into()).into();
        assert_eq!(e.code, "internal");
        assert_eq!(e.message, "disk on fire");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "internal");
    }
}
