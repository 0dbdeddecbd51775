//! Steam authentication over a multiplayer connection, without Godot: which peer is which SteamID,
//! what a ticket a peer sent leads to, what Steam's verdicts mean for a peer, and which session to
//! end when a peer leaves. The gdext `SteamMultiplayerAuth` class drives `SceneMultiplayer` from it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::codes::{AuthSessionResponse, BeginAuthResult};

/// A multiplayer peer id (Godot's `int` peer ids).
pub type PeerId = i64;

/// Why a peer was turned away; `reason()` is the text sent to it and reported in signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// What the peer sent is not a Steam ticket.
    MalformedTicket,
    /// Another peer is already connected (or connecting) as this SteamID.
    AlreadyConnected,
    /// `BeginAuthSession` refused the ticket.
    Refused(BeginAuthResult),
    /// Steam's verdict (at once or later: banned, cancelled, offline, ...).
    Verdict(AuthSessionResponse),
    /// The peer sent no ticket in time.
    NoTicketInTime,
    /// Steam gave no verdict in time.
    NoVerdictInTime,
}

impl Rejection {
    pub fn reason(self) -> &'static str {
        match self {
            Rejection::MalformedTicket => "the auth message is not a Steam session ticket",
            Rejection::AlreadyConnected => "this SteamID is already connected",
            Rejection::Refused(BeginAuthResult::InvalidTicket) => {
                "invalid ticket (forged, malformed or another user's)"
            }
            Rejection::Refused(BeginAuthResult::DuplicateRequest) => {
                "a ticket for this SteamID is already being validated"
            }
            Rejection::Refused(BeginAuthResult::InvalidVersion) => {
                "the ticket's version is not supported"
            }
            Rejection::Refused(BeginAuthResult::GameMismatch) => "the ticket is for another game",
            Rejection::Refused(BeginAuthResult::ExpiredTicket) => "the ticket has expired",
            Rejection::Refused(BeginAuthResult::Ok) => "refused",
            Rejection::Verdict(AuthSessionResponse::UserNotConnectedToSteam) => {
                "the user is not connected to Steam"
            }
            Rejection::Verdict(AuthSessionResponse::NoLicenseOrExpired) => {
                "the user has no license for this game"
            }
            Rejection::Verdict(AuthSessionResponse::VacBanned) => "the user is VAC banned",
            Rejection::Verdict(AuthSessionResponse::LoggedInElsewhere) => {
                "the user logged in elsewhere"
            }
            Rejection::Verdict(AuthSessionResponse::VacCheckTimedOut) => {
                "VAC could not check the user"
            }
            Rejection::Verdict(AuthSessionResponse::AuthTicketCanceled) => {
                "the ticket was cancelled"
            }
            Rejection::Verdict(AuthSessionResponse::AuthTicketInvalidAlreadyUsed) => {
                "the ticket was already used"
            }
            Rejection::Verdict(AuthSessionResponse::AuthTicketInvalid) => {
                "the ticket is not from a connected user"
            }
            Rejection::Verdict(AuthSessionResponse::PublisherIssuedBan) => {
                "the user is banned by the publisher"
            }
            Rejection::Verdict(AuthSessionResponse::AuthTicketNetworkIdentityFailure) => {
                "the ticket was made for another server"
            }
            Rejection::Verdict(AuthSessionResponse::Ok) => "rejected",
            Rejection::NoTicketInTime => "no Steam ticket arrived in time",
            Rejection::NoVerdictInTime => "Steam did not answer in time",
        }
    }
}

/// What Steam's verdict means for a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// First OK for a connecting peer: complete its authentication.
    Verified { peer: PeerId, owner_steam_id: u64 },
    /// A failure, for a connecting or an already verified peer: disconnect it.
    Rejected {
        peer: PeerId,
        steam_id: u64,
        why: Rejection,
    },
}

#[derive(Debug, Clone, Copy)]
struct Peer {
    /// 0 until the peer's ticket names a SteamID.
    steam_id: u64,
    /// When the peer started to authenticate.
    since: Instant,
    /// `BeginAuthSession` accepted the ticket: `EndAuthSession` is owed when the peer leaves.
    began: bool,
    /// Steam's OK arrived, with the license owner.
    owner_steam_id: Option<u64>,
}

/// The server side's view of its peers.
#[derive(Debug, Default)]
pub struct PeerAuth {
    peers: HashMap<PeerId, Peer>,
}

impl PeerAuth {
    pub fn new() -> Self {
        Self::default()
    }

    /// A peer started to authenticate (its connection opened) at `now`.
    pub fn connecting(&mut self, peer: PeerId, now: Instant) {
        self.peers.entry(peer).or_insert(Peer {
            steam_id: 0,
            since: now,
            began: false,
            owner_steam_id: None,
        });
    }

