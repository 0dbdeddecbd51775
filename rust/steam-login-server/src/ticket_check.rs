//! What is checked before Steam is called: the hex's shape, then the ticket's own claims.

use axum::http::StatusCode;
use steam_ticket::{check, Clock, DecodedTicket, Expectations, KeyRing, Problem};

use crate::error::ApiError;

/// Longest accepted ticket hex (2,560 bytes: the largest SDK buffer).
pub const MAX_TICKET_HEX: usize = 5_120;

/// Shape checks, cheapest first; no error message contains the ticket.
pub fn check_shape(token: &str) -> Result<(), ApiError> {
    let bad = |message: String| ApiError::bad_request("malformed_ticket", message);
    if token.is_empty() {
        return Err(bad("token is empty".into()));
    }
    if token.len() > MAX_TICKET_HEX {
        return Err(bad(format!(
            "token is {} characters long; at most {MAX_TICKET_HEX} are accepted",
            token.len()
        )));
    }
    if let Some(position) = token.bytes().position(|b| !b.is_ascii_hexdigit()) {
        return Err(bad(format!(
            "token is not hex: invalid character at position {position}"
        )));
    }
    if !token.len().is_multiple_of(2) {
        return Err(bad(format!(
            "token has an odd number of hex digits ({}); each byte needs two (\"%02x\")",
            token.len()
        )));
    }
    if !token
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("14000000"))
    {
        return Err(bad(
            "token is not a Steam auth ticket: it must start with 14000000".to_string(),
        ));
    }
    Ok(())
}

/// Decodes and runs the offline checks. `Err` carries the local rejection reason code.
pub fn check_ticket(
    token: &str,
    keys: &KeyRing,
    app_id: u32,
    clock: &dyn Clock,
) -> Result<(DecodedTicket, String), (ApiError, &'static str)> {
    let decoded = steam_ticket::decode_hex(token).map_err(|e| {
        (
            ApiError::bad_request(
                "malformed_ticket",
                format!("token is not a valid Steam auth ticket: {e}"),
            ),
            "malformed",
        )
    })?;
    let expect = Expectations {
        app_id: Some(app_id),
        // Only Steam knows who lent the game; it answers with ownersteamid.
        allow_lender_owner: true,
    };
    let report = check(&decoded, keys, &expect, clock);
    match report.problems.first() {
        None => {
            let signer = report.signed_by.unwrap_or_default();
            Ok((decoded, signer))
        }
        Some(problem) => {
            let message = report
                .problems
                .iter()
                .map(Problem::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            let error = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "ticket_rejected",
                format!("ticket rejected without calling Steam: {message}"),
            );
            Err((error, problem.code()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_errors_name_the_problem() {
        let code = |t: &str| check_shape(t).err().map(|e| e.message);
        assert_eq!(code("14000000AB"), None);
        assert_eq!(code("14000000ab"), None);
        assert!(code("").unwrap().contains("empty"));
        assert!(code("1400000").unwrap().contains("odd number"));
        assert!(code("14000000zz").unwrap().contains("position 8"));
        assert!(code("15000000AB").unwrap().contains("start with 14000000"));
        assert!(code(&"14".repeat(2561)).unwrap().contains("at most 5120"));
    }
}
