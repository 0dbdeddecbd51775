//! The real Steam, through the `steamworks` crate (Valve's flat API in `libsteam_api`).

use std::collections::HashSet;
use std::ffi::CString;

use steamworks::networking_types::NetworkingIdentity;
use steamworks::{AuthTicket, CallbackResult, Client, SResult, SteamId, UserHasLicense};

use crate::client::{IssuedTicket, SteamBackend, SteamEvent};
use crate::codes::{eresult, BeginAuthResult, InitStatus, LicenseResult};
use crate::identity::Identity;
use crate::steamworks_status::{
    begin_result, init_failure, steam_error_code, steam_running, validate_code,
};
use crate::validator::{AuthValidator, BackendKind, TicketVerdict};

/// The steamworks adapter. Handles given to GDScript are our own numbers mapped to Steam's tickets.
pub struct SteamworksBackend {
    client: Client,
    app_id: u32,
    tickets: Vec<(u32, AuthTicket)>,
    next_handle: u32,
    sessions: HashSet<u64>,
    /// The `RequestEncryptedAppTicket` call whose result is awaited.
    encrypted_call: Option<steamworks_sys::SteamAPICall_t>,
}

impl SteamworksBackend {
    /// `SteamAPI_InitFlat`, with failures turned into an actionable status. With `Some(app_id)` the
    /// app id is set in the environment first (as GodotSteam does); with `None` Steam decides: the
    /// launch environment (`SteamAppId`) or `steam_appid.txt` in the working directory.
    pub fn init(app_id: Option<u32>) -> Result<Self, InitStatus> {
        let client = match app_id {
            Some(id) => Client::init_app(id),
            None => Client::init(),
        }
        .map_err(|err| init_failure(&err, steam_running()))?;
        let app_id = client.utils().app_id().0;
        Ok(SteamworksBackend {
            client,
            app_id,
            tickets: Vec::new(),
            next_handle: 1,
            sessions: HashSet::new(),
            encrypted_call: None,
        })
    }

    fn handle_of(tickets: &[(u32, AuthTicket)], ticket: AuthTicket) -> u32 {
        tickets
            .iter()
            .find(|(_, t)| *t == ticket)
            .map(|(h, _)| *h)
            .unwrap_or(0)
    }

    fn remember(&mut self, ticket: AuthTicket) -> u32 {
        let handle = self.next_handle;
        self.next_handle = self.next_handle.checked_add(1).unwrap_or(1);
        self.tickets.push((handle, ticket));
        handle
    }
}

/// The size of `k_cubEncryptedAppTicket`-sized buffers Steam fills (`GetEncryptedAppTicket`).
const ENCRYPTED_TICKET_BUFFER: usize = 1024;

fn networking_identity(identity: &Identity) -> NetworkingIdentity {
    match identity {
        Identity::None => NetworkingIdentity::new(),
        Identity::SteamId(id) => NetworkingIdentity::new_steam_id(SteamId::from_raw(*id)),
        Identity::Ip(addr) => NetworkingIdentity::new_ip(*addr),
        Identity::LocalHost => {
            let mut id = NetworkingIdentity::new();
            id.set_local_host();
            id
        }
        Identity::Generic(s) => generic_identity(s),
    }
}

/// steamworks 0.13 has no safe setter for generic-string identities.
fn generic_identity(s: &str) -> NetworkingIdentity {
    let Ok(c) = CString::new(s) else {
        return NetworkingIdentity::new();
    };
    // SAFETY: a zeroed SteamNetworkingIdentity is a valid "invalid" identity, which Clear and
    // SetGenericString then initialise; `c` outlives the call, which copies the string.
    unsafe {
        let mut raw: steamworks_sys::SteamNetworkingIdentity = std::mem::zeroed();
        steamworks_sys::SteamAPI_SteamNetworkingIdentity_Clear(&mut raw);
        steamworks_sys::SteamAPI_SteamNetworkingIdentity_SetGenericString(&mut raw, c.as_ptr());
        NetworkingIdentity::from(raw)
    }
}

/// EResult number of a steamworks result (the auth callbacks carry only a few).
fn eresult_code(result: &SResult<()>) -> i32 {
    match result {
        Ok(()) => eresult::OK,
        Err(e) => steam_error_code(e),
    }
}

