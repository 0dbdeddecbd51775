//! GDScript arguments shared by the classes → plain bytes, with messages that say what was expected.

use godot::prelude::*;

/// A ticket argument (a PackedByteArray, a hex String, or the Dictionary from
/// `getAuthSessionTicket()`) as the hex the login endpoint takes, upper- or lowercase. A hex String
/// is checked as `steam_ticket::hex` decodes it and passed on as it is, surrounding whitespace
/// trimmed (not decoded and encoded again); bytes are encoded. Empty stays empty, for the caller to
/// name.
pub fn ticket_hex(value: &Variant) -> Result<String, String> {
    match value.get_type() {
        VariantType::STRING | VariantType::STRING_NAME => {
            let text = value.to::<GString>().to_string();
            let text = text.trim();
            if text.is_empty() {
                return Ok(String::new());
            }
            steam_ticket::hex::validate(text).map_err(|e| format!("ticket hex is invalid: {e}"))?;
            Ok(text.to_owned())
        }
        _ => ticket_bytes(value).map(|bytes| steam_ticket::hex::encode(&bytes)),
    }
}

/// A ticket argument as bytes (see [`ticket_hex`]).
pub fn ticket_bytes(value: &Variant) -> Result<Vec<u8>, String> {
    match value.get_type() {
        VariantType::PACKED_BYTE_ARRAY => Ok(value.to::<PackedByteArray>().to_vec()),
        VariantType::STRING | VariantType::STRING_NAME => {
            steam_ticket::hex::decode(&value.to::<GString>().to_string())
                .map_err(|e| format!("ticket hex is invalid: {e}"))
        }
        VariantType::DICTIONARY => {
            let dict = value.to::<VarDictionary>();
            let buffer = dict
                .get("buffer")
                .filter(|b| b.get_type() == VariantType::PACKED_BYTE_ARRAY)
                .ok_or("ticket Dictionary has no PackedByteArray \"buffer\"")?
                .to::<PackedByteArray>();
            let size = dict
                .get("size")
                .and_then(|s| s.try_to::<i64>().ok())
                .unwrap_or(buffer.len() as i64);
            let size = usize::try_from(size)
                .ok()
                .filter(|s| *s <= buffer.len())
                .ok_or_else(|| format!("ticket size {size} does not fit its {}-byte buffer", buffer.len()))?;
            Ok(buffer.as_slice()[..size].to_vec())
        }
        other => Err(format!(
            "ticket must be a PackedByteArray, a hex String or the Dictionary from getAuthSessionTicket(), got {other:?}"
        )),
    }
}
