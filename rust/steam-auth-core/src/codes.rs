//! Steam's result codes, with the numbers and names GodotSteam exposes to GDScript.
//!
//! Each enum here is also an [`EnumTable`]: the gdext crate registers those tables as the `Steam`
//! singleton's enums (`Steam.BeginAuthSessionResult`, ...), so the constants come from these Rust
//! types instead of being copied into the Godot layer.

/// `EResult` values that auth callbacks carry.
pub mod eresult {
    pub const OK: i32 = 1;
    pub const FAIL: i32 = 2;
    pub const NO_CONNECTION: i32 = 3;
    pub const INVALID_PARAM: i32 = 8;
    pub const DUPLICATE_REQUEST: i32 = 29;
    pub const LIMIT_EXCEEDED: i32 = 25;
    pub const LOGGED_IN_ELSEWHERE: i32 = 6;
    pub const GSLT_DENIED: i32 = 102;
    pub const GSLT_EXPIRED: i32 = 106;
}

/// One enum as GodotSteam registers it on `Steam`: its GDScript name and its constants, each with
/// Steam's own description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumTable {
    pub name: &'static str,
    pub constants: &'static [(&'static str, i64, &'static str)],
}

/// Declares a `#[repr(i32)]` Steam enum with `ALL`, `code`, `from_code` and its [`EnumTable`].
macro_rules! steam_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $ty:ident as $godot:literal {
            $( $(#[doc = $doc:literal])+ $variant:ident = $value:literal => $constant:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(i32)]
        $vis enum $ty {
            $( $(#[doc = $doc])+ $variant = $value, )+
        }

        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// How GodotSteam registers this enum and its constants.
            pub const TABLE: EnumTable = EnumTable {
                name: $godot,
                constants: &[$(($constant, $value, concat!($($doc),+))),+],
            };

            pub fn code(self) -> i32 {
                self as i32
            }

            pub fn from_code(code: i64) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| i64::from(v.code()) == code)
            }
        }
    };
}

steam_enum! {
    /// `EBeginAuthSessionResult`: the synchronous answer of `BeginAuthSession`.
    pub enum BeginAuthResult as "BeginAuthSessionResult" {
        /// The ticket is valid for this game and this SteamID.
        Ok = 0 => "BEGIN_AUTH_SESSION_RESULT_OK",
        /// The ticket is invalid (malformed, forged, or for another SteamID).
        InvalidTicket = 1 => "BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET",
        /// A ticket was already submitted for this SteamID.
        DuplicateRequest = 2 => "BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST",
        /// The ticket is from an incompatible interface version.
        InvalidVersion = 3 => "BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION",
        /// The ticket is not for this game.
        GameMismatch = 4 => "BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH",
        /// The ticket has expired.
        ExpiredTicket = 5 => "BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET",
    }
}

steam_enum! {
    /// `EAuthSessionResponse`: what `ValidateAuthTicketResponse_t` reports about a session.
    pub enum AuthSessionResponse as "AuthSessionResponse" {
        /// Steam has verified the user is online, the ticket is valid and has not been reused.
        Ok = 0 => "AUTH_SESSION_RESPONSE_OK",
        /// The user in question is not connected to Steam.
        UserNotConnectedToSteam = 1 => "AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM",
        /// The user has no license for this app, or the license expired.
        NoLicenseOrExpired = 2 => "AUTH_SESSION_RESPONSE_NO_LICENSE_OR_EXPIRED",
        /// The user is VAC banned for this game.
        VacBanned = 3 => "AUTH_SESSION_RESPONSE_VAC_BANNED",
        /// The user logged in elsewhere and this game session was disconnected.
        LoggedInElsewhere = 4 => "AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE",
        /// VAC could not perform anti-cheat checks on this user.
        VacCheckTimedOut = 5 => "AUTH_SESSION_RESPONSE_VAC_CHECK_TIMED_OUT",
        /// The ticket was cancelled by its issuer.
        AuthTicketCanceled = 6 => "AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED",
        /// The ticket was already used; it is not valid.
        AuthTicketInvalidAlreadyUsed = 7 => "AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED",
        /// The ticket is not from a user instance currently connected to Steam.
        AuthTicketInvalid = 8 => "AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID",
        /// The user is banned for this game by the publisher (Web API ban, not VAC).
        PublisherIssuedBan = 9 => "AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN",
        /// The ticket was made for a different networking identity than the one validating it.
        AuthTicketNetworkIdentityFailure = 10 => "AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE",
    }
}

