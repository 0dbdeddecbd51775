//! The real Steam game server, through `steamworks::Server` (Valve's `SteamGameServer_*` flat API).
//! steamworks 0.13 wraps init, log-on, the SteamID and auth sessions; the rest of `ISteamGameServer`
//! (the server-browser setters, `BSecure`, packets, groups, clans, the server's own tickets) goes
//! through the flat API directly: steamworks has no wrapper for half of them, and its string setters
//! panic on an interior NUL.
//!
//! Callbacks are dispatched here rather than by steamworks: its dispatch loop consumes every call
//! result it did not start itself, and `AssociateWithClan` / `ComputeNewPlayerCompatibility` answer
//! with call results. Ordinary callbacks are still decoded by steamworks' `CallbackResult`.

use std::ffi::{c_void, CString};

use steamworks::{CallbackResult, Server, SteamId};
use steamworks_sys as sys;

use crate::client::IssuedTicket;
use crate::codes::{BeginAuthResult, InitStatus, LicenseResult, ServerMode};
use crate::server::{
    GameServerBackend, OutgoingPacket, PlayerCompat, PublicIp, ServerConfig, ServerEvent,
    ServerSetting,
};
use crate::steamworks_status::{
    begin_result, init_failure, steam_error_code, steam_running, validate_code,
};
use crate::validator::{AuthValidator, BackendKind, TicketVerdict};

/// `GSPolicyResponse_t`'s id: steamworks' `CallbackResult` does not know it.
const POLICY_RESPONSE: i32 = 115;
/// `SteamAPICallCompleted_t`'s id.
const API_CALL_COMPLETED: i32 = 703;
/// Room for the largest call result awaited here (`ComputeNewPlayerCompatibilityResult_t`).
const CALL_RESULT_BUFFER: usize = 64;
/// `GetNextOutgoingPacket`'s buffer: Steam's query answers fit in 16 KiB (GodotSteam uses the same).
const OUTGOING_PACKET_BUFFER: usize = 16 * 1024;
/// `GetAuthSessionTicket`'s buffer: the SDK's documented maximum ticket size.
const AUTH_TICKET_BUFFER: usize = 1024;

/// Which call result an API call handle will bring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PendingCall {
    AssociateWithClan,
    PlayerCompat,
}

/// The steamworks game-server adapter.
pub struct SteamworksGameServer {
    server: Server,
    app_id: u32,
    pending: Vec<(sys::SteamAPICall_t, PendingCall)>,
}

impl SteamworksGameServer {
    /// `SteamGameServer_Init` for `config`; the app id must already be in `SteamAppId` (as Steam
    /// reads it), which [`Self::init`] sets from `config.app_id`.
    pub fn init(config: &ServerConfig) -> Result<Self, InitStatus> {
        std::env::set_var("SteamAppId", config.app_id.to_string());
        let mode = match config.mode {
            ServerMode::NoAuthentication | ServerMode::Invalid => {
                steamworks::ServerMode::NoAuthentication
            }
            ServerMode::Authentication => steamworks::ServerMode::Authentication,
            ServerMode::AuthenticationAndSecure => steamworks::ServerMode::AuthenticationAndSecure,
        };
        let (server, _client) = Server::init(
            config.ip,
            config.game_port,
            config.query_port,
            mode,
            &config.version,
        )
        .map_err(|err| init_failure(&err, steam_running()))?;
        Ok(SteamworksGameServer {
            server,
            app_id: config.app_id,
            pending: Vec::new(),
        })
    }

