//! Which address a request comes from: the TCP peer, or, when that peer is a proxy the operator
//! trusts (`--trusted-proxies`), the address the proxies say they received it from.
//!
//! Each proxy appends the address it received a request from to `X-Forwarded-For` (nginx's
//! `$proxy_add_x_forwarded_for`, HAProxy's `option forwardfor`), or to RFC 7239's `Forwarded` as
//! `for=`. Everything left of what a trusted proxy appended was written by whoever sent it the request,
//! so only the right-most address that is not itself a trusted proxy is believed: a client that forges
//! the header moves nothing but its own entries, and one that is not behind a trusted proxy is judged
//! by its TCP peer whatever it sends. A small parser rather than a crate: the `forwarded-header-value`
//! crate parses the header but knows nothing of trust, and the walk is the part that matters.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// Who sent a request: the TCP peer, and the client's address (the peer itself unless the peer is a
/// trusted proxy). The accept loop attaches it to every request as axum's `ConnectInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress {
    pub peer: SocketAddr,
    pub ip: IpAddr,
}

/// `--trusted-proxies`: a network (`10.0.0.0/8`) or one address (`127.0.0.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedNet(pub IpNet);

impl std::str::FromStr for TrustedNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(net) = s.parse::<IpNet>() {
            return Ok(TrustedNet(net.trunc()));
        }
        s.parse::<IpAddr>()
            .map(|ip| TrustedNet(IpNet::from(ip)))
            .map_err(|_| {
                format!("{s:?} is not an address or a network (e.g. 10.0.0.0/8, 127.0.0.1, ::1)")
            })
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

impl TrustedProxies {
    pub fn new(nets: &[TrustedNet]) -> Self {
        TrustedProxies {
            nets: nets.iter().map(|n| n.0).collect(),
        }
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request that `peer` sent with `headers`.
    pub fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer.ip());
        if !self.trusts(client) {
            return client;
        }
        // X-Forwarded-For when present (what nginx and HAProxy send), else Forwarded.
        let chain = forwarded_for(headers, "x-forwarded-for", parse_node)
            .or_else(|| forwarded_for(headers, "forwarded", parse_forwarded_element));
        let Some(chain) = chain else {
            return client;
        };
        for hop in chain.iter().rev() {
            match hop {
                // The hop left of a trusted one says who sent that proxy the request.
                Some(ip) if self.trusts(*ip) => client = *ip,
                Some(ip) => return *ip,
                // Garbage where a trusted proxy should have written an address: believe no further.
                None => return client,
            }
        }
        client
    }
}

/// Every entry of every `name` header, in order (a repeated header continues the list); `None` when
/// there is no such header.
fn forwarded_for(
    headers: &HeaderMap,
    name: &str,
    parse: fn(&str) -> Option<Option<IpAddr>>,
) -> Option<Vec<Option<IpAddr>>> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    let mut chain = Vec::new();
    for value in values {
        let Ok(value) = value.to_str() else {
            chain.push(None);
            continue;
        };
        chain.extend(value.split(',').filter_map(parse));
    }
    Some(chain)
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_node(entry: &str) -> Option<Option<IpAddr>> {
    let entry = entry.trim().trim_matches('"');
    if entry.is_empty() {
        return None;
    }
    Some(parse_address(entry))
}

/// One `Forwarded` element (`for=192.0.2.60;proto=https;by=…`): its `for=` node, skipped if it has none.
fn parse_forwarded_element(element: &str) -> Option<Option<IpAddr>> {
    let node = element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim().eq_ignore_ascii_case("for").then_some(value)
    })?;
    parse_node(node)
}

fn parse_address(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = node.strip_prefix('[') {
        let (ip, _port) = rest.split_once(']')?;
        return ip.parse().ok().map(canonical);
    }
    let (ip, port) = node.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.parse().ok().map(canonical)
}

