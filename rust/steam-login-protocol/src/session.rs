//! The login response of `shared/spec/login-endpoint.md` (also the refresh response): one type that
//! the server writes, borrowing its strings, and the clients read, owning theirs.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// A game session, in the spec's field order. Reading is strict on what a game needs (userId, token,
/// expire, provider.providerId) and tolerant of the rest: `generated`/`expire` may be integers or
/// numeric strings (the spec shows both), and fields this version does not know are kept in
/// `unknown` and written back out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session<'a> {
    #[serde(default = "english")]
    pub preferred_language: Cow<'a, str>,
    #[serde(default)]
    pub friends_first_sync: SteamFlag,
    #[serde(default)]
    pub fixed_my_friends_user_platform_id: SteamFlag,
    /// The user id again, as the spec's top-level `id`.
    #[serde(default)]
    pub id: Cow<'a, str>,
    pub provider: Provider<'a>,
    #[serde(default)]
    pub providers: Vec<ProviderRef<'a>>,
    /// The player's Steam friends who also play the game (`--sync-friends`).
    #[serde(default)]
    pub friends: Cow<'a, [Friend]>,
    #[serde(default)]
    pub trigger_results: TriggerResults,
    /// The token's id (the spec makes it equal to the token).
    #[serde(default)]
    pub token_id: Cow<'a, str>,
    /// Unix time the session was issued.
    #[serde(default, deserialize_with = "unix_time")]
    pub generated: i64,
    /// Unix time the session expires.
    #[serde(deserialize_with = "unix_time")]
    pub expire: i64,
    /// The user's id on the game backend.
    pub user_id: Cow<'a, str>,
    /// The session token: `Authorization: Bearer <token>`.
    pub token: Cow<'a, str>,
    /// Fields of a newer server, as received.
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

/// `{"steam": bool}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SteamFlag {
    #[serde(default)]
    pub steam: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider<'a> {
    /// The SteamID64, as a string.
    pub provider_id: Cow<'a, str>,
    #[serde(default)]
    pub provider_name: Cow<'a, str>,
    #[serde(default)]
    pub user_id: Cow<'a, str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderRef<'a> {
    #[serde(default)]
    pub provider_name: Cow<'a, str>,
    pub provider_id: Cow<'a, str>,
}

/// One of the player's Steam friends who is also a user of this game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Friend {
    pub user_id: String,
    /// Always `"steam"`.
    pub provider_name: String,
    /// The friend's SteamID64, as a string.
    pub provider_id: String,
}

impl Friend {
    pub fn steam(user_id: String, steam_id: u64) -> Self {
        Friend {
            user_id,
            provider_name: STEAM.into(),
            provider_id: steam_id.to_string(),
        }
    }
}

/// The spec's `triggerResults`; this server runs no triggers, so both lists are empty.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TriggerResults {
    #[serde(default)]
    pub success: Vec<Value>,
    #[serde(default)]
    pub error: Vec<Value>,
}

const STEAM: &str = "steam";

fn english<'a>() -> Cow<'a, str> {
    Cow::Borrowed("en")
}

/// The fields a session cannot do without, by JSON pointer and by name.
const REQUIRED: [(&str, &str); 4] = [
    ("/userId", "userId"),
    ("/token", "token"),
    ("/expire", "expire"),
    ("/provider/providerId", "provider.providerId"),
];

impl<'a> Session<'a> {
    /// The session a server hands out for a Steam player, borrowing its strings.
    pub fn steam(
        user_id: &'a str,
        steam_id: &'a str,
        token: &'a str,
        generated: i64,
        expire: i64,
    ) -> Self {
        Session {
            preferred_language: english(),
            friends_first_sync: SteamFlag { steam: true },
            fixed_my_friends_user_platform_id: SteamFlag { steam: true },
            id: Cow::Borrowed(user_id),
            provider: Provider {
                provider_id: Cow::Borrowed(steam_id),
                provider_name: Cow::Borrowed(STEAM),
                user_id: Cow::Borrowed(user_id),
            },
            providers: vec![ProviderRef {
                provider_name: Cow::Borrowed(STEAM),
                provider_id: Cow::Borrowed(steam_id),
            }],
            friends: Cow::Borrowed(&[]),
            trigger_results: TriggerResults::default(),
            token_id: Cow::Borrowed(token),
            generated,
            expire,
            user_id: Cow::Borrowed(user_id),
            token: Cow::Borrowed(token),
            unknown: Map::new(),
        }
    }

