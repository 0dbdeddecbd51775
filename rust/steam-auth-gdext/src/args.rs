//! GDScript arguments shared by the classes → plain bytes, with messages that say what was expected.

use godot::prelude::*;

/// A ticket given as PackedByteArray, hex String, or the Dictionary from `getAuthSessionTicket()`.
/// A ticket argument as the lowercase hex the login endpoint takes. A hex String is checked and
/// passed through as it is (not decoded and encoded again); bytes and `getAuthSessionTicket()`'s
/// Dictionary are encoded.
pub fn ticket_hex(value: &Variant) -> Result<String, String> {
    match value.get_type() {
        VariantType::STRING | VariantType::STRING_NAME => {
            let text = value.to::<GString>().to_string();
            let text = text.trim();
            if !text.len().is_multiple_of(2) {
                return Err(format!(
                    "ticket hex is invalid: {} digits, not an even number",
                    text.len()
                ));
            }
            if let Some(at) = text.find(|c: char| !c.is_ascii_hexdigit()) {
                return Err(format!(
                    "ticket hex is invalid: a non-hex character at position {at}"
                ));
            }
            Ok(text.to_ascii_lowercase())
        }
        _ => ticket_bytes(value).map(|bytes| steam_ticket::hex::encode(&bytes)),
    }
}

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