    /// Peers still unverified `limit` after they started, removed, with why and whether a session
    /// began for them (its SteamID, to end).
    pub fn timed_out(
        &mut self,
        now: Instant,
        limit: Duration,
    ) -> Vec<(PeerId, u64, Rejection, bool)> {
        let late: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, p)| p.owner_steam_id.is_none() && now.duration_since(p.since) >= limit)
            .map(|(peer, _)| *peer)
            .collect();
        let mut out: Vec<_> = late
            .into_iter()
            .filter_map(|peer| {
                let p = self.peers.remove(&peer)?;
                let why = if p.steam_id == 0 {
                    Rejection::NoTicketInTime
                } else {
                    Rejection::NoVerdictInTime
                };
                Some((peer, p.steam_id, why, p.began))
            })
            .collect();
        out.sort_unstable_by_key(|(peer, ..)| *peer);
        out
    }

    /// A peer sent `ticket`: the SteamID to validate it for, or why not (with the SteamID the ticket
    /// names, 0 when it names none).
    pub fn ticket_received(
        &mut self,
        peer: PeerId,
        ticket: &[u8],
    ) -> Result<u64, (Rejection, u64)> {
        let steam_id = steam_ticket::decode(ticket)
            .map(|d| d.ticket.steam_id)
            .map_err(|_| (Rejection::MalformedTicket, 0))?;
        if self
            .peers
            .iter()
            .any(|(other, p)| *other != peer && p.steam_id == steam_id)
        {
            self.peers.remove(&peer);
            return Err((Rejection::AlreadyConnected, steam_id));
        }
        let since = self.peers.get(&peer).map_or_else(Instant::now, |p| p.since);
        self.peers.insert(
            peer,
            Peer {
                steam_id,
                since,
                began: false,
                owner_steam_id: None,
            },
        );
        Ok(steam_id)
    }

    /// `BeginAuthSession`'s answer for the ticket of `peer`.
    pub fn begin_result(&mut self, peer: PeerId, result: BeginAuthResult) -> Result<(), Rejection> {
        if result == BeginAuthResult::Ok {
            if let Some(p) = self.peers.get_mut(&peer) {
                p.began = true;
            }
            return Ok(());
        }
        self.peers.remove(&peer);
        Err(Rejection::Refused(result))
    }

    /// Steam's verdict on `steam_id` (`validate_auth_ticket_response`); `None` when no peer is that
    /// SteamID, or for a repeated OK.
    pub fn verdict(
        &mut self,
        steam_id: u64,
        response: i64,
        owner_steam_id: u64,
    ) -> Option<Outcome> {
        let (&peer, state) = self
            .peers
            .iter_mut()
            .find(|(_, p)| p.steam_id == steam_id)?;
        match AuthSessionResponse::from_code(response) {
            Some(AuthSessionResponse::Ok) if state.owner_steam_id.is_none() => {
                state.owner_steam_id = Some(owner_steam_id);
                Some(Outcome::Verified {
                    peer,
                    owner_steam_id,
                })
            }
            Some(AuthSessionResponse::Ok) => None,
            other => Some(Outcome::Rejected {
                peer,
                steam_id,
                why: Rejection::Verdict(other.unwrap_or(AuthSessionResponse::AuthTicketInvalid)),
            }),
        }
    }

    /// The peer left (disconnected, timed out, was kicked): the SteamID whose session to end.
    pub fn peer_left(&mut self, peer: PeerId) -> Option<u64> {
        self.peers
            .remove(&peer)
            .filter(|p| p.began)
            .map(|p| p.steam_id)
    }

    /// The SteamID a peer authenticated as (or is authenticating as).
    pub fn steam_id_of(&self, peer: PeerId) -> Option<u64> {
        self.peers
            .get(&peer)
            .map(|p| p.steam_id)
            .filter(|id| *id != 0)
    }

    /// Who owns the license the verified peer plays on (differs under Family Sharing).
    pub fn owner_of(&self, peer: PeerId) -> Option<u64> {
        self.peers.get(&peer).and_then(|p| p.owner_steam_id)
    }

    /// Peers Steam verified.
    pub fn verified_count(&self) -> usize {
        self.peers
            .values()
            .filter(|p| p.owner_steam_id.is_some())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::simulated::{MintOptions, SimulatedConfig, SimulatedSteam};

    const APP: u32 = 555440;
    const ALICE: u64 = 76561198000000042;
    const BOB: u64 = 76561198000000043;

    fn ticket(steam_id: u64) -> Vec<u8> {
        SimulatedSteam::new(SimulatedConfig::new(steam_id, APP))
            .mint_ticket(&MintOptions::session(steam_id, APP))
    }

    #[test]
    fn a_peer_is_verified_on_steams_ok_and_its_session_ends_when_it_leaves() {
        let mut auth = PeerAuth::new();
        assert_eq!(auth.ticket_received(2, &ticket(ALICE)), Ok(ALICE));
        assert_eq!(auth.begin_result(2, BeginAuthResult::Ok), Ok(()));
        assert_eq!(auth.owner_of(2), None, "not verified yet");
        assert_eq!(
            auth.verdict(ALICE, 0, ALICE),
            Some(Outcome::Verified {
                peer: 2,
                owner_steam_id: ALICE
            })
        );
        assert_eq!(
            auth.verdict(ALICE, 0, ALICE),
            None,
            "a repeated OK changes nothing"
        );
        assert_eq!(
            (auth.steam_id_of(2), auth.owner_of(2)),
            (Some(ALICE), Some(ALICE))
        );
        assert_eq!(auth.verified_count(), 1);
        assert_eq!(auth.peer_left(2), Some(ALICE));
        assert_eq!(auth.peer_left(2), None);
        assert_eq!(auth.steam_id_of(2), None);
    }

    #[test]
    fn garbage_refused_tickets_and_bad_verdicts_reject_with_a_reason() {
        let mut auth = PeerAuth::new();
        assert_eq!(
            auth.ticket_received(2, b"hello"),
            Err((Rejection::MalformedTicket, 0))
        );
        assert_eq!(auth.ticket_received(3, &ticket(BOB)), Ok(BOB));
        assert_eq!(
            auth.begin_result(3, BeginAuthResult::GameMismatch),
            Err(Rejection::Refused(BeginAuthResult::GameMismatch))
        );
        assert_eq!(auth.peer_left(3), None, "no session began, none to end");
        assert_eq!(
            Rejection::Refused(BeginAuthResult::GameMismatch).reason(),
            "the ticket is for another game"
        );

        assert_eq!(auth.ticket_received(4, &ticket(BOB)), Ok(BOB));
        auth.begin_result(4, BeginAuthResult::Ok).unwrap();
        auth.verdict(BOB, 0, BOB);
        assert_eq!(
            auth.verdict(BOB, 6, BOB),
            Some(Outcome::Rejected {
                peer: 4,
                steam_id: BOB,
                why: Rejection::Verdict(AuthSessionResponse::AuthTicketCanceled)
            }),
            "a verified peer whose ticket is cancelled later is turned away too"
        );
        assert_eq!(auth.peer_left(4), Some(BOB), "its session is still ended");
    }

    #[test]
    fn peers_unverified_past_the_limit_time_out_with_the_right_reason() {
        let start = Instant::now();
        let limit = Duration::from_secs(30);
        let mut auth = PeerAuth::new();
        auth.connecting(2, start);
        auth.connecting(3, start);
        auth.connecting(4, start + Duration::from_secs(20));
        auth.connecting(5, start);
        auth.ticket_received(3, &ticket(ALICE)).unwrap();
        auth.begin_result(3, BeginAuthResult::Ok).unwrap();
        auth.ticket_received(5, &ticket(BOB)).unwrap();
        auth.begin_result(5, BeginAuthResult::Ok).unwrap();
        auth.verdict(BOB, 0, BOB);
        assert_eq!(
            auth.timed_out(start + Duration::from_secs(29), limit),
            vec![]
        );
        assert_eq!(
            auth.timed_out(start + limit, limit),
            vec![
                (2, 0, Rejection::NoTicketInTime, false),
                (3, ALICE, Rejection::NoVerdictInTime, true),
            ],
            "peer 4 started later, peer 5 is verified"
        );
        assert_eq!(auth.steam_id_of(3), None);
        assert_eq!(auth.verified_count(), 1);
    }

    #[test]
    fn a_second_peer_with_a_connected_steam_id_is_turned_away() {
        let mut auth = PeerAuth::new();
        auth.ticket_received(2, &ticket(ALICE)).unwrap();
        auth.begin_result(2, BeginAuthResult::Ok).unwrap();
        assert_eq!(
            auth.ticket_received(3, &ticket(ALICE)),
            Err((Rejection::AlreadyConnected, ALICE)),
            "the reason names the SteamID"
        );
        assert_eq!(auth.steam_id_of(3), None);
        assert_eq!(auth.steam_id_of(2), Some(ALICE), "the first one stays");
        assert_eq!(auth.verdict(BOB, 0, BOB), None, "a verdict for nobody here");
    }
}
