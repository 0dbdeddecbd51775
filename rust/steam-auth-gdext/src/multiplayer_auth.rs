//! `SteamMultiplayerAuth`: Steam session tickets as `SceneMultiplayer`'s authentication step. The
//! bookkeeping (peer <-> SteamID, verdicts, leaving) is `steam_auth_core::PeerAuth`; this class only
//! wires it to SceneMultiplayer's hooks and to whichever `SteamServer` / `Steam` validates.

use std::time::{Duration, Instant};

use godot::classes::SceneMultiplayer;
use godot::prelude::*;

use steam_auth_core::{BeginAuthResult, Outcome, PeerAuth, Rejection};

use crate::steam_by_name::{SteamByName, ValidatorByName};

/// The message a server sends a peer it verified; a rejection is `REJECTED` + the reason.
const VERIFIED: &[u8] = b"steam-auth:verified";
const REJECTED: &str = "steam-auth:rejected:";
/// SceneMultiplayer's default of 3 s is shorter than a Steam validation can take.
const DEFAULT_AUTH_TIMEOUT_SEC: f64 = 30.0;
/// A rejected peer is disconnected this long after its reason was sent: disconnecting at once
/// drops what the transport has not sent yet (ENet resets the peer's queues).
const REJECTION_GRACE: Duration = Duration::from_secs(1);

/// Steam authentication for Godot's high-level multiplayer, on both sides, in two lines:
/// [codeblock]
/// var steam_auth := SteamMultiplayerAuth.new()  # keep a reference (a member variable)
/// steam_auth.attach(multiplayer)                 # after create_server() / create_client()
/// [/codeblock]
/// The client sends its session ticket ([method Steam.getAuthSessionTicket]) when the connection
/// opens; the server validates it with [SteamServer] (a dedicated server) or [Steam] (a listen
/// server) and completes authentication on Steam's OK, so [signal MultiplayerAPI.peer_connected]
/// only ever fires for verified players. Any failure disconnects the peer with a reason, which the
/// client receives in [signal rejected]. Leaving ends the peer's auth session on the server and
/// cancels the client's ticket.
#[derive(GodotClass)]
#[class(init, base = RefCounted)]
pub struct SteamMultiplayerAuth {
    /// Seconds a peer may take to send its ticket and be verified; a late peer is told why and
    /// disconnected. Default 30 (SceneMultiplayer's own timeout, 3 s by default, is set a little
    /// later by [method attach] so that this one speaks first).
    #[var]
    #[init(val = DEFAULT_AUTH_TIMEOUT_SEC)]
    auth_timeout: f64,
    multiplayer: Option<Gd<SceneMultiplayer>>,
    /// The server side: who is who.
    peers: PeerAuth,
    /// The client side: the handle of the ticket sent, cancelled on disconnect.
    sent_ticket: Option<i64>,
    /// Rejected peers to disconnect once their reason is out.
    to_disconnect: Vec<(i64, Instant)>,
    base: Base<RefCounted>,
}

#[godot_api]
impl SteamMultiplayerAuth {
    /// Server: Steam verified [param peer] as [param steam_id]; [param owner_id] owns the license.
    #[signal]
    fn peer_verified(peer: i64, steam_id: i64, owner_id: i64);

    /// Server: [param peer] was turned away ([param steam_id] 0 when its ticket gave none).
    #[signal]
    fn peer_rejected(peer: i64, steam_id: i64, reason: GString);

    /// Client: the server verified this player; [signal MultiplayerAPI.connected_to_server] follows.
    #[signal]
    fn authenticated();

    /// Client: the server turned this player away, saying [param reason].
    #[signal]
    fn rejected(reason: GString);

    /// Takes over authentication of [param multiplayer] (call after [code]create_server()[/code] or
    /// [code]create_client()[/code]; the role follows [method MultiplayerAPI.is_server]). Returns
    /// [code]false[/code] (with an error) when a server has nothing to validate with: initialise
    /// [SteamServer] or [Steam] first.
    #[func]
    fn attach(&mut self, mut multiplayer: Gd<SceneMultiplayer>) -> bool {
        let this = self.to_gd();
        if multiplayer.is_server() {
            let Some(mut validator) = validator() else {
                godot_error!("SteamMultiplayerAuth.attach: a server validates with SteamServer (SteamServer.serverInit()) or Steam (Steam.steamInit()); neither is initialised");
                return false;
            };
            let on_verdict =
                Callable::from_object_method(&this, "_on_validate_auth_ticket_response");
            validator.watch_verdicts(&on_verdict);
        } else {
            for signal in ["server_disconnected", "connection_failed"] {
                multiplayer.connect(
                    signal,
                    &Callable::from_object_method(&this, "_on_connection_closed"),
                );
            }
        }
        multiplayer.set_auth_callback(&Callable::from_object_method(&this, "_on_auth_message"));
        // SceneMultiplayer drops a late peer silently; ours tells it why first, so theirs comes later.
        let grace = REJECTION_GRACE.as_secs_f64() + 1.0;
        multiplayer.set_auth_timeout(self.auth_timeout + grace);
        multiplayer.connect(
            "peer_authenticating",
            &Callable::from_object_method(&this, "_on_peer_authenticating"),
        );
        for signal in ["peer_authentication_failed", "peer_disconnected"] {
            multiplayer.connect(
                signal,
                &Callable::from_object_method(&this, "_on_peer_left"),
            );
        }
        if let Some(mut tree) = crate::frame_pump::scene_tree() {
            let each_frame = Callable::from_object_method(&this, "_on_frame");
            if !tree.is_connected("process_frame", &each_frame) {
                tree.connect("process_frame", &each_frame);
            }
        }
        self.multiplayer = Some(multiplayer);
        true
    }