    /// Turns one dispatched callback into a server event, if it is one the `SteamServer` signals.
    ///
    /// # Safety
    /// `msg` is the callback `SteamAPI_ManualDispatch_GetNextCallback` just handed out, not yet freed.
    unsafe fn translate(
        &mut self,
        pipe: sys::HSteamPipe,
        msg: &sys::CallbackMsg_t,
        out: &mut Vec<ServerEvent>,
    ) {
        let param: *mut c_void = msg.m_pubParam.cast();
        match msg.m_iCallback {
            POLICY_RESPONSE => {
                let secure = param.cast::<u8>().read_unaligned() != 0;
                out.push(ServerEvent::PolicyResponse { secure });
            }
            API_CALL_COMPLETED => {
                let done = param
                    .cast::<sys::SteamAPICallCompleted_t>()
                    .read_unaligned();
                let call = done.m_hAsyncCall;
                let Some(at) = self.pending.iter().position(|(c, _)| *c == call) else {
                    return;
                };
                let (_, kind) = self.pending.remove(at);
                let mut buffer = [0u8; CALL_RESULT_BUFFER];
                let mut failed = false;
                let size = (done.m_cubParam as usize).min(CALL_RESULT_BUFFER);
                let fetched = sys::SteamAPI_ManualDispatch_GetAPICallResult(
                    pipe,
                    call,
                    buffer.as_mut_ptr().cast(),
                    size as i32,
                    done.m_iCallback,
                    &mut failed,
                );
                let result = if fetched && !failed {
                    // Every awaited result starts with its EResult (offset 0 on every platform).
                    i32::from_le_bytes([buffer[0], buffer[1], buffer[2], buffer[3]])
                } else {
                    crate::codes::eresult::FAIL
                };
                out.push(match kind {
                    PendingCall::AssociateWithClan => ServerEvent::AssociateClan { result },
                    PendingCall::PlayerCompat => {
                        let raw = buffer
                            .as_ptr()
                            .cast::<sys::ComputeNewPlayerCompatibilityResult_t>();
                        let int = |field: *const i32| field.read_unaligned();
                        ServerEvent::PlayerCompat(PlayerCompat {
                            result,
                            players_that_dont_like_candidate: int(std::ptr::addr_of!(
                                (*raw).m_cPlayersThatDontLikeCandidate
                            )),
                            players_that_candidate_doesnt_like: int(std::ptr::addr_of!(
                                (*raw).m_cPlayersThatCandidateDoesntLike
                            )),
                            clan_players_that_dont_like_candidate: int(std::ptr::addr_of!(
                                (*raw).m_cClanPlayersThatDontLikeCandidate
                            )),
                            candidate_steam_id: std::ptr::addr_of!((*raw).m_SteamIDCandidate)
                                .cast::<u64>()
                                .read_unaligned(),
                        })
                    }
                });
            }
            id => {
                if let Some(callback) = CallbackResult::from_raw(id, param) {
                    translate_callback(callback, out);
                }
            }
        }
    }
}

/// A callback steamworks decoded, as a server event.
fn translate_callback(callback: CallbackResult, out: &mut Vec<ServerEvent>) {
    match callback {
        CallbackResult::SteamServersConnected(_) => out.push(ServerEvent::Connected),
        CallbackResult::SteamServerConnectFailure(r) => out.push(ServerEvent::ConnectFailure {
            result: steam_error_code(&r.reason),
            retrying: r.still_retrying,
        }),
        CallbackResult::SteamServersDisconnected(r) => out.push(ServerEvent::Disconnected {
            result: steam_error_code(&r.reason),
        }),
        CallbackResult::ValidateAuthTicketResponse(r) => {
            out.push(ServerEvent::ValidateAuthTicket(TicketVerdict {
                steam_id: r.steam_id.raw(),
                response: validate_code(&r.response),
                owner_steam_id: r.owner_steam_id.raw(),
            }))
        }
        CallbackResult::GSClientApprove(r) => out.push(ServerEvent::ClientApproved {
            steam_id: r.user.raw(),
            owner_steam_id: r.owner.raw(),
        }),
        CallbackResult::GSClientDeny(r) => out.push(ServerEvent::ClientDenied {
            steam_id: r.user.raw(),
            reason: r.deny_reason as i32,
        }),
        CallbackResult::GSClientKick(r) => out.push(ServerEvent::ClientKick {
            steam_id: r.user.raw(),
            reason: r.deny_reason as i32,
        }),
        CallbackResult::GSClientGroupStatus(r) => out.push(ServerEvent::ClientGroupStatus {
            steam_id: r.user.raw(),
            group_id: r.group.raw(),
            member: r.member,
            officer: r.officer,
        }),
        _ => {}
    }
}

