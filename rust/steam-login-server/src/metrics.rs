//! Counters for `/metrics`, rendered in Prometheus' text format. Lock-free: updated on every request.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

// ---- What is counted: every label a counter carries, owned here so that metrics depends on no
// other module and every module can count. ----

/// A label enum: its variants in declaration order as `ALL` (so that a variant's discriminant is its
/// counter's index) and each one's Prometheus label.
macro_rules! labels {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $label:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
        Banned => "banned",
        /// Refused by a verdict policy: Family Sharing, ownership.
        Denied => "denied",
        RateLimited => "rate_limited",
        QuotaExhausted => "quota_exhausted",
        UpstreamError => "upstream_error",
        Internal => "internal",
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

const LATENCY_BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
pub struct Metrics {
    logins: [AtomicU64; Outcome::ALL.len()],
    /// Malformed tickets, then [`RejectionReason::ALL`].
    local_rejections: [AtomicU64; RejectionReason::ALL.len() + 1],
    upstream: [AtomicU64; AttemptResult::ALL.len()],
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros_sum: AtomicU64,
    quota_used_today: AtomicU64,
    quota_budget: AtomicU64,
    /// [`PolicyCheck::ALL`] × (allowed, denied).
    policy: [[AtomicU64; 2]; PolicyCheck::ALL.len()],
    refreshes: [AtomicU64; RefreshOutcome::ALL.len()],
    sessions_swept: AtomicU64,
    open_connections: AtomicU64,
    connections_closed: [AtomicU64; Closed::ALL.len()],
    connections_refused: AtomicU64,
}

impl Metrics {
    pub fn login(&self, outcome: Outcome) {
        self.logins[outcome as usize].fetch_add(1, Relaxed);
    }

    /// A ticket refused offline; `None` for one that is not a ticket at all.
    pub fn local_rejection(&self, reason: Option<RejectionReason>) {
        let i = reason.map_or(0, |r| r as usize + 1);
        self.local_rejections[i].fetch_add(1, Relaxed);
    }

    /// A verdict policy applied to a login: the player was let in, or not.
    pub fn policy(&self, check: PolicyCheck, allowed: bool) {
        self.policy[check as usize][usize::from(!allowed)].fetch_add(1, Relaxed);
    }

    pub fn refresh(&self, outcome: RefreshOutcome) {
        self.refreshes[outcome as usize].fetch_add(1, Relaxed);
    }

    pub fn sessions_swept(&self, n: u64) {
        self.sessions_swept.fetch_add(n, Relaxed);
    }

    pub fn set_open_connections(&self, open: usize) {
        self.open_connections.store(open as u64, Relaxed);
    }

    pub fn connection_closed(&self, why: Closed) {
        self.connections_closed[why as usize].fetch_add(1, Relaxed);
    }

    pub fn connection_refused(&self) {
        self.connections_refused.fetch_add(1, Relaxed);
    }

    pub fn set_quota(&self, used: u64, budget: u64) {
        self.quota_used_today.store(used, Relaxed);
        self.quota_budget.store(budget, Relaxed);
    }

    pub fn render(&self) -> String {
        let mut out = String::with_capacity(2048);
        counter_family(
            &mut out,
            "steam_login_requests_total",
            "Login requests by outcome.",
            "outcome",
            Outcome::ALL.iter().map(|o| o.label()).zip(&self.logins),
        );
        counter_family(
            &mut out,
            "steam_login_local_rejections_total",
            "Tickets rejected without calling Steam, by reason.",
            "reason",
            std::iter::once("malformed")
                .chain(RejectionReason::ALL.iter().map(|r| r.label()))
                .zip(&self.local_rejections),
        );
        counter_family(
            &mut out,
            "steam_login_upstream_calls_total",
            "Steam Web API calls by result.",
            "result",
            AttemptResult::ALL
                .iter()
                .map(|r| r.label())
                .zip(&self.upstream),
        );
        let _ = writeln!(
            out,
            "# HELP steam_login_upstream_latency_seconds Steam Web API call latency."
        );
        let _ = writeln!(out, "# TYPE steam_login_upstream_latency_seconds histogram");
        let mut cumulative = 0;
        for (le, n) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            cumulative += n.load(Relaxed);
            let _ = writeln!(
                out,
                "steam_login_upstream_latency_seconds_bucket{{le=\"{le}\"}} {cumulative}"
            );
        }
        let count = self.latency_count.load(Relaxed);
        let _ = writeln!(
            out,
            "steam_login_upstream_latency_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.latency_micros_sum.load(Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "steam_login_upstream_latency_seconds_sum {sum}");
        let _ = writeln!(out, "steam_login_upstream_latency_seconds_count {count}");
        single(
            &mut out,
            "steam_login_quota_used_today",
            "gauge",
            "Steam Web API calls made this UTC day.",
            self.quota_used_today.load(Relaxed),
        );
        single(
            &mut out,
            "steam_login_quota_budget",
            "gauge",
            "Steam Web API calls allowed per UTC day.",
            self.quota_budget.load(Relaxed),
        );
        let _ = writeln!(
            out,
            "# HELP steam_login_policy_decisions_total Verdict policies applied to logins, by check and decision."
        );
        let _ = writeln!(out, "# TYPE steam_login_policy_decisions_total counter");
        for (check, counts) in PolicyCheck::ALL.iter().zip(&self.policy) {
            for (decision, n) in ["allowed", "denied"].iter().zip(counts) {
                let _ = writeln!(
                    out,
                    "steam_login_policy_decisions_total{{check=\"{}\",decision=\"{decision}\"}} {}",
                    check.label(),
                    n.load(Relaxed)
                );
            }
        }
        counter_family(
            &mut out,
            "steam_login_session_refreshes_total",
            "Session refreshes (a saved session reused without Steam), by outcome.",
            "outcome",
            RefreshOutcome::ALL
                .iter()
                .map(|o| o.label())
                .zip(&self.refreshes),
        );
        single(
            &mut out,
            "steam_login_sessions_swept_total",
            "counter",
            "Expired sessions deleted by the periodic sweep.",
            self.sessions_swept.load(Relaxed),
        );
        counter_family(
            &mut out,
            "steam_login_connections_closed_total",
            "Connections the server closed itself, by reason.",
            "reason",
            Closed::ALL
                .iter()
                .map(|c| c.label())
                .zip(&self.connections_closed),
        );
        single(
            &mut out,
            "steam_login_connections_refused_total",
            "counter",
            "Connections refused at the cap with none idle.",
            self.connections_refused.load(Relaxed),
        );
        single(
            &mut out,
            "steam_login_open_connections",
            "gauge",
            "Client connections open now.",
            self.open_connections.load(Relaxed),
        );
        out
    }
}

/// One unlabelled counter or gauge in Prometheus' text format.
fn single(out: &mut String, name: &str, kind: &str, help: &str, value: u64) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    let _ = writeln!(out, "{name} {value}");
}

/// One labelled counter family in Prometheus' text format.
fn counter_family<'a>(
    out: &mut String,
    name: &str,
    help: &str,
    label: &str,
    values: impl Iterator<Item = (&'a str, &'a AtomicU64)>,
) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} counter");
    for (value, n) in values {
        let _ = writeln!(out, "{name}{{{label}=\"{value}\"}} {}", n.load(Relaxed));
    }
}

impl AttemptObserver for Metrics {
    fn attempt(&self, result: AttemptResult, latency: Duration) {
        self.upstream[result as usize].fetch_add(1, Relaxed);
        let seconds = latency.as_secs_f64();
        if let Some(b) = LATENCY_BUCKETS.iter().position(|le| seconds <= *le) {
            self.latency_buckets[b].fetch_add(1, Relaxed);
        }
        self.latency_count.fetch_add(1, Relaxed);
        self.latency_micros_sum.fetch_add(
            latency.as_micros().min(u128::from(u64::MAX)) as u64,
            Relaxed,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
