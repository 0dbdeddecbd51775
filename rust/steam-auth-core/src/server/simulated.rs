//! A simulated Steam game server: it validates simulation-signed (and Valve-signed) tickets from any
//! process the way `ISteamGameServer` does: signature, SteamID, app, version, expiry, duplicate
//! sessions, reused tickets. What it cannot see from another process (the issuer cancelling its
//! ticket, the player going offline) it does not report. Callbacks come one pump after the call, and
//! verdicts only while the server is logged on, as Steam's arrive once it is connected.
//!
//! Calls that only Steam's servers can answer get Steam's answer for a server with nothing to report:
//! no packets to send or queries to handle, no restart requested, no group memberships and no
//! players who dislike the candidate; before log-on, the answers of a server that is not connected.
//! The server's own tickets are minted as the simulated client mints its own, so a client's
//! `beginAuthSession` accepts them.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use steam_ticket::{Clock, SystemClock};

use crate::auth_sessions::AuthSessions;
use crate::client::simulated::{MintOptions, TicketMint};
use crate::client::IssuedTicket;
use crate::codes::{eresult, BeginAuthResult, LicenseResult, ServerMode};
use crate::server::{
    GameServerBackend, OutgoingPacket, PlayerCompat, PublicIp, ServerConfig, ServerEvent,
    ServerSetting,
};
use crate::validator::{AuthValidator, BackendKind, TicketVerdict};

/// SteamID64 prefix of an anonymous game server account (universe 1, type AnonGameServer).
const ANON_GAME_SERVER: u64 = 0x0140_0000_0000_0000;
/// SteamID64 prefix of a persistent game server account (universe 1, type GameServer).
const GAME_SERVER: u64 = 0x0130_0000_0000_0000;

/// The simulated `ISteamGameServer`.
pub struct SimulatedGameServer {
    config: ServerConfig,
    sessions: AuthSessions,
    steam_id: u64,
    logged_on: bool,
    /// Queued during the current pump interval; delivered by the pump after next.
    queued: Vec<ServerEvent>,
    due: Vec<ServerEvent>,
    /// Verdicts held back while the server is not logged on.
    held: Vec<ServerEvent>,
    mint: TicketMint,
    /// Handles of the server's own tickets not cancelled.
    tickets: Vec<u32>,
    next_ticket: u32,
}

impl SimulatedGameServer {
    pub fn new(config: ServerConfig) -> Self {
        Self::with_clock(config, Box::new(SystemClock))
    }

    /// For tests: a server whose "now" is controlled.
    pub fn with_clock(config: ServerConfig, clock: Box<dyn Clock + Send>) -> Self {
        SimulatedGameServer {
            // The mint's clock is the server's "now" for validation too.
            mint: TicketMint::new(clock),
            tickets: Vec::new(),
            next_ticket: 1,
            sessions: AuthSessions::new(config.app_id),
            config,
            steam_id: 0,
            logged_on: false,
            queued: Vec::new(),
            due: Vec::new(),
            held: Vec::new(),
        }
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    fn connect(&mut self, steam_id: u64) {
        self.steam_id = steam_id;
        self.queued.push(ServerEvent::Connected);
        // Steam's policy response follows the log-on: secure when the mode asks for VAC.
        self.queued.push(ServerEvent::PolicyResponse {
            secure: self.config.mode == ServerMode::AuthenticationAndSecure,
        });
    }

    /// EResult of a call that needs Steam's servers: OK once logged on.
    fn connection_result(&self) -> i32 {
        if self.logged_on {
            eresult::OK
        } else {
            eresult::NO_CONNECTION
        }
    }
}

/// An account id for an anonymous log-on, like the fresh one Steam hands out.
fn fresh_account_id() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    h.finish() & 0xffff_ffff
}

/// A persistent game server keeps its account: derived from the token, stable across runs.
fn account_of_token(token: &str) -> u64 {
    // FNV-1a: stable across processes, unlike std's keyed hashers.
    let hash = token.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    hash & 0xffff_ffff
}

impl AuthValidator for SimulatedGameServer {
    fn kind(&self) -> BackendKind {
        BackendKind::Simulated
    }

    fn app_id(&self) -> u32 {
        self.config.app_id
    }

    fn logged_on(&self) -> bool {
        self.logged_on
    }

    fn steam_id(&self) -> u64 {
        if self.logged_on {
            self.steam_id
        } else {
            0
        }
    }

    fn begin_auth_session(&mut self, ticket: &[u8], steam_id: u64) -> BeginAuthResult {
        let now = self.mint.now();
        match self.sessions.begin(ticket, steam_id, now, |_| false) {
            Ok(verdict) => {
                self.queued.push(ServerEvent::ValidateAuthTicket(verdict));
                BeginAuthResult::Ok
            }
            Err(refused) => refused,
        }
    }