/// A string for Steam's C API: NUL characters (which would end it early) are dropped.
fn c_string(value: &str) -> CString {
    CString::new(value.replace('\0', "")).unwrap_or_default()
}

fn game_server() -> *mut sys::ISteamGameServer {
    // SAFETY: called only while a Server exists (self holds one), so the interface is initialised.
    unsafe { steamworks_sys::SteamAPI_SteamGameServer_v015() }
}

impl AuthValidator for SteamworksGameServer {
    fn kind(&self) -> BackendKind {
        BackendKind::Steam
    }

    fn app_id(&self) -> u32 {
        self.app_id
    }

    fn logged_on(&self) -> bool {
        // SAFETY: see game_server().
        unsafe { steamworks_sys::SteamAPI_ISteamGameServer_BLoggedOn(game_server()) }
    }

    fn steam_id(&self) -> u64 {
        self.server.steam_id().raw()
    }

    fn begin_auth_session(&mut self, ticket: &[u8], steam_id: u64) -> BeginAuthResult {
        begin_result(
            self.server
                .begin_authentication_session(SteamId::from_raw(steam_id), ticket),
        )
    }

    /// Steam ignores unknown SteamIDs and says nothing, so this reports true.
    fn end_auth_session(&mut self, steam_id: u64) -> bool {
        self.server
            .end_authentication_session(SteamId::from_raw(steam_id));
        true
    }

    fn user_has_license_for_app(&mut self, steam_id: u64, app_id: u32) -> LicenseResult {
        // SAFETY: see game_server().
        let code = unsafe {
            steamworks_sys::SteamAPI_ISteamGameServer_UserHasLicenseForApp(
                game_server(),
                steam_id,
                app_id,
            )
        } as i64;
        LicenseResult::from_code(code).unwrap_or(LicenseResult::NoAuth)
    }
}

impl GameServerBackend for SteamworksGameServer {
    fn log_on_anonymous(&mut self) {
        self.server.log_on_anonymous();
    }

    fn log_on(&mut self, token: &str) {
        // steamworks' log_on unwraps a CString: interior NULs would panic across the FFI boundary.
        self.server.log_on(&token.replace('\0', ""));
    }

    fn log_off(&mut self) {
        // SAFETY: see game_server().
        unsafe { steamworks_sys::SteamAPI_ISteamGameServer_LogOff(game_server()) }
    }

