//! Encrypted app tickets: the apps' keys, the nonces that make each ticket good for one login, and
//! the offline check that turns a ticket into a player. No Web API call. What it refuses is a
//! [`Refusal`]; the login turns that into its error.
//!
//! A nonce is 32 bytes as 64 hex digits: the Unix second it was handed out (u32, big-endian), 12
//! random bytes, and the first 16 bytes of their HMAC-SHA256 under the nonce key. Nothing is
//! stored when one is handed out: the MAC says it is this deployment's (every instance derives the
//! same nonce key from the same configured encrypted-ticket keys), its time says whether it is
//! fresh, and its use is claimed as a used ticket is, in the login's own transaction, so that it
//! logs in once across instances sharing PostgreSQL and across restarts.

use ring::hmac;
use sha2::{Digest, Sha256};
use steam_ticket::encrypted::{decrypt, EncryptedTicketError};

use crate::config::EncryptedTicketKey;
use crate::steam::web_api::Player;
use crate::store::{TicketKey, UsedTicket};

/// Longest accepted encrypted ticket hex: Steam's are a few hundred bytes with the game's data.
pub const MAX_ENCRYPTED_TICKET_HEX: usize = 4_096;
const NONCE_LEN: usize = 32;
const NONCE_SIGNED_LEN: usize = 16;

/// What the server knows to read encrypted app tickets.
pub struct EncryptedTickets {
    keys: Vec<EncryptedTicketKey>,
    nonce_key: hmac::Key,
    window_secs: u64,
}

/// Why an encrypted app ticket cannot log in. No case holds the key, the nonce or the ticket's
/// bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not an encrypted app ticket at all (too long, not hex, not the protobuf).
    Malformed(String),
    /// No configured key opens it.
    UnknownKey,
    /// Opened with one app's key, for another app.
    WrongApp(String),
    /// Its data is not a nonce of this deployment.
    InvalidNonce,
    /// It or its nonce is older than the window.
    Stale(String),
}

/// An encrypted app ticket that passed every offline check.
#[derive(Debug)]
pub struct CheckedEncrypted {
    pub player: Player,
    pub app_id: u32,
    /// The nonce's claim, spent by the login's transaction.
    pub used: UsedTicket,
}

impl EncryptedTickets {
    /// `None` without keys: the server then refuses encrypted tickets and hands out no nonces.
    pub fn new(keys: Vec<EncryptedTicketKey>, window_secs: u64) -> Option<Self> {
        if keys.is_empty() {
            return None;
        }
        // Every instance configured with the same keys derives the same nonce key, in any order.
        let mut sorted: Vec<&EncryptedTicketKey> = keys.iter().collect();
        sorted.sort_by_key(|k| (k.app_id, k.key));
        let mut derive = Sha256::new();
        derive.update(b"steam-login-server nonce key\0");
        for key in sorted {
            derive.update(key.app_id.to_le_bytes());
            derive.update(key.key);
        }
        let nonce_key = hmac::Key::new(hmac::HMAC_SHA256, &derive.finalize());
        Some(EncryptedTickets {
            keys,
            nonce_key,
            window_secs,
        })
    }

    pub fn window_secs(&self) -> u64 {
        self.window_secs
    }

    /// A fresh nonce, as the game passes it to `RequestEncryptedAppTicket`.
    pub fn issue_nonce(&self, now: i64) -> Result<String, getrandom::Error> {
        let mut nonce = [0u8; NONCE_LEN];
        nonce[..4].copy_from_slice(&clamp_u32(now).to_be_bytes());
        getrandom::fill(&mut nonce[4..NONCE_SIGNED_LEN])?;
        let tag = hmac::sign(&self.nonce_key, &nonce[..NONCE_SIGNED_LEN]);
        nonce[NONCE_SIGNED_LEN..].copy_from_slice(&tag.as_ref()[..NONCE_LEN - NONCE_SIGNED_LEN]);
        Ok(steam_ticket::hex::encode(&nonce))
    }

