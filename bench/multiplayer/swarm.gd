## Benchmark players: BENCH_PEERS ENet clients in one process, each with its own SceneMultiplayer and
## a simulation-signed ticket for its own SteamID, sent as SteamMultiplayerAuth's client would.
extends SceneTree

var clients: Array[SceneMultiplayer] = []
var seconds_left := 120.0


func _initialize() -> void:
	var port := int(OS.get_environment("STEAM_AUTH_MP_PORT"))
	Steam.steamInitEx(555440, false)
	for i in int(OS.get_environment("BENCH_PEERS")):
		var holder := Node.new()
		holder.name = "Client%d" % i
		root.add_child(holder)
		var mp := SceneMultiplayer.new()
		var enet := ENetMultiplayerPeer.new()
		enet.create_client("127.0.0.1", port)
		mp.multiplayer_peer = enet
		var ticket: Dictionary = Steam.mintSimulatedTicket(76561198000100000 + i)
		mp.auth_callback = func(_peer: int, data: PackedByteArray):
			if data.get_string_from_utf8() == "steam-auth:verified":
				mp.complete_auth(1)
		mp.peer_authenticating.connect(func(_peer: int): mp.send_auth(1, ticket.buffer))
		mp.server_disconnected.connect(quit)
		set_multiplayer(mp, NodePath("/root/" + holder.name))
		clients.append(mp)


func _process(delta: float) -> bool:
	seconds_left -= delta
	if seconds_left <= 0.0:
		quit(1)
	return false


func _finalize() -> void:
	for mp in clients:
		mp.multiplayer_peer = null
	Steam.steamShutdown()
