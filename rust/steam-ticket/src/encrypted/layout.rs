//! Where the parts of a decrypted ticket lie, in both layouts Valve's decoder reads, and the checks
//! it makes on them (taken from `SteamEncryptedAppTicket_BDecryptTicket`'s disassembly and checked
//! by `tests/valve_encrypted.rs`). The plaintext is the game's user data, then the ownership ticket
//! (its first u32 is its length), then one of:
//! - salted (32 bytes after the ownership ticket): an 8-byte salt, the SHA-1 of everything before
//!   it including the salt, and the ownership ticket's length again;
//! - trailer (at least 52 bytes after it): `extra` bytes (where a signed ticket's signature sits),
//!   then 52 bytes: the u32 52, the u32 length of `extra`, the user data's and the ownership
//!   ticket's lengths, the u32 count of leading bytes hashed, an 8-byte salt, the SHA-1 of those
//!   leading bytes, and the ticket version.
//!
//! Which one a ticket uses follows from what is left after the ownership ticket, not from its
//! version.

use sha1::{Digest, Sha1};

use super::EncryptedTicketError;

const SALT_LEN: usize = 8;
const SHA1_LEN: usize = 20;
/// The salted layout's bytes after the ownership ticket.
const SALTED_LEN: usize = SALT_LEN + SHA1_LEN + 4;
/// The trailer layout's fixed part.
pub const TRAILER_LEN: usize = 52;
/// The ownership ticket's fixed fields: length, version, SteamID, app, two IPs, flags, two times.
const OWNERSHIP_FIXED_LEN: usize = 40;

/// How the plaintext ends after the ownership ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// Salt, SHA-1, the ownership ticket's length.
    Salted,
    /// `extra` bytes, then the 52-byte trailer.
    Trailer { extra: Vec<u8> },
}

/// The checked parts of a plaintext.
pub struct Parts<'a> {
    pub user_data: &'a [u8],
    pub ownership: &'a [u8],
    pub layout: Layout,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(word.try_into().ok()?))
}

fn sha1(bytes: &[&[u8]]) -> [u8; SHA1_LEN] {
    let mut hash = Sha1::new();
    for part in bytes {
        hash.update(part);
    }
    hash.finalize().into()
}

/// The parts of `plain`, whose user data is `user_len` bytes, for a ticket of `version`; every
/// check Valve's decoder makes.
pub fn split(
    plain: &[u8],
    user_len: usize,
    version: u32,
) -> Result<Parts<'_>, EncryptedTicketError> {
    use EncryptedTicketError::{Hash, Layout as Bad, OwnershipVersion};
    let total = plain.len();
    let rest = total
        .checked_sub(user_len)
        .filter(|rest| *rest >= 8)
        .ok_or(Bad("the user data leaves no ownership ticket"))?;
    let ownership_len = u32_at(plain, user_len).unwrap_or(0) as usize;
    let ownership_version = u32_at(plain, user_len + 4).unwrap_or(0);
    if rest < ownership_len || rest < OWNERSHIP_FIXED_LEN {
        return Err(Bad(
            "the ownership ticket is longer than what follows the user data",
        ));
    }
    if ownership_version <= 1 {
        return Err(OwnershipVersion(ownership_version));
    }
    let ownership_end = user_len + ownership_len;
    let after = total - ownership_end;
    let layout = if after == SALTED_LEN {
        let salt_at = ownership_end;
        let digest = &plain[salt_at + SALT_LEN..salt_at + SALT_LEN + SHA1_LEN];
        if u32_at(plain, total - 4) != Some(ownership_len as u32) {
            return Err(Bad(
                "the salted trailer does not repeat the ownership ticket's length",
            ));
        }
        if sha1(&[&plain[..salt_at + SALT_LEN]]) != digest {
            return Err(Hash);
        }
        Layout::Salted
    } else {
        if after < TRAILER_LEN {
            return Err(Bad("what follows the ownership ticket is neither layout"));
        }
        let at = total - TRAILER_LEN;
        let word = |offset: usize| u32_at(plain, at + offset).unwrap_or(0);
        let hashed = word(16) as usize;
        let agrees = word(0) as usize == TRAILER_LEN
            && word(48) == version
            && word(4) as usize == after - TRAILER_LEN
            && word(8) as usize == user_len
            && word(12) as usize == ownership_len
            && hashed <= total;
        if !agrees {
            return Err(Bad("the 52-byte trailer does not describe the ticket"));
        }
        if sha1(&[&plain[..hashed]]) != plain[at + 28..at + 48] {
            return Err(Hash);
        }
        Layout::Trailer {
            extra: plain[ownership_end..at].to_vec(),
        }
    };
    Ok(Parts {
        user_data: &plain[..user_len],
        ownership: &plain[user_len..ownership_end],
        layout,
    })
}

/// Valve's `BGetAppDefinedValue`: for ticket versions above 1, the u32 after the ownership
/// ticket's VAC word at `after_vac` (an offset into `plain`), when the u32 48 bytes before the
/// plaintext's end (a trailer's `extra` length) is above 3 as Valve reads it (sign-extended, then
/// unsigned). Valve bounds the read by the plaintext, not the ownership ticket, and so may read it
/// from the `extra` bytes.
pub fn app_defined_value(plain: &[u8], after_vac: usize, version: u32) -> Option<u32> {
    if version <= 1 {
        return None;
    }
    let guard = u32_at(plain, plain.len().checked_sub(48)?)? as i32 as i64 as u64;
    if guard <= 3 {
        return None;
    }
    u32_at(plain, after_vac)
}

/// The plaintext of a ticket: `user_data`, `ownership`, then `layout`'s ending with `salt`.
pub fn join(
    user_data: &[u8],
    ownership: &[u8],
    layout: &Layout,
    version: u32,
    salt: [u8; 8],
) -> Vec<u8> {
    let mut plain = Vec::with_capacity(user_data.len() + ownership.len() + 200);
    plain.extend_from_slice(user_data);
    plain.extend_from_slice(ownership);
    let len_u32 = |n: usize| {
        u32::try_from(n)
            .expect("ticket parts are far below 4 GiB")
            .to_le_bytes()
    };
    match layout {
        Layout::Salted => {
            plain.extend_from_slice(&salt);
            let digest = sha1(&[&plain]);
            plain.extend_from_slice(&digest);
            plain.extend_from_slice(&len_u32(ownership.len()));
        }
        Layout::Trailer { extra } => {
            plain.extend_from_slice(extra);
            let hashed = plain.len() + 28;
            for word in [
                TRAILER_LEN,
                extra.len(),
                user_data.len(),
                ownership.len(),
                hashed,
            ] {
                plain.extend_from_slice(&len_u32(word));
            }
            plain.extend_from_slice(&salt);
            let digest = sha1(&[&plain]);
            plain.extend_from_slice(&digest);
            plain.extend_from_slice(&version.to_le_bytes());
        }
    }
    plain
}
