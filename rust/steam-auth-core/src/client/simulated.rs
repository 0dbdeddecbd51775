//! A simulated Steam for machines without a Steam client (editor, CI).
//!
//! It behaves like Steam rather than like a stub: tickets use Steam's binary layout and are signed with
//! the committed simulation key; `BeginAuthSession` really decodes and checks them (signature, version,
//! app, expiry, duplicate sessions); callbacks are queued and delivered by a later pump, never inside the
//! call that caused them; cancelling a ticket ends the sessions begun with it with response 6.
//!
//! The simulated user is configurable (persona name, Family Sharing owner, owned DLC, Steam Deck, app
//! ownership) so every case a game handles at start-up can be played in the editor.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::net::Ipv4Addr;

use steam_ticket::encrypted::{
    mint_encrypted, EncryptedAppTicket, FLAG_LICENSE_BORROWED, KEY_LEN, TICKET_VERSION,
};
use steam_ticket::{
    decode, mint_with, Clock, Dlc, Ownership, SessionHeader, SimulationSigner, SystemClock, Ticket,
    TicketType,
};

use crate::auth_sessions::AuthSessions;
use crate::client::{IssuedTicket, SteamBackend, SteamEvent};
use crate::codes::{eresult, AuthSessionResponse, BeginAuthResult, LicenseResult};
use crate::identity::Identity;
use crate::validator::{AuthValidator, BackendKind, TicketVerdict};

/// The SteamID the simulation plays when none is configured.
pub const DEFAULT_SIMULATED_STEAM_ID: u64 = 76561198000000000;
/// How long simulated ownership tickets last (the real samples last 21 days).
pub const OWNERSHIP_LIFETIME_SECS: i64 = 21 * 86_400;

/// What to put in a minted ticket. `Default` is a valid session ticket for the simulated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintOptions {
    pub steam_id: u64,
    /// Owner in the ownership part; differs from `steam_id` under Family Sharing. `None`: `steam_id`.
    pub owner_steam_id: Option<u64>,
    pub app_id: u32,
    pub ticket_type: TicketType,
    /// Seconds from now until the ownership ticket expires; negative for an already expired ticket.
    pub expires_in: i64,
    pub version: u32,
    pub licenses: Vec<u32>,
    pub dlc: Vec<Dlc>,
}

impl MintOptions {
    /// A session ticket for `steam_id` and `app_id`, valid for 21 days.
    pub fn session(steam_id: u64, app_id: u32) -> Self {
        MintOptions {
            steam_id,
            owner_steam_id: None,
            app_id,
            ticket_type: TicketType::Session,
            expires_in: OWNERSHIP_LIFETIME_SECS,
            version: steam_ticket::model::OWNERSHIP_VERSION,
            licenses: vec![0],
            dlc: Vec::new(),
        }
    }
}

/// Mints simulated tickets: for the simulated user, or for other SteamIDs to play a second peer.
pub struct TicketMint {
    signer: SimulationSigner,
    clock: Box<dyn Clock + Send>,
    random: RandomState,
    counter: u64,
}

impl TicketMint {
    pub fn new(clock: Box<dyn Clock + Send>) -> Self {
        TicketMint {
            signer: SimulationSigner::new(),
            clock,
            random: RandomState::new(),
            counter: 0,
        }
    }

    pub fn now(&self) -> u64 {
        self.clock.unix_now()
    }

    /// Builds and signs a ticket as described; the GC token is fresh and unpredictable.
    pub fn mint(&mut self, opts: &MintOptions) -> Vec<u8> {
        let now = self.now();
        let now32 = clamp_u32(now as i64);
        let loopback = Ipv4Addr::LOCALHOST;
        let ticket = Ticket {
            gc_token: self.fresh_gc_token(),
            steam_id: opts.steam_id,
            token_time: now32,
            session: SessionHeader {
                ticket_type: opts.ticket_type,
                external_ip: loopback,
                internal_ip: loopback,
                ms_since_connect: 1_000,
                connection_count: 1,
            },
            ownership: Ownership {
                version: opts.version,
                steam_id: opts.owner_steam_id.unwrap_or(opts.steam_id),
                app_id: opts.app_id,
                external_ip: loopback,
                internal_ip: loopback,
                flags: 0,
                issued: now32,
                expires: clamp_u32(now as i64 + opts.expires_in),
                licenses: opts.licenses.clone(),
                dlc: opts.dlc.clone(),
            },
        };
        mint_with(&ticket, &self.signer)
    }

    /// Fills `out` as GC tokens are made: unpredictable to other processes, not a cryptographic
    /// source (a simulation needs none).
    pub fn fill_unpredictable(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let bytes = self.fresh_gc_token().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }

    fn fresh_gc_token(&mut self) -> u64 {
        self.counter += 1;
        let mut h = self.random.build_hasher();
        h.write_u64(self.counter);
        h.finish()
    }
}

fn clamp_u32(v: i64) -> u32 {
    v.clamp(0, i64::from(u32::MAX)) as u32
}

/// Configuration of the simulated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedConfig {
    pub steam_id: u64,
    pub app_id: u32,
    pub persona_name: String,
    /// Who owns the license: `None` for the user themself, another SteamID for Family Sharing.
    pub owner_steam_id: Option<u64>,
    /// Whether the user has the app at all (`isSubscribed`).
    pub owns_app: bool,
    /// DLC the user owns and has installed; also listed in the user's tickets.
    pub dlc: Vec<u32>,
    pub steam_deck: bool,
    pub vr: bool,
    pub vac_banned: bool,
    /// Game and Steam UI language, in Steam's names ("english", ...).
    pub language: String,
    /// What a `steam://run/<app>//<args>` launch passed; usually empty.
    pub launch_command_line: String,
    /// The app's encrypted-ticket key, as the Steamworks partner site would give it; the game's
    /// backend decrypts the simulated encrypted app tickets with it.
    pub encrypted_ticket_key: [u8; KEY_LEN],
}

impl SimulatedConfig {
    /// A user who owns `app_id`, no DLC, on a desktop, named "Simulated Player".
    pub fn new(steam_id: u64, app_id: u32) -> Self {
        SimulatedConfig {
            steam_id,
            app_id,
            persona_name: DEFAULT_PERSONA_NAME.to_owned(),
            owner_steam_id: None,
            owns_app: true,
            dlc: Vec::new(),
            steam_deck: false,
            vr: false,
            vac_banned: false,
            language: DEFAULT_LANGUAGE.to_owned(),
            launch_command_line: String::new(),
            encrypted_ticket_key: DEVELOPMENT_ENCRYPTED_TICKET_KEY,
        }
    }

    fn owner(&self) -> u64 {
        self.owner_steam_id.unwrap_or(self.steam_id)
    }
}

/// The language the simulated user plays in when none is configured.
pub const DEFAULT_LANGUAGE: &str = "english";
/// The persona name the simulation plays when none is configured.
pub const DEFAULT_PERSONA_NAME: &str = "Simulated Player";
/// The simulation's encrypted-ticket key unless one is configured: public, for development only
/// (a login server must never accept it for a real app).
pub const DEVELOPMENT_ENCRYPTED_TICKET_KEY: [u8; KEY_LEN] = *b"steam-auth development key, open";
/// Steam allows one encrypted app ticket request per minute.
pub const ENCRYPTED_TICKET_INTERVAL_SECS: u64 = 60;

/// A ticket this instance issued and has not cancelled.
#[derive(Debug, Clone, Copy)]
struct Issued {
    gc_token: u64,
}

/// The simulated Steam backend.
pub struct SimulatedSteam {
    config: SimulatedConfig,
    mint: TicketMint,
    next_handle: u32,
    issued: HashMap<u32, Issued>,
    cancelled_tokens: HashSet<u64>,
    sessions: AuthSessions,
    /// Queued during the current pump interval; delivered by the pump after next.
    queued: Vec<SteamEvent>,
    /// Delivered by the next pump.
    due: Vec<SteamEvent>,
    connected: bool,
    /// When the last encrypted app ticket was requested, whether its answer is still pending, and
    /// the ticket Steam made for it.
    encrypted_requested_at: Option<u64>,
    encrypted_pending: bool,
    encrypted_ticket: Option<Vec<u8>>,
}

impl SimulatedSteam {
    pub fn new(config: SimulatedConfig) -> Self {
        Self::with_clock(config, Box::new(SystemClock))
    }

    /// For tests: a simulation whose "now" is controlled.
    pub fn with_clock(config: SimulatedConfig, clock: Box<dyn Clock + Send>) -> Self {
        SimulatedSteam {
            sessions: AuthSessions::new(config.app_id),
            config,
            mint: TicketMint::new(clock),
            next_handle: 1,
            issued: HashMap::new(),
            cancelled_tokens: HashSet::new(),
            queued: Vec::new(),
            due: Vec::new(),
            connected: true,
            encrypted_requested_at: None,
            encrypted_pending: false,
            encrypted_ticket: None,
        }
    }

    /// The simulated user's configuration.
    pub fn config(&self) -> &SimulatedConfig {
        &self.config
    }

