//! The `SteamServer` engine singleton: GodotSteam Server's Main and Game Server members (names,
//! argument order, return shapes, signals and enums), so a dedicated Godot server written for
//! GodotSteam Server runs unchanged and validates its players without a Steam client.
//!
//! Backends as for `Steam`: `steamworks::Server` (Valve's `SteamGameServer_*`), or the simulated game
//! server from `steam-auth-core`, which checks simulation-signed tickets from any process.
//!
//! One job per file: `init` (start-up and shutdown), `auth` (log-on, players' sessions, the server's
//! own ticket, secure), `browser` (the server-browser fields), `network` (what the server asks
//! Steam's servers), `steam_ids` (SteamID helpers). This file holds the class, its signals and how
//! the singleton is registered.

mod auth;
mod browser;
mod init;
mod network;
mod steam_ids;

use godot::prelude::*;

use steam_auth_core::{
    BackendKind, GameServerBackend, PlayerCompat, ServerEvent, ServerInfo, TicketVerdict,
};

use crate::backend_slot::{BackendSlot, SingletonBackend};
use crate::{frame_pump, own_singleton};

/// The name GodotSteam Server gives its singleton.
pub const SINGLETON_NAME: &str = "SteamServer";

const NOT_INITIALISED: &str = "the server is not initialised: call SteamServer.serverInit() first";

/// Steam's game-server API for dedicated servers, call-compatible with GodotSteam Server.
///
/// A dedicated server has no Steam client, so it validates players' session tickets here:
/// [code]serverInit(...)[/code], [method logOnAnonymous] (or [method logOn] with a game server login
/// token), then [method beginAuthSession] for each player and [method endAuthSession] when they leave.
/// It talks to Steam through Steamworks' game-server API; with [code]steam/auth/backend = "simulated"[/code]
/// (or [code]STEAM_AUTH_BACKEND[/code]) a simulated game server checks simulation-signed tickets from
/// any process like Steam does: signature, SteamID, app, version, expiry, duplicate and reused
/// tickets. Callbacks are dispatched every frame.
///
/// The server-browser fields ([method setServerName], [method setMapName], [method setKeyValue], ...)
/// go to Steam's master server; [method getServerInfo] shows what was set, and the simulated server
/// prints it when it logs on. Calls only Steam's servers can answer get, from the simulated server,
/// Steam's answer for a server with nothing to report (each member's help says which).
/// GodotSteam Server's stats, HTTP, inventory, networking and UGC members are not here: use
/// GodotSteam Server for those, with this addon's login-only build.
#[derive(GodotClass)]
#[class(no_init, base = Object)]
pub struct SteamServer {
    backend: BackendSlot<dyn GameServerBackend>,
    /// What the game set for the server browser since `serverInit` (the backends only pass it on).
    info: ServerInfo,
    base: Base<Object>,
}

#[godot_api]
impl SteamServer {
    /// A player's session was decided, or changed state later. [param auth_id] is the player's
    /// SteamID, [param response] an [enum AuthSessionResponse] value, [param owner_id] the SteamID
    /// that owns the game (differs under Family Sharing).
    #[signal]
    fn validate_auth_ticket_response(auth_id: i64, response: i64, owner_id: i64);

    /// The server logged on to Steam.
    #[signal]
    fn server_connected();

    /// Logging on failed: [param result] a [enum Result] value (102 [constant RESULT_GSLT_DENIED]
    /// for a refused token), [param retrying] whether Steam keeps trying.
    #[signal]
    fn server_connect_failure(result: i64, retrying: bool);

    /// The server lost (or gave up with [method logOff]) its connection to Steam.
    #[signal]
    fn server_disconnected(result: i64);

    /// Steam's policy for the server after log-on: [param secure] is 1 when the server is VAC
    /// secure ([constant SERVER_MODE_AUTHENTICATION_AND_SECURE]), 0 otherwise.
    #[signal]
    fn policy_response(secure: i64);

    /// Steam approved a client of the older connect-and-authenticate flow; [param owner_id] owns
    /// the game. Sessions begun with [method beginAuthSession] report through
    /// [signal validate_auth_ticket_response] instead, so the simulated server never emits this.
    #[signal]
    fn client_approved(steam_id: i64, owner_id: i64);

    /// Steam denied a client: [param reason] a [enum DenyReason] value. The simulated server never
    /// emits this (see [signal client_approved]).
    #[signal]
    fn client_denied(steam_id: i64, reason: i64);

    /// Steam asks the server to kick a client: [param reason] a [enum DenyReason] value. The
    /// simulated server never emits this.
    #[signal]
    fn client_kick(steam_id: i64, reason: i64);

