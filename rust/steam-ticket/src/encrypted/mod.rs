//! Encrypted app tickets (`ISteamUser::RequestEncryptedAppTicket`): decrypted with the app's 32-byte
//! key from the Steamworks partner site and read offline, with what Valve's
//! `steamencryptedappticket.h` reads from them.
//!
//! The ticket is the protobuf message of [`envelope`]. Its `encrypted_ticket` is 16 bytes of IV
//! encrypted with AES-256-ECB, then the plaintext in AES-256-CBC with that IV and PKCS#7 padding; the
//! CRC-32 of the plaintext is the message's `crc_encryptedticket`. The plaintext is the game's user
//! data, the ownership ticket (the layout `decode` reads, its version above 1), then a salted
//! SHA-1 in one of two layouts ([`layout`]). A signed ticket's signature sits in the second
//! layout's `extra` bytes; it is not verified here.
//!
//! Which bytes each accessor reads was found by minting tickets and asking Valve's decoder
//! (`tests/valve_encrypted.rs` checks it still agrees): the ownership ticket's flags 0x2 and 0x4
//! are a borrowed and a temporary licence, and the u16 after its DLC list is non-zero for a
//! VAC-banned player.

mod envelope;
mod layout;
mod mint;

pub use layout::Layout;
pub use mint::mint_encrypted;

use aes::cipher::{block_padding::Pkcs7, BlockDecrypt, BlockDecryptMut, KeyInit, KeyIvInit};
use thiserror::Error;

use crate::decode::{decode_ownership_at, DecodeError};
use crate::model::Ownership;
use envelope::Envelope;

/// An app's encrypted-ticket key is 32 bytes (`k_nSteamEncryptedAppTicketSymmetricKeyLen`).
pub const KEY_LEN: usize = 32;
/// The version of tickets in the salted layout; Valve's decoder takes any version but 0 in either.
pub const TICKET_VERSION: u32 = 1;
/// Ownership flag bits, as Valve's decoder reads them.
pub const FLAG_LICENSE_BORROWED: u32 = 0x2;
pub const FLAG_LICENSE_TEMPORARY: u32 = 0x4;

const IV_LEN: usize = 16;

type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// Why bytes are not an encrypted app ticket this key opens. No message holds the key or the
/// ticket's contents.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncryptedTicketError {
    #[error("the encryption key is {0} bytes; Steam's are 32 (64 hex digits)")]
    KeyLength(usize),
    #[error("not an encrypted app ticket: {0}")]
    Envelope(String),
    #[error("the encrypted app ticket lacks its {0} field")]
    MissingField(&'static str),
    #[error("the encrypted app ticket has version {0}")]
    Version(u32),
    #[error("the encrypted part is {0} bytes: not an IV and whole AES blocks")]
    CiphertextLength(usize),
    #[error("the ticket does not decrypt with this key (another app's ticket, or a wrong key)")]
    WrongKey,
    #[error("the decrypted ticket fails its CRC-32 (a wrong key, or a damaged ticket)")]
    Crc,
    #[error("the decrypted ticket's sections do not add up: {0}")]
    Layout(&'static str),
    #[error("the decrypted ticket fails its SHA-1 (a damaged or altered ticket)")]
    Hash,
    #[error("the ownership ticket inside is not readable: {0}")]
    Ownership(DecodeError),
    #[error("the ownership ticket inside is version {0}; Steam's are above 1")]
    OwnershipVersion(u32),
}

/// A decrypted encrypted app ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedAppTicket {
    /// `ticket_version_no`.
    pub version: u32,
    /// The data the game passed to `RequestEncryptedAppTicket`.
    pub user_data: Vec<u8>,
    pub ownership: Ownership,
    /// The u16 after the ownership ticket's DLC list (non-zero: VAC-banned).
    pub vac_banned: u16,
    /// What the ownership ticket holds after that u16 (the app-defined value, when there is one).
    pub ownership_tail: Vec<u8>,
    /// How the plaintext ends.
    pub layout: Layout,
    /// What Valve's `BGetAppDefinedValue` reports; set by [`decrypt`], not read by
    /// [`mint_encrypted`] (which writes `ownership_tail`).
    pub app_defined_value: Option<u32>,
}

impl EncryptedAppTicket {
    /// `SteamEncryptedAppTicket_GetTicketSteamID`.
    pub fn steam_id(&self) -> u64 {
        self.ownership.steam_id
    }

    /// `SteamEncryptedAppTicket_GetTicketAppID`.
    pub fn app_id(&self) -> u32 {
        self.ownership.app_id
    }

    /// `SteamEncryptedAppTicket_GetTicketIssueTime`: Unix seconds.
    pub fn issue_time(&self) -> u32 {
        self.ownership.issued
    }

