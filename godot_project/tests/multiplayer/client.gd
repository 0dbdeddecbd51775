## A player: `good-stay`, `good-leave` and `duplicate` use SteamMultiplayerAuth as a game would;
## `forged` sends a tampered ticket by hand; `silent` never sends one; `other-app` is initialised for
## another game. Prints one line per event.
extends SceneTree

var auth := SteamMultiplayerAuth.new()
var mp := SceneMultiplayer.new()
var mode := ""
var started := 0
var finished := false
var seconds_left := 30.0


func _initialize() -> void:
	mode = OS.get_cmdline_user_args()[0]
	var port := int(OS.get_environment("STEAM_AUTH_MP_PORT"))
	var lobby: Node = preload("res://tests/multiplayer/lobby.gd").new()
	lobby.name = "Lobby"
	root.add_child(lobby)
	var status: Dictionary = Steam.steamInitEx(480 if mode == "other-app" else 555440)
	print("CLIENT_INIT ", status.status, " ", Steam.getSteamID())
	var enet := ENetMultiplayerPeer.new()
	enet.create_client("127.0.0.1", port)
	mp.multiplayer_peer = enet
	set_multiplayer(mp)
	started = Time.get_ticks_usec()
	if mode == "forged" or mode == "silent":
		mp.auth_callback = func(_peer: int, data: PackedByteArray): _server_said(data)
		mp.auth_timeout = 20.0 # wait for the server's verdict, as attach() would set it
		if mode == "forged":
			mp.peer_authenticating.connect(_send_forged_ticket)
	else:
		auth.authenticated.connect(func(): print("AUTHENTICATED_US ", Time.get_ticks_usec() - started))
		auth.rejected.connect(func(reason: String): print("REJECTED_BY_SERVER ", reason))
		auth.attach(mp)
	mp.connected_to_server.connect(func(): lobby.hello.rpc_id(1, str(Steam.getSteamID())))
	lobby.welcomed.connect(_on_welcomed)
	mp.server_disconnected.connect(_finish.bind("DISCONNECTED"))
	mp.connection_failed.connect(_finish.bind("DISCONNECTED"))
	mp.peer_authentication_failed.connect(func(_peer: int): _finish("DISCONNECTED"))


func _process(delta: float) -> bool:
	seconds_left -= delta
	if seconds_left <= 0.0:
		_finish("TIMEOUT")
	return false


func _finalize() -> void:
	auth.detach()
	mp.multiplayer_peer = null


func _send_forged_ticket(_peer: int) -> void:
	var ticket: Dictionary = Steam.getAuthSessionTicket()
	var bytes: PackedByteArray = ticket.buffer.slice(0, ticket.size)
	bytes[bytes.size() - 1] = bytes[bytes.size() - 1] ^ 0x01
	mp.send_auth(1, bytes)


func _server_said(data: PackedByteArray) -> void:
	var text := data.get_string_from_utf8()
	if text.begins_with("steam-auth:rejected:"):
		print("REJECTED_BY_SERVER ", text.trim_prefix("steam-auth:rejected:"))


func _on_welcomed(text: String) -> void:
	print("WELCOMED ", text)
	if mode == "good-leave":
		_finish("LEFT")


func _finish(how: String) -> void:
	if finished:
		return
	finished = true
	print(how)
	if mp.multiplayer_peer:
		mp.multiplayer_peer.close()
	Steam.steamShutdown()
	quit(0 if how != "TIMEOUT" else 1)
