## beginAuthSession's result codes, validate callbacks, cancel/end, licenses, misuse, callback modes.
extends "res://tests/test_case.gd"


func test_begin_rejects_invalid_tickets_with_1() -> void:
	init_simulated()
	var t: Dictionary = Steam.getAuthSessionTicket()
	assert_eq(Steam.beginAuthSession(PackedByteArray([1, 2, 3, 4]), 4, ME), 1, "garbage")
	assert_eq(Steam.beginAuthSession(tampered(t, t.size - 1), t.size, ME), 1, "forged signature")
	assert_eq(Steam.beginAuthSession(tampered(t, 70), t.size, ME), 1, "tampered ownership ticket")
	assert_eq(Steam.beginAuthSession(t.buffer, t.size, PEER), 1, "someone else's ticket")


func test_begin_reports_duplicate_request_2() -> void:
	init_simulated()
	var first: Dictionary = Steam.mintSimulatedTicket(PEER)
	var second: Dictionary = Steam.mintSimulatedTicket(PEER)
	assert_eq(Steam.beginAuthSession(first.buffer, first.size, PEER), 0)
	assert_eq(Steam.beginAuthSession(second.buffer, second.size, PEER), Steam.BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST)


func test_begin_reports_invalid_version_3() -> void:
	init_simulated()
	var old: Dictionary = Steam.mintSimulatedTicket(PEER, {"version": 3})
	assert_eq(Steam.beginAuthSession(old.buffer, old.size, PEER), Steam.BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION)


func test_begin_reports_game_mismatch_4() -> void:
	init_simulated()
	var other: Dictionary = Steam.mintSimulatedTicket(PEER, {"app_id": 480})
	assert_eq(Steam.beginAuthSession(other.buffer, other.size, PEER), Steam.BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH)
	# A real Valve ticket for another game is checked the same way.
	var path := ProjectSettings.globalize_path("res://").path_join("../rust/steam-ticket/tests/vectors/v2.json")
	var real: PackedByteArray = JSON.parse_string(FileAccess.get_file_as_string(path)).hex.hex_decode()
	assert_eq(Steam.beginAuthSession(real, real.size(), 76561197969363848), 4)


func test_begin_reports_expired_5() -> void:
	init_simulated()
	var expired: Dictionary = Steam.mintSimulatedTicket(PEER, {"expires_in": -60})
	assert_eq(Steam.beginAuthSession(expired.buffer, expired.size, PEER), Steam.BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET)
	assert_true(Steam.decodeAuthTicket(expired).expired)


func test_family_sharing_reports_the_owner() -> void:
	init_simulated()
	var events := SteamEvents.new()
	var lender := 76561198000000099
	var t: Dictionary = Steam.mintSimulatedTicket(PEER, {"owner_steam_id": lender})
	assert_eq(Steam.beginAuthSession(t.buffer, t.size, PEER), 0)
	var e := await events.wait_for("validate_auth_ticket_response")
	assert_eq(e.get("args"), [PEER, 0, lender])


func test_user_has_license_for_app_follows_the_session() -> void:
	init_simulated()
	assert_eq(Steam.userHasLicenseForApp(PEER, APP), Steam.USER_HAS_LICENSE_RESULT_NO_AUTH)
	var t: Dictionary = Steam.mintSimulatedTicket(PEER)
	Steam.beginAuthSession(t.buffer, t.size, PEER)
	assert_eq(Steam.userHasLicenseForApp(PEER, APP), Steam.USER_HAS_LICENSE_RESULT_HAS_LICENSE)
	assert_eq(Steam.userHasLicenseForApp(PEER, 480), Steam.USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE)
	Steam.endAuthSession(PEER)
	assert_eq(Steam.userHasLicenseForApp(PEER, APP), Steam.USER_HAS_LICENSE_RESULT_NO_AUTH)


func test_steam_side_session_events_reach_the_game() -> void:
	init_simulated()
	var events := SteamEvents.new()
	assert_false(Steam.simulateAuthSessionResponse(PEER, 1), "no session yet")
	var t: Dictionary = Steam.mintSimulatedTicket(PEER)
	Steam.beginAuthSession(t.buffer, t.size, PEER)
	for response in [1, 2, 3, 4, 5, 8, 9, 10]:
		assert_true(Steam.simulateAuthSessionResponse(PEER, response))
	await frames(3)
	var responses := events.of("validate_auth_ticket_response").map(func(e): return e.args[1])
	assert_eq(responses, [0, 1, 2, 3, 4, 5, 8, 9, 10])
	expect_error("is not an AUTH_SESSION_RESPONSE_* value")
	assert_false(Steam.simulateAuthSessionResponse(PEER, 11))


func test_mint_options_are_validated() -> void:
	init_simulated()
	expect_error("Steam.mintSimulatedTicket: option app_id must be an int")
	assert_eq(Steam.mintSimulatedTicket(PEER, {"app_id": "x"}), {})
	expect_error("options must be a Dictionary")
	assert_eq(Steam.mintSimulatedTicket(PEER, 5), {})
	expect_error("Steam.mintSimulatedTicket: 0 is not a SteamID64")
	assert_eq(Steam.mintSimulatedTicket(0), {})
	var t: Dictionary = Steam.mintSimulatedTicket(PEER, {"licenses": PackedInt64Array([7, 8]), "ticket_type": 5})
	var d: Dictionary = Steam.decodeAuthTicket(t)
	assert_eq(Array(d.licenses), [7, 8])
	assert_eq(d.ticket_type, 5)
	assert_eq(t.id, 0)
