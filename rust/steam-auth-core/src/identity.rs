//! Steam networking identities as GodotSteam accepts them: `steamid:…`, `str:…`, `ip:…`, `localhost`.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// Who a session ticket is meant for (`SteamNetworkingIdentity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// No identity: any peer may validate the ticket.
    None,
    SteamId(u64),
    /// A free-form string (Steam limits it to 31 bytes).
    Generic(String),
    Ip(SocketAddr),
    LocalHost,
}

/// Steam's `k_cchMaxGenericString` minus the terminating NUL.
pub const MAX_GENERIC_LEN: usize = 31;

/// Why a string is not a networking identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("identity {0:?} has no known prefix; use \"steamid:<SteamID64>\", \"str:<text>\", \"ip:<address>[:port]\" or \"localhost\"")]
    UnknownPrefix(String),
    #[error("identity {0:?} does not hold a valid SteamID64")]
    BadSteamId(String),
    #[error("identity {0:?} does not hold a valid IP address")]
    BadIp(String),
    #[error("generic identity string must be 1 to 31 bytes without NUL, got {0} bytes")]
    BadGeneric(usize),
}

impl Identity {
    /// A SteamID64 identity; 0 means none (GodotSteam's convention).
    pub fn from_steam_id(id: u64) -> Self {
        if id == 0 {
            Identity::None
        } else {
            Identity::SteamId(id)
        }
    }
}

impl FromStr for Identity {
    type Err = IdentityError;

    /// Parses Steam's identity string format; the empty string is [`Identity::None`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Ok(Identity::None);
        }
        if s == "localhost" {
            return Ok(Identity::LocalHost);
        }
        let (prefix, rest) = s
            .split_once(':')
            .ok_or_else(|| IdentityError::UnknownPrefix(s.to_owned()))?;
        match prefix {
            "steamid" => rest
                .parse::<u64>()
                .ok()
                .filter(|id| *id != 0)
                .map(Identity::SteamId)
                .ok_or_else(|| IdentityError::BadSteamId(s.to_owned())),
            "str" => {
                if rest.is_empty() || rest.len() > MAX_GENERIC_LEN || rest.contains('\0') {
                    Err(IdentityError::BadGeneric(rest.len()))
                } else {
                    Ok(Identity::Generic(rest.to_owned()))
                }
            }
            "ip" => parse_ip(rest)
                .map(Identity::Ip)
                .ok_or_else(|| IdentityError::BadIp(s.to_owned())),
            _ => Err(IdentityError::UnknownPrefix(s.to_owned())),
        }
    }
}

/// `1.2.3.4`, `1.2.3.4:27015`, `::1`, `[::1]:27015`.
fn parse_ip(s: &str) -> Option<SocketAddr> {
    s.parse::<SocketAddr>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 0)))
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identity::None => Ok(()),
            Identity::SteamId(id) => write!(f, "steamid:{id}"),
            Identity::Generic(s) => write!(f, "str:{s}"),
            Identity::Ip(addr) if addr.port() == 0 => write!(f, "ip:{}", addr.ip()),
            Identity::Ip(addr) => write!(f, "ip:{addr}"),
            Identity::LocalHost => f.write_str("localhost"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        assert_eq!("".parse(), Ok(Identity::None));
        assert_eq!(
            "steamid:76561198000000000".parse(),
            Ok(Identity::SteamId(76561198000000000))
        );
        assert_eq!(
            "str:my-backend".parse(),
            Ok(Identity::Generic("my-backend".into()))
        );
        assert_eq!(
            "ip:10.0.0.1:27015".parse(),
            Ok(Identity::Ip("10.0.0.1:27015".parse().unwrap()))
        );
        assert_eq!(
            "ip:::1".parse(),
            Ok(Identity::Ip("[::1]:0".parse().unwrap()))
        );
        assert_eq!("localhost".parse(), Ok(Identity::LocalHost));
    }

    #[test]
    fn rejects_malformed_identities() {
        assert!(matches!(
            "steamid:abc".parse::<Identity>(),
            Err(IdentityError::BadSteamId(_))
        ));
        assert!(matches!(
            "steamid:0".parse::<Identity>(),
            Err(IdentityError::BadSteamId(_))
        ));
        assert!(matches!(
            "ip:999.1.1.1".parse::<Identity>(),
            Err(IdentityError::BadIp(_))
        ));
        assert!(matches!(
            "str:".parse::<Identity>(),
            Err(IdentityError::BadGeneric(0))
        ));
        let long = format!("str:{}", "x".repeat(32));
        assert!(matches!(
            long.parse::<Identity>(),
            Err(IdentityError::BadGeneric(32))
        ));
        assert!(matches!(
            "nonsense".parse::<Identity>(),
            Err(IdentityError::UnknownPrefix(_))
        ));
        assert!(matches!(
            "gid:1".parse::<Identity>(),
            Err(IdentityError::UnknownPrefix(_))
        ));
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "steamid:76561198000000001",
            "str:abc",
            "ip:1.2.3.4",
            "ip:1.2.3.4:5",
            "localhost",
            "",
        ] {
            assert_eq!(s.parse::<Identity>().unwrap().to_string(), s);
        }
    }
}