    fn set(&mut self, setting: &ServerSetting) {
        let gs = game_server();
        // SAFETY (every call below): see game_server(); the CStrings outlive the calls, which copy them.
        unsafe {
            match setting {
                ServerSetting::Product(v) => {
                    sys::SteamAPI_ISteamGameServer_SetProduct(gs, c_string(v).as_ptr())
                }
                ServerSetting::ModDir(v) => {
                    sys::SteamAPI_ISteamGameServer_SetModDir(gs, c_string(v).as_ptr())
                }
                ServerSetting::GameDescription(v) => {
                    sys::SteamAPI_ISteamGameServer_SetGameDescription(gs, c_string(v).as_ptr())
                }
                ServerSetting::ServerName(v) => {
                    sys::SteamAPI_ISteamGameServer_SetServerName(gs, c_string(v).as_ptr())
                }
                ServerSetting::MapName(v) => {
                    sys::SteamAPI_ISteamGameServer_SetMapName(gs, c_string(v).as_ptr())
                }
                ServerSetting::MaxPlayerCount(n) => {
                    sys::SteamAPI_ISteamGameServer_SetMaxPlayerCount(gs, *n)
                }
                ServerSetting::BotPlayerCount(n) => {
                    sys::SteamAPI_ISteamGameServer_SetBotPlayerCount(gs, *n)
                }
                ServerSetting::PasswordProtected(b) => {
                    sys::SteamAPI_ISteamGameServer_SetPasswordProtected(gs, *b)
                }
                ServerSetting::DedicatedServer(b) => {
                    sys::SteamAPI_ISteamGameServer_SetDedicatedServer(gs, *b)
                }
                ServerSetting::Region(v) => {
                    sys::SteamAPI_ISteamGameServer_SetRegion(gs, c_string(v).as_ptr())
                }
                ServerSetting::GameTags(v) => {
                    sys::SteamAPI_ISteamGameServer_SetGameTags(gs, c_string(v).as_ptr())
                }
                ServerSetting::GameData(v) => {
                    sys::SteamAPI_ISteamGameServer_SetGameData(gs, c_string(v).as_ptr())
                }
                ServerSetting::KeyValue(k, v) => sys::SteamAPI_ISteamGameServer_SetKeyValue(
                    gs,
                    c_string(k).as_ptr(),
                    c_string(v).as_ptr(),
                ),
                ServerSetting::ClearAllKeyValues => {
                    sys::SteamAPI_ISteamGameServer_ClearAllKeyValues(gs)
                }
                ServerSetting::SpectatorPort(p) => {
                    sys::SteamAPI_ISteamGameServer_SetSpectatorPort(gs, *p)
                }
                ServerSetting::SpectatorServerName(v) => {
                    sys::SteamAPI_ISteamGameServer_SetSpectatorServerName(gs, c_string(v).as_ptr())
                }
                ServerSetting::AdvertiseServerActive(b) => {
                    sys::SteamAPI_ISteamGameServer_SetAdvertiseServerActive(gs, *b)
                }
            }
        }
    }

    fn secure(&self) -> bool {
        // SAFETY: see game_server().
        unsafe { sys::SteamAPI_ISteamGameServer_BSecure(game_server()) }
    }

    fn public_ip(&self) -> PublicIp {
        // SAFETY: see game_server(); the union is read by the type Steam reports.
        unsafe {
            let ip = sys::SteamAPI_ISteamGameServer_GetPublicIP(game_server());
            match ip.m_eType {
                sys::ESteamIPType::k_ESteamIPTypeIPv6 => {
                    PublicIp::V6(std::net::Ipv6Addr::from(ip.__bindgen_anon_1.m_rgubIPv6))
                }
                _ => match ip.__bindgen_anon_1.m_unIPv4 {
                    0 => PublicIp::Unknown,
                    v4 => PublicIp::V4(std::net::Ipv4Addr::from(v4)),
                },
            }
        }
    }

    fn was_restart_requested(&mut self) -> bool {
        // SAFETY: see game_server().
        unsafe { sys::SteamAPI_ISteamGameServer_WasRestartRequested(game_server()) }
    }

    fn auth_session_ticket(&mut self, for_steam_id: u64) -> IssuedTicket {
        let mut bytes = vec![0u8; AUTH_TICKET_BUFFER];
        let mut size = 0u32;
        // SAFETY: a zeroed SteamNetworkingIdentity is a valid "invalid" identity, which Clear and
        // SetSteamID64 then initialise.
        let identity = (for_steam_id != 0).then(|| unsafe {
            let mut raw: sys::SteamNetworkingIdentity = std::mem::zeroed();
            sys::SteamAPI_SteamNetworkingIdentity_Clear(&mut raw);
            sys::SteamAPI_SteamNetworkingIdentity_SetSteamID64(&mut raw, for_steam_id);
            raw
        });
        // SAFETY: see game_server(); the buffer holds AUTH_TICKET_BUFFER bytes and the identity (if
        // any) outlives the call, which copies it.
        let handle = unsafe {
            sys::SteamAPI_ISteamGameServer_GetAuthSessionTicket(
                game_server(),
                bytes.as_mut_ptr().cast(),
                AUTH_TICKET_BUFFER as i32,
                &mut size,
                identity
                    .as_ref()
                    .map_or(std::ptr::null(), |id| id as *const _),
            )
        };
        bytes.truncate((size as usize).min(AUTH_TICKET_BUFFER));
        IssuedTicket { handle, bytes }
    }