    /// The offline checks, in order: the hex, a key that opens the ticket, the key's app, the
    /// nonce's MAC, both ages. No error names the key, the nonce or the ticket's bytes.
    pub fn check(&self, hex: &str, now: i64) -> Result<CheckedEncrypted, Refusal> {
        if hex.len() > MAX_ENCRYPTED_TICKET_HEX {
            return Err(Refusal::Malformed(format!(
                "the encrypted ticket is {} characters long; at most {MAX_ENCRYPTED_TICKET_HEX} are accepted",
                hex.len()
            )));
        }
        let bytes = steam_ticket::hex::decode(hex)
            .map_err(|e| Refusal::Malformed(format!("encrypted ticket: {e}")))?;
        let (ticket, key_app) = self.open(&bytes)?;
        if ticket.app_id() != key_app {
            return Err(Refusal::WrongApp(format!(
                "the ticket is for app {} but opened with app {key_app}'s key",
                ticket.app_id()
            )));
        }
        let nonce = self.verified_nonce(ticket.user_data())?;
        let nonce_issued = i64::from(u32::from_be_bytes([nonce[0], nonce[1], nonce[2], nonce[3]]));
        let window = self.window_secs as i64;
        let ticket_issued = i64::from(ticket.issue_time());
        for (what, issued) in [("nonce", nonce_issued), ("ticket", ticket_issued)] {
            let age = now - issued;
            if age > window || age < -window {
                return Err(Refusal::Stale(format!(
                    "the {what} was issued {age} s ago; this server accepts {window} s"
                )));
            }
        }
        Ok(CheckedEncrypted {
            player: Player {
                steam_id: ticket.steam_id(),
                // A lent copy's owner is not in the ticket: 0 marks it unknown, and differs from the
                // player, so the Family Sharing policy applies.
                owner_steam_id: if ticket.is_license_borrowed() {
                    0
                } else {
                    ticket.steam_id()
                },
                vac_banned: ticket.is_vac_banned(),
                publisher_banned: false,
            },
            app_id: key_app,
            used: UsedTicket {
                key: TicketKey::of_nonce(&nonce),
                expire: nonce_issued + window,
            },
        })
    }

    /// The ticket decrypted by one of the keys, and that key's app.
    fn open(
        &self,
        bytes: &[u8],
    ) -> Result<(steam_ticket::encrypted::EncryptedAppTicket, u32), Refusal> {
        for key in &self.keys {
            match decrypt(bytes, &key.key) {
                Ok(ticket) => return Ok((ticket, key.app_id)),
                // What no key changes: not an encrypted app ticket at all.
                Err(
                    e @ (EncryptedTicketError::Envelope(_)
                    | EncryptedTicketError::MissingField(_)
                    | EncryptedTicketError::Version(_)
                    | EncryptedTicketError::CiphertextLength(_)),
                ) => return Err(Refusal::Malformed(e.to_string())),
                Err(_) => {}
            }
        }
        Err(Refusal::UnknownKey)
    }

    /// The ticket's data as a nonce of this deployment.
    fn verified_nonce(&self, data: &[u8]) -> Result<[u8; NONCE_LEN], Refusal> {
        let nonce = std::str::from_utf8(data)
            .ok()
            .and_then(|text| steam_ticket::hex::decode(text).ok())
            .and_then(|bytes| <[u8; NONCE_LEN]>::try_from(bytes).ok())
            .ok_or(Refusal::InvalidNonce)?;
        // The tag is cut to 16 bytes, so ring's `verify` (whole tags) does not apply; the
        // comparison below takes the same time whichever byte differs.
        let tag = hmac::sign(&self.nonce_key, &nonce[..NONCE_SIGNED_LEN]);
        let expected = &tag.as_ref()[..NONCE_LEN - NONCE_SIGNED_LEN];
        let difference = expected
            .iter()
            .zip(&nonce[NONCE_SIGNED_LEN..])
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if difference != 0 {
            return Err(Refusal::InvalidNonce);
        }
        Ok(nonce)
    }
}