steam_enum! {
    /// `EUserHasLicenseForAppResult`.
    pub enum LicenseResult as "UserHasLicenseForAppResult" {
        /// The user has a license for the app.
        HasLicense = 0 => "USER_HAS_LICENSE_RESULT_HAS_LICENSE",
        /// The user has no license for the app.
        DoesNotHaveLicense = 1 => "USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE",
        /// The user has no auth session; call beginAuthSession first.
        NoAuth = 2 => "USER_HAS_LICENSE_RESULT_NO_AUTH",
    }
}

steam_enum! {
    /// `ESteamAPIInitResult`.
    pub enum InitResult as "SteamAPIInitResult" {
        /// Steam initialised.
        Ok = 0 => "STEAM_API_INIT_RESULT_OK",
        /// Steam refused to initialise for another reason (verbal says which).
        FailedGeneric = 1 => "STEAM_API_INIT_RESULT_FAILED_GENERIC",
        /// The Steam client is not running.
        NoSteamClient = 2 => "STEAM_API_INIT_RESULT_NO_STEAM_CLIENT",
        /// The Steam client is older than the game's Steamworks SDK.
        VersionMismatch = 3 => "STEAM_API_INIT_RESULT_VERSION_MISMATCH",
    }
}

steam_enum! {
    /// `EServerMode`: how a game server authenticates players (`SteamGameServer_Init`).
    pub enum ServerMode as "ServerMode" {
        /// Not a valid mode.
        Invalid = 0 => "SERVER_MODE_INVALID",
        /// Don't authenticate user logins; the server is not listed.
        NoAuthentication = 1 => "SERVER_MODE_NO_AUTHENTICATION",
        /// Authenticate users, list on the server list, don't run VAC on clients that connect.
        Authentication = 2 => "SERVER_MODE_AUTHENTICATION",
        /// Authenticate users, list on the server list and VAC-protect clients.
        AuthenticationAndSecure = 3 => "SERVER_MODE_AUTHENTICATION_AND_SECURE",
    }
}

steam_enum! {
    /// `EAccountType`: what kind of account a SteamID names (bits 52..55 of a SteamID64).
    pub enum AccountType as "AccountType" {
        /// Not a valid account type.
        Invalid = 0 => "ACCOUNT_TYPE_INVALID",
        /// A single user account.
        Individual = 1 => "ACCOUNT_TYPE_INDIVIDUAL",
        /// A multiseat account (e.g. cybercafe).
        Multiseat = 2 => "ACCOUNT_TYPE_MULTISEAT",
        /// A persistent (not anonymous) game server account.
        GameServer = 3 => "ACCOUNT_TYPE_GAME_SERVER",
        /// An anonymous game server account.
        AnonGameServer = 4 => "ACCOUNT_TYPE_ANON_GAME_SERVER",
        /// Pending.
        Pending = 5 => "ACCOUNT_TYPE_PENDING",
        /// A content server.
        ContentServer = 6 => "ACCOUNT_TYPE_CONTENT_SERVER",
        /// A Steam group (clan).
        Clan = 7 => "ACCOUNT_TYPE_CLAN",
        /// A chat room or lobby.
        Chat = 8 => "ACCOUNT_TYPE_CHAT",
        /// A fake SteamID for a local PSN account on PS3 or a Live account on 360.
        ConsoleUser = 9 => "ACCOUNT_TYPE_CONSOLE_USER",
        /// An anonymous user account (used to create an account or reset a password).
        AnonUser = 10 => "ACCOUNT_TYPE_ANON_USER",
        /// One past the last valid account type.
        Max = 11 => "ACCOUNT_TYPE_MAX",
    }
}

steam_enum! {
    /// `EUniverse`: which Steam a SteamID belongs to (bits 56..63 of a SteamID64).
    pub enum Universe as "Universe" {
        /// Not a valid universe.
        Invalid = 0 => "UNIVERSE_INVALID",
        /// The public Steam every player uses.
        Public = 1 => "UNIVERSE_PUBLIC",
        /// Valve's beta universe.
        Beta = 2 => "UNIVERSE_BETA",
        /// Valve's internal universe.
        Internal = 3 => "UNIVERSE_INTERNAL",
        /// Valve's development universe.
        Dev = 4 => "UNIVERSE_DEV",
        /// One past the last valid universe.
        Max = 5 => "UNIVERSE_MAX",
    }
}