    /// Makes the Steam client lose (`false`) or regain (`true`) its connection to Steam's servers:
    /// `logged_on` follows, and `SteamServersDisconnected` / `SteamServersConnected` are reported.
    /// Returns false when the state does not change.
    pub fn simulate_steam_server_connection(&mut self, connected: bool) -> bool {
        if self.connected == connected {
            return false;
        }
        self.connected = connected;
        self.queued.push(if connected {
            SteamEvent::SteamServersConnected
        } else {
            SteamEvent::SteamServersDisconnected
        });
        true
    }

    /// Mints a ticket for any SteamID (a second peer, a wrong app, an expired ticket, ...).
    /// It is not registered as issued by this instance: it has no handle to cancel.
    pub fn mint_ticket(&mut self, opts: &MintOptions) -> Vec<u8> {
        self.mint.mint(opts)
    }

    /// Makes Steam report `response` for the active session of `steam_id`, as the real Steam does when
    /// a player goes offline, gets VAC-banned or logs in elsewhere. Returns false if there is no session.
    pub fn simulate_session_response(
        &mut self,
        steam_id: u64,
        response: AuthSessionResponse,
    ) -> bool {
        let Some(session) = self.sessions.get(steam_id) else {
            return false;
        };
        self.queued
            .push(SteamEvent::ValidateAuthTicket(TicketVerdict {
                steam_id,
                response: response.code(),
                owner_steam_id: session.owner_steam_id,
            }));
        true
    }

    fn new_handle(&mut self) -> u32 {
        let handle = self.next_handle;
        // Steam's k_HAuthTicketInvalid is 0: skip it on wrap-around.
        self.next_handle = self.next_handle.checked_add(1).unwrap_or(1);
        handle
    }

    /// What the simulated user's own tickets say: owner and DLC from the configuration.
    fn own_ticket(&self, ticket_type: TicketType) -> MintOptions {
        MintOptions {
            ticket_type,
            owner_steam_id: self.config.owner_steam_id,
            dlc: self
                .config
                .dlc
                .iter()
                .map(|&app_id| Dlc {
                    app_id,
                    licenses: vec![0],
                })
                .collect(),
            ..MintOptions::session(self.config.steam_id, self.config.app_id)
        }
    }

    /// The user's encrypted app ticket holding `data`: the player's SteamID (a lent copy is marked
    /// borrowed), the app and DLC, the VAC flag, issued now.
    fn encrypted_ticket_with(&mut self, data: &[u8]) -> Vec<u8> {
        let now = self.mint.now();
        let config = &self.config;
        let ticket = EncryptedAppTicket {
            version: TICKET_VERSION,
            user_data: data.to_vec(),
            ownership: Ownership {
                version: steam_ticket::model::OWNERSHIP_VERSION,
                steam_id: config.steam_id,
                app_id: config.app_id,
                external_ip: Ipv4Addr::LOCALHOST,
                internal_ip: Ipv4Addr::LOCALHOST,
                flags: if config.owner() != config.steam_id {
                    FLAG_LICENSE_BORROWED
                } else {
                    0
                },
                issued: clamp_u32(now as i64),
                expires: clamp_u32(now as i64 + OWNERSHIP_LIFETIME_SECS),
                licenses: vec![0],
                dlc: self.own_ticket(TicketType::Session).dlc,
            },
            vac_banned: u16::from(config.vac_banned),
            ownership_tail: Vec::new(),
            layout: steam_ticket::encrypted::Layout::Salted,
            app_defined_value: None,
        };
        let mut iv = [0u8; 16];
        let mut salt = [0u8; 8];
        self.mint.fill_unpredictable(&mut iv);
        self.mint.fill_unpredictable(&mut salt);
        mint_encrypted(&ticket, &self.config.encrypted_ticket_key, iv, salt)
    }

    fn issue(&mut self, ticket_type: TicketType) -> IssuedTicket {
        let opts = self.own_ticket(ticket_type);
        let bytes = self.mint.mint(&opts);
        let gc_token = decode(&bytes)
            .map(|d| d.ticket.gc_token)
            .unwrap_or_default();
        let handle = self.new_handle();
        self.issued.insert(handle, Issued { gc_token });
        IssuedTicket { handle, bytes }
    }
}

impl AuthValidator for SimulatedSteam {
    fn kind(&self) -> BackendKind {
        BackendKind::Simulated
    }

    fn app_id(&self) -> u32 {
        self.config.app_id
    }

    fn steam_id(&self) -> u64 {
        self.config.steam_id
    }

    fn logged_on(&self) -> bool {
        self.connected
    }

