//! Open-file limits: each client connection is a descriptor, and the common soft limit (1,024) is far
//! below what a login server holds; the hard limit usually is not.

/// Descriptors kept for everything but client connections: the listener, the store, Steam's
/// connection pool, logs.
pub const RESERVED: u64 = 128;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit and returns the soft limit now in force, or
/// `None` where it cannot be read.
#[cfg(unix)]
pub fn raise_to_hard_limit() -> Option<u64> {
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).ok()?;
    if soft >= hard {
        return Some(soft);
    }
    match rlimit::increase_nofile_limit(hard) {
        Ok(now) => Some(now),
        Err(e) => {
            tracing::warn!("cannot raise the open-file limit from {soft} to {hard}: {e}");
            Some(soft)
        }
    }
}

/// Windows has no descriptor limit for sockets: the configured cap alone applies.
#[cfg(not(unix))]
pub fn raise_to_hard_limit() -> Option<u64> {
    None
}

/// The connection cap to enforce: the configured one, or less if the descriptor limit is lower.
pub fn connection_cap(configured: usize, nofile: Option<u64>) -> usize {
    match nofile {
        Some(limit) => configured.min(limit.saturating_sub(RESERVED).max(1) as usize),
        None => configured,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_room_for_the_server_s_own_descriptors() {
        assert_eq!(connection_cap(10_000, Some(1_024)), 896);
        assert_eq!(connection_cap(500, Some(1_024)), 500);
        assert_eq!(connection_cap(10_000, Some(1_048_576)), 10_000);
        assert_eq!(connection_cap(10_000, None), 10_000);
        assert_eq!(connection_cap(10_000, Some(64)), 1);
    }
}