steam_enum! {
    /// `EDenyReason`: why Steam denied or kicked a client (`client_denied`, `client_kick`).
    pub enum DenyReason as "DenyReason" {
        /// No reason given.
        Invalid = 0 => "DENY_INVALID",
        /// The client's version is not the server's.
        InvalidVersion = 1 => "DENY_INVALID_VERSION",
        /// A generic denial.
        Generic = 2 => "DENY_GENERIC",
        /// The client is not logged on to Steam.
        NotLoggedOn = 3 => "DENY_NOT_LOGGED_ON",
        /// The client does not own the game.
        NoLicense = 4 => "DENY_NO_LICENSE",
        /// The client is VAC banned.
        Cheater = 5 => "DENY_CHEATER",
        /// The client logged in elsewhere.
        LoggedInElseWhere = 6 => "DENY_LOGGED_IN_ELSEWHERE",
        /// Denied with a text reason.
        UnknownText = 7 => "DENY_UNKNOWN_TEXT",
        /// The client runs anti-cheat software the server does not accept.
        IncompatibleAnticheat = 8 => "DENY_INCOMPATIBLE_ANTI_CHEAT",
        /// VAC found memory corruption.
        MemoryCorruption = 9 => "DENY_MEMORY_CORRUPTION",
        /// The client runs software incompatible with VAC.
        IncompatibleSoftware = 10 => "DENY_INCOMPATIBLE_SOFTWARE",
        /// The client lost its connection to Steam.
        SteamConnectionLost = 11 => "DENY_STEAM_CONNECTION_LOST",
        /// The client's connection to Steam failed.
        SteamConnectionError = 12 => "DENY_STEAM_CONNECTION_ERROR",
        /// Steam did not answer about the client in time.
        SteamResponseTimedOut = 13 => "DENY_STEAM_RESPONSE_TIMED_OUT",
        /// Steam's validation of the client stalled.
        SteamValidationStalled = 14 => "DENY_STEAM_VALIDATION_STALLED",
        /// The owner of a shared (Family Sharing) library left the guest user.
        SteamOwnerLeftGuestUser = 15 => "DENY_STEAM_OWNER_LEFT_GUEST_USER",
    }
}

steam_enum! {
    /// `CGameID::EGameIDType`: what a 64-bit game id names.
    pub enum GameIdType as "GameIDType" {
        /// A Steam app.
        App = 0 => "GAME_TYPE_APP",
        /// A mod of a Steam app.
        GameMod = 1 => "GAME_TYPE_GAME_MOD",
        /// A non-Steam game added as a shortcut.
        Shortcut = 2 => "GAME_TYPE_SHORTCUT",
        /// A peer-to-peer file.
        P2p = 3 => "GAME_TYPE_P2P",
    }
}

steam_enum! {
    /// `ESteamIPType`: which half of a `SteamIPAddress_t` holds the address.
    pub enum IpType as "IPType" {
        /// An IPv4 address.
        V4 = 0 => "IP_TYPE_IPV4",
        /// An IPv6 address.
        V6 = 1 => "IP_TYPE_IPV6",
    }
}

