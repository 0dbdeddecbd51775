//! A test double of Valve's `libsteam_api`: exactly the flat-API symbols the extension links (see
//! `scripts/test-steam-double.sh`, which checks the list with `nm`), with Valve's C signatures and
//! callback layouts, so the real `steamworks` code path runs end to end without a Steam client.
//!
//! Users and tickets come from the project's simulated Steam (`steam_auth_core::SimulatedSteam`), so
//! tickets have Steam's real layout. Callbacks go out through the manual-dispatch functions. Linked
//! functions the extension should never call abort with a message naming them: a gap is loud.
//!
//! Configuration, read at `SteamAPI_InitFlat`: the app id as Steam finds it (`SteamAppId`, which
//! `steamworks::Client::init_app` sets, then `SteamGameId`, then `steam_appid.txt` in the working
//! directory; none of them fails init as Steam does), `STEAM_DOUBLE_STEAM_ID` (default
//! 76561198000000000), `STEAM_DOUBLE_PERSONA`, `STEAM_DOUBLE_OWNER` (Family Sharing owner),
//! `STEAM_DOUBLE_DLC` (comma-separated app ids), `STEAM_DOUBLE_NOT_OWNED=1`, `STEAM_DOUBLE_DECK=1`,
//! `STEAM_DOUBLE_VR=1`, `STEAM_DOUBLE_VAC_BANNED=1`, `STEAM_DOUBLE_LANGUAGE`,
//! `STEAM_DOUBLE_LAUNCH_COMMAND_LINE`,
//! `STEAM_DOUBLE_INIT=fail|no-client` to make init fail, and `STEAM_DOUBLE_CALL_IO_FAILURE=1` to
//! complete API calls with an I/O failure. `SteamAPI_GetAppID`-style queries
//! answer what init got, so tests can check which app id reached Steam.

#![allow(non_snake_case, clippy::missing_safety_doc)]

use std::collections::VecDeque;
use std::ffi::{c_char, c_int, c_void, CStr};

use parking_lot::Mutex;
use steam_auth_core::{
    AuthValidator, GameServerBackend, Identity, PublicIp, ServerConfig, ServerEvent, ServerMode,
    ServerSetting, SimulatedConfig, SimulatedGameServer, SimulatedSteam, SteamBackend, SteamEvent,
    TicketVerdict, DEFAULT_SIMULATED_STEAM_ID,
};

/// Callback ids (`k_iSteamUserCallbacks` = 100 plus the offset in isteamuser.h).
pub const VALIDATE_AUTH_TICKET_RESPONSE: c_int = 143;
pub const GET_AUTH_SESSION_TICKET_RESPONSE: c_int = 163;
pub const GET_TICKET_FOR_WEB_API_RESPONSE: c_int = 168;
pub const STEAM_SERVERS_CONNECTED: c_int = 101;
pub const STEAM_SERVER_CONNECT_FAILURE: c_int = 102;
pub const STEAM_SERVERS_DISCONNECTED: c_int = 103;
/// `EncryptedAppTicketResponse_t`, a call result.
pub const ENCRYPTED_APP_TICKET_RESPONSE: c_int = 154;
/// Game-server callbacks (`k_iSteamGameServerCallbacks` = 200, and 115 for the policy response).
pub const GS_POLICY_RESPONSE: c_int = 115;
pub const GS_CLIENT_APPROVE: c_int = 201;
pub const GS_CLIENT_DENY: c_int = 202;
pub const GS_CLIENT_KICK: c_int = 203;
pub const GS_CLIENT_GROUP_STATUS: c_int = 208;
/// Call results of the game server.
pub const ASSOCIATE_WITH_CLAN_RESULT: c_int = 210;
pub const COMPUTE_NEW_PLAYER_COMPATIBILITY_RESULT: c_int = 211;
/// `SteamAPICallCompleted_t`: a call result is ready to fetch.
pub const API_CALL_COMPLETED: c_int = 703;
/// `k_nSteamEncryptedAppTicket…`: the Web API ticket buffer in `GetTicketForWebApiResponse_t`.
pub const WEB_API_TICKET_BUFFER: usize = 2560;

const PIPE: i32 = 1;
/// The game server's pipe (`SteamGameServer_GetHSteamPipe`): its callbacks queue apart.
const SERVER_PIPE: i32 = 2;
const USER: i32 = 1;

struct State {
    steam: SimulatedSteam,
    /// Encoded callbacks ready for `GetNextCallback`: (id, bytes).
    ready: VecDeque<(c_int, Vec<u8>)>,
    /// The callback handed out and not yet freed (its bytes must stay put until then).
    current: Option<Vec<u8>>,
    events: Vec<SteamEvent>,
    /// Kept alive for the strings Steam returns by pointer.
    persona: std::ffi::CString,
    language: std::ffi::CString,
    /// `RequestEncryptedAppTicket` calls not yet answered, oldest first, and the answered ones.
    encrypted_calls: VecDeque<u64>,
    encrypted_results: Vec<(u64, i32)>,
    next_call: u64,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

/// The game server (`SteamGameServer_*`), played by the project's simulated game server.
struct ServerState {
    server: SimulatedGameServer,
    ready: VecDeque<(c_int, Vec<u8>)>,
    current: Option<Vec<u8>>,
    events: Vec<ServerEvent>,
    /// `AssociateWithClan` / `ComputeNewPlayerCompatibility` calls not yet answered, oldest first.
    calls: VecDeque<(u64, ServerCall)>,
    /// Answered calls: handle → (callback id, the result struct's bytes), until fetched.
    results: Vec<(u64, c_int, Vec<u8>)>,
    next_call: u64,
}

/// Which call result an API call handle of the game server brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServerCall {
    AssociateWithClan,
    PlayerCompat,
}

/// Appends one `ISteamGameServer` call to the file named by `STEAM_DOUBLE_RECORD`, if set, so a
/// test can check which calls (and arguments) reached "Steam".
fn record(line: &str) {
    use std::io::Write;
    let Some(path) = std::env::var_os("STEAM_DOUBLE_RECORD") else {
        return;
    };
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(file, "{line}");
    }
}

static SERVER: Mutex<Option<ServerState>> = Mutex::new(None);

fn with_server<R>(name: &str, f: impl FnOnce(&mut ServerState) -> R) -> R {
    match SERVER.lock().as_mut() {
        Some(state) => f(state),
        None => {
            eprintln!("steam-api-test-double: {name} called before SteamGameServer_Init");
            std::process::abort();
        }
    }
}

fn unimplemented(name: &str) -> ! {
    eprintln!("steam-api-test-double: {name} was called, but the double does not implement it; add it to rust/testing/steam-api-test-double");
    std::process::abort();
}

