//! The validating side of Steam's auth sessions, as the simulation plays it: `BeginAuthSession`'s
//! checks in Steam's order, the sessions begun, and which tickets were already used. A simulated
//! client validating a peer and a simulated game server validating players share it.

use std::collections::{HashMap, HashSet};

use steam_ticket::{decode, KeyRing, TicketType};

use crate::codes::{AuthSessionResponse, BeginAuthResult, LicenseResult};
use crate::validator::TicketVerdict;

/// An auth session begun with [`AuthSessions::begin`].
#[derive(Debug, Clone)]
pub struct Session {
    pub gc_token: u64,
    pub owner_steam_id: u64,
    licensed_apps: HashSet<u32>,
}

/// Sessions for one app, checked against the simulation's (and Valve's) keys.
pub struct AuthSessions {
    app_id: u32,
    keys: KeyRing,
    sessions: HashMap<u64, Session>,
    used_tokens: HashSet<u64>,
}

impl AuthSessions {
    pub fn new(app_id: u32) -> Self {
        AuthSessions {
            app_id,
            keys: KeyRing::with_simulation(),
            sessions: HashMap::new(),
            used_tokens: HashSet::new(),
        }
    }

    /// `BeginAuthSession` at unix time `now`: the synchronous result, or on success the response
    /// the later `ValidateAuthTicketResponse_t` carries (7 for a ticket used before; 6 when
    /// `cancelled` says its issuer cancelled it) and the owner SteamID.
    pub fn begin(
        &mut self,
        ticket: &[u8],
        steam_id: u64,
        now: u64,
        cancelled: impl Fn(u64) -> bool,
    ) -> Result<TicketVerdict, BeginAuthResult> {
        let session = self.admit(ticket, steam_id, now)?;
        let response = if cancelled(session.gc_token) {
            AuthSessionResponse::AuthTicketCanceled
        } else if self.used_tokens.contains(&session.gc_token) {
            AuthSessionResponse::AuthTicketInvalidAlreadyUsed
        } else {
            AuthSessionResponse::Ok
        };
        let verdict = TicketVerdict {
            steam_id,
            response: response.code(),
            owner_steam_id: session.owner_steam_id,
        };
        self.used_tokens.insert(session.gc_token);
        self.sessions.insert(steam_id, session);
        Ok(verdict)
    }

    /// `EndAuthSession`; false if no session was begun for that SteamID.
    pub fn end(&mut self, steam_id: u64) -> bool {
        self.sessions.remove(&steam_id).is_some()
    }

    pub fn get(&self, steam_id: u64) -> Option<&Session> {
        self.sessions.get(&steam_id)
    }

    /// The sessions begun with the ticket whose GC token is `gc_token`, as (SteamID, owner), sorted.
    pub fn begun_with(&self, gc_token: u64) -> Vec<(u64, u64)> {
        let mut found: Vec<(u64, u64)> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.gc_token == gc_token)
            .map(|(id, s)| (*id, s.owner_steam_id))
            .collect();
        found.sort_unstable();
        found
    }

    /// `UserHasLicenseForApp` for a user with a session: the game and the DLC the ticket lists.
    pub fn license(&self, steam_id: u64, app_id: u32) -> LicenseResult {
        match self.sessions.get(&steam_id) {
            None => LicenseResult::NoAuth,
            Some(s) if s.licensed_apps.contains(&app_id) => LicenseResult::HasLicense,
            Some(_) => LicenseResult::DoesNotHaveLicense,
        }
    }

    /// The synchronous checks of `BeginAuthSession`, in the order Steam reports them.
    fn admit(&self, ticket: &[u8], steam_id: u64, now: u64) -> Result<Session, BeginAuthResult> {
        let decoded = decode(ticket).map_err(|_| BeginAuthResult::InvalidTicket)?;
        let t = &decoded.ticket;
        let for_begin = t.session.ticket_type == TicketType::Session;
        if self.keys.verify(&decoded).is_none() || t.steam_id != steam_id || !for_begin {
            return Err(BeginAuthResult::InvalidTicket);
        }
        if t.ownership.version != steam_ticket::model::OWNERSHIP_VERSION {
            return Err(BeginAuthResult::InvalidVersion);
        }
        if t.ownership.app_id != self.app_id {
            return Err(BeginAuthResult::GameMismatch);
        }
        if u64::from(t.ownership.expires) <= now {
            return Err(BeginAuthResult::ExpiredTicket);
        }
        if self.sessions.contains_key(&steam_id) {
            return Err(BeginAuthResult::DuplicateRequest);
        }
        let mut licensed_apps: HashSet<u32> = t.ownership.dlc.iter().map(|d| d.app_id).collect();
        licensed_apps.insert(t.ownership.app_id);
        Ok(Session {
            gc_token: t.gc_token,
            owner_steam_id: t.ownership.steam_id,
            licensed_apps,
        })
    }
}