    /// Hands [param multiplayer]'s authentication back (its auth callback is cleared) and drops
    /// every connection [method attach] made. Harmless when not attached.
    #[func]
    fn detach(&mut self) {
        let this = self.to_gd();
        if let Some(mut multiplayer) = self.multiplayer.take() {
            multiplayer.set_auth_callback(&Callable::invalid());
            let methods = [
                ("peer_authenticating", "_on_peer_authenticating"),
                ("peer_authentication_failed", "_on_peer_left"),
                ("peer_disconnected", "_on_peer_left"),
                ("server_disconnected", "_on_connection_closed"),
                ("connection_failed", "_on_connection_closed"),
            ];
            for (signal, method) in methods {
                let callable = Callable::from_object_method(&this, method);
                if multiplayer.is_connected(signal, &callable) {
                    multiplayer.disconnect(signal, &callable);
                }
            }
        }
        if let Some(mut validator) = validator() {
            let on_verdict =
                Callable::from_object_method(&this, "_on_validate_auth_ticket_response");
            validator.unwatch_verdicts(&on_verdict);
        }
        if let Some(mut tree) = crate::frame_pump::scene_tree() {
            let each_frame = Callable::from_object_method(&this, "_on_frame");
            if tree.is_connected("process_frame", &each_frame) {
                tree.disconnect("process_frame", &each_frame);
            }
        }
        self.to_disconnect.clear();
    }

    /// Internal: every frame, turns away peers not verified within [member auth_timeout] and
    /// disconnects rejected peers whose reason has had time to go out.
    #[func]
    fn _on_frame(&mut self) {
        let now = Instant::now();
        let limit = Duration::from_secs_f64(self.auth_timeout.max(0.0));
        for (peer, steam_id, why, began) in self.peers.timed_out(now, limit) {
            if began {
                if let Some(mut validator) = validator() {
                    validator.end_auth_session(steam_id);
                }
            }
            self.reject(peer, steam_id, why);
        }
        if self.to_disconnect.is_empty() {
            return;
        }
        let due: Vec<i64> = self
            .to_disconnect
            .iter()
            .filter(|(_, at)| *at <= now)
            .map(|(peer, _)| *peer)
            .collect();
        self.to_disconnect.retain(|(_, at)| *at > now);
        if let Some(multiplayer) = self.multiplayer.as_mut() {
            for peer in due {
                let still_there = multiplayer.get_peers().as_slice().contains(&(peer as i32))
                    || multiplayer
                        .get_authenticating_peers()
                        .as_slice()
                        .contains(&(peer as i32));
                if still_there {
                    multiplayer.disconnect_peer(peer as i32);
                }
            }
        }
    }

    /// Server: the SteamID [param peer] authenticated as, 0 if none.
    #[func]
    fn get_peer_steam_id(&self, peer: i64) -> i64 {
        self.peers.steam_id_of(peer).unwrap_or(0) as i64
    }

    /// Server: who owns the license verified [param peer] plays on (another SteamID under Family
    /// Sharing), 0 if not verified.
    #[func]
    fn get_peer_owner_id(&self, peer: i64) -> i64 {
        self.peers.owner_of(peer).unwrap_or(0) as i64
    }

    /// Internal: SceneMultiplayer's [code]peer_authenticating[/code]; the client sends its ticket.
    #[func]
    fn _on_peer_authenticating(&mut self, peer: i64) {
        let Some(multiplayer) = self.multiplayer.as_mut() else {
            return;
        };
        if multiplayer.is_server() {
            self.peers.connecting(peer, Instant::now());
            return;
        }
        if peer != 1 {
            return;
        }
        let Some(mut steam) = SteamByName::registered() else {
            godot_error!("SteamMultiplayerAuth: no Steam singleton to get a session ticket from");
            return;
        };
        let Some(ticket) = steam.session_ticket() else {
            godot_error!(
                "SteamMultiplayerAuth: Steam gave no session ticket (is Steam initialised?)"
            );
            return;
        };
        self.sent_ticket = ticket.handle;
        multiplayer.send_auth(1, &PackedByteArray::from(ticket.bytes));
    }