fn with_state<R>(name: &str, f: impl FnOnce(&mut State) -> R) -> R {
    match STATE.lock().as_mut() {
        Some(state) => f(state),
        None => {
            eprintln!("steam-api-test-double: {name} called before SteamAPI_InitFlat");
            std::process::abort();
        }
    }
}

/// The `len` bytes at `data` as Steam's C API passes them; empty for a null pointer or bad length.
unsafe fn bytes_at<'a>(data: *const c_void, len: c_int) -> &'a [u8] {
    match usize::try_from(len) {
        Ok(n) if !data.is_null() => std::slice::from_raw_parts(data.cast::<u8>(), n),
        _ => &[],
    }
}

/// Writes `message`, NUL-terminated, into Steam's `SteamErrMsg` out-parameter (if given).
unsafe fn write_err_msg(err: *mut [c_char; 1024], message: &str) {
    if let Some(buf) = err.as_mut() {
        for (dst, src) in buf
            .iter_mut()
            .zip(message.bytes().chain(std::iter::once(0)))
        {
            *dst = src as c_char;
        }
    }
}

/// `ESteamAPIInitResult SteamAPI_InitFlat(SteamErrMsg *pOutErrMsg)`.
#[no_mangle]
pub unsafe extern "C" fn SteamAPI_InitFlat(err: *mut [c_char; 1024]) -> c_int {
    let write_err = |message: &str| write_err_msg(err, message);
    match std::env::var("STEAM_DOUBLE_INIT").as_deref() {
        Ok("fail") => {
            write_err("test double told to fail");
            return 1;
        }
        Ok("no-client") => {
            write_err("test double: no Steam client");
            return 2;
        }
        _ => {}
    }
    let Some(app_id) = app_id_as_steam_finds_it() else {
        write_err("No appID found.  Either launch the game from Steam, or put the file steam_appid.txt containing the correct appID in your game folder.");
        return 1;
    };
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let steam_id = var("STEAM_DOUBLE_STEAM_ID")
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_SIMULATED_STEAM_ID);
    let mut config = SimulatedConfig::new(steam_id, app_id);
    if let Some(name) = var("STEAM_DOUBLE_PERSONA") {
        config.persona_name = name;
    }
    config.owner_steam_id = var("STEAM_DOUBLE_OWNER").and_then(|v| v.parse().ok());
    config.dlc = var("STEAM_DOUBLE_DLC")
        .map(|v| v.split(',').filter_map(|d| d.trim().parse().ok()).collect())
        .unwrap_or_default();
    config.owns_app = var("STEAM_DOUBLE_NOT_OWNED").is_none();
    config.steam_deck = var("STEAM_DOUBLE_DECK").is_some();
    config.vr = var("STEAM_DOUBLE_VR").is_some();
    config.vac_banned = var("STEAM_DOUBLE_VAC_BANNED").is_some();
    if let Some(language) = var("STEAM_DOUBLE_LANGUAGE") {
        config.language = language;
    }
    config.launch_command_line = var("STEAM_DOUBLE_LAUNCH_COMMAND_LINE").unwrap_or_default();
    let persona = std::ffi::CString::new(config.persona_name.clone()).unwrap_or_default();
    let language = std::ffi::CString::new(config.language.clone()).unwrap_or_default();
    *STATE.lock() = Some(State {
        steam: SimulatedSteam::new(config),
        ready: VecDeque::new(),
        current: None,
        events: Vec::new(),
        persona,
        language,
        encrypted_calls: VecDeque::new(),
        encrypted_results: Vec::new(),
        next_call: 1000,
    });
    write_err("");
    0
}

/// Steam's order: `SteamAppId`, `SteamGameId`, then `steam_appid.txt` in the working directory.
fn app_id_as_steam_finds_it() -> Option<u32> {
    let parse = |v: String| v.trim().parse::<u32>().ok().filter(|id| *id > 0);
    std::env::var("SteamAppId")
        .ok()
        .and_then(parse)
        .or_else(|| std::env::var("SteamGameId").ok().and_then(parse))
        .or_else(|| {
            std::fs::read_to_string("steam_appid.txt")
                .ok()
                .and_then(parse)
        })
}

/// Called before init by games that were not launched by Steam; the double never relaunches.
#[no_mangle]
pub extern "C" fn SteamAPI_RestartAppIfNecessary(_app_id: u32) -> bool {
    false
}

#[no_mangle]
pub extern "C" fn SteamAPI_Shutdown() {
    *STATE.lock() = None;
}

#[no_mangle]
pub extern "C" fn SteamAPI_IsSteamRunning() -> bool {
    true
}

#[no_mangle]
pub extern "C" fn SteamAPI_GetHSteamPipe() -> i32 {
    PIPE
}

#[no_mangle]
pub extern "C" fn SteamAPI_ManualDispatch_Init() {}

/// Moves the simulation's due events into the pipe's callback queue, encoded as Valve's structs.
#[no_mangle]
pub extern "C" fn SteamAPI_ManualDispatch_RunFrame(pipe: i32) {
    if pipe == SERVER_PIPE {
        return with_server("SteamAPI_ManualDispatch_RunFrame", |s| {
            s.server.run_callbacks(&mut s.events);
            let events: Vec<ServerEvent> = s.events.drain(..).collect();
            for event in events {
                let answers = match event {
                    ServerEvent::AssociateClan { .. } => Some(ServerCall::AssociateWithClan),
                    ServerEvent::PlayerCompat(_) => Some(ServerCall::PlayerCompat),
                    _ => None,
                };
                let (id, bytes) = encode_server(&event);
                match answers {
                    // A call result: SteamAPICallCompleted_t now, the struct when it is fetched.
                    Some(kind) => {
                        let Some(at) = s.calls.iter().position(|(_, k)| *k == kind) else {
                            continue;
                        };
                        let (call, _) = s.calls.remove(at).expect("position is in range");
                        let mut completed = call.to_le_bytes().to_vec();
                        completed.extend_from_slice(&id.to_le_bytes());
                        completed.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                        s.ready.push_back((API_CALL_COMPLETED, completed));
                        s.results.push((call, id, bytes));
                    }
                    None => s.ready.push_back((id, bytes)),
                }
            }
        });
    }
    with_state("SteamAPI_ManualDispatch_RunFrame", |s| {
        s.steam.run_callbacks(&mut s.events);
        for event in s.events.drain(..) {
            if let SteamEvent::EncryptedAppTicket { result } = event {
                if let Some(call) = s.encrypted_calls.pop_front() {
                    s.encrypted_results.push((call, result));
                }
            } else if let Some(callback) = encode(&event) {
                s.ready.push_back(callback);
            }
        }
    });
}

