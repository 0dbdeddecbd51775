//! `{"token": "<ticket hex>"}` or `{"encryptedTicket": "<encrypted app ticket hex>"}`, and the
//! nonce an encrypted app ticket carries.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The login request body: a Steam auth ticket (`token`) or an encrypted app ticket. Both are
/// optional here so that a server can tell "no ticket" from "not JSON" and say which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest<'a> {
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Cow<'a, str>>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub encrypted_ticket: Option<Cow<'a, str>>,
}

impl<'a> LoginRequest<'a> {
    pub fn new(token: &'a str) -> Self {
        LoginRequest {
            token: Some(Cow::Borrowed(token)),
            encrypted_ticket: None,
        }
    }

    pub fn encrypted(ticket_hex: &'a str) -> Self {
        LoginRequest {
            token: None,
            encrypted_ticket: Some(Cow::Borrowed(ticket_hex)),
        }
    }
}

/// `POST /api/v1/auth/provider/steam/nonce`'s answer: a one-use value for the game to pass as its
/// encrypted app ticket's data, which the login then requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Nonce {
    pub nonce: String,
    /// Seconds within which a ticket holding it must be issued and posted.
    pub expires_in: u64,
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
        let encrypted = serde_json::to_string(&LoginRequest::encrypted("0801")).unwrap();
        assert_eq!(encrypted, r#"{"encryptedTicket":"0801"}"#);
        let back: LoginRequest = serde_json::from_str(&encrypted).unwrap();
        assert_eq!(
            (back.token, back.encrypted_ticket.as_deref()),
            (None, Some("0801"))
        );
        assert!(serde_json::from_str::<LoginRequest>(r#"{"token": 5}"#).is_err());
        assert!(
            serde_json::from_str::<LoginRequest>(r#"{"token":"a","token":"b"}"#).is_err(),
            "a duplicated key is refused, not last-wins"
        );
    }
}
