//! [`EncryptedAppTicket`] → the bytes Steam hands a game, for the simulated Steam and for tests.
//! `decrypt(&mint_encrypted(&t, key, iv, salt), key) == Ok(t)` when `t.app_defined_value` is what
//! Valve's decoder reports for it.

use aes::cipher::{block_padding::Pkcs7, BlockEncrypt, BlockEncryptMut, KeyInit, KeyIvInit};

use super::envelope::Envelope;
use super::layout::join;
use super::{EncryptedAppTicket, KEY_LEN};
use crate::mint::encode_ownership_with;

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;

/// Encrypts `ticket` with `key`: `iv` and `salt` should be random for each ticket (Steam's are).
pub fn mint_encrypted(
    ticket: &EncryptedAppTicket,
    key: &[u8; KEY_LEN],
    iv: [u8; 16],
    salt: [u8; 8],
) -> Vec<u8> {
    let ownership =
        encode_ownership_with(&ticket.ownership, ticket.vac_banned, &ticket.ownership_tail);
    let plain = join(
        &ticket.user_data,
        &ownership,
        &ticket.layout,
        ticket.version,
        salt,
    );
    let mut iv_block = aes::Block::clone_from_slice(&iv);
    aes::Aes256::new(key.into()).encrypt_block(&mut iv_block);
    let mut ciphertext = iv_block.to_vec();
    ciphertext
        .extend(Aes256CbcEnc::new(key.into(), &iv.into()).encrypt_padded_vec_mut::<Pkcs7>(&plain));
    Envelope {
        version: Some(ticket.version),
        crc: Some(crc32fast::hash(&plain)),
        user_data_len: Some(len_u32(ticket.user_data.len())),
        ownership_len: Some(len_u32(ownership.len())),
        ciphertext: Some(&ciphertext),
    }
    .write()
}

/// Steam caps user data at a few hundred bytes; anything near 4 GiB is a caller bug.
fn len_u32(n: usize) -> u32 {
    u32::try_from(n).expect("an encrypted app ticket's sections are far below 4 GiB")
}