impl AuthValidator for SteamworksBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Steam
    }

    fn app_id(&self) -> u32 {
        self.app_id
    }

    fn steam_id(&self) -> u64 {
        self.client.user().steam_id().raw()
    }

    fn logged_on(&self) -> bool {
        self.client.user().logged_on()
    }

    fn begin_auth_session(&mut self, ticket: &[u8], steam_id: u64) -> BeginAuthResult {
        let result = self
            .client
            .user()
            .begin_authentication_session(SteamId::from_raw(steam_id), ticket);
        let result = begin_result(result);
        if result == BeginAuthResult::Ok {
            self.sessions.insert(steam_id);
        }
        result
    }

    fn end_auth_session(&mut self, steam_id: u64) -> bool {
        let known = self.sessions.remove(&steam_id);
        // Steam ignores unknown IDs; calling it anyway keeps Steam's state authoritative.
        self.client
            .user()
            .end_authentication_session(SteamId::from_raw(steam_id));
        known
    }

    fn user_has_license_for_app(&mut self, steam_id: u64, app_id: u32) -> LicenseResult {
        match self
            .client
            .user()
            .user_has_license_for_app(SteamId::from_raw(steam_id), steamworks::AppId(app_id))
        {
            UserHasLicense::HasLicense => LicenseResult::HasLicense,
            UserHasLicense::DoesNotHaveLicense => LicenseResult::DoesNotHaveLicense,
            UserHasLicense::NoAuth => LicenseResult::NoAuth,
        }
    }
}

impl SteamBackend for SteamworksBackend {
    fn get_auth_session_ticket(&mut self, identity: &Identity) -> IssuedTicket {
        let (ticket, bytes) = self
            .client
            .user()
            .authentication_session_ticket(networking_identity(identity));
        let handle = self.remember(ticket);
        IssuedTicket { handle, bytes }
    }

    fn get_auth_ticket_for_web_api(&mut self, identity: &str) -> u32 {
        // Interior NULs cannot cross the C API; the caller validates identities beforehand.
        let identity = identity.replace('\0', "");
        let ticket = self
            .client
            .user()
            .authentication_session_ticket_for_webapi(&identity);
        self.remember(ticket)
    }

    fn cancel_auth_ticket(&mut self, handle: u32) -> bool {
        let Some(index) = self.tickets.iter().position(|(h, _)| *h == handle) else {
            return false;
        };
        let (_, ticket) = self.tickets.swap_remove(index);
        self.client.user().cancel_authentication_ticket(ticket);
        true
    }

    fn persona_name(&self) -> String {
        self.client.friends().name()
    }

    fn is_subscribed(&self) -> bool {
        self.client.apps().is_subscribed()
    }

    fn is_subscribed_from_family_sharing(&self) -> bool {
        // steamworks 0.13 has no safe wrapper for this one.
        // SAFETY: Steam is initialised (self holds a Client); the accessor returns ISteamApps.
        unsafe {
            steamworks_sys::SteamAPI_ISteamApps_BIsSubscribedFromFamilySharing(
                steamworks_sys::SteamAPI_SteamApps_v009(),
            )
        }
    }

    fn app_owner(&self) -> u64 {
        self.client.apps().app_owner().raw()
    }

    fn is_dlc_installed(&self, dlc_id: u32) -> bool {
        self.client
            .apps()
            .is_dlc_installed(steamworks::AppId(dlc_id))
    }

    fn is_steam_running_on_steam_deck(&self) -> bool {
        self.client.utils().is_steam_running_on_steam_deck()
    }

    fn is_steam_running_in_vr(&self) -> bool {
        // steamworks 0.13 has no safe wrapper for this one.
        // SAFETY: Steam is initialised (self holds a Client); the accessor returns ISteamUtils.
        unsafe {
            steamworks_sys::SteamAPI_ISteamUtils_IsSteamRunningInVR(
                steamworks_sys::SteamAPI_SteamUtils_v010(),
            )
        }
    }

    fn is_vac_banned(&self) -> bool {
        self.client.apps().is_vac_banned()
    }

    fn current_game_language(&self) -> String {
        self.client.apps().current_game_language()
    }

    fn ui_language(&self) -> String {
        self.client.utils().ui_language()
    }

    fn launch_command_line(&self) -> String {
        self.client.apps().launch_command_line()
    }

    /// steamworks 0.13 keeps call results to itself, so the call is made through the flat API and
    /// its result is fetched by [`Self::poll_encrypted_ticket`] before the crate's pump sees it.
    fn request_encrypted_app_ticket(&mut self, data: &[u8]) {
        let mut data = data.to_vec();
        let len = i32::try_from(data.len()).unwrap_or(i32::MAX);
        // SAFETY: Steam is initialised; `data` outlives the call, which copies it.
        let call = unsafe {
            steamworks_sys::SteamAPI_ISteamUser_RequestEncryptedAppTicket(
                steamworks_sys::SteamAPI_SteamUser_v023(),
                data.as_mut_ptr().cast(),
                len,
            )
        };
        self.encrypted_call = (call != 0).then_some(call);
    }

