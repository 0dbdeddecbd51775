//! `{"error": {"code", "message"}}`: the one shape of every error answer.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::{ErrorCode, ReceivedCode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody<'a> {
    #[serde(borrow)]
    pub error: ErrorDetail<'a>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail<'a> {
    /// Stable and machine-readable: an [`ErrorCode`]'s wire string (a newer server may send one
    /// this version does not know; [`ErrorDetail::received_code`] keeps it).
    #[serde(borrow)]
    pub code: Cow<'a, str>,
    /// For people; never holds a ticket, a token or a key.
    #[serde(borrow)]
    pub message: Cow<'a, str>,
}

impl<'a> ErrorBody<'a> {
    pub fn new(code: ErrorCode, message: &'a str) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code: Cow::Borrowed(code.as_str()),
                message: Cow::Borrowed(message),
            },
        }
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            format!(
                r#"{{"error":{{"code":"{}","message":""}}}}"#,
                ErrorCode::Internal
            )
        })
    }
}

impl ErrorDetail<'_> {
    pub fn received_code(&self) -> ReceivedCode {
        ReceivedCode::parse(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape() {
        let body = ErrorBody::new(ErrorCode::RateLimited, "slow \"down\"");
        assert_eq!(
            body.to_json(),
            r#"{"error":{"code":"rate_limited","message":"slow \"down\""}}"#
        );
        let json = body.to_json();
        let back: ErrorBody = serde_json::from_str(&json).unwrap();
        assert_eq!(back, body);
        assert_eq!(back.error.received_code(), ErrorCode::RateLimited);
    }
}
