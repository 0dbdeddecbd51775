//! Times as people read them: RFC 3339 UTC timestamps (operator output, refusal messages) and the UTC
//! dates the Web API quota is counted by.

/// The last second RFC 3339 can write (9999-12-31T23:59:59Z); later times are shown as it.
const LAST_WRITABLE: u64 = 253_402_300_799;

/// A unix time as an RFC 3339 UTC timestamp (`2026-12-03T16:50:00Z`). Times before 1970 show as
/// 1970, after 9999 as 9999 (a ban `--for 100000y` ends then, as far as anyone alive can tell).
pub fn utc(unix: i64) -> String {
    let seconds = (unix.max(0) as u64).min(LAST_WRITABLE);
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
    humantime::format_rfc3339_seconds(at).to_string()
}

/// The UTC date (`YYYY-MM-DD`) of a day number (days since the Unix epoch).
pub fn day_label(day: u64) -> String {
    let mut date = utc(day.saturating_mul(86_400).min(i64::MAX as u64) as i64);
    date.truncate("YYYY-MM-DD".len());
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_dates_are_utc() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_796_316_600), "2026-12-03T16:50:00Z");
        assert_eq!(day_label(0), "1970-01-01");
        assert_eq!(day_label(19_723), "2024-01-01");
        assert_eq!(day_label(20_514), "2026-03-02");
    }

    #[test]
    fn times_outside_what_rfc_3339_writes_are_clamped_not_a_panic() {
        assert_eq!(utc(-5), "1970-01-01T00:00:00Z");
        assert_eq!(utc(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(day_label(u64::MAX), "9999-12-31");
    }
}
