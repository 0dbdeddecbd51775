//! Which tickets may have logged in, kept in memory by a store no other process writes (SQLite), so
//! that the replay check before Steam is asked does not read the database for a ticket never seen.
//!
//! A filter, not the record: a ticket absent here has not been claimed through this store since the
//! filter was loaded; one present is looked up in `used_tickets` for the exact answer (it may have been
//! rolled back or swept). The login's own claim, in the writer's transaction, stays the authority: a
//! ticket this filter misses (claimed between the load's read and its end) costs one Steam call and is
//! still refused, never given a second session.
//!
//! It holds the first 8 bytes of each key (a SHA-256, so already uniform; hashed again by nothing, see
//! [`PrefixHasher`]): about 20 bytes per ticket alive, 20 MB for a million logins within a ticket's
//! lifetime. Measured on the benchmark's Steam path: the database read it replaces cost about 20 µs
//! of CPU per login (a read transaction's locks on the shared-memory index, a B-tree descent through
//! the WAL), a sixth of the server's time.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use parking_lot::Mutex;

use super::TicketKey;

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

/// See the module documentation. Until [`UsedTicketFilter::load`] runs it knows nothing, so every
/// ticket may have been claimed: a store serving logins loads it at start (`Store::prepare_to_serve`);
/// one opened for `admin` commands never asks it.
#[derive(Default)]
pub struct UsedTicketFilter {
    prefixes: OnceLock<Mutex<Prefixes>>,
}

fn prefix(key: &TicketKey) -> u64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&key.0[..8]);
    u64::from_le_bytes(first)
}

impl UsedTicketFilter {
    /// Starts from the claimed tickets `keys` (the table's, read before any login is served). Later
    /// calls change nothing: from the first load on, claims and sweeps keep it current.
    pub fn load(&self, keys: impl IntoIterator<Item = TicketKey>) {
        self.prefixes
            .get_or_init(|| Mutex::new(keys.into_iter().map(|key| prefix(&key)).collect()));
    }

    /// Whether `key` may have been claimed: always, before the filter is loaded.
    pub fn may_contain(&self, key: &TicketKey) -> bool {
        match self.prefixes.get() {
            Some(prefixes) => prefixes.lock().contains(&prefix(key)),
            None => true,
        }
    }

    /// Records a claimed ticket. Before the filter is loaded there is nothing to do: the load reads
    /// the table.
    pub fn insert(&self, key: &TicketKey) {
        if let Some(prefixes) = self.prefixes.get() {
            prefixes.lock().insert(prefix(key));
        }
    }

    /// Forgets swept tickets.
    pub fn remove_all(&self, keys: &[TicketKey]) {
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

    #[test]
    fn unloaded_it_sends_every_ticket_to_the_database() {
        let filter = UsedTicketFilter::default();
        filter.insert(&key(1));
        assert!(filter.may_contain(&key(1)));
        assert!(filter.may_contain(&key(2)));
    }

    #[test]
    fn loaded_it_follows_claims_and_sweeps() {
        let filter = UsedTicketFilter::default();
        filter.load([key(1)]);
        assert!(filter.may_contain(&key(1)));
        assert!(!filter.may_contain(&key(2)));
        // A second load does not forget what the first and the claims since then hold.
        filter.insert(&key(2));
        filter.load([key(3)]);
        assert!(filter.may_contain(&key(2)));
        assert!(!filter.may_contain(&key(3)));
        filter.remove_all(&[key(1), key(2)]);
        assert!(!filter.may_contain(&key(1)));
        assert!(!filter.may_contain(&key(2)));
    }
}
