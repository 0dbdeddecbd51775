//! What a dedicated server asks Steam's servers: its public address, Steam's query packets on a
//! shared port, players' group memberships, clan association, player compatibility, restarts.
//! The simulated backend answers as Steam does for a server with nothing to report (see
//! `steam_auth_core::server::simulated`).

use godot::prelude::*;

use steam_auth_core::{BackendKind, PublicIp};

use super::SteamServer;
use crate::backend_slot::SingletonBackend;

/// GodotSteam Server's `IP_TYPE_IPV4` / `IP_TYPE_IPV6`.
const IP_TYPE_IPV4: i64 = 0;
const IP_TYPE_IPV6: i64 = 1;

#[godot_api(secondary)]
impl SteamServer {
    /// The server's public address as Steam sees it (behind NAT): [code]{ipv4: int, ipv6:
    /// PackedByteArray (16 bytes), type: IPType}[/code]. Before log-on Steam does not know it: ipv4
    /// 0. The simulated server answers the loopback address once logged on.
    #[func(rename = getPublicIP)]
    fn get_public_ip(&self) -> VarDictionary {
        self.backend.with("getPublicIP", VarDictionary::new(), |b| {
            let (ipv4, ipv6, kind) = match b.public_ip() {
                PublicIp::Unknown => (0, [0u8; 16], IP_TYPE_IPV4),
                PublicIp::V4(v4) => (i64::from(u32::from(v4)), [0u8; 16], IP_TYPE_IPV4),
                PublicIp::V6(v6) => (0, v6.octets(), IP_TYPE_IPV6),
            };
            vdict! {
                "ipv4" => ipv4,
                "ipv6" => &PackedByteArray::from(&ipv6[..]),
                "type" => kind,
            }
        })
    }

    /// For a server that shares its game socket with Steam's queries: the next packet Steam wants
    /// sent, [code]{length, out: PackedByteArray, address: int (IPv4), port}[/code]; length 0 when
    /// there is none (always, with the simulated server). Call it until length is 0.
    #[func(rename = getNextOutgoingPacket)]
    fn get_next_outgoing_packet(&mut self) -> VarDictionary {
        let Some(b) = self.backend.or_error_mut("getNextOutgoingPacket") else {
            return VarDictionary::new();
        };
        match b.next_outgoing_packet() {
            Some(packet) => vdict! {
                "length" => packet.bytes.len() as i64,
                "out" => &PackedByteArray::from(packet.bytes.as_slice()),
                "address" => i64::from(u32::from(packet.address)),
                "port" => i64::from(packet.port),
            },
            None => vdict! {
                "length" => 0,
                "out" => &PackedByteArray::new(),
                "address" => 0,
                "port" => 0,
            },
        }
    }

    /// For a server that shares its game socket with Steam's queries: hands Steam a packet that
    /// arrived from [param ip]:[param port]. [param packet] is the packet's bytes (a
    /// PackedByteArray); GodotSteam Server's form passes only its size (an int), which gives Steam
    /// nothing to read, so it is refused with an error. Returns [code]{data}[/code] when Steam handled
    /// the packet, [code]{}[/code] when it was not one of Steam's (the simulated server handles none).
    #[func(rename = handleIncomingPacket)]
    fn handle_incoming_packet(&mut self, packet: Variant, ip: GString, port: i64) -> VarDictionary {
        const METHOD: &str = "handleIncomingPacket";
        if packet.get_type() != VariantType::PACKED_BYTE_ARRAY {
            godot_error!("SteamServer.{METHOD}: packet must be the packet's bytes (a PackedByteArray), got {:?}", packet.get_type());
            return VarDictionary::new();
        }
        let bytes = packet.to::<PackedByteArray>();
        let Ok(address) = ip.to_string().parse::<std::net::Ipv4Addr>() else {
            godot_error!("SteamServer.{METHOD}: ip {ip:?} is not an IPv4 address");
            return VarDictionary::new();
        };
        let Ok(port) = u16::try_from(port) else {
            godot_error!("SteamServer.{METHOD}: {port} is not a port (0..65535)");
            return VarDictionary::new();
        };
        let Some(b) = self.backend.or_error_mut(METHOD) else {
            return VarDictionary::new();
        };
        if b.handle_incoming_packet(bytes.as_slice(), address, port) {
            vdict! { "data" => &bytes }
        } else {
            VarDictionary::new()
        }
    }

    /// Asks Steam whether [param steam_id] belongs to the Steam group [param group_id];
    /// [signal client_group_status] answers. [code]false[/code] when Steam cannot be asked (not
    /// logged on). The simulated players belong to no group.
    #[func(rename = requestUserGroupStatus)]
    fn request_user_group_status(&mut self, steam_id: i64, group_id: i64) -> bool {
        let Some(b) = self.backend.or_error_mut("requestUserGroupStatus") else {
            return false;
        };
        b.request_user_group_status(steam_id as u64, group_id as u64)
    }

    /// Associates the server with the Steam group [param clan_id] (for the group's server list);
    /// [signal associate_clan] answers with a [enum Result] value.
    #[func(rename = associateWithClan)]
    fn associate_with_clan(&mut self, clan_id: i64) {
        if let Some(b) = self.backend.or_error_mut("associateWithClan") {
            b.associate_with_clan(clan_id as u64);
        }
    }

    /// Asks Steam how many players on the server dislike [param steam_id] (or are disliked by
    /// them); [signal player_compat] answers. The simulated server's answer is 0, 0, 0.
    #[func(rename = computeNewPlayerCompatibility)]
    fn compute_new_player_compatibility(&mut self, steam_id: i64) {
        if let Some(b) = self.backend.or_error_mut("computeNewPlayerCompatibility") {
            b.compute_new_player_compatibility(steam_id as u64);
        }
    }

    /// Whether Steam asked the server to restart (an update is out); reported once. Always
    /// [code]false[/code] with the simulated server.
    #[func(rename = wasRestartRequested)]
    fn was_restart_requested(&mut self) -> bool {
        self.backend
            .or_error_mut("wasRestartRequested")
            .is_some_and(|b| b.was_restart_requested())
    }

    /// Frees the memory Steam keeps for the calling thread (call it from threads that made Steam
    /// calls, before they end). Nothing to free with the simulated server or before init.
    #[func(rename = serverReleaseCurrentThreadMemory)]
    fn server_release_current_thread_memory(&self) {
        if self
            .backend
            .get()
            .is_some_and(|b| b.validator().kind() == BackendKind::Steam)
        {
            steam_auth_core::server::steamworks::release_current_thread_memory();
        }
    }
}
