//! `/metrics`: counters, gauges and latency histograms (login, Steam call, store write) through
//! prometheus-client, rendered in the OpenMetrics text format. Families are pre-filled with every
//! label value, so a scrape shows zeros rather than missing series.

use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

// ---- What is counted: every label a counter carries, owned here so that metrics depends on no
// other module and every module can count. ----

/// A label enum: its variants in declaration order as `ALL` (every series is created at start) and
/// each one's Prometheus label value.
macro_rules! labels {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $label:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: [$name; [$($label),+].len()] = [$($name::$variant),+];

            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
        }

        impl EncodeLabelValue for $name {
            fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
                std::fmt::Write::write_str(encoder, self.label())
            }
        }
    };
}

labels! {
    /// Why a connection was closed by the server rather than by hyper or the client.
    pub enum Closed {
        HeaderTimeout => "header_timeout",
        IdleTimeout => "idle_timeout",
        /// Closed to make room (connection cap) or at the end of the shutdown deadline.
        Evicted => "evicted",
    }
}

labels! {
    /// Why the offline checks refused a ticket.
    pub enum RejectionReason {
        BadSignature => "bad_signature",
        WrongApp => "wrong_app",
        Expired => "expired",
        SteamIdMismatch => "steam_id_mismatch",
    }
}

labels! {
    /// One upstream attempt's result.
    pub enum AttemptResult {
        Ok => "ok",
        SteamError => "steam_error",
        BadKey => "bad_key",
        Throttled => "throttled",
        ServerError => "server_error",
        Timeout => "timeout",
        Transport => "transport",
        Malformed => "malformed",
    }
}

/// Reports each attempt (result, latency) to whoever counts them.
pub trait AttemptObserver: Send + Sync {
    fn attempt(&self, result: AttemptResult, latency: Duration);
}

labels! {
    /// How a login request ended.
    pub enum Outcome {
        Ok => "ok",
        BadRequest => "bad_request",
        RejectedLocally => "rejected_locally",
        RejectedBySteam => "rejected_by_steam",
        /// The ticket had already logged in.
        TicketReused => "ticket_reused",
        Banned => "banned",
        /// Refused by a verdict policy: Family Sharing, ownership.
        Denied => "denied",
        RateLimited => "rate_limited",
        QuotaExhausted => "quota_exhausted",
        UpstreamError => "upstream_error",
        /// The database could not be reached.
        StoreUnavailable => "store_unavailable",
        Internal => "internal",
    }
}

labels! {
    /// What a login presented.
    pub enum TicketKind {
        /// A Steam auth ticket (Web API or session), checked with Steam's Web API.
        Auth => "auth",
        /// An encrypted app ticket, read offline with the app's key.
        Encrypted => "encrypted",
        /// Nothing usable: the request was refused before a ticket was read.
        None => "none",
    }
}

labels! {
    /// The checks of Steam's verdict that an operator's flags decide.
    pub enum PolicyCheck {
        PublisherBan => "publisher_ban",
        VacBan => "vac_ban",
        FamilySharing => "family_sharing",
        Ownership => "ownership",
    }
}

labels! {
    /// How a session refresh ended.
    pub enum RefreshOutcome {
        Renewed => "renewed",
        Expired => "expired",
        Revoked => "revoked",
        Invalid => "invalid",
        Missing => "missing",
        Internal => "internal",
    }
}

/// Which app a login was for: one of `--app-id`, or none when the request held no ticket of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct App(pub Option<u32>);

impl EncodeLabelValue for App {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        match self.0 {
            Some(app) => std::fmt::Write::write_fmt(encoder, format_args!("{app}")),
            None => std::fmt::Write::write_str(encoder, "none"),
        }
    }
}

