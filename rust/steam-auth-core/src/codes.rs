//! Steam's result codes, with the numbers GodotSteam exposes to GDScript.

/// `EResult` values that auth callbacks carry.
pub mod eresult {
    pub const OK: i32 = 1;
    pub const FAIL: i32 = 2;
    pub const NO_CONNECTION: i32 = 3;
    pub const INVALID_PARAM: i32 = 8;
}

/// `EBeginAuthSessionResult`: the synchronous answer of `BeginAuthSession`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum BeginAuthResult {
    Ok = 0,
    InvalidTicket = 1,
    DuplicateRequest = 2,
    InvalidVersion = 3,
    GameMismatch = 4,
    ExpiredTicket = 5,
}

impl BeginAuthResult {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// `EAuthSessionResponse`: what `ValidateAuthTicketResponse_t` reports about a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum AuthSessionResponse {
    Ok = 0,
    UserNotConnectedToSteam = 1,
    NoLicenseOrExpired = 2,
    VacBanned = 3,
    LoggedInElsewhere = 4,
    VacCheckTimedOut = 5,
    AuthTicketCanceled = 6,
    AuthTicketInvalidAlreadyUsed = 7,
    AuthTicketInvalid = 8,
    PublisherIssuedBan = 9,
    AuthTicketNetworkIdentityFailure = 10,
}

impl AuthSessionResponse {
    pub const ALL: [AuthSessionResponse; 11] = [
        Self::Ok,
        Self::UserNotConnectedToSteam,
        Self::NoLicenseOrExpired,
        Self::VacBanned,
        Self::LoggedInElsewhere,
        Self::VacCheckTimedOut,
        Self::AuthTicketCanceled,
        Self::AuthTicketInvalidAlreadyUsed,
        Self::AuthTicketInvalid,
        Self::PublisherIssuedBan,
        Self::AuthTicketNetworkIdentityFailure,
    ];

    pub fn code(self) -> i32 {
        self as i32
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|r| i64::from(r.code()) == code)
    }
}

/// `EUserHasLicenseForAppResult`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum LicenseResult {
    HasLicense = 0,
    DoesNotHaveLicense = 1,
    NoAuth = 2,
}

impl LicenseResult {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// `ESteamAPIInitResult`, with a sentence that tells the developer what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitStatus {
    pub status: InitResult,
    pub verbal: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum InitResult {
    Ok = 0,
    FailedGeneric = 1,
    NoSteamClient = 2,
    VersionMismatch = 3,
}

impl InitResult {
    pub fn code(self) -> i32 {
        self as i32
    }
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