    fn cancel_auth_ticket(&mut self, handle: u32) {
        // SAFETY: see game_server().
        unsafe { sys::SteamAPI_ISteamGameServer_CancelAuthTicket(game_server(), handle) }
    }

    fn next_outgoing_packet(&mut self) -> Option<OutgoingPacket> {
        let mut bytes = vec![0u8; OUTGOING_PACKET_BUFFER];
        let (mut address, mut port) = (0u32, 0u16);
        // SAFETY: see game_server(); the buffer holds OUTGOING_PACKET_BUFFER bytes.
        let length = unsafe {
            sys::SteamAPI_ISteamGameServer_GetNextOutgoingPacket(
                game_server(),
                bytes.as_mut_ptr().cast(),
                OUTGOING_PACKET_BUFFER as i32,
                &mut address,
                &mut port,
            )
        };
        let length = usize::try_from(length).ok().filter(|n| *n > 0)?;
        bytes.truncate(length.min(OUTGOING_PACKET_BUFFER));
        Some(OutgoingPacket {
            bytes,
            address: std::net::Ipv4Addr::from(address),
            port,
        })
    }

    fn handle_incoming_packet(&mut self, packet: &[u8], ip: std::net::Ipv4Addr, port: u16) -> bool {
        let Ok(len) = i32::try_from(packet.len()) else {
            return false;
        };
        // SAFETY: see game_server(); Steam reads `len` bytes of `packet`.
        unsafe {
            sys::SteamAPI_ISteamGameServer_HandleIncomingPacket(
                game_server(),
                packet.as_ptr().cast(),
                len,
                u32::from(ip),
                port,
            )
        }
    }

    fn request_user_group_status(&mut self, steam_id: u64, group_id: u64) -> bool {
        // SAFETY: see game_server().
        unsafe {
            sys::SteamAPI_ISteamGameServer_RequestUserGroupStatus(game_server(), steam_id, group_id)
        }
    }

    fn associate_with_clan(&mut self, clan_id: u64) {
        // SAFETY: see game_server().
        let call =
            unsafe { sys::SteamAPI_ISteamGameServer_AssociateWithClan(game_server(), clan_id) };
        self.pending.push((call, PendingCall::AssociateWithClan));
    }

    fn compute_new_player_compatibility(&mut self, steam_id: u64) {
        // SAFETY: see game_server().
        let call = unsafe {
            sys::SteamAPI_ISteamGameServer_ComputeNewPlayerCompatibility(game_server(), steam_id)
        };
        self.pending.push((call, PendingCall::PlayerCompat));
    }

    fn run_callbacks(&mut self, out: &mut Vec<ServerEvent>) {
        // SAFETY: Steam's game server is initialised (self holds it); each callback is translated
        // before it is freed, as manual dispatch requires.
        unsafe {
            let pipe = sys::SteamGameServer_GetHSteamPipe();
            sys::SteamAPI_ManualDispatch_RunFrame(pipe);
            let mut msg: sys::CallbackMsg_t = std::mem::zeroed();
            while sys::SteamAPI_ManualDispatch_GetNextCallback(pipe, &mut msg) {
                self.translate(pipe, &msg, out);
                sys::SteamAPI_ManualDispatch_FreeLastCallback(pipe);
            }
        }
    }
}

/// `SteamAPI_ReleaseCurrentThreadMemory`: frees what Steam keeps for the calling thread. Safe to
/// call at any time, initialised or not.
pub fn release_current_thread_memory() {
    // SAFETY: takes no arguments and only touches the calling thread's own Steam memory.
    unsafe { sys::SteamAPI_ReleaseCurrentThreadMemory() }
}
