//! Session tokens and user ids, minted from the OS random number generator.

/// A new session token and a user id for a login that may create its user, from one read of the OS
/// RNG (a syscall each would cost a login more).
pub fn new_token_and_user_id() -> Result<(String, String), getrandom::Error> {
    let mut random = [0u8; 26];
    getrandom::fill(&mut random)?;
    let (mut token_bits, mut user_bits) = ([0u8; 10], [0u8; 16]);
    token_bits.copy_from_slice(&random[..10]);
    user_bits.copy_from_slice(&random[10..]);
    let user_id = uuid::Builder::from_random_bytes(user_bits).into_uuid();
    Ok((token_from(&token_bits), user_id.to_string()))
}

/// A new session token (see [`token_from`]).
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut random = [0u8; 10];
    getrandom::fill(&mut random)?;
    Ok(token_from(&random))
}

/// A UUID v7: the current millisecond, then 74 random bits. The time orders the sessions table (see
/// [`TokenHash`]); the random bits are what a guess must hit, beyond reach online and, as the store
/// keeps only a hash of the whole token, from a copy of the database.
fn token_from(random: &[u8; 10]) -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64);
    uuid::Builder::from_unix_timestamp_millis(millis, random)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TokenHash;

    #[test]
    fn tokens_are_uuid_v7_whose_keys_sort_by_time_and_hide_the_random_bits() {
        use sha2::{Digest, Sha256};
        let (first, user_id) = new_token_and_user_id().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let later = new_token().unwrap();
        for token in [&first, &later] {
            let uuid = uuid::Uuid::parse_str(token).unwrap();
            assert_eq!(uuid.get_version_num(), 7, "{token}");
            let key = TokenHash::of(token).0;
            assert_eq!(
                key[..6],
                uuid.as_bytes()[..6],
                "the key leads with the millisecond"
            );
            let hash = Sha256::digest(token.as_bytes());
            assert_eq!(key[6..], hash[..26], "the rest of the key is the hash");
            assert!(!key.windows(10).any(|w| w == &uuid.as_bytes()[6..]));
        }
        assert!(TokenHash::of(&first).0 < TokenHash::of(&later).0);
        assert_ne!(first, later);
        assert_eq!(
            uuid::Uuid::parse_str(&user_id).unwrap().get_version_num(),
            4
        );
        // A token handed out before (a UUID v4) or any other string is keyed by its whole hash.
        for older in [user_id.as_str(), "live"] {
            assert_eq!(
                TokenHash::of(older).0,
                <[u8; 32]>::from(Sha256::digest(older))
            );
        }
    }
}
