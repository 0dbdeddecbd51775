//! `--sync-friends`: the player's Steam friends who also play this game, for the login response.
//!
//! The whole Steam friend list is stored (`GetFriendList`, one Web API call counted against the
//! quota) on a player's first login and again at most every `--friends-sync-interval-secs`; each
//! response then lists those of them who are users, so a friend who starts playing later appears
//! without another call. A private friend list is an empty one. Steam being slow or failing never
//! fails a login or holds it longer than one upstream timeout: the login goes on with what is stored.

use std::time::Duration;

use steam_login_protocol::Friend;
use steam_ticket::{Clock, SystemClock};

use crate::state::AppState;
use crate::steam::web_api::{FriendList, Upstream};

/// What a session response says about friends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Friends {
    pub list: Vec<Friend>,
    /// `friendsFirstSync.steam`: the player's Steam friends have been stored at least once (always
    /// true without `--sync-friends`, as the spec's fixed value).
    pub first_sync_done: bool,
}

impl Friends {
    /// Without `--sync-friends`: no friends, and the spec's fixed `friendsFirstSync`.
    fn off() -> Self {
        Friends {
            list: Vec::new(),
            first_sync_done: true,
        }
    }
}

/// The friends for a login of `steam_id`, syncing them with Steam first when due.
pub async fn friends_of(state: &AppState, steam_id: u64) -> Friends {
    if !state.config.sync_friends {
        return Friends::off();
    }
    let now = SystemClock.unix_now() as i64;
    let synced = match state.store.friends_synced_at(steam_id).await {
        Ok(synced) => synced,
        Err(e) => {
            tracing::warn!("cannot read when a player's friends were synced: {e}");
            None
        }
    };
    let interval = state.config.friends_sync_interval_secs as i64;
    let due = synced.is_none_or(|at| now - at >= interval);
    let mut first_sync_done = synced.is_some();
    if due && sync(state, steam_id, now).await {
        first_sync_done = true;
    }
    Friends {
        list: stored_friends(state, steam_id).await,
        first_sync_done,
    }
}

/// The stored friends of `steam_id` who are users (no Steam call): for refreshed sessions too.
pub async fn stored_friends(state: &AppState, steam_id: u64) -> Vec<Friend> {
    if !state.config.sync_friends {
        return Vec::new();
    }
    match state.store.friend_users(steam_id).await {
        Ok(users) => users
            .into_iter()
            .map(|(user_id, friend)| Friend::steam(user_id, friend))
            .collect(),
        Err(e) => {
            tracing::warn!("cannot read a player's friends: {e}");
            Vec::new()
        }
    }
}

/// Asks Steam for `steam_id`'s friends and stores them; false when Steam gave no list in time.
async fn sync(state: &AppState, steam_id: u64, now: i64) -> bool {
    let Some(steam) = &state.steam else {
        tracing::debug!("no Web API key: friends are not synced");
        return false;
    };
    let limit = Duration::from_millis(state.config.upstream_timeout_ms);
    let asked = tokio::time::timeout(
        limit,
        steam.friends(steam_id, &*state.metrics, &*state.quota),
    )
    .await;
    let friends = match asked {
        Ok(Ok(Upstream::Answer(FriendList::Friends(friends)))) => friends,
        Ok(Ok(Upstream::Answer(FriendList::Private))) => Vec::new(),
        Ok(Ok(other)) => {
            tracing::warn!(steam_id, "friends not synced: {}", describe(&other));
            return false;
        }
        Ok(Err(refusal)) => {
            tracing::warn!(steam_id, "friends not synced: {refusal:?}");
            return false;
        }
        Err(_) => {
            tracing::warn!(steam_id, "friends not synced: Steam did not answer in time");
            return false;
        }
    };
    match state.store.replace_friends(steam_id, friends, now).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("cannot store a player's friends: {e}");
            false
        }
    }
}

fn describe<T>(answer: &Upstream<T>) -> String {
    match answer {
        Upstream::Answer(_) => "answered".into(),
        Upstream::BadKey => "Steam rejected the server's Web API key".into(),
        Upstream::Throttled { .. } => "Steam is throttling this server".into(),
        Upstream::Timeout => "Steam did not answer in time".into(),
        Upstream::Fault(fault) => fault.to_string(),
    }
}