    /// `SteamEncryptedAppTicket_BIsTicketForApp`.
    pub fn is_for_app(&self, app_id: u32) -> bool {
        self.ownership.app_id == app_id
    }

    /// `SteamEncryptedAppTicket_BUserOwnsAppInTicket`: the ticket's app or one of its DLC.
    pub fn owns_app(&self, app_id: u32) -> bool {
        self.ownership.app_id == app_id || self.ownership.dlc.iter().any(|d| d.app_id == app_id)
    }

    /// `SteamEncryptedAppTicket_BUserIsVacBanned`.
    pub fn is_vac_banned(&self) -> bool {
        self.vac_banned != 0
    }

    /// `SteamEncryptedAppTicket_BIsLicenseBorrowed`: a copy lent by Family Sharing.
    pub fn is_license_borrowed(&self) -> bool {
        self.ownership.flags & FLAG_LICENSE_BORROWED != 0
    }

    /// `SteamEncryptedAppTicket_BIsLicenseTemporary`.
    pub fn is_license_temporary(&self) -> bool {
        self.ownership.flags & FLAG_LICENSE_TEMPORARY != 0
    }

    /// `SteamEncryptedAppTicket_BGetAppDefinedValue`.
    pub fn app_defined_value(&self) -> Option<u32> {
        self.app_defined_value
    }

    /// `SteamEncryptedAppTicket_GetUserVariableData`.
    pub fn user_data(&self) -> &[u8] {
        &self.user_data
    }

    /// Whether the ticket carries bytes where a signature sits (the trailer layout's `extra`).
    /// Valve's `BIsTicketSigned` also verifies them with Steam's key; this reader does not yet.
    pub fn has_signature_bytes(&self) -> bool {
        matches!(&self.layout, Layout::Trailer { extra } if !extra.is_empty())
    }
}

/// Decrypts `ticket` with `key` and reads it, with every check Valve's decoder makes (and one more:
/// the ownership ticket must parse to its end, where Valve's accessors would read past a bad one).
pub fn decrypt(ticket: &[u8], key: &[u8]) -> Result<EncryptedAppTicket, EncryptedTicketError> {
    if key.len() != KEY_LEN {
        return Err(EncryptedTicketError::KeyLength(key.len()));
    }
    let envelope = Envelope::parse(ticket).map_err(EncryptedTicketError::Envelope)?;
    let missing = EncryptedTicketError::MissingField;
    let version = envelope.version.ok_or(missing("ticket_version_no"))?;
    if version == 0 {
        return Err(EncryptedTicketError::Version(version));
    }
    let crc = envelope.crc.ok_or(missing("crc_encryptedticket"))?;
    let user_len = envelope
        .user_data_len
        .ok_or(missing("cb_encrypteduserdata"))? as usize;
    // `cb_encrypted_appownershipticket` is not read: Valve's decoder takes the ownership ticket's
    // length from the ticket itself, whatever the field says or whether it is there.
    let ciphertext = envelope.ciphertext.ok_or(missing("encrypted_ticket"))?;
    let plain = decrypt_bytes(ciphertext, key)?;
    if crc32fast::hash(&plain) != crc {
        return Err(EncryptedTicketError::Crc);
    }
    let parts = layout::split(&plain, user_len, version)?;
    let (ownership, tail) =
        decode_ownership_at(parts.ownership, user_len).map_err(EncryptedTicketError::Ownership)?;
    let after_vac = user_len + parts.ownership.len() - tail.rest.len();
    Ok(EncryptedAppTicket {
        version,
        user_data: parts.user_data.to_vec(),
        vac_banned: tail.vac_banned,
        ownership_tail: tail.rest.to_vec(),
        ownership,
        app_defined_value: layout::app_defined_value(&plain, after_vac, version),
        layout: parts.layout,
    })
}

/// The IV from its ECB block, then the CBC plaintext without its padding.
fn decrypt_bytes(ciphertext: &[u8], key: &[u8]) -> Result<Vec<u8>, EncryptedTicketError> {
    if ciphertext.len() < 2 * IV_LEN || !ciphertext.len().is_multiple_of(IV_LEN) {
        return Err(EncryptedTicketError::CiphertextLength(ciphertext.len()));
    }
    let (iv_block, body) = ciphertext.split_at(IV_LEN);
    let ecb =
        aes::Aes256::new_from_slice(key).map_err(|_| EncryptedTicketError::KeyLength(key.len()))?;
    let mut iv = aes::Block::clone_from_slice(iv_block);
    ecb.decrypt_block(&mut iv);
    Aes256CbcDec::new_from_slices(key, &iv)
        .map_err(|_| EncryptedTicketError::KeyLength(key.len()))?
        .decrypt_padded_vec_mut::<Pkcs7>(body)
        .map_err(|_| EncryptedTicketError::WrongKey)
}

#[cfg(test)]
mod tests;
