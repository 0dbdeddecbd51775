//! What the server writes: the login response, and the answer to a session check.

use serde::{Deserialize, Serialize};

/// The response of ../shared/spec/login-endpoint.md, in its field order. A typed struct serializes
/// straight into the response buffer, where a `json!` value built a map of maps per login first.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionBody<'a> {
    preferred_language: &'static str,
    friends_first_sync: SteamFlag,
    fixed_my_friends_user_platform_id: SteamFlag,
    id: &'a str,
    provider: Provider<'a>,
    providers: [ProviderEntry<'a>; 1],
    friends: &'a [Friend],
    trigger_results: TriggerResults,
    token_id: &'a str,
    generated: i64,
    expire: i64,
    user_id: &'a str,
    token: &'a str,
}

#[derive(Serialize)]
struct SteamFlag {
    steam: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Provider<'a> {
    provider_id: &'a str,
    provider_name: &'static str,
    user_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProviderEntry<'a> {
    provider_name: &'static str,
    provider_id: &'a str,
}

/// One of the player's Steam friends who is also a user of this game (`--sync-friends`).
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
            provider_name: "steam".into(),
            provider_id: steam_id.to_string(),
        }
    }
}

#[derive(Serialize)]
struct TriggerResults {
    success: [(); 0],
    error: [(); 0],
}

impl<'a> SessionBody<'a> {
    pub fn new(
        user_id: &'a str,
        steam_id: &'a str,
        token: &'a str,
        generated: i64,
        expire: i64,
    ) -> Self {
        SessionBody {
            preferred_language: "en",
            friends_first_sync: SteamFlag { steam: true },
            fixed_my_friends_user_platform_id: SteamFlag { steam: true },
            id: user_id,
            provider: Provider {
                provider_id: steam_id,
                provider_name: "steam",
                user_id,
            },
            providers: [ProviderEntry {
                provider_name: "steam",
                provider_id: steam_id,
            }],
            friends: &[],
            trigger_results: TriggerResults {
                success: [],
                error: [],
            },
            token_id: token,
            generated,
            expire,
            user_id,
            token,
        }
    }

    /// The player's friends who play this game, and whether the first sync of their Steam friends
    /// has happened (`friendsFirstSync.steam`).
    pub fn with_friends(mut self, friends: &'a [Friend], first_sync_done: bool) -> Self {
        self.friends = friends;
        self.friends_first_sync = SteamFlag {
            steam: first_sync_done,
        };
        self
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
    use crate::Session;

    #[test]
    fn what_the_server_writes_the_client_reads() {
        let json = serde_json::to_vec(&SessionBody::new("u-1", "76561198000000001", "t-1", 10, 20))
            .unwrap();
        let session = Session::from_json(&json).unwrap();
        assert_eq!(session.user_id, "u-1");
        assert_eq!(session.token, "t-1");
        assert_eq!(session.token_id, "t-1");
        assert_eq!((session.generated, session.expire), (10, 20));
        assert_eq!(session.provider.provider_id, "76561198000000001");
        assert_eq!(session.providers[0].provider_name, "steam");
    }
}
