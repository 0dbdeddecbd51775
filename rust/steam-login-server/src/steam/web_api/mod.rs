//! Steam's Web API: `ISteamUserAuth/AuthenticateUserTicket/v1` (every login asking Steam),
//! `ISteamUser/CheckAppOwnership/v2` (with `--check-ownership`) and `ISteamUser/GetFriendList/v1`
//! (with `--sync-friends`): their URLs here, their answers in `answers`, and the HTTP, retries and
//! failures common to all three in `transport`.

mod answers;
mod transport;

use std::time::Duration;

pub use answers::{FriendList, Player, SteamAnswer, TicketAnswer};
pub use transport::{BudgetRefusal, CallBudget, SteamFault, Upstream};

use crate::config::Secret;
use crate::metrics::AttemptObserver;
use answers::{parse_answer, parse_friends, parse_ownership};
use transport::Transport;

/// The hex of a ticket that decoded and passed the offline checks, cut to its declared length:
/// trailing bytes (a whole SDK buffer sent) are not Steam's business, nor worth its quota. Only
/// `login::ticket_check::check_ticket` makes one, so whoever holds one has hex digits only, for one
/// of the server's apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedTicket<'t> {
    hex: &'t str,
    app_id: u32,
}

impl<'t> CheckedTicket<'t> {
    /// For `check_ticket` alone, once the ticket passed its checks.
    pub(crate) fn new(hex: &'t str, app_id: u32) -> Self {
        CheckedTicket { hex, app_id }
    }

    pub fn hex(&self) -> &'t str {
        self.hex
    }

    pub fn app_id(&self) -> u32 {
        self.app_id
    }
}

/// One app's URLs, every parameter but the last encoded once.
struct AppUrls {
    app_id: u32,
    /// `…/AuthenticateUserTicket/v1/?appid=…[&identity=…]&ticket=`.
    ticket_prefix: String,
    /// `…/CheckAppOwnership/v2/?appid=…&steamid=`.
    ownership_prefix: String,
}

pub struct SteamWebApi {
    transport: Transport,
    /// Per app of `--app-id`.
    apps: Vec<AppUrls>,
    /// `https://…/ISteamUser/GetFriendList/v1/?relationship=friend&steamid=`.
    friends_prefix: String,
    retries: u32,
}

impl SteamWebApi {
    pub fn new(
        base: &str,
        key: Secret,
        app_ids: &[u32],
        identity: Option<String>,
        timeout: Duration,
        retries: u32,
        extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    ) -> Result<Self, String> {
        let endpoint = |path: &str, params: &[(&str, &str)]| {
            let endpoint = format!("{}{path}", base.trim_end_matches('/'));
            let url = url::Url::parse_with_params(&endpoint, params)
                .map_err(|e| format!("the Steam Web API base URL {base:?} is not a URL: {e}"))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(format!(
                    "the Steam Web API base URL {base:?} must be http:// or https://"
                ));
            }
            Ok(url)
        };
        let mut apps = Vec::with_capacity(app_ids.len());
        for app_id in app_ids {
            let app = app_id.to_string();
            let mut params = vec![("appid", app.as_str())];
            if let Some(identity) = &identity {
                params.push(("identity", identity));
            }
            let ticket_url = endpoint("/ISteamUserAuth/AuthenticateUserTicket/v1/", &params)?;
            let ownership_url = endpoint("/ISteamUser/CheckAppOwnership/v2/", &[("appid", &app)])?;
            apps.push(AppUrls {
                app_id: *app_id,
                ticket_prefix: format!("{ticket_url}&ticket="),
                ownership_prefix: format!("{ownership_url}&steamid="),
            });
        }
        let friends_url = endpoint(
            "/ISteamUser/GetFriendList/v1/",
            &[("relationship", "friend")],
        )?;
        Ok(SteamWebApi {
            transport: Transport::new(key, timeout, extra_roots)?,
            apps,
            friends_prefix: format!("{friends_url}&steamid="),
            retries,
        })
    }

    /// Asks Steam about a ticket that passed the offline checks.
    pub async fn authenticate(
        &self,
        ticket: CheckedTicket<'_>,
        observer: &dyn AttemptObserver,
        budget: &dyn CallBudget,
    ) -> Result<SteamAnswer, BudgetRefusal> {
        let Some(app) = self.app(ticket.app_id()) else {
            return Ok(Upstream::Fault(SteamFault::Request));
        };
        // Hex needs no percent-encoding, so the URL is a concatenation.
        let url = format!("{}{}", app.ticket_prefix, ticket.hex());
        self.transport
            .call(&url, parse_answer, self.retries, observer, budget)
            .await
    }

    /// `ISteamUser/CheckAppOwnership` (publisher keys): whether `steam_id` owns `app_id`.
    pub async fn owns_app(
        &self,
        steam_id: u64,
        app_id: u32,
        observer: &dyn AttemptObserver,
        budget: &dyn CallBudget,
    ) -> Result<Upstream<bool>, BudgetRefusal> {
        let Some(app) = self.app(app_id) else {
            return Ok(Upstream::Fault(SteamFault::Request));
        };
        let url = format!("{}{steam_id}", app.ownership_prefix);
        self.transport
            .call(&url, parse_ownership, self.retries, observer, budget)
            .await
    }

    /// `ISteamUser/GetFriendList`: `steam_id`'s friends. One attempt, no retry: a login waits for
    /// it at most one timeout, and a failed sync is only tried again at a later login.
    pub async fn friends(
        &self,
        steam_id: u64,
        observer: &dyn AttemptObserver,
        budget: &dyn CallBudget,
    ) -> Result<Upstream<FriendList>, BudgetRefusal> {
        let url = format!("{}{steam_id}", self.friends_prefix);
        let answer = self
            .transport
            .call(&url, parse_friends, 0, observer, budget)
            .await?;
        Ok(match answer {
            // A private friend list: Steam answers 401 to anyone but its owner.
            Upstream::Fault(SteamFault::Status(401)) => Upstream::Answer(FriendList::Private),
            other => other,
        })
    }

    fn app(&self, app_id: u32) -> Option<&AppUrls> {
        self.apps.iter().find(|a| a.app_id == app_id)
    }
}
