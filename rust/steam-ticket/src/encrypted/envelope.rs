//! The protobuf message `EncryptedAppTicket` that wraps the ciphertext: five optional fields,
//! `ticket_version_no` = 1, `crc_encryptedticket` = 2, `cb_encrypteduserdata` = 3,
//! `cb_encrypted_appownershipticket` = 4 (varints) and `encrypted_ticket` = 5 (bytes).
//!
//! Read and written by hand: a protobuf crate would bring code generation (or a derive and its
//! runtime) for one message of five scalar fields. Unknown fields are skipped as protobuf does; a
//! field given twice keeps its last value, as protobuf does for scalars.

/// The message's fields; absent ones are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope<'a> {
    pub version: Option<u32>,
    pub crc: Option<u32>,
    pub user_data_len: Option<u32>,
    pub ownership_len: Option<u32>,
    pub ciphertext: Option<&'a [u8]>,
}

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LENGTH_DELIMITED: u8 = 2;
const FIXED32: u8 = 5;

impl<'a> Envelope<'a> {
    /// Parses the message; the error says what is wrong, never what the bytes hold.
    pub fn parse(mut bytes: &'a [u8]) -> Result<Self, String> {
        let mut envelope = Envelope::default();
        while !bytes.is_empty() {
            let key = varint(&mut bytes)?;
            let (field, wire_type) = (key >> 3, (key & 7) as u8);
            match wire_type {
                VARINT => {
                    let value = varint(&mut bytes)?;
                    // A uint32 field carries at most 32 bits; protobuf keeps the low ones.
                    let value = value as u32;
                    match field {
                        1 => envelope.version = Some(value),
                        2 => envelope.crc = Some(value),
                        3 => envelope.user_data_len = Some(value),
                        4 => envelope.ownership_len = Some(value),
                        _ => {}
                    }
                }
                LENGTH_DELIMITED => {
                    let len = usize::try_from(varint(&mut bytes)?)
                        .map_err(|_| "a field's length does not fit in memory".to_owned())?;
                    if len > bytes.len() {
                        return Err(format!(
                            "field {field} claims {len} bytes but {} remain",
                            bytes.len()
                        ));
                    }
                    let (value, rest) = bytes.split_at(len);
                    if field == 5 {
                        envelope.ciphertext = Some(value);
                    }
                    bytes = rest;
                }
                FIXED64 | FIXED32 => {
                    let width = if wire_type == FIXED64 { 8 } else { 4 };
                    if bytes.len() < width {
                        return Err(format!("field {field} is cut short"));
                    }
                    bytes = &bytes[width..];
                }
                other => {
                    return Err(format!(
                        "field {field} has wire type {other}, which protobuf does not define"
                    ))
                }
            }
            if field == 0 {
                return Err("field number 0 is not a protobuf field".into());
            }
        }
        Ok(envelope)
    }

    /// The message's bytes, fields in number order.
    pub fn write(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (field, value) in [
            (1, self.version),
            (2, self.crc),
            (3, self.user_data_len),
            (4, self.ownership_len),
        ] {
            if let Some(value) = value {
                put_varint(&mut out, field << 3 | u64::from(VARINT));
                put_varint(&mut out, u64::from(value));
            }
        }
        if let Some(ciphertext) = self.ciphertext {
            put_varint(&mut out, 5 << 3 | u64::from(LENGTH_DELIMITED));
            put_varint(&mut out, ciphertext.len() as u64);
            out.extend_from_slice(ciphertext);
        }
        out
    }
}

fn varint(bytes: &mut &[u8]) -> Result<u64, String> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            *bytes = &bytes[i + 1..];
            return Ok(value);
        }
    }
    Err("a varint is cut short or longer than 10 bytes".into())
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_skips_what_it_does_not_know() {
        let envelope = Envelope {
            version: Some(1),
            crc: Some(0xdead_beef),
            user_data_len: Some(300),
            ownership_len: Some(0),
            ciphertext: Some(&[7; 40]),
        };
        let mut bytes = envelope.write();
        assert_eq!(Envelope::parse(&bytes), Ok(envelope.clone()));
        // An unknown varint field 9 and an unknown fixed32 field 10.
        bytes.extend_from_slice(&[9 << 3, 1, 10 << 3 | 5, 1, 2, 3, 4]);
        assert_eq!(Envelope::parse(&bytes), Ok(envelope));
    }

    #[test]
    fn refuses_what_protobuf_cannot_be() {
        assert!(Envelope::parse(&[0x2a, 5, 1])
            .unwrap_err()
            .contains("claims 5 bytes"));
        assert!(Envelope::parse(&[0x08, 0x80])
            .unwrap_err()
            .contains("varint"));
        assert!(Envelope::parse(&[0x0b])
            .unwrap_err()
            .contains("wire type 3"));
        assert!(Envelope::parse(&[0x00, 0x01])
            .unwrap_err()
            .contains("field number 0"));
    }
}
