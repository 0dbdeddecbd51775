//! Strict hex for tickets.
//!
//! Steam's Web API answers "errorcode 3: Invalid parameter" for hex with unpadded bytes (`"%x"` instead of
//! `"%02x"`), and game code often hex-encodes the whole 1024-byte SDK buffer instead of the ticket. This
//! codec always pads each byte to two digits, encodes exactly the bytes it is given, and on decode names
//! the first offending position instead of guessing.

use thiserror::Error;

/// Why a string is not valid hex.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HexError {
    #[error("hex has an odd number of digits ({len}): every byte needs exactly two")]
    OddLength { len: usize },
    #[error("invalid hex digit {found:?} at position {position}")]
    InvalidDigit { position: usize, found: char },
    #[error("hex is empty")]
    Empty,
}

const DIGITS: &[u8; 16] = b"0123456789ABCDEF";

/// Encodes bytes as uppercase hex, two digits per byte.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// Checks what [`decode`] checks, without decoding: for hex that is passed on as it is.
pub fn validate(hex: &str) -> Result<(), HexError> {
    let digits = hex.as_bytes();
    if digits.is_empty() {
        return Err(HexError::Empty);
    }
    // Report a bad digit before the odd length: "position 7 is 'g'" is the more useful message.
    if let Some(position) = digits.iter().position(|d| nibble(*d).is_none()) {
        let found = hex[position..].chars().next().unwrap_or('\u{fffd}');
        return Err(HexError::InvalidDigit { position, found });
    }
    if !digits.len().is_multiple_of(2) {
        return Err(HexError::OddLength { len: digits.len() });
    }
    Ok(())
}

/// Decodes upper- or lowercase hex. No whitespace, prefix or separators are accepted.
pub fn decode(hex: &str) -> Result<Vec<u8>, HexError> {
    validate(hex)?;
    Ok(hex
        .as_bytes()
        .chunks_exact(2)
        .map(|pair| (nibble(pair[0]).unwrap_or(0) << 4) | nibble(pair[1]).unwrap_or(0))
        .collect())
}

fn nibble(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_every_byte_to_two_digits() {
        assert_eq!(encode(&[0x00, 0x01, 0x0a, 0xff]), "00010AFF");
    }

    #[test]
    fn decodes_both_cases() {
        assert_eq!(decode("0aFf10").unwrap(), vec![0x0a, 0xff, 0x10]);
    }

    #[test]
    fn names_the_offending_position() {
        assert_eq!(
            decode("1400g0"),
            Err(HexError::InvalidDigit {
                position: 4,
                found: 'g'
            })
        );
        assert_eq!(
            decode("14 00"),
            Err(HexError::InvalidDigit {
                position: 2,
                found: ' '
            })
        );
        assert_eq!(
            decode("14é0"),
            Err(HexError::InvalidDigit {
                position: 2,
                found: 'é'
            })
        );
    }

    #[test]
    fn rejects_odd_length_and_empty() {
        assert_eq!(decode("140"), Err(HexError::OddLength { len: 3 }));
        assert_eq!(decode(""), Err(HexError::Empty));
    }

    #[test]
    fn round_trips_every_byte_value() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all)).unwrap(), all);
        assert_eq!(decode(&encode(&all).to_lowercase()).unwrap(), all);
    }
}
