## Host / join demo: a dedicated server validating players with SteamServer + SteamMultiplayerAuth,
## and players joining it, printing what the Steam auth tutorial prints at each step.
## godot --headless --path godot_project -s res://demo/host_join.gd -- --server [port]
## godot --headless --path godot_project -s res://demo/host_join.gd -- --client [port]
## (scripts/demo-multiplayer.sh starts one host and two players; the host quits after greeting two.)
extends SceneTree

const BEGIN_TEXT := {
	0: "Ticket is valid for this game and this Steam ID.",
	1: "The ticket is invalid.",
	2: "A ticket has already been submitted for this Steam ID.",
	3: "Ticket is from an incompatible interface version.",
	4: "Ticket is not for this game.",
	5: "Ticket has expired.",
}
const RESPONSE_TEXT := {
	0: "Steam has verified the user is online, the ticket is valid and ticket has not been reused.",
	1: "The user in question is not connected to Steam.",
	2: "The user doesn't have a license for this App ID or the ticket has expired.",
	3: "The user is VAC banned for this game.",
	4: "The user account has logged in elsewhere and the session containing the game instance has been disconnected.",
	5: "VAC has been unable to perform anti-cheat checks on this user.",
	6: "The ticket has been canceled by the issuer.",
	7: "This ticket has already been used, it is not valid.",
	8: "This ticket is not from a user instance currently connected to steam.",
	9: "The user is banned for this game. The ban came via the web api and not VAC.",
}

var auth := SteamMultiplayerAuth.new()
var mp := SceneMultiplayer.new()
var lobby: Node
var greeted := 0
var seconds_left := 30.0


func _initialize() -> void:
	var args := OS.get_cmdline_user_args()
	var port := int(args[1]) if args.size() > 1 else 27015
	lobby = preload("res://demo/lobby.gd").new()
	lobby.name = "Lobby"
	root.add_child(lobby)
	if args.has("--server"):
		_host(port)
	else:
		_join(port)


func _host(port: int) -> void:
	var status: Dictionary = SteamServer.serverInitEx("127.0.0.1", port, port + 1, SteamServer.SERVER_MODE_AUTHENTICATION, "1.0.0.0")
	print("[host] %s" % status.verbal)
	SteamServer.server_connected.connect(func(): print("[host] logged on to Steam as game server %d" % SteamServer.getSteamID()))
	SteamServer.validate_auth_ticket_response.connect(func(steam_id: int, response: int, owner: int):
		print("[host] Ticket Owner: %d\n[host] Auth response: %s\n[host] Game owner ID: %d" % [steam_id, RESPONSE_TEXT.get(response, str(response)), owner]))
	SteamServer.logOnAnonymous()
	var enet := ENetMultiplayerPeer.new()
	enet.set_bind_ip("127.0.0.1")
	enet.create_server(port, 8)
	mp.multiplayer_peer = enet
	set_multiplayer(mp)
	auth.attach(mp)
	auth.peer_verified.connect(func(_peer: int, steam_id: int, _owner: int): print("[host] Auth verification response: %s\n[host] player %d verified; letting them in" % [BEGIN_TEXT[0], steam_id]))
	auth.peer_rejected.connect(func(_peer: int, steam_id: int, reason: String): print("[host] player %d turned away: %s" % [steam_id, reason]))
	lobby.said_hello.connect(func(_peer: int, player_name: String):
		greeted += 1
		print("[host] %s says hello (%d greeted)" % [player_name, greeted])
		if greeted == 2:
			print("[host] two players verified and greeted; shutting down")
			quit(0))
	print("[host] listening on 127.0.0.1:%d" % port)


func _join(port: int) -> void:
	var status: Dictionary = Steam.steamInitEx()
	print("[%s] %s" % [Steam.getPersonaName(), status.verbal])
	var enet := ENetMultiplayerPeer.new()
	enet.create_client("127.0.0.1", port)
	mp.multiplayer_peer = enet
	set_multiplayer(mp)
	auth.attach(mp)
	auth.authenticated.connect(func(): print("[%d] the host verified my Steam ticket" % Steam.getSteamID()))
	auth.rejected.connect(func(reason: String):
		print("[%d] the host turned me away: %s" % [Steam.getSteamID(), reason])
		quit(1))
	mp.connected_to_server.connect(func(): lobby.hello.rpc_id(1, "player %d" % Steam.getSteamID()))
	lobby.greeted.connect(func(text: String):
		print("[%d] %s" % [Steam.getSteamID(), text])
		quit(0))


func _process(delta: float) -> bool:
	seconds_left -= delta
	if seconds_left <= 0.0:
		print("timed out")
		quit(1)
	return false


func _finalize() -> void:
	auth.detach()
	if mp.multiplayer_peer:
		mp.multiplayer_peer.close()
	mp.multiplayer_peer = null
	Steam.steamShutdown()
	SteamServer.serverShutdown()
