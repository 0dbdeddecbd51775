//! Which tickets have logged in, kept in memory: for SQLite this set, not a table index, is what
//! refuses a replay. The file has one process and one writer thread, so the set can be exact; the
//! `used_tickets` table is then only its durable copy, appended to in claim order (a rowid table with
//! no index on the key), which is read back into the set before the first claim.
//!
//! Why: keyed by the ticket's hash, every claim landed on a random page of the table and the commit
//! wrote that whole page to the write-ahead log, 4 KB a login. Appended, a batch of claims shares one
//! or two pages (on the benchmark: 4.0 KB written a login instead of 8.6 KB, 21% more logins a
//! second). PostgreSQL, which several instances share, keeps its keyed table.
//!
//! The set holds the first 8 bytes of each key (a SHA-256, so already uniform; hashed again by
//! nothing, see [`PrefixHasher`]): about 20 bytes per ticket alive, 20 MB for a million logins within
//! a ticket's lifetime. Two tickets share a prefix with odds of one in 2^64 per pair: with ten million
//! alive, one fresh ticket in 10^12 is taken for used, and the player's client asks for another
//! (`ticket_reused`).

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use parking_lot::Mutex;
use rusqlite::Connection;

use super::statements::SELECT_USED_TICKET_KEYS;
use crate::store::TicketKey;

/// Hashes a key prefix to itself: the prefix is already the leading bytes of a SHA-256.
#[derive(Default)]
pub struct PrefixHasher(u64);

impl Hasher for PrefixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Prefixes = HashSet<u64, BuildHasherDefault<PrefixHasher>>;

/// See the module documentation. Empty until [`ClaimedTickets::load_from`] has read the table: the
/// writer loads it before its first claim, a serving store before its first request
/// (`Store::prepare_to_serve`), the replay check before its first answer; a store opened for an
/// `admin` command that touches no ticket never loads it.
#[derive(Default)]
pub struct ClaimedTickets {
    prefixes: OnceLock<Mutex<Prefixes>>,
}

fn prefix(key: &TicketKey) -> u64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&key.0[..8]);
    u64::from_le_bytes(first)
}

impl ClaimedTickets {
    /// Reads `used_tickets` into the set unless it is loaded already. Called only on the writer's
    /// connection, by the writer thread, so no claim can fall between the read and the load.
    pub(super) fn load_from(&self, conn: &Connection) -> rusqlite::Result<()> {
        if self.is_loaded() {
            return Ok(());
        }
        let mut prefixes = Prefixes::default();
        let mut select = conn.prepare(SELECT_USED_TICKET_KEYS)?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            // A key of another length cannot be any ticket's: nothing to remember.
            if let Ok(key) = row.get::<_, Vec<u8>>(0)?.try_into() {
                prefixes.insert(prefix(&TicketKey(key)));
            }
        }
        let _ = self.prefixes.set(Mutex::new(prefixes));
        Ok(())
    }

    pub fn is_loaded(&self) -> bool {
        self.prefixes.get().is_some()
    }

    /// Whether `key` has logged in. Only after [`Self::load_from`] (`false` before).
    pub fn contains(&self, key: &TicketKey) -> bool {
        self.prefixes
            .get()
            .is_some_and(|prefixes| prefixes.lock().contains(&prefix(key)))
    }

    /// Claims `key` for a login: `false` if it was claimed before. Only after [`Self::load_from`].
    pub(super) fn claim(&self, key: &TicketKey) -> bool {
        self.prefixes
            .get()
            .is_some_and(|prefixes| prefixes.lock().insert(prefix(key)))
    }

    /// Gives back claims whose logins were not committed, and forgets swept tickets.
    pub fn release(&self, keys: &[TicketKey]) {
        if let Some(prefixes) = self.prefixes.get() {
            let mut prefixes = prefixes.lock();
            for key in keys {
                prefixes.remove(&prefix(key));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> TicketKey {
        TicketKey::of(76561198000000000 + u64::from(n), u64::from(n))
    }

    fn table(keys: &[TicketKey]) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE used_tickets (ticket_key BLOB NOT NULL, expire INTEGER NOT NULL)",
        )
        .unwrap();
        for k in keys {
            conn.execute("INSERT INTO used_tickets VALUES (?1, 0)", [k.0])
                .unwrap();
        }
        conn.execute("INSERT INTO used_tickets VALUES (x'00', 0)", [])
            .unwrap();
        conn
    }

    #[test]
    fn unloaded_it_knows_no_ticket_and_claims_none() {
        let claimed = ClaimedTickets::default();
        assert!(!claimed.claim(&key(1)));
        assert!(!claimed.contains(&key(1)));
    }

    #[test]
    fn loaded_it_holds_the_table_and_follows_claims_and_releases() {
        let claimed = ClaimedTickets::default();
        claimed.load_from(&table(&[key(1)])).unwrap();
        assert!(claimed.contains(&key(1)));
        assert!(!claimed.claim(&key(1)), "a ticket in the table is used");
        assert!(claimed.claim(&key(2)));
        assert!(!claimed.claim(&key(2)), "a ticket logs in once");
        // A second load does not forget what the first and the claims since then hold.
        claimed.load_from(&table(&[key(3)])).unwrap();
        assert!(claimed.contains(&key(2)));
        assert!(!claimed.contains(&key(3)));
        claimed.release(&[key(1), key(2)]);
        assert!(!claimed.contains(&key(1)));
        assert!(claimed.claim(&key(2)), "a released claim can be made again");
    }
}
