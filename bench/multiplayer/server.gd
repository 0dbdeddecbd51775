## Benchmark server: SteamServer (simulated) + ENet + SteamMultiplayerAuth. Once PEERS players are
## verified it measures, over FRAMES frames, the addon's per-frame work (SteamServer.run_callbacks and
## SteamMultiplayerAuth's frame hook, timed around direct calls) and the process's frame time.
extends SceneTree

var auth := SteamMultiplayerAuth.new()
var mp := SceneMultiplayer.new()
var peers := int(OS.get_environment("BENCH_PEERS"))
var frames := int(OS.get_environment("BENCH_FRAMES"))
var verified := 0
var first_connect_us := 0
var seconds_left := 120.0
var measuring := false


func _initialize() -> void:
	var port := int(OS.get_environment("STEAM_AUTH_MP_PORT"))
	SteamServer.serverInit("127.0.0.1", port, port + 1, SteamServer.SERVER_MODE_AUTHENTICATION, "1.0.0.0")
	SteamServer.logOnAnonymous()
	var enet := ENetMultiplayerPeer.new()
	enet.set_bind_ip("127.0.0.1")
	enet.create_server(port, peers + 8)
	mp.multiplayer_peer = enet
	set_multiplayer(mp)
	auth.attach(mp)
	auth.peer_verified.connect(_on_verified)
	mp.peer_authenticating.connect(func(_p: int): if first_connect_us == 0: first_connect_us = Time.get_ticks_usec())
	print("LISTENING")
	if peers == 0:
		_measure.call_deferred()


func _on_verified(_peer: int, _steam_id: int, _owner: int) -> void:
	verified += 1
	if verified == peers:
		print("VERIFIED %d peers in %.1f ms from the first connection" % [peers, (Time.get_ticks_usec() - first_connect_us) / 1000.0])
		_measure.call_deferred()


func _measure() -> void:
	measuring = true
	var addon_us := 0
	var frame_us := 0
	var last := Time.get_ticks_usec()
	for i in frames:
		await process_frame
		var now := Time.get_ticks_usec()
		frame_us += now - last
		var t0 := Time.get_ticks_usec()
		SteamServer.run_callbacks()
		auth._on_frame()
		addon_us += Time.get_ticks_usec() - t0
		last = Time.get_ticks_usec()
	print("PEERS %d connected %d" % [peers, mp.get_peers().size()])
	print("ADDON_PER_FRAME_US %.2f" % (float(addon_us) / frames))
	print("FRAME_US %.1f" % (float(frame_us) / frames))
	quit(0)


func _process(delta: float) -> bool:
	seconds_left -= delta
	if seconds_left <= 0.0:
		print("TIMEOUT with %d verified" % verified)
		quit(1)
	return false


func _finalize() -> void:
	auth.detach()
	mp.multiplayer_peer = null