    fn encrypted_app_ticket(&mut self) -> Option<Vec<u8>> {
        let mut buffer = vec![0u8; ENCRYPTED_TICKET_BUFFER];
        let mut size = 0u32;
        // SAFETY: the buffer holds the size passed; Steam writes at most that many bytes.
        let ok = unsafe {
            steamworks_sys::SteamAPI_ISteamUser_GetEncryptedAppTicket(
                steamworks_sys::SteamAPI_SteamUser_v023(),
                buffer.as_mut_ptr().cast(),
                ENCRYPTED_TICKET_BUFFER as i32,
                &mut size,
            )
        };
        buffer.truncate(
            usize::try_from(size)
                .unwrap_or(0)
                .min(ENCRYPTED_TICKET_BUFFER),
        );
        (ok && !buffer.is_empty()).then_some(buffer)
    }

    fn run_callbacks(&mut self, out: &mut Vec<SteamEvent>) {
        self.poll_encrypted_ticket(out);
        let tickets = &self.tickets;
        self.client.process_callbacks(|callback| match callback {
            CallbackResult::AuthSessionTicketResponse(r) => {
                out.push(SteamEvent::AuthSessionTicket {
                    handle: Self::handle_of(tickets, r.ticket),
                    result: eresult_code(&r.result),
                })
            }
            CallbackResult::TicketForWebApiResponse(r) => {
                let len = usize::try_from(r.ticket_len)
                    .unwrap_or(0)
                    .min(r.ticket.len());
                let mut ticket = r.ticket;
                ticket.truncate(len);
                out.push(SteamEvent::TicketForWebApi {
                    handle: Self::handle_of(tickets, r.ticket_handle),
                    result: eresult_code(&r.result),
                    ticket,
                });
            }
            CallbackResult::ValidateAuthTicketResponse(r) => {
                out.push(SteamEvent::ValidateAuthTicket(TicketVerdict {
                    steam_id: r.steam_id.raw(),
                    response: validate_code(&r.response),
                    owner_steam_id: r.owner_steam_id.raw(),
                }))
            }
            CallbackResult::SteamServersConnected(_) => out.push(SteamEvent::SteamServersConnected),
            CallbackResult::SteamServersDisconnected(_) => {
                out.push(SteamEvent::SteamServersDisconnected)
            }
            CallbackResult::SteamServerConnectFailure(r) => {
                out.push(SteamEvent::SteamServerConnectFailure {
                    result: steam_error_code(&r.reason),
                    retrying: r.still_retrying,
                })
            }
            _ => {}
        });
    }
}

impl SteamworksBackend {
    /// Fetches the `EncryptedAppTicketResponse_t` of the pending request once Steam has it.
    fn poll_encrypted_ticket(&mut self, out: &mut Vec<SteamEvent>) {
        let Some(call) = self.encrypted_call else {
            return;
        };
        let mut failed = false;
        let mut response = steamworks_sys::EncryptedAppTicketResponse_t {
            m_eResult: steamworks_sys::EResult::k_EResultFail,
        };
        // SAFETY: Steam is initialised; `response` is the struct the callback id 154 describes.
        let fetched = unsafe {
            let utils = steamworks_sys::SteamAPI_SteamUtils_v010();
            if !steamworks_sys::SteamAPI_ISteamUtils_IsAPICallCompleted(utils, call, &mut failed) {
                return; // not answered yet
            }
            !failed
                && steamworks_sys::SteamAPI_ISteamUtils_GetAPICallResult(
                    utils,
                    call,
                    (&mut response as *mut steamworks_sys::EncryptedAppTicketResponse_t).cast(),
                    std::mem::size_of::<steamworks_sys::EncryptedAppTicketResponse_t>() as i32,
                    steamworks_sys::EncryptedAppTicketResponse_t_k_iCallback as i32,
                    &mut failed,
                )
        };
        self.encrypted_call = None;
        out.push(if failed || !fetched {
            SteamEvent::CallFailed {
                signal: "encrypted_app_ticket_response",
            }
        } else {
            SteamEvent::EncryptedAppTicket {
                result: response.m_eResult as i32,
            }
        });
    }
}
