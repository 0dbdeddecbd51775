//! The login response of `shared/spec/login-endpoint.md`, typed.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A game session. Strict on what a game needs (userId, token, expire, provider.providerId), tolerant
/// of extra fields; `generated`/`expire` may be integers or numeric strings (the spec shows both).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub user_id: String,
    pub token: String,
    #[serde(deserialize_with = "unix_time")]
    pub expire: i64,
    pub provider: Provider,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub token_id: String,
    #[serde(default, deserialize_with = "unix_time")]
    pub generated: i64,
    #[serde(default)]
    pub preferred_language: String,
    #[serde(default)]
    pub providers: Vec<ProviderRef>,
    #[serde(default)]
    pub friends: Vec<Value>,
    #[serde(default)]
    pub trigger_results: Value,
    #[serde(default)]
    pub friends_first_sync: Value,
    #[serde(default)]
    pub fixed_my_friends_user_platform_id: Value,
    /// The JSON exactly as received.
    #[serde(skip)]
    pub raw: Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    /// The SteamID64, as a string.
    pub provider_id: String,
    #[serde(default)]
    pub provider_name: String,
    #[serde(default)]
    pub user_id: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderRef {
    pub provider_id: String,
    #[serde(default)]
    pub provider_name: String,
}

/// The fields a session cannot do without.
const REQUIRED: [(&str, &str); 4] = [
    ("/userId", "userId"),
    ("/token", "token"),
    ("/expire", "expire"),
    ("/provider/providerId", "provider.providerId"),
];

impl Session {
    /// Parses a response body; on failure, names every missing required field.
    pub fn from_json(body: &[u8]) -> Result<Session, String> {
        let raw: Value =
            serde_json::from_slice(body).map_err(|e| format!("the response is not JSON: {e}"))?;
        let missing: Vec<&str> = REQUIRED
            .iter()
            .filter(|(pointer, _)| raw.pointer(pointer).is_none_or(Value::is_null))
            .map(|(_, name)| *name)
            .collect();
        if !missing.is_empty() {
            return Err(format!("the response lacks {}", missing.join(", ")));
        }
        let mut session: Session = serde_json::from_value(raw.clone())
            .map_err(|e| format!("the response does not fit the spec: {e}"))?;
        session.raw = raw;
        Ok(session)
    }

    /// Seconds until `expire`, from `now` (Unix seconds); negative once expired.
    pub fn seconds_left(&self, now: i64) -> i64 {
        self.expire - now
    }
}

fn unix_time<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| serde::de::Error::custom("time is not an integer")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("time {s:?} is not a number"))),
        other => Err(serde::de::Error::custom(format!(
            "time must be a number, got {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_EXAMPLE: &str = r#"{
      "preferredLanguage": "en",
      "friendsFirstSync": { "steam": true },
      "fixedMyFriendsUserPlatformId": { "steam": true },
      "id": "xx000x00-x000-00x0-x0xx-x0000000000x",
      "provider": {
        "providerId": "00000000000000000",
        "providerName": "steam",
        "userId": "xx000x00-x000-00x0-x0xx-x0000000000x"
      },
      "providers": [ { "providerName": "steam", "providerId": "00000000000000000" } ],
      "friends": [],
      "triggerResults": { "success": [], "error": [] },
      "tokenId": "0x0000x0-00x0-0xxx-00x0-x00x0x000x0x",
      "generated": 1686327828,
      "expire": 1686414228,
      "userId": "xx000x00-x000-00x0-x0xx-x0000000000x",
      "token": "0x0000x0-00x0-0xxx-00x0-x00x0x000x0x"
    }"#;

    #[test]
    fn the_spec_example_parses() {
        let s = Session::from_json(SPEC_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(s.user_id, "xx000x00-x000-00x0-x0xx-x0000000000x");
        assert_eq!(s.token, "0x0000x0-00x0-0xxx-00x0-x00x0x000x0x");
        assert_eq!((s.generated, s.expire), (1686327828, 1686414228));
        assert_eq!(s.provider.provider_id, "00000000000000000");
        assert_eq!(s.providers[0].provider_name, "steam");
        assert_eq!(s.seconds_left(1686414220), 8);
        assert_eq!(s.raw["friendsFirstSync"]["steam"], true);
    }

    #[test]
    fn numeric_strings_and_extra_fields_are_accepted() {
        let body = r#"{"userId":"u","token":"t","expire":"1700000000","generated":"1699913600",
                       "provider":{"providerId":"7656"},"somethingNew":[1,2]}"#;
        let s = Session::from_json(body.as_bytes()).unwrap();
        assert_eq!((s.generated, s.expire), (1699913600, 1700000000));
        assert_eq!(s.raw["somethingNew"][1], 2);
    }

    #[test]
    fn missing_fields_are_named() {
        let err = Session::from_json(br#"{"userId":"u","provider":{}}"#).unwrap_err();
        assert_eq!(err, "the response lacks token, expire, provider.providerId");
        assert!(Session::from_json(b"<html>")
            .unwrap_err()
            .contains("not JSON"));
        let err = Session::from_json(
            br#"{"userId":"u","token":"t","expire":"soon","provider":{"providerId":"1"}}"#,
        )
        .unwrap_err();
        assert!(err.contains("\"soon\" is not a number"), "{err}");
    }
}