    /// Internal: SceneMultiplayer's auth callback: a ticket (server) or the server's answer (client).
    #[func]
    fn _on_auth_message(&mut self, peer: i64, data: PackedByteArray) {
        let Some(is_server) = self.multiplayer.as_ref().map(|m| m.is_server()) else {
            return;
        };
        if is_server {
            self.ticket_from(peer, &data);
        } else {
            self.answer_from_server(&data);
        }
    }

    /// Internal: Steam's verdict on a SteamID.
    #[func]
    fn _on_validate_auth_ticket_response(&mut self, steam_id: i64, response: i64, owner_id: i64) {
        match self
            .peers
            .verdict(steam_id as u64, response, owner_id as u64)
        {
            Some(Outcome::Verified {
                peer,
                owner_steam_id,
            }) => {
                if let Some(multiplayer) = self.multiplayer.as_mut() {
                    multiplayer.send_auth(peer as i32, &PackedByteArray::from(VERIFIED));
                    multiplayer.complete_auth(peer as i32);
                }
                self.signals()
                    .peer_verified()
                    .emit(peer, steam_id, owner_steam_id as i64);
            }
            Some(Outcome::Rejected {
                peer,
                steam_id,
                why,
            }) => self.reject(peer, steam_id, why),
            None => {}
        }
    }

    /// Internal: a peer left or failed to authenticate; ends its session (server) or cancels the
    /// ticket (client).
    #[func]
    fn _on_peer_left(&mut self, peer: i64) {
        let is_server = self.multiplayer.as_ref().is_some_and(|m| m.is_server());
        if !is_server {
            if peer == 1 {
                self.cancel_ticket();
            }
            return;
        }
        if let (Some(steam_id), Some(mut validator)) = (self.peers.peer_left(peer), validator()) {
            validator.end_auth_session(steam_id);
        }
    }

    /// Internal: the client's connection closed or failed.
    #[func]
    fn _on_connection_closed(&mut self) {
        self.cancel_ticket();
    }
}

impl SteamMultiplayerAuth {
    fn ticket_from(&mut self, peer: i64, ticket: &PackedByteArray) {
        let steam_id = match self.peers.ticket_received(peer, ticket.as_slice()) {
            Ok(steam_id) => steam_id,
            Err((why, steam_id)) => return self.reject(peer, steam_id, why),
        };
        let Some(mut validator) = validator() else {
            return self.reject(
                peer,
                steam_id,
                Rejection::Refused(BeginAuthResult::InvalidTicket),
            );
        };
        let result = validator
            .begin_auth_session(ticket, steam_id)
            .and_then(BeginAuthResult::from_code)
            .unwrap_or(BeginAuthResult::InvalidTicket);
        if let Err(why) = self.peers.begin_result(peer, result) {
            self.reject(peer, steam_id, why);
        }
    }

    fn answer_from_server(&mut self, data: &PackedByteArray) {
        let bytes = data.as_slice();
        if bytes == VERIFIED {
            if let Some(multiplayer) = self.multiplayer.as_mut() {
                multiplayer.complete_auth(1);
            }
            self.signals().authenticated().emit();
        } else if let Some(reason) = std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| text.strip_prefix(REJECTED))
        {
            let reason = GString::from(reason);
            self.signals().rejected().emit(&reason);
        }
    }

    /// Tells the peer why, then disconnects it once the message is out.
    fn reject(&mut self, peer: i64, steam_id: u64, why: Rejection) {
        let reason = why.reason();
        if let Some(multiplayer) = self.multiplayer.as_mut() {
            let message = format!("{REJECTED}{reason}");
            multiplayer.send_auth(peer as i32, &PackedByteArray::from(message.as_bytes()));
            self.to_disconnect
                .push((peer, Instant::now() + REJECTION_GRACE));
        }
        self.signals()
            .peer_rejected()
            .emit(peer, steam_id as i64, &GString::from(reason));
    }

    /// Cancels the ticket sent, unless the game already shut Steam down (which forgets tickets).
    fn cancel_ticket(&mut self) {
        if let (Some(handle), Some(mut steam)) =
            (self.sent_ticket.take(), SteamByName::registered())
        {
            steam.cancel_auth_ticket(handle);
        }
    }
}

/// Who validates tickets: an initialised `SteamServer` (dedicated server), else `Steam`.
fn validator() -> Option<ValidatorByName> {
    ValidatorByName::find()
}