    /// The player's friends who play this game, and whether the first sync of their Steam friends
    /// has happened (`friendsFirstSync.steam`).
    pub fn with_friends(mut self, friends: &'a [Friend], first_sync_done: bool) -> Self {
        self.friends = Cow::Borrowed(friends);
        self.friends_first_sync = SteamFlag {
            steam: first_sync_done,
        };
        self
    }

    /// Seconds until `expire`, from `now` (Unix seconds); negative once expired.
    pub fn seconds_left(&self, now: i64) -> i64 {
        self.expire - now
    }
}

impl Session<'static> {
    /// Parses a response body; on failure, names every missing required field.
    pub fn from_json(body: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(body).map_err(|error| {
            let Ok(value) = serde_json::from_slice::<Value>(body) else {
                return format!("the response is not JSON: {error}");
            };
            let missing: Vec<&str> = REQUIRED
                .iter()
                .filter(|(pointer, _)| value.pointer(pointer).is_none_or(Value::is_null))
                .map(|(_, name)| *name)
                .collect();
            if missing.is_empty() {
                format!("the response does not fit the spec: {error}")
            } else {
                format!("the response lacks {}", missing.join(", "))
            }
        })
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

/// `GET /api/v1/auth/session`: whose session a token is, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub user_id: String,
    /// The SteamID64, as a string.
    pub provider_id: String,
    pub generated: i64,
    pub expire: i64,
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
    fn the_spec_example_parses_and_is_written_back_as_it_came() {
        let s = Session::from_json(SPEC_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(s.user_id, "xx000x00-x000-00x0-x0xx-x0000000000x");
        assert_eq!(s.token, "0x0000x0-00x0-0xxx-00x0-x00x0x000x0x");
        assert_eq!((s.generated, s.expire), (1686327828, 1686414228));
        assert_eq!(s.provider.provider_id, "00000000000000000");
        assert_eq!(s.providers[0].provider_name, "steam");
        assert_eq!(s.seconds_left(1686414220), 8);
        assert!(s.friends_first_sync.steam);
        let written: Value = serde_json::to_value(&s).unwrap();
        let example: Value = serde_json::from_str(SPEC_EXAMPLE).unwrap();
        assert_eq!(written, example);
    }

    #[test]
    fn numeric_strings_and_a_newer_server_s_fields_are_kept() {
        let body = r#"{"userId":"u","token":"t","expire":"1700000000","generated":"1699913600",
                       "provider":{"providerId":"7656"},"somethingNew":[1,2]}"#;
        let s = Session::from_json(body.as_bytes()).unwrap();
        assert_eq!((s.generated, s.expire), (1699913600, 1700000000));
        assert_eq!(s.unknown["somethingNew"][1], 2);
        let written = serde_json::to_value(&s).unwrap();
        assert_eq!(written["somethingNew"][1], 2);
        assert_eq!(written["expire"], 1700000000);
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
        let err = Session::from_json(
            br#"{"userId":null,"token":"t","expire":1,"provider":{"providerId":"1"}}"#,
        )
        .unwrap_err();
        assert_eq!(err, "the response lacks userId");
    }

    #[test]
    fn what_the_server_writes_the_client_reads() {
        let friends = [Friend::steam("u-2".into(), 76561198000000002)];
        let written =
            Session::steam("u-1", "76561198000000001", "t-1", 10, 20).with_friends(&friends, false);
        let json = serde_json::to_vec(&written).unwrap();
        let read = Session::from_json(&json).unwrap();
        assert_eq!(read, written);
        assert_eq!(read.token_id, "t-1");
        assert_eq!(read.id, "u-1");
        assert_eq!(read.friends[0].provider_id, "76561198000000002");
        assert!(!read.friends_first_sync.steam);
        let text = String::from_utf8(json).unwrap();
        assert!(
            text.starts_with(r#"{"preferredLanguage":"en","friendsFirstSync":{"steam":false},"#),
            "the spec's field order: {text}"
        );
        assert!(text.ends_with(r#""userId":"u-1","token":"t-1"}"#), "{text}");
    }
}