/// Steam's `EResult`, every value of the Steamworks SDK this crate links (steamclientpublic.h), with
/// GodotSteam's constant names (plus `RESULT_PHONE_NUMBER_IS_VOIP`, which older SDKs had).
pub const RESULT: EnumTable = EnumTable {
    name: "Result",
    constants: &[
    ("RESULT_NONE", 0, "No result."),
    ("RESULT_OK", 1, "Success."),
    ("RESULT_FAIL", 2, "Generic failure."),
    ("RESULT_NO_CONNECTION", 3, "No/failed network connection."),
    ("RESULT_INVALID_PASSWORD", 5, "Password/ticket is invalid."),
    ("RESULT_LOGGED_IN_ELSEWHERE", 6, "Same user logged in elsewhere."),
    ("RESULT_INVALID_PROTOCOL_VER", 7, "Protocol version is incorrect."),
    ("RESULT_INVALID_PARAM", 8, "A parameter is incorrect."),
    ("RESULT_FILE_NOT_FOUND", 9, "File was not found."),
    ("RESULT_BUSY", 10, "Called method busy - action not taken."),
    ("RESULT_INVALID_STATE", 11, "Called object was in an invalid state."),
    ("RESULT_INVALID_NAME", 12, "Name is invalid."),
    ("RESULT_INVALID_EMAIL", 13, "Email is invalid."),
    ("RESULT_DUPLICATE_NAME", 14, "Name is not unique."),
    ("RESULT_ACCESS_DENIED", 15, "Access is denied."),
    ("RESULT_TIMEOUT", 16, "Operation timed out."),
    ("RESULT_BANNED", 17, "VAC2 banned."),
    ("RESULT_ACCOUNT_NOT_FOUND", 18, "Account not found."),
    ("RESULT_INVALID_STEAMID", 19, "SteamID is invalid."),
    ("RESULT_SERVICE_UNAVAILABLE", 20, "The requested service is currently unavailable."),
    ("RESULT_NOT_LOGGED_ON", 21, "The user is not logged on."),
    ("RESULT_PENDING", 22, "Request is pending (may be in process, or waiting on third party)."),
    ("RESULT_ENCRYPTION_FAILURE", 23, "Encryption or Decryption failed."),
    ("RESULT_INSUFFICIENT_PRIVILEGE", 24, "Insufficient privilege."),
    ("RESULT_LIMIT_EXCEEDED", 25, "Too much of a good thing."),
    ("RESULT_REVOKED", 26, "Access has been revoked (used for revoked guest passes)."),
    ("RESULT_EXPIRED", 27, "License/Guest pass the user is trying to access is expired."),
    ("RESULT_ALREADY_REDEEMED", 28, "Guest pass has already been redeemed by account, cannot be acked again."),
    ("RESULT_DUPLICATE_REQUEST", 29, "The request is a duplicate and the action has already occurred in the past, ignored this time."),
    ("RESULT_ALREADY_OWNED", 30, "All the games in this guest pass redemption request are already owned by the user."),
    ("RESULT_IP_NOT_FOUND", 31, "IP address not found."),
    ("RESULT_PERSIST_FAILED", 32, "Failed to write change to the data store."),
    ("RESULT_LOCKING_FAILED", 33, "Failed to acquire access lock for this operation."),
    ("RESULT_LOG_ON_SESSION_REPLACED", 34, "LogonSessionReplaced."),
    ("RESULT_CONNECT_FAILED", 35, "ConnectFailed."),
    ("RESULT_HANDSHAKE_FAILED", 36, "HandshakeFailed."),
    ("RESULT_IO_FAILURE", 37, "IOFailure."),
    ("RESULT_REMOTE_DISCONNECT", 38, "RemoteDisconnect."),
    ("RESULT_SHOPPING_CART_NOT_FOUND", 39, "Failed to find the shopping cart requested."),
    ("RESULT_BLOCKED", 40, "A user didn't allow it."),
    ("RESULT_IGNORED", 41, "Target is ignoring sender."),
    ("RESULT_NO_MATCH", 42, "Nothing matching the request found."),
    ("RESULT_ACCOUNT_DISABLED", 43, "AccountDisabled."),
    ("RESULT_SERVICE_READ_ONLY", 44, "This service is not accepting content changes right now."),
    ("RESULT_ACCOUNT_NOT_FEATURED", 45, "Account doesn't have value, so this feature isn't available."),
    ("RESULT_ADMINISTRATOR_OK", 46, "Allowed to take this action, but only because requester is admin."),
    ("RESULT_CONTENT_VERSION", 47, "A Version mismatch in content transmitted within the Steam protocol."),
    ("RESULT_TRY_ANOTHER_CM", 48, "The current CM can't service the user making a request, user should try another."),
    ("RESULT_PASSWORD_REQUIRED_TO_KICK_SESSION", 49, "You are already logged in elsewhere, this cached credential login has failed."),
    ("RESULT_ALREADY_LOGGED_IN_ELSEWHERE", 50, "You are already logged in elsewhere, you must wait."),
    ("RESULT_SUSPENDED", 51, "Long running operation (content download) suspended/paused."),
    ("RESULT_CANCELLED", 52, "Operation canceled (typically by user: content download)."),
    ("RESULT_DATA_CORRUPTION", 53, "Operation canceled because data is ill formed or unrecoverable."),
    ("RESULT_DISK_FULL", 54, "Operation canceled - not enough disk space."),
    ("RESULT_REMOTE_CALL_FAILED", 55, "An remote call or IPC call failed."),
    ("RESULT_PASSWORD_UNSET", 56, "Password could not be verified as it's unset server side."),
    ("RESULT_EXTERNAL_ACCOUNT_UNLINKED", 57, "External account (PSN, Facebook...) is not linked to a Steam account."),
    ("RESULT_PSN_TICKET_INVALID", 58, "PSN ticket was invalid."),
    ("RESULT_EXTERNAL_ACCOUNT_ALREADY_LINKED", 59, "External account (PSN, Facebook...) is already linked to some other account, must explicitly request to replace/delete the link first."),
    ("RESULT_REMOTE_FILE_CONFLICT", 60, "The sync cannot resume due to a conflict between the local and remote files."),
    ("RESULT_ILLEGAL_PASSWORD", 61, "The requested new password is not legal."),
    ("RESULT_SAME_AS_PREVIOUS_VALUE", 62, "New value is the same as the old one ( secret question and answer )."),
    ("RESULT_ACCOUNT_LOG_ON_DENIED", 63, "Account login denied due to 2nd factor authentication failure."),
    ("RESULT_CANNOT_USE_OLD_PASSWORD", 64, "The requested new password is not legal."),
    ("RESULT_INVALID_LOG_IN_AUTH_CODE", 65, "Account login denied due to auth code invalid."),
    ("RESULT_ACCOUNT_LOG_ON_DENIED_NO_MAIL", 66, "Account login denied due to 2nd factor auth failure - and no mail has been sent - partner site specific."),
    ("RESULT_HARDWARE_NOT_CAPABLE_OF_IPT", 67, "HardwareNotCapableOfIPT."),
    ("RESULT_IPT_INIT_ERROR", 68, "IPTInitError."),
    ("RESULT_PARENTAL_CONTROL_RESTRICTED", 69, "Operation failed due to parental control restrictions for current user."),
    ("RESULT_FACEBOOK_QUERY_ERROR", 70, "Facebook query returned an error."),
    ("RESULT_EXPIRED_LOGIN_AUTH_CODE", 71, "Account login denied due to auth code expired."),
    ("RESULT_IP_LOGIN_RESTRICTION_FAILED", 72, "IPLoginRestrictionFailed."),
    ("RESULT_ACCOUNT_LOCKED_DOWN", 73, "AccountLockedDown."),
    ("RESULT_ACCOUNT_LOG_ON_DENIED_VERIFIED_EMAIL_REQUIRED", 74, "AccountLogonDeniedVerifiedEmailRequired."),
    ("RESULT_NO_MATCHING_URL", 75, "NoMatchingURL."),
    ("RESULT_BAD_RESPONSE", 76, "Parse failure, missing field, etc."),
    ("RESULT_REQUIRE_PASSWORD_REENTRY", 77, "The user cannot complete the action until they re-enter their password."),
    ("RESULT_VALUE_OUT_OF_RANGE", 78, "The value entered is outside the acceptable range."),
    ("RESULT_UNEXPECTED_ERROR", 79, "Something happened that we didn't expect to ever happen."),
    ("RESULT_DISABLED", 80, "The requested service has been configured to be unavailable."),
    ("RESULT_INVALID_CEG_SUBMISSION", 81, "The set of files submitted to the CEG server are not valid !."),
    ("RESULT_RESTRICTED_DEVICE", 82, "The device being used is not allowed to perform this action."),
    ("RESULT_REGION_LOCKED", 83, "The action could not be complete because it is region restricted."),
    ("RESULT_RATE_LIMIT_EXCEEDED", 84, "Temporary rate limit exceeded, try again later, different from k_EResultLimitExceeded which may be permanent."),
    ("RESULT_ACCOUNT_LOGIN_DENIED_NEED_TWO_FACTOR", 85, "Need two-factor code to login."),
    ("RESULT_ITEM_DELETED", 86, "The thing we're trying to access has been deleted."),
    ("RESULT_ACCOUNT_LOGIN_DENIED_THROTTLE", 87, "Login attempt failed, try to throttle response to possible attacker."),
    ("RESULT_TWO_FACTOR_CODE_MISMATCH", 88, "Two factor code mismatch."),
    ("RESULT_TWO_FACTOR_ACTIVATION_CODE_MISMATCH", 89, "Activation code for two-factor didn't match."),
    ("RESULT_ACCOUNT_ASSOCIATED_TO_MULTIPLE_PARTNERS", 90, "Account has been associated with multiple partners."),
    ("RESULT_NOT_MODIFIED", 91, "Data not modified."),
    ("RESULT_NO_MOBILE_DEVICE", 92, "The account does not have a mobile device associated with it."),
    ("RESULT_TIME_NOT_SYNCED", 93, "The time presented is out of range or tolerance."),
    ("RESULT_SMS_CODE_FAILED", 94, "SMS code failure (no match, none pending, etc.)."),
    ("RESULT_ACCOUNT_LIMIT_EXCEEDED", 95, "Too many accounts access this resource."),
    ("RESULT_ACCOUNT_ACTIVITY_LIMIT_EXCEEDED", 96, "Too many changes to this account."),
    ("RESULT_PHONE_ACTIVITY_LIMIT_EXCEEDED", 97, "Too many changes to this phone."),
    ("RESULT_REFUND_TO_WALLET", 98, "Cannot refund to payment method, must use wallet."),
    ("RESULT_EMAIL_SEND_FAILURE", 99, "Cannot send an email."),
    ("RESULT_NOT_SETTLED", 100, "Can't perform operation till payment has settled."),
    ("RESULT_NEED_CAPTCHA", 101, "Needs to provide a valid captcha."),
    ("RESULT_GSLT_DENIED", 102, "A game server login token owned by this token's owner has been banned."),
    ("RESULT_GS_OWNER_DENIED", 103, "Game server owner is denied for other reason (account lock, community ban, vac ban, missing phone)."),
    ("RESULT_INVALID_ITEM_TYPE", 104, "The type of thing we were requested to act on is invalid."),
    ("RESULT_IP_BANNED", 105, "The ip address has been banned from taking this action."),
    ("RESULT_GSLT_EXPIRED", 106, "This token has expired from disuse; can be reset for use."),
    ("RESULT_INSUFFICIENT_FUNDS", 107, "User doesn't have enough wallet funds to complete the action."),
    ("RESULT_TOO_MANY_PENDING", 108, "There are too many of this thing pending already."),
    ("RESULT_NO_SITE_LICENSES_FOUND", 109, "No site licenses found."),
    ("RESULT_WG_NETWORK_SEND_EXCEEDED", 110, "The WG couldn't send a response because we exceeded max network send size."),
    ("RESULT_ACCOUNT_NOT_FRIENDS", 111, "The user is not mutually friends."),
    ("RESULT_LIMITED_USER_ACCOUNT", 112, "The user is limited."),
    ("RESULT_CANT_REMOVE_ITEM", 113, "Item can't be removed."),
    ("RESULT_ACCOUNT_DELETED", 114, "Account has been deleted."),
    ("RESULT_EXISTING_USER_CANCELLED_LICENSE", 115, "A license for this already exists, but cancelled."),
    ("RESULT_COMMUNITY_COOLDOWN", 116, "Access is denied because of a community cooldown (probably from support profile data resets)."),
    ("RESULT_NO_LAUNCHER_SPECIFIED", 117, "No launcher was specified, but a launcher was needed to choose correct realm for operation."),
    ("RESULT_MUST_AGREE_TO_SSA", 118, "User must agree to china SSA or global SSA before login."),
    ("RESULT_LAUNCHER_MIGRATED", 119, "The specified launcher type is no longer supported; the user should be directed elsewhere."),
    ("RESULT_STEAM_REALM_MISMATCH", 120, "The user's realm does not match the realm of the requested resource."),
    ("RESULT_INVALID_SIGNATURE", 121, "Signature check did not match."),
    ("RESULT_PARSE_FAILURE", 122, "Failed to parse input."),
    ("RESULT_NO_VERIFIED_PHONE", 123, "Account does not have a verified phone number."),
    ("RESULT_INSUFFICIENT_BATTERY", 124, "User device doesn't have enough battery charge currently to complete the action."),
    ("RESULT_CHARGER_REQUIRED", 125, "The operation requires a charger to be plugged in, which wasn't present."),
    ("RESULT_CACHED_CREDENTIAL_INVALID", 126, "Cached credential was invalid - user must reauthenticate."),
    ("RESULT_PHONE_NUMBER_IS_VOIP", 127, "The phone number is a VOIP number (removed from newer Steamworks SDKs; kept for GodotSteam scripts)."),
    ("RESULT_NOT_SUPPORTED", 128, "The data being accessed is not supported by this API."),
    ("RESULT_FAMILY_SIZE_LIMIT_EXCEEDED", 129, "Reached the maximum size of the family."),
    ("RESULT_OFFLINE_APP_CACHE_INVALID", 130, "The local data for the offline mode cache is insufficient to login."),
    ("RESULT_TRY_LATER", 131, "Retry the operation later."),
    ],
};