/// `CallbackMsg_t` (packed 4): user, callback id, param pointer, param size.
#[repr(C, packed(4))]
pub struct CallbackMsg {
    pub user: i32,
    pub callback: c_int,
    pub param: *mut u8,
    pub size: c_int,
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ManualDispatch_GetNextCallback(
    pipe: i32,
    msg: *mut CallbackMsg,
) -> bool {
    let hand_out = |ready: &mut VecDeque<(c_int, Vec<u8>)>, current: &mut Option<Vec<u8>>| {
        let Some((id, bytes)) = ready.pop_front() else {
            return false;
        };
        let current = current.insert(bytes);
        msg.write(CallbackMsg {
            user: USER,
            callback: id,
            param: current.as_mut_ptr(),
            size: current.len() as c_int,
        });
        true
    };
    if pipe == SERVER_PIPE {
        return with_server("SteamAPI_ManualDispatch_GetNextCallback", |s| {
            hand_out(&mut s.ready, &mut s.current)
        });
    }
    with_state("SteamAPI_ManualDispatch_GetNextCallback", |s| {
        hand_out(&mut s.ready, &mut s.current)
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ManualDispatch_FreeLastCallback(pipe: i32) {
    if pipe == SERVER_PIPE {
        return with_server("SteamAPI_ManualDispatch_FreeLastCallback", |s| {
            s.current = None
        });
    }
    with_state("SteamAPI_ManualDispatch_FreeLastCallback", |s| {
        s.current = None
    });
}

/// The game server's call results (`AssociateWithClan`, `ComputeNewPlayerCompatibility`); the
/// client's encrypted tickets go through `ISteamUtils` instead, so the client pipe has none.
#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ManualDispatch_GetAPICallResult(
    pipe: i32,
    call: u64,
    out: *mut c_void,
    size: c_int,
    expected: c_int,
    failed: *mut bool,
) -> bool {
    let found = (pipe == SERVER_PIPE)
        .then(|| {
            with_server("SteamAPI_ManualDispatch_GetAPICallResult", |s| {
                let at = s.results.iter().position(|(c, _, _)| *c == call)?;
                Some(s.results.remove(at))
            })
        })
        .flatten();
    let fits = matches!(&found, Some((_, id, bytes)) if *id == expected && usize::try_from(size).is_ok_and(|n| n >= bytes.len()));
    if let (true, Some((_, _, bytes))) = (fits, &found) {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), out.cast::<u8>(), bytes.len());
    }
    if !failed.is_null() {
        *failed = !fits;
    }
    fits
}

/// Encodes an event as the callback struct steamworks reads (little-endian, Valve's packing);
/// `None` for what Steam delivers as a call result instead.
pub fn encode(event: &SteamEvent) -> Option<(c_int, Vec<u8>)> {
    Some(match event {
        SteamEvent::AuthSessionTicket { handle, result } => {
            let mut b = Vec::with_capacity(8);
            b.extend_from_slice(&handle.to_le_bytes());
            b.extend_from_slice(&result.to_le_bytes());
            (GET_AUTH_SESSION_TICKET_RESPONSE, b)
        }
        SteamEvent::ValidateAuthTicket(TicketVerdict {
            steam_id,
            response,
            owner_steam_id,
        }) => {
            // CSteamID m_SteamID; EAuthSessionResponse; CSteamID m_OwnerSteamID: 20 bytes, pack 4.
            let mut b = Vec::with_capacity(20);
            b.extend_from_slice(&steam_id.to_le_bytes());
            b.extend_from_slice(&response.to_le_bytes());
            b.extend_from_slice(&owner_steam_id.to_le_bytes());
            (VALIDATE_AUTH_TICKET_RESPONSE, b)
        }
        SteamEvent::TicketForWebApi {
            handle,
            result,
            ticket,
        } => {
            let len = ticket.len().min(WEB_API_TICKET_BUFFER);
            let mut b = Vec::with_capacity(12 + WEB_API_TICKET_BUFFER);
            b.extend_from_slice(&handle.to_le_bytes());
            b.extend_from_slice(&result.to_le_bytes());
            b.extend_from_slice(&(len as i32).to_le_bytes());
            b.extend_from_slice(&ticket[..len]);
            b.resize(12 + WEB_API_TICKET_BUFFER, 0);
            (GET_TICKET_FOR_WEB_API_RESPONSE, b)
        }
        // SteamServersConnected_t is an empty struct: one byte in C++.
        SteamEvent::SteamServersConnected => (STEAM_SERVERS_CONNECTED, vec![0]),
        SteamEvent::SteamServersDisconnected => (
            STEAM_SERVERS_DISCONNECTED,
            steam_auth_core::eresult::NO_CONNECTION
                .to_le_bytes()
                .to_vec(),
        ),
        SteamEvent::SteamServerConnectFailure { result, retrying } => {
            let mut b = result.to_le_bytes().to_vec();
            b.extend_from_slice(&[u8::from(*retrying), 0, 0, 0]);
            (STEAM_SERVER_CONNECT_FAILURE, b)
        }
        SteamEvent::EncryptedAppTicket { .. } | SteamEvent::CallFailed { .. } => return None,
    })
}

// ---- ISteamUser -------------------------------------------------------------------------------

/// Any non-null pointer: the double keeps one user per process.
#[no_mangle]
pub extern "C" fn SteamAPI_SteamUser_v023() -> *mut c_void {
    std::ptr::NonNull::<u8>::dangling().as_ptr().cast()
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamUser_GetSteamID(_user: *mut c_void) -> u64 {
    with_state("SteamAPI_ISteamUser_GetSteamID", |s| s.steam.steam_id())
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamUser_BLoggedOn(_user: *mut c_void) -> bool {
    with_state("SteamAPI_ISteamUser_BLoggedOn", |s| s.steam.logged_on())
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamUser_GetAuthSessionTicket(
    _user: *mut c_void,
    ticket: *mut c_void,
    max: c_int,
    written: *mut u32,
    identity: *const NetworkingIdentity,
) -> u32 {
    let identity = identity
        .as_ref()
        .map(NetworkingIdentity::to_identity)
        .unwrap_or(Identity::None);
    with_state("SteamAPI_ISteamUser_GetAuthSessionTicket", |s| {
        let issued = s.steam.get_auth_session_ticket(&identity);
        let len = issued.bytes.len().min(usize::try_from(max).unwrap_or(0));
        if !ticket.is_null() {
            std::ptr::copy_nonoverlapping(issued.bytes.as_ptr(), ticket.cast::<u8>(), len);
        }
        if !written.is_null() {
            *written = len as u32;
        }
        issued.handle
    })
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamUser_GetAuthTicketForWebApi(
    _user: *mut c_void,
    identity: *const c_char,
) -> u32 {
    let identity = if identity.is_null() {
        String::new()
    } else {
        CStr::from_ptr(identity).to_string_lossy().into_owned()
    };
    with_state("SteamAPI_ISteamUser_GetAuthTicketForWebApi", |s| {
        s.steam.get_auth_ticket_for_web_api(&identity)
    })
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamUser_BeginAuthSession(
    _user: *mut c_void,
    ticket: *const c_void,
    len: c_int,
    steam_id: u64,
) -> c_int {
    let bytes = bytes_at(ticket, len);
    with_state("SteamAPI_ISteamUser_BeginAuthSession", |s| {
        s.steam.begin_auth_session(bytes, steam_id).code()
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamUser_EndAuthSession(_user: *mut c_void, steam_id: u64) {
    with_state("SteamAPI_ISteamUser_EndAuthSession", |s| {
        s.steam.end_auth_session(steam_id);
    });
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamUser_CancelAuthTicket(_user: *mut c_void, handle: u32) {
    with_state("SteamAPI_ISteamUser_CancelAuthTicket", |s| {
        s.steam.cancel_auth_ticket(handle);
    });
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamUser_UserHasLicenseForApp(
    _user: *mut c_void,
    steam_id: u64,
    app_id: u32,
) -> c_int {
    with_state("SteamAPI_ISteamUser_UserHasLicenseForApp", |s| {
        s.steam.user_has_license_for_app(steam_id, app_id).code()
    })
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamUser_RequestEncryptedAppTicket(
    _user: *mut c_void,
    data: *mut c_void,
    len: c_int,
) -> u64 {
    let bytes = bytes_at(data, len).to_vec();
    with_state("SteamAPI_ISteamUser_RequestEncryptedAppTicket", |s| {
        s.steam.request_encrypted_app_ticket(&bytes);
        s.next_call += 1;
        s.encrypted_calls.push_back(s.next_call);
        s.next_call
    })
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamUser_GetEncryptedAppTicket(
    _user: *mut c_void,
    ticket: *mut c_void,
    max: c_int,
    written: *mut u32,
) -> bool {
    with_state("SteamAPI_ISteamUser_GetEncryptedAppTicket", |s| {
        let Some(bytes) = s.steam.encrypted_app_ticket() else {
            return false;
        };
        let len = bytes.len().min(usize::try_from(max).unwrap_or(0));
        if !ticket.is_null() {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), ticket.cast::<u8>(), len);
        }
        if !written.is_null() {
            *written = len as u32;
        }
        true
    })
}

// ---- ISteamApps, ISteamFriends, ISteamUtils ---------------------------------------------------

#[cfg(not(feature = "older-sdk"))]
#[no_mangle]
pub extern "C" fn SteamAPI_SteamApps_v009() -> *mut c_void {
    std::ptr::NonNull::<u8>::dangling().as_ptr().cast()
}

/// An older SDK's accessor in place of v009, as the `libsteam_api` GodotSteam 4.11 ships has it:
/// an extension linked against the newer SDK cannot load beside this build.
#[cfg(feature = "older-sdk")]
#[no_mangle]
pub extern "C" fn SteamAPI_SteamApps_v008() -> *mut c_void {
    std::ptr::NonNull::<u8>::dangling().as_ptr().cast()
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamApps_BIsSubscribed(_apps: *mut c_void) -> bool {
    with_state("SteamAPI_ISteamApps_BIsSubscribed", |s| {
        s.steam.is_subscribed()
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamApps_BIsSubscribedFromFamilySharing(_apps: *mut c_void) -> bool {
    with_state("SteamAPI_ISteamApps_BIsSubscribedFromFamilySharing", |s| {
        s.steam.is_subscribed_from_family_sharing()
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamApps_GetAppOwner(_apps: *mut c_void) -> u64 {
    with_state("SteamAPI_ISteamApps_GetAppOwner", |s| s.steam.app_owner())
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamApps_BIsDlcInstalled(_apps: *mut c_void, dlc: u32) -> bool {
    with_state("SteamAPI_ISteamApps_BIsDlcInstalled", |s| {
        s.steam.is_dlc_installed(dlc)
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamApps_BIsVACBanned(_apps: *mut c_void) -> bool {
    with_state("SteamAPI_ISteamApps_BIsVACBanned", |s| {
        s.steam.is_vac_banned()
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamApps_GetCurrentGameLanguage(_apps: *mut c_void) -> *const c_char {
    with_state("SteamAPI_ISteamApps_GetCurrentGameLanguage", |s| {
        s.language.as_ptr()
    })
}

/// Copies the command line, NUL-terminated and cut to the buffer, and returns its length.
#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamApps_GetLaunchCommandLine(
    _apps: *mut c_void,
    out: *mut c_char,
    size: c_int,
) -> c_int {
    let line = with_state("SteamAPI_ISteamApps_GetLaunchCommandLine", |s| {
        s.steam.launch_command_line()
    });
    let Ok(size) = usize::try_from(size) else {
        return 0;
    };
    if out.is_null() || size == 0 {
        return 0;
    }
    let len = line.len().min(size - 1);
    std::ptr::copy_nonoverlapping(line.as_ptr().cast::<c_char>(), out, len);
    *out.add(len) = 0;
    len as c_int
}

#[no_mangle]
pub extern "C" fn SteamAPI_SteamFriends_v018() -> *mut c_void {
    std::ptr::NonNull::<u8>::dangling().as_ptr().cast()
}

/// The pointer stays valid until the next init, as Steam's does for the session.
#[no_mangle]
pub extern "C" fn SteamAPI_ISteamFriends_GetPersonaName(_friends: *mut c_void) -> *const c_char {
    with_state("SteamAPI_ISteamFriends_GetPersonaName", |s| {
        s.persona.as_ptr()
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_SteamUtils_v010() -> *mut c_void {
    std::ptr::NonNull::<u8>::dangling().as_ptr().cast()
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamUtils_GetAppID(_utils: *mut c_void) -> u32 {
    with_state("SteamAPI_ISteamUtils_GetAppID", |s| s.steam.app_id())
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamUtils_IsSteamRunningOnSteamDeck(_utils: *mut c_void) -> bool {
    with_state("SteamAPI_ISteamUtils_IsSteamRunningOnSteamDeck", |s| {
        s.steam.is_steam_running_on_steam_deck()
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamUtils_IsSteamRunningInVR(_utils: *mut c_void) -> bool {
    with_state("SteamAPI_ISteamUtils_IsSteamRunningInVR", |s| {
        s.steam.is_steam_running_in_vr()
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamUtils_GetSteamUILanguage(_utils: *mut c_void) -> *const c_char {
    with_state("SteamAPI_ISteamUtils_GetSteamUILanguage", |s| {
        s.language.as_ptr()
    })
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamUtils_IsAPICallCompleted(
    _utils: *mut c_void,
    call: u64,
    failed: *mut bool,
) -> bool {
    let io_failure = std::env::var_os("STEAM_DOUBLE_CALL_IO_FAILURE").is_some();
    let completed = with_state("SteamAPI_ISteamUtils_IsAPICallCompleted", |s| {
        s.encrypted_results.iter().any(|(c, _)| *c == call)
    });
    if !failed.is_null() {
        *failed = completed && io_failure;
    }
    completed
}

/// Only `EncryptedAppTicketResponse_t` results exist in the double.
#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamUtils_GetAPICallResult(
    _utils: *mut c_void,
    call: u64,
    out: *mut c_void,
    size: c_int,
    expected: c_int,
    failed: *mut bool,
) -> bool {
    let result = with_state("SteamAPI_ISteamUtils_GetAPICallResult", |s| {
        let at = s.encrypted_results.iter().position(|(c, _)| *c == call)?;
        Some(s.encrypted_results.remove(at).1)
    });
    let fits = expected == ENCRYPTED_APP_TICKET_RESPONSE && size >= 4 && !out.is_null();
    if !failed.is_null() {
        *failed = result.is_none() || !fits;
    }
    match result {
        Some(result) if fits => {
            out.cast::<i32>().write_unaligned(result);
            true
        }
        _ => false,
    }
}

// ---- SteamNetworkingIdentity / SteamNetworkingIPAddr (plain data, as Valve's inline helpers) ----

/// `SteamNetworkingIPAddr`: IPv6 (IPv4 mapped as ::ffff:a.b.c.d) and a port, packed: 18 bytes.
#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct IpAddr {
    pub ipv6: [u8; 16],
    pub port: u16,
}

/// `SteamNetworkingIdentity`: type, size, and a 128-byte union, packed: 136 bytes.
#[repr(C, packed)]
pub struct NetworkingIdentity {
    pub kind: c_int,
    pub size: c_int,
    pub data: [u8; 128],
}

const IDENTITY_IP: c_int = 1;
const IDENTITY_GENERIC_STRING: c_int = 2;
const IDENTITY_STEAM_ID: c_int = 16;

impl NetworkingIdentity {
    fn to_identity(&self) -> Identity {
        match self.kind {
            IDENTITY_STEAM_ID => Identity::from_steam_id(u64::from_le_bytes(
                self.data[..8].try_into().unwrap_or_default(),
            )),
            IDENTITY_GENERIC_STRING => {
                let end = self.data[..32].iter().position(|b| *b == 0).unwrap_or(32);
                Identity::Generic(String::from_utf8_lossy(&self.data[..end]).into_owned())
            }
            IDENTITY_IP => {
                let octets: [u8; 16] = self.data[..16].try_into().unwrap_or_default();
                let port = u16::from_le_bytes([self.data[16], self.data[17]]);
                let ip = std::net::Ipv6Addr::from(octets);
                if ip.is_loopback() && port == 0 {
                    Identity::LocalHost
                } else {
                    let ip = ip
                        .to_ipv4_mapped()
                        .map(std::net::IpAddr::V4)
                        .unwrap_or(std::net::IpAddr::V6(ip));
                    Identity::Ip(std::net::SocketAddr::new(ip, port))
                }
            }
            _ => Identity::None,
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_SteamNetworkingIdentity_Clear(id: *mut NetworkingIdentity) {
    if let Some(id) = id.as_mut() {
        id.kind = 0;
        id.size = 0;
        id.data = [0; 128];
    }
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_SteamNetworkingIdentity_SetSteamID64(
    id: *mut NetworkingIdentity,
    steam_id: u64,
) {
    if let Some(id) = id.as_mut() {
        id.kind = IDENTITY_STEAM_ID;
        id.size = 8;
        id.data = [0; 128];
        id.data[..8].copy_from_slice(&steam_id.to_le_bytes());
    }
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_SteamNetworkingIdentity_SetIPAddr(
    id: *mut NetworkingIdentity,
    addr: *const IpAddr,
) {
    if let (Some(id), Some(addr)) = (id.as_mut(), addr.as_ref()) {
        id.kind = IDENTITY_IP;
        id.size = std::mem::size_of::<IpAddr>() as c_int;
        id.data = [0; 128];
        let ipv6 = addr.ipv6;
        id.data[..16].copy_from_slice(&ipv6);
        id.data[16..18].copy_from_slice(&{ addr.port }.to_le_bytes());
    }
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_SteamNetworkingIdentity_SetLocalHost(
    id: *mut NetworkingIdentity,
) {
    let mut localhost = IpAddr {
        ipv6: [0; 16],
        port: 0,
    };
    localhost.ipv6[15] = 1;
    SteamAPI_SteamNetworkingIdentity_SetIPAddr(id, &localhost);
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_SteamNetworkingIdentity_SetGenericString(
    id: *mut NetworkingIdentity,
    s: *const c_char,
) -> bool {
    let (Some(id), false) = (id.as_mut(), s.is_null()) else {
        return false;
    };
    let bytes = CStr::from_ptr(s).to_bytes();
    if bytes.len() >= 32 {
        return false;
    }
    id.kind = IDENTITY_GENERIC_STRING;
    id.size = bytes.len() as c_int + 1;
    id.data = [0; 128];
    id.data[..bytes.len()].copy_from_slice(bytes);
    true
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_SteamNetworkingIPAddr_Clear(addr: *mut IpAddr) {
    if let Some(addr) = addr.as_mut() {
        *addr = IpAddr {
            ipv6: [0; 16],
            port: 0,
        };
    }
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_SteamNetworkingIPAddr_SetIPv4(
    addr: *mut IpAddr,
    ip: u32,
    port: u16,
) {
    if let Some(addr) = addr.as_mut() {
        let mut ipv6 = [0u8; 16];
        ipv6[10] = 0xff;
        ipv6[11] = 0xff;
        ipv6[12..].copy_from_slice(&ip.to_be_bytes());
        *addr = IpAddr { ipv6, port };
    }
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_SteamNetworkingIPAddr_SetIPv6(
    addr: *mut IpAddr,
    ipv6: *const u8,
    port: u16,
) {
    if let (Some(addr), false) = (addr.as_mut(), ipv6.is_null()) {
        let mut octets = [0u8; 16];
        std::ptr::copy_nonoverlapping(ipv6, octets.as_mut_ptr(), 16);
        *addr = IpAddr { ipv6: octets, port };
    }
}

// ---- Linked by steamworks but outside the auth flow: loud if ever called -------------------------

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamNetworkingSockets_CloseConnection(
    _: *mut c_void,
    _: u32,
    _: c_int,
    _: *const c_char,
    _: bool,
) -> bool {
    unimplemented("SteamAPI_ISteamNetworkingSockets_CloseConnection")
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamNetworkingSockets_CloseListenSocket(
    _: *mut c_void,
    _: u32,
) -> bool {
    unimplemented("SteamAPI_ISteamNetworkingSockets_CloseListenSocket")
}

// ---- The game server: SteamGameServer_* and ISteamGameServer ---------------------------------

/// `SteamGameServer_Init`'s flat form. The app id is found as for the client (`SteamAppId`, ...).
#[no_mangle]
pub unsafe extern "C" fn SteamInternal_GameServer_Init_V2(
    ip: u32,
    game_port: u16,
    query_port: u16,
    mode: c_int,
    version: *const c_char,
    _interface_versions: *const c_char,
    err: *mut [c_char; 1024],
) -> c_int {
    let write_err = |message: &str| write_err_msg(err, message);
    if std::env::var("STEAM_DOUBLE_INIT").as_deref() == Ok("fail") {
        write_err("test double told to fail");
        return 1;
    }
    let Some(app_id) = app_id_as_steam_finds_it() else {
        write_err("No appID found.");
        return 1;
    };
    let version = if version.is_null() {
        String::new()
    } else {
        CStr::from_ptr(version).to_string_lossy().into_owned()
    };
    let config = ServerConfig {
        app_id,
        ip: std::net::Ipv4Addr::from(ip),
        game_port,
        query_port,
        mode: ServerMode::from_code(i64::from(mode)).unwrap_or(ServerMode::Invalid),
        version,
    };
    *SERVER.lock() = Some(ServerState {
        server: SimulatedGameServer::new(config),
        ready: VecDeque::new(),
        current: None,
        events: Vec::new(),
        calls: VecDeque::new(),
        results: Vec::new(),
        next_call: 1,
    });
    write_err("");
    0
}

#[no_mangle]
pub extern "C" fn SteamGameServer_GetHSteamPipe() -> i32 {
    SERVER_PIPE
}

#[no_mangle]
pub extern "C" fn SteamGameServer_Shutdown() {
    *SERVER.lock() = None;
}

#[no_mangle]
pub extern "C" fn SteamAPI_SteamGameServer_v015() -> *mut c_void {
    std::ptr::NonNull::<u8>::dangling().as_ptr().cast()
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_LogOnAnonymous(_server: *mut c_void) {
    with_server("SteamAPI_ISteamGameServer_LogOnAnonymous", |s| {
        s.server.log_on_anonymous()
    });
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamGameServer_LogOn(
    _server: *mut c_void,
    token: *const c_char,
) {
    let token = if token.is_null() {
        String::new()
    } else {
        CStr::from_ptr(token).to_string_lossy().into_owned()
    };
    with_server("SteamAPI_ISteamGameServer_LogOn", |s| {
        s.server.log_on(&token)
    });
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_LogOff(_server: *mut c_void) {
    with_server("SteamAPI_ISteamGameServer_LogOff", |s| s.server.log_off());
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_BLoggedOn(_server: *mut c_void) -> bool {
    with_server("SteamAPI_ISteamGameServer_BLoggedOn", |s| {
        s.server.logged_on()
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_GetSteamID(_server: *mut c_void) -> u64 {
    with_server("SteamAPI_ISteamGameServer_GetSteamID", |s| {
        s.server.steam_id()
    })
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamGameServer_BeginAuthSession(
    _server: *mut c_void,
    ticket: *const c_void,
    len: c_int,
    steam_id: u64,
) -> c_int {
    let bytes = bytes_at(ticket, len);
    with_server("SteamAPI_ISteamGameServer_BeginAuthSession", |s| {
        s.server.begin_auth_session(bytes, steam_id).code()
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_EndAuthSession(_server: *mut c_void, steam_id: u64) {
    with_server("SteamAPI_ISteamGameServer_EndAuthSession", |s| {
        s.server.end_auth_session(steam_id);
    });
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_UserHasLicenseForApp(
    _server: *mut c_void,
    steam_id: u64,
    app_id: u32,
) -> c_int {
    with_server("SteamAPI_ISteamGameServer_UserHasLicenseForApp", |s| {
        s.server.user_has_license_for_app(steam_id, app_id).code()
    })
}

/// A string argument of Valve's C API (empty for null).
unsafe fn c_str(value: *const c_char) -> String {
    if value.is_null() {
        String::new()
    } else {
        CStr::from_ptr(value).to_string_lossy().into_owned()
    }
}

/// A setter call as a line of the record (`SetServerName("My server")`).
fn call_line(setting: &ServerSetting) -> String {
    let args = match setting {
        ServerSetting::Product(v)
        | ServerSetting::ModDir(v)
        | ServerSetting::GameDescription(v)
        | ServerSetting::ServerName(v)
        | ServerSetting::MapName(v)
        | ServerSetting::Region(v)
        | ServerSetting::GameTags(v)
        | ServerSetting::GameData(v)
        | ServerSetting::SpectatorServerName(v) => format!("{v:?}"),
        ServerSetting::MaxPlayerCount(n) | ServerSetting::BotPlayerCount(n) => n.to_string(),
        ServerSetting::PasswordProtected(b)
        | ServerSetting::DedicatedServer(b)
        | ServerSetting::AdvertiseServerActive(b) => b.to_string(),
        ServerSetting::KeyValue(k, v) => format!("{k:?}, {v:?}"),
        ServerSetting::ClearAllKeyValues => String::new(),
        ServerSetting::SpectatorPort(p) => p.to_string(),
    };
    format!("{}({args})", setting.flat_name())
}

/// One server-browser setter: recorded, then kept by the simulated server.
fn server_setting(name: &str, setting: ServerSetting) {
    record(&call_line(&setting));
    with_server(name, |s| s.server.set(&setting));
}

macro_rules! string_setters {
    ($($flat:ident => $variant:ident,)+) => {$(
        #[no_mangle]
        pub unsafe extern "C" fn $flat(_server: *mut c_void, value: *const c_char) {
            server_setting(stringify!($flat), ServerSetting::$variant(c_str(value)));
        }
    )+};
}

string_setters! {
    SteamAPI_ISteamGameServer_SetProduct => Product,
    SteamAPI_ISteamGameServer_SetModDir => ModDir,
    SteamAPI_ISteamGameServer_SetGameDescription => GameDescription,
    SteamAPI_ISteamGameServer_SetServerName => ServerName,
    SteamAPI_ISteamGameServer_SetMapName => MapName,
    SteamAPI_ISteamGameServer_SetRegion => Region,
    SteamAPI_ISteamGameServer_SetGameTags => GameTags,
    SteamAPI_ISteamGameServer_SetGameData => GameData,
    SteamAPI_ISteamGameServer_SetSpectatorServerName => SpectatorServerName,
}

macro_rules! value_setters {
    ($($flat:ident($ty:ty) => $variant:ident,)+) => {$(
        #[no_mangle]
        pub extern "C" fn $flat(_server: *mut c_void, value: $ty) {
            server_setting(stringify!($flat), ServerSetting::$variant(value));
        }
    )+};
}

value_setters! {
    SteamAPI_ISteamGameServer_SetMaxPlayerCount(c_int) => MaxPlayerCount,
    SteamAPI_ISteamGameServer_SetBotPlayerCount(c_int) => BotPlayerCount,
    SteamAPI_ISteamGameServer_SetPasswordProtected(bool) => PasswordProtected,
    SteamAPI_ISteamGameServer_SetDedicatedServer(bool) => DedicatedServer,
    SteamAPI_ISteamGameServer_SetSpectatorPort(u16) => SpectatorPort,
    SteamAPI_ISteamGameServer_SetAdvertiseServerActive(bool) => AdvertiseServerActive,
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamGameServer_SetKeyValue(
    _server: *mut c_void,
    key: *const c_char,
    value: *const c_char,
) {
    server_setting(
        "SteamAPI_ISteamGameServer_SetKeyValue",
        ServerSetting::KeyValue(c_str(key), c_str(value)),
    );
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_ClearAllKeyValues(_server: *mut c_void) {
    server_setting(
        "SteamAPI_ISteamGameServer_ClearAllKeyValues",
        ServerSetting::ClearAllKeyValues,
    );
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_BSecure(_server: *mut c_void) -> bool {
    record("BSecure()");
    with_server("SteamAPI_ISteamGameServer_BSecure", |s| s.server.secure())
}

/// `SteamIPAddress_t`: a 16-byte union (IPv4 in the first 4 bytes) and the type, packed.
#[repr(C, packed)]
pub struct SteamIpAddress {
    pub address: [u8; 16],
    pub kind: c_int,
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_GetPublicIP(_server: *mut c_void) -> SteamIpAddress {
    record("GetPublicIP()");
    let ip = with_server("SteamAPI_ISteamGameServer_GetPublicIP", |s| {
        s.server.public_ip()
    });
    let mut address = [0u8; 16];
    let kind = match ip {
        PublicIp::Unknown => 0,
        PublicIp::V4(v4) => {
            address[..4].copy_from_slice(&u32::from(v4).to_le_bytes());
            0
        }
        PublicIp::V6(v6) => {
            address = v6.octets();
            1
        }
    };
    SteamIpAddress { address, kind }
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_WasRestartRequested(_server: *mut c_void) -> bool {
    record("WasRestartRequested()");
    with_server("SteamAPI_ISteamGameServer_WasRestartRequested", |s| {
        s.server.was_restart_requested()
    })
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamGameServer_GetAuthSessionTicket(
    _server: *mut c_void,
    out: *mut c_void,
    max: c_int,
    size: *mut u32,
    identity: *const NetworkingIdentity,
) -> u32 {
    let for_steam_id = match identity.as_ref().map(NetworkingIdentity::to_identity) {
        Some(Identity::SteamId(id)) => id,
        _ => 0,
    };
    record(&format!("GetAuthSessionTicket({for_steam_id})"));
    let ticket = with_server("SteamAPI_ISteamGameServer_GetAuthSessionTicket", |s| {
        s.server.auth_session_ticket(for_steam_id)
    });
    let fits = usize::try_from(max).is_ok_and(|n| n >= ticket.bytes.len());
    if !fits || out.is_null() {
        return 0;
    }
    std::ptr::copy_nonoverlapping(ticket.bytes.as_ptr(), out.cast::<u8>(), ticket.bytes.len());
    if !size.is_null() {
        *size = ticket.bytes.len() as u32;
    }
    ticket.handle
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_CancelAuthTicket(_server: *mut c_void, handle: u32) {
    record(&format!("CancelAuthTicket({handle})"));
    with_server("SteamAPI_ISteamGameServer_CancelAuthTicket", |s| {
        s.server.cancel_auth_ticket(handle)
    });
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamGameServer_GetNextOutgoingPacket(
    _server: *mut c_void,
    out: *mut c_void,
    max: c_int,
    address: *mut u32,
    port: *mut u16,
) -> c_int {
    record("GetNextOutgoingPacket()");
    let packet = with_server("SteamAPI_ISteamGameServer_GetNextOutgoingPacket", |s| {
        s.server.next_outgoing_packet()
    });
    let Some(packet) = packet else {
        return 0;
    };
    if usize::try_from(max).map_or(true, |n| n < packet.bytes.len()) || out.is_null() {
        return 0;
    }
    std::ptr::copy_nonoverlapping(packet.bytes.as_ptr(), out.cast::<u8>(), packet.bytes.len());
    if !address.is_null() {
        *address = u32::from(packet.address);
    }
    if !port.is_null() {
        *port = packet.port;
    }
    packet.bytes.len() as c_int
}

#[no_mangle]
pub unsafe extern "C" fn SteamAPI_ISteamGameServer_HandleIncomingPacket(
    _server: *mut c_void,
    data: *const c_void,
    len: c_int,
    ip: u32,
    port: u16,
) -> bool {
    let bytes = bytes_at(data, len);
    let ip = std::net::Ipv4Addr::from(ip);
    record(&format!(
        "HandleIncomingPacket({} bytes, {ip}:{port})",
        bytes.len()
    ));
    with_server("SteamAPI_ISteamGameServer_HandleIncomingPacket", |s| {
        s.server.handle_incoming_packet(bytes, ip, port)
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_RequestUserGroupStatus(
    _server: *mut c_void,
    steam_id: u64,
    group_id: u64,
) -> bool {
    record(&format!("RequestUserGroupStatus({steam_id}, {group_id})"));
    with_server("SteamAPI_ISteamGameServer_RequestUserGroupStatus", |s| {
        s.server.request_user_group_status(steam_id, group_id)
    })
}

fn start_server_call(
    name: &str,
    kind: ServerCall,
    call: impl FnOnce(&mut SimulatedGameServer),
) -> u64 {
    with_server(name, |s| {
        call(&mut s.server);
        let handle = s.next_call;
        s.next_call += 1;
        s.calls.push_back((handle, kind));
        handle
    })
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_AssociateWithClan(
    _server: *mut c_void,
    clan_id: u64,
) -> u64 {
    record(&format!("AssociateWithClan({clan_id})"));
    start_server_call(
        "SteamAPI_ISteamGameServer_AssociateWithClan",
        ServerCall::AssociateWithClan,
        |server| server.associate_with_clan(clan_id),
    )
}

#[no_mangle]
pub extern "C" fn SteamAPI_ISteamGameServer_ComputeNewPlayerCompatibility(
    _server: *mut c_void,
    steam_id: u64,
) -> u64 {
    record(&format!("ComputeNewPlayerCompatibility({steam_id})"));
    start_server_call(
        "SteamAPI_ISteamGameServer_ComputeNewPlayerCompatibility",
        ServerCall::PlayerCompat,
        |server| server.compute_new_player_compatibility(steam_id),
    )
}

/// Nothing to release: the double keeps no per-thread memory.
#[no_mangle]
pub extern "C" fn SteamAPI_ReleaseCurrentThreadMemory() {
    record("SteamAPI_ReleaseCurrentThreadMemory()");
}

/// A game-server callback as the struct steamworks reads (the same ids as the client's).
pub fn encode_server(event: &ServerEvent) -> (c_int, Vec<u8>) {
    let as_client = match event {
        ServerEvent::Connected => SteamEvent::SteamServersConnected,
        ServerEvent::ConnectFailure { result, retrying } => SteamEvent::SteamServerConnectFailure {
            result: *result,
            retrying: *retrying,
        },
        ServerEvent::Disconnected { result } => {
            return (STEAM_SERVERS_DISCONNECTED, result.to_le_bytes().to_vec())
        }
        ServerEvent::ValidateAuthTicket(TicketVerdict {
            steam_id,
            response,
            owner_steam_id,
        }) => SteamEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: *steam_id,
            response: *response,
            owner_steam_id: *owner_steam_id,
        }),
        // Valve's structs, pack 4 on Linux: CSteamIDs are 8 bytes, enums 4, bools 1.
        ServerEvent::PolicyResponse { secure } => {
            return (GS_POLICY_RESPONSE, vec![u8::from(*secure)])
        }
        ServerEvent::ClientApproved {
            steam_id,
            owner_steam_id,
        } => {
            let mut b = steam_id.to_le_bytes().to_vec();
            b.extend_from_slice(&owner_steam_id.to_le_bytes());
            return (GS_CLIENT_APPROVE, b);
        }
        ServerEvent::ClientDenied { steam_id, reason } => {
            let mut b = steam_id.to_le_bytes().to_vec();
            b.extend_from_slice(&reason.to_le_bytes());
            b.resize(8 + 4 + 128, 0); // m_rgchOptionalText, empty
            return (GS_CLIENT_DENY, b);
        }
        ServerEvent::ClientKick { steam_id, reason } => {
            let mut b = steam_id.to_le_bytes().to_vec();
            b.extend_from_slice(&reason.to_le_bytes());
            return (GS_CLIENT_KICK, b);
        }
        ServerEvent::ClientGroupStatus {
            steam_id,
            group_id,
            member,
            officer,
        } => {
            let mut b = steam_id.to_le_bytes().to_vec();
            b.extend_from_slice(&group_id.to_le_bytes());
            b.extend_from_slice(&[u8::from(*member), u8::from(*officer), 0, 0]);
            return (GS_CLIENT_GROUP_STATUS, b);
        }
        ServerEvent::AssociateClan { result } => {
            return (ASSOCIATE_WITH_CLAN_RESULT, result.to_le_bytes().to_vec())
        }
        ServerEvent::PlayerCompat(c) => {
            let mut b = c.result.to_le_bytes().to_vec();
            b.extend_from_slice(&c.players_that_dont_like_candidate.to_le_bytes());
            b.extend_from_slice(&c.players_that_candidate_doesnt_like.to_le_bytes());
            b.extend_from_slice(&c.clan_players_that_dont_like_candidate.to_le_bytes());
            b.extend_from_slice(&c.candidate_steam_id.to_le_bytes());
            return (COMPUTE_NEW_PLAYER_COMPATIBILITY_RESULT, b);
        }
    };
    encode(&as_client).expect("client callbacks encode")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setter_calls_are_recorded_as_readable_lines() {
        assert_eq!(
            call_line(&ServerSetting::KeyValue("mode".into(), "ctf".into())),
            "SetKeyValue(\"mode\", \"ctf\")"
        );
        assert_eq!(
            call_line(&ServerSetting::ClearAllKeyValues),
            "ClearAllKeyValues()"
        );
        assert_eq!(
            call_line(&ServerSetting::SpectatorPort(27020)),
            "SetSpectatorPort(27020)"
        );
    }

    #[test]
    fn callback_layouts_match_valves_structs() {
        let (id, b) = encode(&SteamEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: 1,
            response: 6,
            owner_steam_id: 2,
        }))
        .unwrap();
        assert_eq!((id, b.len()), (143, 20));
        assert_eq!(&b[8..12], &6i32.to_le_bytes());
        assert_eq!(&b[12..20], &2u64.to_le_bytes());
        let (id, b) = encode(&SteamEvent::AuthSessionTicket {
            handle: 7,
            result: 1,
        })
        .unwrap();
        assert_eq!((id, b.len()), (163, 8));
        let (id, b) = encode(&SteamEvent::TicketForWebApi {
            handle: 3,
            result: 1,
            ticket: vec![9; 234],
        })
        .unwrap();
        assert_eq!((id, b.len()), (168, 2572));
        assert_eq!(&b[8..12], &234i32.to_le_bytes());
        assert_eq!(std::mem::size_of::<NetworkingIdentity>(), 136);
        assert_eq!(std::mem::size_of::<IpAddr>(), 18);
        assert_eq!(std::mem::size_of::<CallbackMsg>(), 20);
        let (id, b) = encode(&SteamEvent::SteamServerConnectFailure {
            result: 3,
            retrying: true,
        })
        .unwrap();
        assert_eq!((id, b.len(), b[4]), (102, 8, 1));
        assert_eq!(encode(&SteamEvent::EncryptedAppTicket { result: 1 }), None);
    }

    #[test]
    fn identities_round_trip_through_valves_layout() {
        let mut id = NetworkingIdentity {
            kind: 0,
            size: 0,
            data: [0; 128],
        };
        unsafe {
            SteamAPI_SteamNetworkingIdentity_SetSteamID64(&mut id, 76561198000000001);
            assert_eq!(id.to_identity(), Identity::SteamId(76561198000000001));
            assert!(SteamAPI_SteamNetworkingIdentity_SetGenericString(
                &mut id,
                c"my-server".as_ptr()
            ));
            assert_eq!(id.to_identity(), Identity::Generic("my-server".into()));
            let mut addr = IpAddr {
                ipv6: [0; 16],
                port: 0,
            };
            SteamAPI_SteamNetworkingIPAddr_SetIPv4(&mut addr, 0x0a000001, 27015);
            SteamAPI_SteamNetworkingIdentity_SetIPAddr(&mut id, &addr);
            assert_eq!(
                id.to_identity(),
                Identity::Ip("10.0.0.1:27015".parse().unwrap())
            );
            SteamAPI_SteamNetworkingIdentity_SetLocalHost(&mut id);
            assert_eq!(id.to_identity(), Identity::LocalHost);
        }
    }
}