    fn end_auth_session(&mut self, steam_id: u64) -> bool {
        self.sessions.end(steam_id)
    }

    fn user_has_license_for_app(&mut self, steam_id: u64, app_id: u32) -> LicenseResult {
        self.sessions.license(steam_id, app_id)
    }
}

impl GameServerBackend for SimulatedGameServer {
    fn log_on_anonymous(&mut self) {
        self.connect(ANON_GAME_SERVER | fresh_account_id());
    }

    /// An empty token is refused as Steam refuses an invalid GSLT.
    fn log_on(&mut self, token: &str) {
        if token.trim().is_empty() {
            self.queued.push(ServerEvent::ConnectFailure {
                result: eresult::GSLT_DENIED,
                retrying: false,
            });
            return;
        }
        self.connect(GAME_SERVER | account_of_token(token));
    }

    /// Reported as `NoConnection`: steamworks 0.13 panics converting a disconnect whose result is
    /// `k_EResultOK`, so the simulation (and the double built on it) never sends one.
    fn log_off(&mut self) {
        if self.logged_on || self.queued.contains(&ServerEvent::Connected) {
            self.queued.push(ServerEvent::Disconnected {
                result: eresult::NO_CONNECTION,
            });
        }
    }

    fn set(&mut self, _setting: &ServerSetting) {}

    fn secure(&self) -> bool {
        self.logged_on && self.config.mode == ServerMode::AuthenticationAndSecure
    }

    /// The loopback address once logged on (the simulation has no NAT to see through).
    fn public_ip(&self) -> PublicIp {
        if self.logged_on {
            PublicIp::V4(std::net::Ipv4Addr::LOCALHOST)
        } else {
            PublicIp::Unknown
        }
    }

    fn was_restart_requested(&mut self) -> bool {
        false
    }

    /// Before log-on the server has no SteamID to vouch for: handle 0 and no bytes, as Steam's
    /// `k_HAuthTicketInvalid`.
    fn auth_session_ticket(&mut self, _for_steam_id: u64) -> IssuedTicket {
        if !self.logged_on {
            return IssuedTicket {
                handle: 0,
                bytes: Vec::new(),
            };
        }
        let bytes = self
            .mint
            .mint(&MintOptions::session(self.steam_id, self.config.app_id));
        let handle = self.next_ticket;
        self.next_ticket = self.next_ticket.checked_add(1).unwrap_or(1);
        self.tickets.push(handle);
        IssuedTicket { handle, bytes }
    }

    fn cancel_auth_ticket(&mut self, handle: u32) {
        self.tickets.retain(|h| *h != handle);
    }

    fn next_outgoing_packet(&mut self) -> Option<OutgoingPacket> {
        None
    }

    fn handle_incoming_packet(&mut self, _: &[u8], _: std::net::Ipv4Addr, _: u16) -> bool {
        false
    }

    /// The simulated players belong to no Steam group.
    fn request_user_group_status(&mut self, steam_id: u64, group_id: u64) -> bool {
        if !self.logged_on {
            return false;
        }
        self.queued.push(ServerEvent::ClientGroupStatus {
            steam_id,
            group_id,
            member: false,
            officer: false,
        });
        true
    }

    fn associate_with_clan(&mut self, _clan_id: u64) {
        let result = self.connection_result();
        self.queued.push(ServerEvent::AssociateClan { result });
    }

    fn compute_new_player_compatibility(&mut self, steam_id: u64) {
        let result = self.connection_result();
        self.queued.push(ServerEvent::PlayerCompat(PlayerCompat {
            result,
            players_that_dont_like_candidate: 0,
            players_that_candidate_doesnt_like: 0,
            clan_players_that_dont_like_candidate: 0,
            candidate_steam_id: steam_id,
        }));
    }

    fn run_callbacks(&mut self, out: &mut Vec<ServerEvent>) {
        for event in std::mem::take(&mut self.due) {
            match event {
                ServerEvent::Connected => self.logged_on = true,
                ServerEvent::Disconnected { .. } => self.logged_on = false,
                ServerEvent::ValidateAuthTicket(TicketVerdict { .. }) if !self.logged_on => {
                    self.held.push(event);
                    continue;
                }
                _ => {}
            }
            out.push(event);
            if self.logged_on && !self.held.is_empty() {
                out.append(&mut self.held);
            }
        }
        std::mem::swap(&mut self.due, &mut self.queued);
    }
}

#[cfg(test)]
mod tests;
