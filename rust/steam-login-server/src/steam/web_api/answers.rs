//! The three endpoints' answers: what `AuthenticateUserTicket`, `CheckAppOwnership` and
//! `GetFriendList` say, read from their HTTP-200 bodies.

use serde::Deserialize;

use crate::metrics::AttemptResult;

use super::transport::Upstream;

/// What `AuthenticateUserTicket` said about a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketAnswer {
    Valid(Player),
    /// `{"response":{"error":{...}}}`.
    Rejected {
        code: i64,
        description: String,
    },
}

pub type SteamAnswer = Upstream<TicketAnswer>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Player {
    pub steam_id: u64,
    pub owner_steam_id: u64,
    pub vac_banned: bool,
    pub publisher_banned: bool,
}

/// A player's Steam friends, as `GetFriendList` gave them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FriendList {
    Friends(Vec<u64>),
    /// The profile's friend list is private (Steam answers 401): nobody to show.
    Private,
}

#[derive(Deserialize)]
struct Envelope {
    response: ResponseBody,
}

#[derive(Deserialize)]
struct ResponseBody {
    params: Option<Params>,
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct Params {
    result: String,
    steamid: String,
    ownersteamid: Option<String>,
    #[serde(default)]
    vacbanned: bool,
    #[serde(default)]
    publisherbanned: bool,
}

#[derive(Deserialize)]
struct ErrorBody {
    errorcode: i64,
    #[serde(default)]
    errordesc: String,
}

/// Parses `AuthenticateUserTicket`'s HTTP-200 body.
pub fn parse_answer(body: &[u8]) -> Result<(TicketAnswer, AttemptResult), String> {
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| format!("Steam's answer is not the expected JSON: {e}"))?;
    if let Some(error) = envelope.response.error {
        let rejected = TicketAnswer::Rejected {
            code: error.errorcode,
            description: error.errordesc,
        };
        return Ok((rejected, AttemptResult::SteamError));
    }
    let params = envelope
        .response
        .params
        .ok_or("Steam's answer has neither params nor error")?;
    if params.result != "OK" {
        return Err(format!("Steam's answer has result {:?}", params.result));
    }
    let parse_id = |s: &str| {
        s.parse::<u64>()
            .map_err(|_| format!("Steam's steamid {s:?} is not a number"))
    };
    let steam_id = parse_id(&params.steamid)?;
    let owner_steam_id = match params.ownersteamid.as_deref() {
        Some(owner) => parse_id(owner)?,
        None => steam_id,
    };
    let player = Player {
        steam_id,
        owner_steam_id,
        vac_banned: params.vacbanned,
        publisher_banned: params.publisherbanned,
    };
    Ok((TicketAnswer::Valid(player), AttemptResult::Ok))
}

#[derive(Deserialize)]
struct OwnershipEnvelope {
    appownership: Ownership,
}

#[derive(Deserialize)]
struct Ownership {
    ownsapp: bool,
    #[serde(default)]
    result: String,
}

#[derive(Deserialize)]
struct FriendsEnvelope {
    friendslist: FriendsBody,
}

#[derive(Deserialize)]
struct FriendsBody {
    #[serde(default)]
    friends: Vec<FriendEntry>,
}

#[derive(Deserialize)]
struct FriendEntry {
    steamid: String,
}

/// `{"friendslist":{"friends":[{"steamid":"…","relationship":"friend","friend_since":…}]}}`; an
/// account without friends gets `{"friendslist":{"friends":[]}}` or `{}`.
pub fn parse_friends(body: &[u8]) -> Result<(FriendList, AttemptResult), String> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| format!("Steam's friend list is not the expected JSON: {e}"))?;
    if value.as_object().is_some_and(|o| o.is_empty()) {
        return Ok((FriendList::Friends(Vec::new()), AttemptResult::Ok));
    }
    let envelope: FriendsEnvelope = serde_json::from_value(value)
        .map_err(|e| format!("Steam's friend list is not the expected JSON: {e}"))?;
    let friends = envelope
        .friendslist
        .friends
        .iter()
        .map(|f| {
            f.steamid
                .parse::<u64>()
                .map_err(|_| format!("Steam's friend steamid {:?} is not a number", f.steamid))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((FriendList::Friends(friends), AttemptResult::Ok))
}

/// Parses `CheckAppOwnership`'s HTTP-200 body: whether the user owns the app.
pub fn parse_ownership(body: &[u8]) -> Result<(bool, AttemptResult), String> {
    let envelope: OwnershipEnvelope = serde_json::from_slice(body)
        .map_err(|e| format!("Steam's ownership answer is not the expected JSON: {e}"))?;
    let ownership = envelope.appownership;
    if ownership.result != "OK" {
        return Err(format!(
            "Steam's ownership answer has result {:?}",
            ownership.result
        ));
    }
    Ok((ownership.ownsapp, AttemptResult::Ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_friend_lists_empty_ones_and_refuses_junk() {
        let two = br#"{"friendslist":{"friends":[{"steamid":"76561198000000002","relationship":"friend","friend_since":1},{"steamid":"76561198000000003","relationship":"friend","friend_since":2}]}}"#;
        assert_eq!(
            parse_friends(two),
            Ok((
                FriendList::Friends(vec![76561198000000002, 76561198000000003]),
                AttemptResult::Ok
            ))
        );
        assert_eq!(
            parse_friends(b"{}"),
            Ok((FriendList::Friends(vec![]), AttemptResult::Ok))
        );
        assert!(parse_friends(br#"{"friendslist":{"friends":[{"steamid":"x"}]}}"#).is_err());
        assert!(parse_friends(b"<html>").is_err());
    }

    #[test]
    fn parses_ok_family_sharing_and_errors() {
        let ok = br#"{"response":{"params":{"result":"OK","steamid":"76561198000000001","ownersteamid":"76561198000000002","vacbanned":false,"publisherbanned":true}}}"#;
        let player = Player {
            steam_id: 76561198000000001,
            owner_steam_id: 76561198000000002,
            vac_banned: false,
            publisher_banned: true,
        };
        assert_eq!(
            parse_answer(ok),
            Ok((TicketAnswer::Valid(player), AttemptResult::Ok))
        );
        let err = br#"{"response":{"error":{"errorcode":101,"errordesc":"Invalid ticket"}}}"#;
        let rejected = TicketAnswer::Rejected {
            code: 101,
            description: "Invalid ticket".into(),
        };
        assert_eq!(parse_answer(err), Ok((rejected, AttemptResult::SteamError)));
        assert!(parse_answer(b"<html>").is_err());
        assert!(parse_answer(br#"{"response":{}}"#).is_err());
    }

    #[test]
    fn parses_ownership() {
        let owns = br#"{"appownership":{"ownsapp":true,"permanent":false,"timestamp":"2024-01-01T00:00:00Z","ownersteamid":"76561198000000001","sitelicense":false,"result":"OK"}}"#;
        assert_eq!(parse_ownership(owns), Ok((true, AttemptResult::Ok)));
        let not = br#"{"appownership":{"ownsapp":false,"permanent":false,"timestamp":"","ownersteamid":"0","sitelicense":false,"result":"OK"}}"#;
        assert_eq!(parse_ownership(not), Ok((false, AttemptResult::Ok)));
        assert!(
            parse_ownership(br#"{"appownership":{"ownsapp":false,"result":"Failure"}}"#).is_err()
        );
        assert!(parse_ownership(b"<html>").is_err());
    }
}