/// Every enum the `Steam` singleton registers.
pub const ENUMS: &[EnumTable] = &[
    AuthSessionResponse::TABLE,
    BeginAuthResult::TABLE,
    LicenseResult::TABLE,
    InitResult::TABLE,
    RESULT,
];

/// Every enum the `SteamServer` singleton registers: GodotSteam Server's Main and Game Server enums
/// (its stats, HTTP, inventory, networking and UGC enums are out of scope).
pub const SERVER_ENUMS: &[EnumTable] = &[
    AccountType::TABLE,
    AuthSessionResponse::TABLE,
    BeginAuthResult::TABLE,
    DenyReason::TABLE,
    GameIdType::TABLE,
    IpType::TABLE,
    LicenseResult::TABLE,
    RESULT,
    ServerMode::TABLE,
    InitResult::TABLE,
    Universe::TABLE,
];

/// `ESteamAPIInitResult`, with a sentence that tells the developer what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitStatus {
    pub status: InitResult,
    pub verbal: String,
}

impl InitStatus {
    pub fn ok(verbal: impl Into<String>) -> Self {
        InitStatus {
            status: InitResult::Ok,
            verbal: verbal.into(),
        }
    }

    pub fn failed(status: InitResult, verbal: impl Into<String>) -> Self {
        InitStatus {
            status,
            verbal: verbal.into(),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.status == InitResult::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_table_has_unique_names_and_values_that_match_its_enum() {
        for enums in [ENUMS, SERVER_ENUMS] {
            let mut all_names = HashSet::new();
            for table in enums {
                let mut values = HashSet::new();
                for (name, value, doc) in table.constants {
                    assert!(all_names.insert(*name), "{name} is registered twice");
                    assert!(values.insert(*value), "{}: value {value} twice", table.name);
                    assert!(!doc.trim().is_empty(), "{name} has no description");
                }
            }
        }
        let begin: Vec<i64> = BeginAuthResult::ALL
            .iter()
            .map(|r| i64::from(r.code()))
            .collect();
        let table: Vec<i64> = BeginAuthResult::TABLE
            .constants
            .iter()
            .map(|c| c.1)
            .collect();
        assert_eq!(begin, table);
    }

    #[test]
    fn eresult_holds_every_sdk_value_with_godotsteam_names() {
        let value = |name: &str| RESULT.constants.iter().find(|c| c.0 == name).map(|c| c.1);
        assert_eq!(RESULT.constants.len(), 131);
        assert_eq!(value("RESULT_OK"), Some(i64::from(eresult::OK)));
        assert_eq!(value("RESULT_IO_FAILURE"), Some(37));
        assert_eq!(value("RESULT_INVALID_STEAMID"), Some(19));
        assert_eq!(value("RESULT_TOO_MANY_PENDING"), Some(108));
        assert_eq!(
            value("RESULT_LIMIT_EXCEEDED"),
            Some(i64::from(eresult::LIMIT_EXCEEDED))
        );
        assert_eq!(
            value("RESULT_DUPLICATE_REQUEST"),
            Some(i64::from(eresult::DUPLICATE_REQUEST))
        );
        assert_eq!(
            AuthSessionResponse::from_code(6),
            Some(AuthSessionResponse::AuthTicketCanceled)
        );
        assert_eq!(AuthSessionResponse::from_code(11), None);
    }
}