labels! {
    /// A verdict policy's decision.
    pub enum Decision {
        Allowed => "allowed",
        Denied => "denied",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct LoginLabels {
    outcome: Outcome,
    app: App,
    ticket: TicketKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct AppLabel {
    app: App,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ResultLabel {
    result: AttemptResult,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct PolicyLabels {
    check: PolicyCheck,
    decision: Decision,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RefreshLabel {
    outcome: RefreshOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ClosedLabel {
    reason: Closed,
}

/// Latency buckets from 0.25 ms to ~4 s: a simulated login takes well under a millisecond, a Steam
/// call tens of milliseconds, a stalled one seconds.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    logins: Family<LoginLabels, Counter>,
    login_seconds: Family<AppLabel, Histogram, fn() -> Histogram>,
    local_rejections: Family<ReasonLabel, Counter>,
    upstream: Family<ResultLabel, Counter>,
    upstream_seconds: Histogram,
    store_write_seconds: Histogram,
    quota_used_today: Gauge,
    quota_budget: Gauge,
    policy: Family<PolicyLabels, Counter>,
    refreshes: Family<RefreshLabel, Counter>,
    sessions_swept: Counter,
    tickets_swept: Counter,
    open_connections: Gauge,
    connections_closed: Family<ClosedLabel, Counter>,
    connections_refused: Counter,
}

impl Metrics {
    /// Every series of the server's `apps` (and of requests without one) created at zero.
    pub fn new(apps: &[u32]) -> Self {
        let mut registry = Registry::with_prefix("steam_login");
        let logins = Family::<LoginLabels, Counter>::default();
        let login_seconds = Family::<AppLabel, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let app_labels = apps
            .iter()
            .map(|a| App(Some(*a)))
            .chain(std::iter::once(App(None)));
        for app in app_labels {
            for outcome in Outcome::ALL {
                for ticket in TicketKind::ALL {
                    let _ = logins.get_or_create(&LoginLabels {
                        outcome,
                        app,
                        ticket,
                    });
                }
            }
            let _ = login_seconds.get_or_create(&AppLabel { app });
        }
        let local_rejections = Family::<ReasonLabel, Counter>::default();
        for reason in std::iter::once("malformed").chain(RejectionReason::ALL.map(|r| r.label())) {
            let _ = local_rejections.get_or_create(&ReasonLabel { reason });
        }
        let upstream = Family::<ResultLabel, Counter>::default();
        for result in AttemptResult::ALL {
            let _ = upstream.get_or_create(&ResultLabel { result });
        }
        let policy = Family::<PolicyLabels, Counter>::default();
        for check in PolicyCheck::ALL {
            for decision in Decision::ALL {
                let _ = policy.get_or_create(&PolicyLabels { check, decision });
            }
        }
        let refreshes = Family::<RefreshLabel, Counter>::default();
        for outcome in RefreshOutcome::ALL {
            let _ = refreshes.get_or_create(&RefreshLabel { outcome });
        }
        let connections_closed = Family::<ClosedLabel, Counter>::default();
        for reason in Closed::ALL {
            let _ = connections_closed.get_or_create(&ClosedLabel { reason });
        }
        let metrics = Metrics {
            logins,
            login_seconds,
            local_rejections,
            upstream,
            upstream_seconds: latency_histogram(),
            store_write_seconds: latency_histogram(),
            quota_used_today: Gauge::default(),
            quota_budget: Gauge::default(),
            policy,
            refreshes,
            sessions_swept: Counter::default(),
            tickets_swept: Counter::default(),
            open_connections: Gauge::default(),
            connections_closed,
            connections_refused: Counter::default(),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register(
            "requests",
            "Login requests by outcome and app",
            metrics.logins.clone(),
        );
        r.register(
            "login_duration_seconds",
            "Time to answer a login request, by app",
            metrics.login_seconds.clone(),
        );
        r.register(
            "local_rejections",
            "Tickets rejected without calling Steam, by reason",
            metrics.local_rejections.clone(),
        );
        r.register(
            "upstream_calls",
            "Steam Web API calls by result",
            metrics.upstream.clone(),
        );
        r.register(
            "upstream_latency_seconds",
            "Steam Web API call latency",
            metrics.upstream_seconds.clone(),
        );
        r.register(
            "store_write_seconds",
            "Time to store a login (ticket, user, session) in the database",
            metrics.store_write_seconds.clone(),
        );
        r.register(
            "quota_used_today",
            "Steam Web API calls made this UTC day (read when scraped)",
            metrics.quota_used_today.clone(),
        );
        r.register(
            "quota_budget",
            "Steam Web API calls allowed per UTC day",
            metrics.quota_budget.clone(),
        );
        r.register(
            "policy_decisions",
            "Verdict policies applied to logins, by check and decision",
            metrics.policy.clone(),
        );
        r.register(
            "session_refreshes",
            "Session refreshes (a saved session reused without Steam), by outcome",
            metrics.refreshes.clone(),
        );
        r.register(
            "sessions_swept",
            "Expired sessions deleted by the periodic sweep",
            metrics.sessions_swept.clone(),
        );
        r.register(
            "used_tickets_swept",
            "Records of used tickets deleted once the tickets expired",
            metrics.tickets_swept.clone(),
        );
        r.register(
            "connections_closed",
            "Connections the server closed itself, by reason",
            metrics.connections_closed.clone(),
        );
        r.register(
            "connections_refused",
            "Connections refused at the cap with none idle",
            metrics.connections_refused.clone(),
        );
        r.register(
            "open_connections",
            "Client connections open now",
            metrics.open_connections.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    /// A login request ended: its outcome, its app (if the ticket named one), how long it took.
    pub fn login(&self, outcome: Outcome, app: Option<u32>, ticket: TicketKind, took: Duration) {
        let app = App(app);
        self.logins
            .get_or_create(&LoginLabels {
                outcome,
                app,
                ticket,
            })
            .inc();
        self.login_seconds
            .get_or_create(&AppLabel { app })
            .observe(took.as_secs_f64());
    }

    /// A login written to the store, and how long the write took.
    pub fn store_write(&self, took: Duration) {
        self.store_write_seconds.observe(took.as_secs_f64());
    }

    /// A ticket refused offline; `None` for one that is not a ticket at all.
    pub fn local_rejection(&self, reason: Option<RejectionReason>) {
        let reason = reason.map_or("malformed", RejectionReason::label);
        self.local_rejections
            .get_or_create(&ReasonLabel { reason })
            .inc();
    }

    /// A verdict policy applied to a login: the player was let in, or not.
    pub fn policy(&self, check: PolicyCheck, allowed: bool) {
        let decision = if allowed {
            Decision::Allowed
        } else {
            Decision::Denied
        };
        self.policy
            .get_or_create(&PolicyLabels { check, decision })
            .inc();
    }

    pub fn refresh(&self, outcome: RefreshOutcome) {
        self.refreshes
            .get_or_create(&RefreshLabel { outcome })
            .inc();
    }

    pub fn sessions_swept(&self, n: u64) {
        self.sessions_swept.inc_by(n);
    }

    pub fn tickets_swept(&self, n: u64) {
        self.tickets_swept.inc_by(n);
    }

    pub fn set_open_connections(&self, open: usize) {
        self.open_connections.set(open as i64);
    }

    pub fn connection_closed(&self, why: Closed) {
        self.connections_closed
            .get_or_create(&ClosedLabel { reason: why })
            .inc();
    }

    pub fn connection_refused(&self) {
        self.connections_refused.inc();
    }

    /// The page a scrape gets, with the quota as it is now.
    pub fn render(&self, quota_used: u64, quota_budget: u64) -> String {
        self.quota_used_today.set(quota_used as i64);
        self.quota_budget.set(quota_budget as i64);
        let mut out = String::with_capacity(8192);
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl AttemptObserver for Metrics {
    fn attempt(&self, result: AttemptResult, latency: Duration) {
        self.upstream.get_or_create(&ResultLabel { result }).inc();
        self.upstream_seconds.observe(latency.as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scrape_shows_every_series_the_histograms_and_the_quota() {
        let metrics = Metrics::new(&[555440, 480]);
        metrics.login(
            Outcome::Ok,
            Some(480),
            TicketKind::Auth,
            Duration::from_millis(3),
        );
        metrics.store_write(Duration::from_micros(400));
        metrics.policy(PolicyCheck::VacBan, false);
        let page = metrics.render(7, 100);
        assert!(
            page.contains(
                "steam_login_requests_total{outcome=\"ok\",app=\"480\",ticket=\"auth\"} 1"
            ),
            "{page}"
        );
        assert!(
            page.contains("steam_login_requests_total{outcome=\"ticket_reused\",app=\"555440\",ticket=\"encrypted\"} 0")
        );
        assert!(page.contains(
            "steam_login_requests_total{outcome=\"bad_request\",app=\"none\",ticket=\"none\"} 0"
        ));
        assert!(page.contains("steam_login_login_duration_seconds_count{app=\"480\"} 1"));
        assert!(page.contains("# TYPE steam_login_store_write_seconds histogram"));
        assert!(page.contains("steam_login_store_write_seconds_count 1"));
        assert!(page.contains("steam_login_upstream_calls_total{result=\"ok\"} 0"));
        assert!(page.contains(
            "steam_login_policy_decisions_total{check=\"vac_ban\",decision=\"denied\"} 1"
        ));
        assert!(page.contains("steam_login_quota_used_today 7"));
        assert!(page.contains("steam_login_quota_budget 100"));
        assert!(page.ends_with("# EOF\n"));
        assert!(
            !page
                .lines()
                .any(|l| l.starts_with("# HELP") && l.ends_with("..")),
            "{page}"
        );
    }

    #[test]
    fn tables_list_variants_in_declaration_order() {
        for (i, o) in Outcome::ALL.iter().enumerate() {
            assert_eq!(*o as usize, i);
        }
        for (i, r) in AttemptResult::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i);
        }
        for (i, r) in RejectionReason::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i);
        }
        for (i, c) in Closed::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
        for (i, c) in PolicyCheck::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
        for (i, o) in RefreshOutcome::ALL.iter().enumerate() {
            assert_eq!(*o as usize, i);
        }
    }
}