    fn begin_auth_session(&mut self, ticket: &[u8], steam_id: u64) -> BeginAuthResult {
        let cancelled = &self.cancelled_tokens;
        let now = self.mint.now();
        match self
            .sessions
            .begin(ticket, steam_id, now, |token| cancelled.contains(&token))
        {
            Ok(verdict) => {
                self.queued.push(SteamEvent::ValidateAuthTicket(verdict));
                BeginAuthResult::Ok
            }
            Err(result) => result,
        }
    }

    fn end_auth_session(&mut self, steam_id: u64) -> bool {
        self.sessions.end(steam_id)
    }

    fn user_has_license_for_app(&mut self, steam_id: u64, app_id: u32) -> LicenseResult {
        self.sessions.license(steam_id, app_id)
    }
}

impl SteamBackend for SimulatedSteam {
    fn simulated_mut(&mut self) -> Option<&mut SimulatedSteam> {
        Some(self)
    }

    fn get_auth_session_ticket(&mut self, _identity: &Identity) -> IssuedTicket {
        let issued = self.issue(TicketType::Session);
        self.queued.push(SteamEvent::AuthSessionTicket {
            handle: issued.handle,
            result: eresult::OK,
        });
        issued
    }

    fn get_auth_ticket_for_web_api(&mut self, _identity: &str) -> u32 {
        let issued = self.issue(TicketType::WebApi);
        self.queued.push(SteamEvent::TicketForWebApi {
            handle: issued.handle,
            result: eresult::OK,
            ticket: issued.bytes,
        });
        issued.handle
    }

    fn cancel_auth_ticket(&mut self, handle: u32) -> bool {
        let Some(issued) = self.issued.remove(&handle) else {
            return false;
        };
        self.cancelled_tokens.insert(issued.gc_token);
        for (steam_id, owner_steam_id) in self.sessions.begun_with(issued.gc_token) {
            self.queued
                .push(SteamEvent::ValidateAuthTicket(TicketVerdict {
                    steam_id,
                    response: AuthSessionResponse::AuthTicketCanceled.code(),
                    owner_steam_id,
                }));
        }
        true
    }

    fn persona_name(&self) -> String {
        self.config.persona_name.clone()
    }

    fn is_subscribed(&self) -> bool {
        self.config.owns_app
    }

    fn is_subscribed_from_family_sharing(&self) -> bool {
        self.config.owns_app && self.config.owner() != self.config.steam_id
    }

    fn app_owner(&self) -> u64 {
        if self.config.owns_app {
            self.config.owner()
        } else {
            0
        }
    }

    fn is_dlc_installed(&self, dlc_id: u32) -> bool {
        self.config.dlc.contains(&dlc_id)
    }

    fn is_steam_running_on_steam_deck(&self) -> bool {
        self.config.steam_deck
    }

    fn is_steam_running_in_vr(&self) -> bool {
        self.config.vr
    }

    fn is_vac_banned(&self) -> bool {
        self.config.vac_banned
    }

    fn current_game_language(&self) -> String {
        self.config.language.clone()
    }

    fn ui_language(&self) -> String {
        self.config.language.clone()
    }

    fn launch_command_line(&self) -> String {
        self.config.launch_command_line.clone()
    }

    /// Steam's rules: one request pending at a time (`DuplicateRequest`), one a minute
    /// (`LimitExceeded`), none while disconnected (`NoConnection`). The ticket is in Steam's
    /// encrypted format, holding `data`, encrypted with the configured key.
    fn request_encrypted_app_ticket(&mut self, data: &[u8]) {
        let now = self.mint.now();
        let result = if self.encrypted_pending {
            eresult::DUPLICATE_REQUEST
        } else if !self.connected {
            eresult::NO_CONNECTION
        } else if self
            .encrypted_requested_at
            .is_some_and(|at| now < at + ENCRYPTED_TICKET_INTERVAL_SECS)
        {
            eresult::LIMIT_EXCEEDED
        } else {
            self.encrypted_requested_at = Some(now);
            self.encrypted_pending = true;
            self.encrypted_ticket = Some(self.encrypted_ticket_with(data));
            eresult::OK
        };
        self.queued.push(SteamEvent::EncryptedAppTicket { result });
    }

    fn encrypted_app_ticket(&mut self) -> Option<Vec<u8>> {
        self.encrypted_ticket.clone()
    }

    fn run_callbacks(&mut self, out: &mut Vec<SteamEvent>) {
        if self.due.iter().any(
            |e| matches!(e, SteamEvent::EncryptedAppTicket { result } if *result == eresult::OK),
        ) {
            self.encrypted_pending = false;
        }
        if self.due.is_empty() && self.queued.is_empty() {
            return;
        }
        out.append(&mut self.due);
        std::mem::swap(&mut self.due, &mut self.queued);
    }
}

#[cfg(test)]
mod tests;
