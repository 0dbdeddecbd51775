//! `{"token": "<ticket hex>"}`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The login request body. `token` is optional here so that a server can tell "no token" from "not
/// JSON" and say which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest<'a> {
    #[serde(borrow)]
    pub token: Option<Cow<'a, str>>,
}

impl<'a> LoginRequest<'a> {
    pub fn new(token: &'a str) -> Self {
        LoginRequest {
            token: Some(Cow::Borrowed(token)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_tells_missing_from_wrong() {
        let json = serde_json::to_string(&LoginRequest::new("1400")).unwrap();
        assert_eq!(json, r#"{"token":"1400"}"#);
        let back: LoginRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(back.token.as_deref(), Some("1400"));
        let none: LoginRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(none.token, None);
        assert!(serde_json::from_str::<LoginRequest>(r#"{"token": 5}"#).is_err());
        assert!(
            serde_json::from_str::<LoginRequest>(r#"{"token":"a","token":"b"}"#).is_err(),
            "a duplicated key is refused, not last-wins"
        );
    }
}
