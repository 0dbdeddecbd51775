//! What steamworks' errors and statuses mean in Steam's codes and in words a developer can act on,
//! for the client and the game server alike.

use steamworks::{AuthSessionError, AuthSessionValidateError, SteamAPIInitError, SteamError};

use crate::codes::{eresult, BeginAuthResult, InitResult, InitStatus};

/// What to do when Steam is not running: said in every "no Steam client" status.
pub const NO_CLIENT_HINT: &str = "Start the Steam client and log in, then restart the game; \
to work without Steam, set the Project Setting steam/auth/backend (or env STEAM_AUTH_BACKEND) to \"simulated\".";

/// `SteamAPI_IsSteamRunning`: whether a Steam client runs for this user (works before init).
pub fn steam_running() -> bool {
    // SAFETY: SteamAPI_IsSteamRunning takes no arguments and may be called before init.
    unsafe { steamworks_sys::SteamAPI_IsSteamRunning() }
}

/// `SteamAPI_RestartAppIfNecessary`: true when the game was not launched by Steam and Steam is now
/// relaunching it (the game should quit). Works before init.
pub fn restart_app_if_necessary(app_id: u32) -> bool {
    steamworks::restart_app_if_necessary(steamworks::AppId(app_id))
}

/// Maps steamworks' init error to GodotSteam's status and a sentence that says what to do.
/// The SDK reports a missing client as a generic failure ("Some other failure"), so the
/// client's presence is checked separately.
pub fn init_failure(err: &SteamAPIInitError, steam_is_running: bool) -> InitStatus {
    match err {
        SteamAPIInitError::NoSteamClient(detail) => no_client(detail),
        SteamAPIInitError::FailedGeneric(detail) if !steam_is_running => no_client(detail),
        SteamAPIInitError::VersionMismatch(detail) => InitStatus::failed(
            InitResult::VersionMismatch,
            format!(
                "The Steam client is older than this game's Steamworks SDK; update Steam and retry.{}",
                detail_suffix(detail)
            ),
        ),
        SteamAPIInitError::FailedGeneric(detail) => InitStatus::failed(
            InitResult::FailedGeneric,
            format!(
                "Steam refused to initialise: check that steam_appid.txt holds your app id, that the \
logged-in account owns the app, and that the game runs as the same OS user as Steam.{}",
                detail_suffix(detail)
            ),
        ),
    }
}

fn no_client(detail: &str) -> InitStatus {
    InitStatus::failed(
        InitResult::NoSteamClient,
        format!(
            "Steam client is not running. {NO_CLIENT_HINT}{}",
            detail_suffix(detail)
        ),
    )
}

fn detail_suffix(detail: &str) -> String {
    let detail = detail.trim();
    if detail.is_empty() {
        String::new()
    } else {
        format!(" (Steam said: {detail})")
    }
}

/// EResult number of a steamworks error: steamworks 0.13 maps EResult to SteamError but not back,
/// so the few connection callbacks carry are named and the rest is a generic failure.
pub(crate) fn steam_error_code(error: &SteamError) -> i32 {
    match error {
        SteamError::NoConnection => eresult::NO_CONNECTION,
        SteamError::InvalidParameter => eresult::INVALID_PARAM,
        SteamError::GSLTDenied => eresult::GSLT_DENIED,
        SteamError::GSLTExpired => eresult::GSLT_EXPIRED,
        SteamError::LoggedInElsewhere => eresult::LOGGED_IN_ELSEWHERE,
        _ => eresult::FAIL,
    }
}

/// `BeginAuthSession`'s answer as steamworks reports it, as the `EBeginAuthSessionResult` code.
pub(crate) fn begin_result(result: Result<(), AuthSessionError>) -> BeginAuthResult {
    match result {
        Ok(()) => BeginAuthResult::Ok,
        Err(AuthSessionError::InvalidTicket) => BeginAuthResult::InvalidTicket,
        Err(AuthSessionError::DuplicateRequest) => BeginAuthResult::DuplicateRequest,
        Err(AuthSessionError::InvalidVersion) => BeginAuthResult::InvalidVersion,
        Err(AuthSessionError::GameMismatch) => BeginAuthResult::GameMismatch,
        Err(AuthSessionError::ExpiredTicket) => BeginAuthResult::ExpiredTicket,
    }
}

pub(crate) fn validate_code(response: &Result<(), AuthSessionValidateError>) -> i32 {
    use AuthSessionValidateError::*;
    match response {
        Ok(()) => 0,
        Err(UserNotConnectedToSteam) => 1,
        Err(NoLicenseOrExpired) => 2,
        Err(VACBanned) => 3,
        Err(LoggedInElseWhere) => 4,
        Err(VACCheckTimedOut) => 5,
        Err(AuthTicketCancelled) => 6,
        Err(AuthTicketInvalidAlreadyUsed) => 7,
        Err(AuthTicketInvalid) => 8,
        Err(PublisherIssuedBan) => 9,
        Err(AuthTicketNetworkIdentityFailure) => 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_without_a_steam_client_reports_status_2_with_the_fix() {
        // What the SDK really does on this machine: no client, generic failure.
        let err = SteamAPIInitError::FailedGeneric(String::new());
        let status = init_failure(&err, false);
        assert_eq!(status.status, InitResult::NoSteamClient);
        assert!(status.verbal.starts_with("Steam client is not running."));
        assert!(status.verbal.contains("simulated"));
    }

    #[test]
    fn other_init_failures_keep_their_status_and_steams_detail() {
        let generic = init_failure(&SteamAPIInitError::FailedGeneric("no appid".into()), true);
        assert_eq!(generic.status, InitResult::FailedGeneric);
        assert!(generic.verbal.contains("(Steam said: no appid)"));
        let old = init_failure(&SteamAPIInitError::VersionMismatch(String::new()), true);
        assert_eq!(old.status, InitResult::VersionMismatch);
        assert!(old.verbal.contains("update Steam"));
        let none = init_failure(&SteamAPIInitError::NoSteamClient(String::new()), true);
        assert_eq!(none.status, InitResult::NoSteamClient);
    }
}