/// IPv4-mapped IPv6 (a dual-stack socket's view of an IPv4 peer) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn proxies(nets: &[&str]) -> TrustedProxies {
        let nets: Vec<TrustedNet> = nets.iter().map(|n| n.parse().unwrap()).collect();
        TrustedProxies::new(&nets)
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn peer(s: &str) -> SocketAddr {
        SocketAddr::new(ip(s), 40000)
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let forged = headers(&[
            ("x-forwarded-for", "198.51.100.7"),
            ("forwarded", "for=198.51.100.8"),
        ]);
        assert_eq!(
            trusted.client_ip(peer("203.0.113.9"), &forged),
            ip("203.0.113.9")
        );
        assert_eq!(
            TrustedProxies::default().client_ip(peer("10.0.0.1"), &forged),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_address_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "127.0.0.1"]);
        // The client forged two entries; nginx appended the address it saw.
        let sent = headers(&[("x-forwarded-for", "1.1.1.1, 2.2.2.2, 203.0.113.9")]);
        assert_eq!(
            trusted.client_ip(peer("127.0.0.1"), &sent),
            ip("203.0.113.9")
        );
        // Two trusted proxies in a row: the load balancer's address is skipped too.
        let chained = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.1.2.3")]);
        assert_eq!(
            trusted.client_ip(peer("127.0.0.1"), &chained),
            ip("203.0.113.9")
        );
        // A repeated header continues the list.
        let repeated = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(
            trusted.client_ip(peer("10.9.9.9"), &repeated),
            ip("203.0.113.9")
        );
        // No header from a trusted peer: the peer itself.
        assert_eq!(
            trusted.client_ip(peer("10.9.9.9"), &HeaderMap::new()),
            ip("10.9.9.9")
        );
    }

    #[test]
    fn every_hop_trusted_or_garbage_stops_at_the_last_believed_one() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let all_trusted = headers(&[("x-forwarded-for", "10.0.0.5, 10.0.0.6")]);
        assert_eq!(
            trusted.client_ip(peer("10.0.0.1"), &all_trusted),
            ip("10.0.0.5")
        );
        let garbage = headers(&[("x-forwarded-for", "203.0.113.1, nonsense, 10.0.0.6")]);
        assert_eq!(
            trusted.client_ip(peer("10.0.0.1"), &garbage),
            ip("10.0.0.6")
        );
    }

    #[test]
    fn ports_ipv6_and_rfc_7239() {
        let trusted = proxies(&["::1", "127.0.0.0/8"]);
        let with_port = headers(&[("x-forwarded-for", "203.0.113.9:51234")]);
        assert_eq!(
            trusted.client_ip(peer("127.0.0.1"), &with_port),
            ip("203.0.113.9")
        );
        let v6 = headers(&[("x-forwarded-for", "[2001:db8::7]:443")]);
        assert_eq!(trusted.client_ip(peer("::1"), &v6), ip("2001:db8::7"));
        let forwarded = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8::9]:4711\";proto=https;by=127.0.0.1",
        )]);
        assert_eq!(
            trusted.client_ip(peer("127.0.0.1"), &forwarded),
            ip("2001:db8::9")
        );
        let mapped = SocketAddr::new(ip("::ffff:127.0.0.1"), 1);
        let sent = headers(&[("x-forwarded-for", "::ffff:203.0.113.4")]);
        assert_eq!(trusted.client_ip(mapped, &sent), ip("203.0.113.4"));
    }

    #[test]
    fn networks_parse_with_clear_errors() {
        assert_eq!(
            "10.1.2.3/8".parse::<TrustedNet>().unwrap().0.to_string(),
            "10.0.0.0/8"
        );
        assert_eq!(
            "::1".parse::<TrustedNet>().unwrap().0.to_string(),
            "::1/128"
        );
        let error = "10.0.0.0/33".parse::<TrustedNet>().unwrap_err();
        assert!(error.contains("not an address or a network"), "{error}");
    }
}