fn clamp_u32(v: i64) -> u32 {
    v.clamp(0, i64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use steam_ticket::encrypted::{mint_encrypted, EncryptedAppTicket, TICKET_VERSION};
    use steam_ticket::Ownership;

    use super::*;

    const APP: u32 = 480;
    const KEY: [u8; 32] = [9; 32];
    const NOW: i64 = 1_900_000_000;

    fn tickets() -> EncryptedTickets {
        EncryptedTickets::new(
            vec![EncryptedTicketKey {
                app_id: APP,
                key: KEY,
            }],
            60,
        )
        .unwrap()
    }

    fn ticket(data: &[u8], app_id: u32, issued: i64, flags: u32) -> String {
        let ticket = EncryptedAppTicket {
            version: TICKET_VERSION,
            user_data: data.to_vec(),
            ownership: Ownership {
                version: 4,
                steam_id: 76561198000000001,
                app_id,
                external_ip: [127, 0, 0, 1].into(),
                internal_ip: [127, 0, 0, 1].into(),
                flags,
                issued: issued as u32,
                expires: issued as u32 + 86_400,
                licenses: vec![0],
                dlc: Vec::new(),
            },
            vac_banned: 0,
            ownership_tail: Vec::new(),
            layout: steam_ticket::encrypted::Layout::Salted,
            app_defined_value: None,
        };
        steam_ticket::hex::encode(&mint_encrypted(&ticket, &KEY, [1; 16], [2; 8]))
    }

    #[test]
    fn a_fresh_ticket_with_its_nonce_is_a_player_and_a_one_use_claim() {
        let t = tickets();
        let nonce = t.issue_nonce(NOW).unwrap();
        let checked = t
            .check(&ticket(nonce.as_bytes(), APP, NOW - 5, 0), NOW)
            .unwrap();
        assert_eq!(checked.player.steam_id, 76561198000000001);
        assert_eq!(checked.player.owner_steam_id, 76561198000000001);
        assert_eq!(checked.app_id, APP);
        assert_eq!(checked.used.expire, NOW + 60);
        let again = t
            .check(&ticket(nonce.as_bytes(), APP, NOW, 2), NOW)
            .unwrap();
        assert_eq!(
            again.used.key, checked.used.key,
            "one nonce, one claim, whatever the ticket"
        );
        assert_eq!(
            again.player.owner_steam_id, 0,
            "a lent copy's owner is unknown"
        );
    }

    fn name(refusal: Refusal) -> &'static str {
        match refusal {
            Refusal::Malformed(_) => "malformed",
            Refusal::UnknownKey => "unknown_key",
            Refusal::WrongApp(_) => "wrong_app",
            Refusal::InvalidNonce => "invalid_nonce",
            Refusal::Stale(_) => "stale",
        }
    }

    #[test]
    fn each_refusal_says_which() {
        let t = tickets();
        let nonce = t.issue_nonce(NOW).unwrap();
        let code = |hex: &str, now| name(t.check(hex, now).unwrap_err());
        assert_eq!(code("zz", NOW), "malformed");
        assert_eq!(code("0801", NOW), "malformed");
        let forged = format!("{}00", &nonce[..62]);
        assert_eq!(
            code(&ticket(forged.as_bytes(), APP, NOW, 0), NOW),
            "invalid_nonce"
        );
        assert_eq!(code(&ticket(b"hello", APP, NOW, 0), NOW), "invalid_nonce");
        assert_eq!(
            code(&ticket(nonce.as_bytes(), 570, NOW, 0), NOW),
            "wrong_app"
        );
        assert_eq!(
            code(&ticket(nonce.as_bytes(), APP, NOW - 61, 0), NOW),
            "stale"
        );
        assert_eq!(
            code(&ticket(nonce.as_bytes(), APP, NOW, 0), NOW + 61),
            "stale"
        );
        let other = EncryptedTickets::new(
            vec![EncryptedTicketKey {
                app_id: APP,
                key: [8; 32],
            }],
            60,
        )
        .unwrap();
        let error = other
            .check(&ticket(nonce.as_bytes(), APP, NOW, 0), NOW)
            .unwrap_err();
        assert_eq!(error, Refusal::UnknownKey);
        let nonce_elsewhere = other.issue_nonce(NOW).unwrap();
        assert_eq!(
            code(&ticket(nonce_elsewhere.as_bytes(), APP, NOW, 0), NOW),
            "invalid_nonce"
        );
    }
}
