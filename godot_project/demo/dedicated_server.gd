## A dedicated server written the way GodotSteam Server users write theirs: init, the server-browser
## fields, a log-on with a game server login token (GSLT) or anonymously, then each player's ticket
## checked through SteamMultiplayerAuth (which calls SteamServer.beginAuthSession for every peer).
##
## godot --headless --path godot_project res://demo/dedicated_server.tscn -- [--port 27015] [--quit-after N]
## The token comes from the environment variable STEAM_GSLT (anonymous log-on without it); the
## backend from steam/auth/backend (the demo project: simulated) or STEAM_AUTH_BACKEND=steam.
## scripts/demo-multiplayer.sh runs it with two players (res://demo/host_join.gd --client).
extends Node

const SERVER_VERSION := "1.0.0.0"
const MAX_PLAYERS := 8

var game_port := 27015
var quit_after := 0
var greeted := 0
var auth := SteamMultiplayerAuth.new()
## The game's node; players' RPCs reach it at /root/Lobby, as on their side.
var lobby: Node = preload("res://demo/lobby.gd").new()


func _ready() -> void:
	_read_arguments()
	lobby.name = "Lobby"
	get_tree().root.add_child.call_deferred(lobby)
	var init: Dictionary = SteamServer.serverInitEx("127.0.0.1", game_port, game_port + 1, SteamServer.SERVER_MODE_AUTHENTICATION_AND_SECURE, SERVER_VERSION)
	print("[server] %s" % init.verbal)
	if init.status != SteamServer.STEAM_API_INIT_RESULT_OK:
		get_tree().quit(1)
		return
	SteamServer.server_connected.connect(_on_server_connected)
	SteamServer.server_connect_failure.connect(_on_server_connect_failure)
	SteamServer.server_disconnected.connect(_on_server_disconnected)
	SteamServer.policy_response.connect(_on_policy_response)
	SteamServer.validate_auth_ticket_response.connect(_on_validate_auth_ticket_response)

	# What the server browser shows; set before logging on.
	SteamServer.setModDir("steam_auth_demo")
	SteamServer.setProduct("steam_auth_demo")
	SteamServer.setGameDescription("steam-auth demo")
	SteamServer.setDedicatedServer(true)
	SteamServer.setMaxPlayerCount(MAX_PLAYERS)
	SteamServer.setBotPlayerCount(0)
	SteamServer.setPasswordProtected(false)
	SteamServer.setServerName("steam-auth demo server")
	SteamServer.setMapName("lobby")
	SteamServer.setRegion("255")
	SteamServer.setGameTags("demo,coop")
	SteamServer.setKeyValue("mode", "coop")
	SteamServer.setKeyValue("difficulty", "normal")
	SteamServer.setAdvertiseServerActive(true)

	var token := OS.get_environment("STEAM_GSLT")
	if token.is_empty():
		print("[server] logging on anonymously (set STEAM_GSLT to log on with a game server login token)")
		SteamServer.logOnAnonymous()
	else:
		print("[server] logging on with the game server login token from STEAM_GSLT")
		SteamServer.logOn(token)

	var enet := ENetMultiplayerPeer.new()
	enet.set_bind_ip("127.0.0.1")
	var err := enet.create_server(game_port, MAX_PLAYERS)
	if err != OK:
		print("[server] cannot listen on port %d: %s" % [game_port, error_string(err)])
		get_tree().quit(1)
		return
	multiplayer.multiplayer_peer = enet
	auth.attach(multiplayer)
	auth.peer_verified.connect(func(_peer: int, steam_id: int, _owner: int): print("[server] player %d verified; letting them in" % steam_id))
	auth.peer_rejected.connect(func(_peer: int, steam_id: int, reason: String): print("[server] player %d turned away: %s" % [steam_id, reason]))
	lobby.said_hello.connect(_on_said_hello)
	print("[server] listening on 127.0.0.1:%d" % game_port)


func _read_arguments() -> void:
	var args := OS.get_cmdline_user_args()
	var at := args.find("--port")
	if at >= 0 and at + 1 < args.size():
		game_port = int(args[at + 1])
	at = args.find("--quit-after")
	if at >= 0 and at + 1 < args.size():
		quit_after = int(args[at + 1])


func _on_server_connected() -> void:
	var ip: Dictionary = SteamServer.getPublicIP()
	print("[server] logged on to Steam as game server %d (public IP %s, secure: %s)" % [SteamServer.getSteamID(), _ipv4_text(ip.ipv4), SteamServer.secure()])
	var info: Dictionary = SteamServer.getServerInfo()
	print("[server] the server browser shows: %s" % info.summary)


func _on_server_connect_failure(result: int, retrying: bool) -> void:
	print("[server] could not log on to Steam: result %d%s" % [result, " (retrying)" if retrying else ""])
	if result == SteamServer.RESULT_GSLT_DENIED or result == SteamServer.RESULT_GSLT_EXPIRED:
		print("[server] the game server login token was refused: check STEAM_GSLT")


func _on_server_disconnected(result: int) -> void:
	print("[server] disconnected from Steam: result %d" % result)


func _on_policy_response(secure: int) -> void:
	print("[server] Steam's policy: %s" % ("VAC secure" if secure else "not secure"))


func _on_validate_auth_ticket_response(steam_id: int, response: SteamServer.AuthSessionResponse, owner_id: int) -> void:
	if response == SteamServer.AUTH_SESSION_RESPONSE_OK:
		print("[server] Steam says player %d is who they claim (game owned by %d)" % [steam_id, owner_id])
	else:
		print("[server] Steam refused player %d: response %d" % [steam_id, response])


func _on_said_hello(_peer: int, player_name: String) -> void:
	greeted += 1
	print("[server] %s says hello (%d greeted)" % [player_name, greeted])
	if quit_after > 0 and greeted >= quit_after:
		print("[server] %d players verified and greeted; shutting down" % greeted)
		get_tree().quit(0)


func _exit_tree() -> void:
	auth.detach()
	if multiplayer.multiplayer_peer:
		multiplayer.multiplayer_peer.close()
	SteamServer.setAdvertiseServerActive(false)
	SteamServer.logOff()
	SteamServer.serverShutdown()


static func _ipv4_text(ipv4: int) -> String:
	return "%d.%d.%d.%d" % [(ipv4 >> 24) & 0xFF, (ipv4 >> 16) & 0xFF, (ipv4 >> 8) & 0xFF, ipv4 & 0xFF]
