## SteamServer (GodotSteam Server's names) on the backend under test (simulated, or steamworks'
## game server over the flat-API double): init, log-on, and validating players' tickets as a
## dedicated server with no Steam client does. Players' tickets come from a simulated client.
extends "res://tests/test_case.gd"

var events: Array = []


func _init_server() -> Dictionary:
	OS.set_environment("STEAM_AUTH_BACKEND", backend_under_test())
	var status: Dictionary = SteamServer.serverInitEx("0.0.0.0", 27015, 27016, SteamServer.SERVER_MODE_AUTHENTICATION, "1.0.0.0")
	SteamServer.server_connected.connect(func(): events.append(["connected"]))
	SteamServer.server_connect_failure.connect(func(result: int, retrying: bool): events.append(["failure", result, retrying]))
	SteamServer.server_disconnected.connect(func(result: int): events.append(["disconnected", result]))
	SteamServer.validate_auth_ticket_response.connect(func(id: int, response: int, owner: int): events.append(["validate", id, response, owner]))
	return status


## A player's ticket, made as the player's game would (the simulated client of this process).
func _players_ticket(options := {}) -> Dictionary:
	if not Steam.isSteamInitialized():
		init_simulated()
	return Steam.mintSimulatedTicket(PEER, options)


func test_init_and_anonymous_log_on() -> void:
	var status := _init_server()
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_OK, str(status.verbal))
	assert_has(status.verbal, "%s backend, app 555440, ports 27015/27016" % backend_under_test())
	assert_true(SteamServer.isServerInitialized())
	assert_false(SteamServer.loggedOn())
	assert_eq(SteamServer.getSteamID(), 0, "no SteamID before log-on")
	SteamServer.logOnAnonymous()
	assert_false(SteamServer.loggedOn(), "not inside the call")
	await frames(3)
	assert_eq(events, [["connected"]])
	assert_true(SteamServer.loggedOn())
	assert_true(SteamServer.getSteamID() > 0)
	SteamServer.logOff()
	await frames(3)
	assert_eq(events.back(), ["disconnected", Steam.RESULT_NO_CONNECTION])
	assert_false(SteamServer.loggedOn())


func test_a_refused_token_fails_log_on() -> void:
	_init_server()
	SteamServer.logOn("")
	await frames(3)
	assert_eq(events, [["failure", SteamServer.RESULT_GSLT_DENIED, false]])
	assert_false(SteamServer.loggedOn())


func test_players_tickets_are_validated_like_steam() -> void:
	_init_server()
	SteamServer.logOnAnonymous()
	await frames(3)
	var ticket := _players_ticket()
	var forged: PackedByteArray = tampered(ticket, ticket.size - 1)
	assert_eq(SteamServer.beginAuthSession(forged, ticket.size, PEER), SteamServer.BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET)
	var other_app := _players_ticket({"app_id": 480})
	assert_eq(SteamServer.beginAuthSession(other_app.buffer, other_app.size, PEER), SteamServer.BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH)
	var expired := _players_ticket({"expires_in": -1})
	assert_eq(SteamServer.beginAuthSession(expired.buffer, expired.size, PEER), SteamServer.BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET)
	var result: SteamServer.BeginAuthSessionResult = SteamServer.beginAuthSession(ticket.buffer, ticket.size, PEER)
	assert_eq(result, SteamServer.BEGIN_AUTH_SESSION_RESULT_OK)
	var second := _players_ticket()
	assert_eq(SteamServer.beginAuthSession(second.buffer, second.size, PEER), SteamServer.BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST, "a second instance of one SteamID")
	await frames(3)
	assert_eq(events.back(), ["validate", PEER, SteamServer.AUTH_SESSION_RESPONSE_OK, PEER])
	assert_eq(SteamServer.userHasLicenseForApp(PEER, APP), SteamServer.USER_HAS_LICENSE_RESULT_HAS_LICENSE)
	SteamServer.endAuthSession(PEER)
	assert_eq(SteamServer.userHasLicenseForApp(PEER, APP), SteamServer.USER_HAS_LICENSE_RESULT_NO_AUTH)


func test_verdicts_wait_for_the_log_on() -> void:
	_init_server()
	var ticket := _players_ticket({"owner_steam_id": ME})
	assert_eq(SteamServer.beginAuthSession(ticket.buffer, ticket.size, PEER), 0)
	await frames(3)
	assert_eq(events, [], "held until the server is logged on")
	SteamServer.logOnAnonymous()
	await frames(3)
	assert_eq(events, [["connected"], ["validate", PEER, 0, ME]], "Family Sharing owner reported")


func test_bad_arguments_fail_init_and_say_why() -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", backend_under_test())
	var status: Dictionary = SteamServer.serverInitEx("not-an-ip", 27015, 27016, 2, "1.0")
	assert_has(status.verbal, "ip \"not-an-ip\" is not an IPv4 address")
	status = SteamServer.serverInitEx("0.0.0.0", 70000, 27016, 2, "1.0")
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_FAILED_GENERIC)
	assert_has(status.verbal, "game_port 70000 is not a port")
	assert_false(SteamServer.serverInit("0.0.0.0", 27015, 27016, 0, "1.0"))
	assert_false(SteamServer.isServerInitialized())
	assert_warned("SteamServer.serverInit:")


func test_calls_before_init_fail_softly_with_errors() -> void:
	expect_error("SteamServer.loggedOn: the server is not initialised")
	assert_false(SteamServer.loggedOn())
	expect_error("SteamServer.getSteamID: the server is not initialised")
	assert_eq(SteamServer.getSteamID(), 0)
	expect_error("SteamServer.beginAuthSession: the server is not initialised")
	assert_eq(SteamServer.beginAuthSession(PackedByteArray([1]), 1, PEER), 1)
	expect_error("SteamServer.logOnAnonymous: the server is not initialised")
	SteamServer.logOnAnonymous()
	expect_error("SteamServer.beginAuthSession: ticket_size 5 must be between 1 and the buffer's 1 bytes")
	SteamServer.beginAuthSession(PackedByteArray([1]), 5, PEER)
	SteamServer.serverShutdown() # harmless
	var mode: SteamServer.ServerMode = SteamServer.SERVER_MODE_AUTHENTICATION_AND_SECURE
	assert_eq(mode, 3)