    /// The answer to [method requestUserGroupStatus].
    #[signal]
    fn client_group_status(steam_id: i64, group_id: i64, member: bool, officer: bool);

    /// The answer to [method associateWithClan]: a [enum Result] value.
    #[signal]
    fn associate_clan(result: i64);

    /// The answer to [method computeNewPlayerCompatibility]: [param result] a [enum Result] value,
    /// then how many players dislike the candidate, how many the candidate dislikes, how many of the
    /// server's clan dislike the candidate, and the candidate's SteamID.
    #[signal]
    fn player_compat(
        result: i64,
        players_dont_like_candidate: i64,
        players_candidate_doesnt_like: i64,
        clan_players_dont_like_candidate: i64,
        steam_id: i64,
    );

    /// Dispatches pending game-server callbacks as signals; called every frame after init.
    #[func(gd_self)]
    fn run_callbacks(mut this: Gd<Self>) {
        crate::backend_slot::dispatch(&mut this, |server| &mut server.backend, emit);
    }
}

impl SteamServer {
    /// Registers the singleton unless another `SteamServer` (GodotSteam Server's) exists; the
    /// `steam/auth/provide_steam_singleton` policy applies as for `Steam`.
    pub fn register_singleton() {
        own_singleton::register(
            SINGLETON_NAME,
            "GodotSteam Server",
            "SteamMultiplayerAuth",
            Self::new_gd,
        );
    }

    pub fn unregister_singleton() {
        own_singleton::unregister::<SteamServer>(SINGLETON_NAME);
    }

    /// Shuts down and disconnects everything from its signals (at the end of the SceneTree).
    pub fn release_all() {
        own_singleton::release::<SteamServer>(SINGLETON_NAME, |this| this.bind_mut().shutdown());
    }

    fn new_gd() -> Gd<Self> {
        Gd::from_init_fn(|base| SteamServer {
            backend: BackendSlot::empty(SINGLETON_NAME, NOT_INITIALISED),
            info: ServerInfo::default(),
            base,
        })
    }

    fn shutdown(&mut self) {
        if self.backend.clear() {
            frame_pump::stop(&self.to_gd());
        }
    }

    /// The simulated server shows what the game set for the server browser when it logs on.
    fn report_log_on(&self) {
        let Some(b) = self.backend.get() else {
            return;
        };
        if b.validator().kind() == BackendKind::Simulated {
            godot_print!(
                "SteamServer (simulated): logged on as {}; server browser: {}",
                b.validator().steam_id(),
                self.info.summary()
            );
        }
    }
}

fn emit(this: &mut Gd<SteamServer>, event: ServerEvent) {
    if event == ServerEvent::Connected {
        this.bind().report_log_on();
    }
    let mut signals = this.signals();
    match event {
        ServerEvent::Connected => signals.server_connected().emit(),
        ServerEvent::ConnectFailure { result, retrying } => signals
            .server_connect_failure()
            .emit(i64::from(result), retrying),
        ServerEvent::Disconnected { result } => {
            signals.server_disconnected().emit(i64::from(result))
        }
        ServerEvent::ValidateAuthTicket(TicketVerdict {
            steam_id,
            response,
            owner_steam_id,
        }) => signals.validate_auth_ticket_response().emit(
            steam_id as i64,
            i64::from(response),
            owner_steam_id as i64,
        ),
        ServerEvent::PolicyResponse { secure } => signals.policy_response().emit(i64::from(secure)),
        ServerEvent::ClientApproved {
            steam_id,
            owner_steam_id,
        } => signals
            .client_approved()
            .emit(steam_id as i64, owner_steam_id as i64),
        ServerEvent::ClientDenied { steam_id, reason } => signals
            .client_denied()
            .emit(steam_id as i64, i64::from(reason)),
        ServerEvent::ClientKick { steam_id, reason } => signals
            .client_kick()
            .emit(steam_id as i64, i64::from(reason)),
        ServerEvent::ClientGroupStatus {
            steam_id,
            group_id,
            member,
            officer,
        } => signals
            .client_group_status()
            .emit(steam_id as i64, group_id as i64, member, officer),
        ServerEvent::AssociateClan { result } => signals.associate_clan().emit(i64::from(result)),
        ServerEvent::PlayerCompat(PlayerCompat {
            result,
            players_that_dont_like_candidate,
            players_that_candidate_doesnt_like,
            clan_players_that_dont_like_candidate,
            candidate_steam_id,
        }) => signals.player_compat().emit(
            i64::from(result),
            i64::from(players_that_dont_like_candidate),
            i64::from(players_that_candidate_doesnt_like),
            i64::from(clan_players_that_dont_like_candidate),
            candidate_steam_id as i64,
        ),
    }
}
