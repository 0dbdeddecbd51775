## A dedicated server: SteamServer (simulated) + ENet + SteamMultiplayerAuth. Prints one line per
## event for scripts/test-multiplayer.sh, and quits once two players were verified and said hello,
## four were turned away and one left (or after 40 s). Players get 3 s to authenticate.
extends SceneTree

const APP := 555440

var auth := SteamMultiplayerAuth.new()
var mp := SceneMultiplayer.new()
var steam_of_peer := {}
var verified := 0
var rejected := 0
var left := 0
var seconds_left := 40.0


func _initialize() -> void:
	var port := int(OS.get_environment("STEAM_AUTH_MP_PORT"))
	var lobby: Node = preload("res://tests/multiplayer/lobby.gd").new()
	lobby.name = "Lobby"
	lobby.hello_received.connect(_maybe_done)
	root.add_child(lobby)
	var status: Dictionary = SteamServer.serverInitEx("127.0.0.1", port, port + 1, SteamServer.SERVER_MODE_AUTHENTICATION, "1.0.0.0")
	print("SERVER_INIT ", status.status, " ", status.verbal)
	SteamServer.logOnAnonymous()
	var enet := ENetMultiplayerPeer.new()
	enet.set_bind_ip("127.0.0.1")
	var err := enet.create_server(port, 8)
	mp.multiplayer_peer = enet
	set_multiplayer(mp)
	auth.auth_timeout = 3.0
	auth.peer_verified.connect(_on_verified)
	auth.peer_rejected.connect(_on_rejected)
	mp.peer_connected.connect(func(peer: int): print("CONNECTED ", auth.get_peer_steam_id(peer)))
	mp.peer_disconnected.connect(_on_left)
	if not auth.attach(mp) or err != OK:
		print("SERVER_FAILED ", err)
		quit(1)
		return
	print("LISTENING ", port)


func _process(delta: float) -> bool:
	seconds_left -= delta
	if seconds_left <= 0.0:
		print("TIMEOUT")
		quit(1)
	return false


func _finalize() -> void:
	auth.detach()
	mp.multiplayer_peer = null


func _on_verified(peer: int, steam_id: int, owner_id: int) -> void:
	verified += 1
	steam_of_peer[peer] = steam_id
	print("VERIFIED ", steam_id, " owner ", owner_id)


func _on_rejected(_peer: int, steam_id: int, reason: String) -> void:
	rejected += 1
	print("REJECTED ", steam_id, " ", reason)
	_maybe_done()


func _on_left(peer: int) -> void:
	var steam_id: int = steam_of_peer.get(peer, 0)
	left += 1
	await process_frame # SteamMultiplayerAuth handles the same signal; then no session is left
	print("LEFT ", steam_id, " session ", "ended" if SteamServer.userHasLicenseForApp(steam_id, APP) == SteamServer.USER_HAS_LICENSE_RESULT_NO_AUTH else "still open")
	_maybe_done()


func _maybe_done() -> void:
	var lobby: Node = root.get_node("Lobby")
	if verified >= 2 and rejected >= 4 and left >= 1 and lobby.hellos.size() >= 2:
		print("HELLOS ", lobby.hellos.size())
		print("DONE")
		quit(0)
