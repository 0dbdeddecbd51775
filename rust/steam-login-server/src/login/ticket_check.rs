//! What is decided before Steam is asked: whether the token is a ticket at all (one length cap, then
//! the codec's own decoder), and what the ticket's own claims say.

use steam_ticket::{check, Clock, Expectations, KeyRing, Problem};

use super::error::{LocalRejection, LoginError};
use crate::metrics::RejectionReason;
use crate::steam::web_api::{CheckedTicket, Player};
use crate::store::{TicketKey, UsedTicket};

/// Longest accepted ticket hex (2,560 bytes: the largest SDK buffer).
pub const MAX_TICKET_HEX: usize = 5_120;

/// A ticket that passed the offline checks: what to do with it, and what it says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<'t> {
    pub verdict: Verdict<'t>,
    /// The SteamID the ticket is for (Steam confirms it when asked).
    pub steam_id: u64,
    /// Which of the server's apps.
    pub app_id: u32,
    /// What a login with it spends.
    pub used: UsedTicket,
}

/// What to do with a ticket that passed the offline checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<'t> {
    /// Signed by the simulation key on a `--simulation` server: the ticket speaks for itself.
    Simulated(Player),
    /// Only Steam can say whether the ticket is live.
    AskSteam(CheckedTicket<'t>),
}

/// The metrics label of the offline checks' first problem.
fn reason_of(problem: &Problem) -> RejectionReason {
    match problem {
        Problem::BadSignature => RejectionReason::BadSignature,
        Problem::WrongApp { .. } => RejectionReason::WrongApp,
        Problem::Expired { .. } => RejectionReason::Expired,
        Problem::SteamIdMismatch { .. } => RejectionReason::SteamIdMismatch,
    }
}

/// The offline checks, in one place, cheapest first; no error message contains the ticket.
pub fn check_ticket<'t>(
    token: &'t str,
    keys: &KeyRing,
    app_ids: &[u32],
    accept_simulated: bool,
    clock: &dyn Clock,
) -> Result<Checked<'t>, LoginError> {
    if token.len() > MAX_TICKET_HEX {
        return Err(LoginError::MalformedTicket(format!(
            "it is {} characters long; at most {MAX_TICKET_HEX} are accepted",
            token.len()
        )));
    }
    let decoded =
        steam_ticket::decode_hex(token).map_err(|e| LoginError::MalformedTicket(e.to_string()))?;
    let ticket_app = decoded.ticket.ownership.app_id;
    // One of the server's apps; for any other, the first is named as the one expected.
    let app_id = if app_ids.contains(&ticket_app) {
        ticket_app
    } else {
        app_ids.first().copied().unwrap_or(ticket_app)
    };
    let expect = Expectations {
        app_id: Some(app_id),
        // Only Steam knows who lent the game; it answers with ownersteamid.
        allow_lender_owner: true,
    };
    let report = check(&decoded, keys, &expect, clock);
    if let Some(first) = report.problems.first() {
        let detail = report
            .problems
            .iter()
            .map(Problem::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(LoginError::RejectedLocally(LocalRejection {
            reason: reason_of(first),
            detail,
        }));
    }
    let t = &decoded.ticket;
    let verdict = if accept_simulated && report.signed_by_simulation {
        Verdict::Simulated(Player {
            steam_id: t.steam_id,
            owner_steam_id: t.ownership.steam_id,
            vac_banned: false,
            publisher_banned: false,
        })
    } else {
        Verdict::AskSteam(CheckedTicket::new(&token[..decoded.total_len * 2], app_id))
    };
    Ok(Checked {
        verdict,
        steam_id: t.steam_id,
        app_id,
        used: UsedTicket {
            key: TicketKey::of(t.steam_id, t.gc_token),
            expire: i64::from(t.ownership.expires),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use steam_ticket::SystemClock;

    fn malformed(token: &str) -> String {
        match check_ticket(token, &KeyRing::default(), &[555440], false, &SystemClock) {
            Err(LoginError::MalformedTicket(why)) => why,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn shape_errors_name_the_problem() {
        assert!(malformed("").contains("empty"));
        assert!(malformed("1400000").contains("odd number"));
        assert!(malformed("14000000zz").contains("position 8"));
        assert!(malformed("15000000AB").contains("start with 14000000"));
        assert!(malformed("14000000ab").contains("truncated"));
        assert!(malformed(&"14".repeat(2561)).contains("at most 5120"));
    }
}
