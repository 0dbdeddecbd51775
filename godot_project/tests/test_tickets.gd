## getAuthSessionTicket, getAuthTicketForWebApi, callbacks timing, identities, decodeAuthTicket.
extends "res://tests/test_case.gd"



func vector(name: String) -> Dictionary:
	var path := ProjectSettings.globalize_path("res://").path_join("../rust/steam-ticket/tests/vectors/%s.json" % name)
	return JSON.parse_string(FileAccess.get_file_as_string(path))


func test_session_ticket_has_godotsteams_shape_and_steams_layout() -> void:
	init_simulated()
	var t: Dictionary = Steam.getAuthSessionTicket()
	assert_eq(t.keys(), ["id", "buffer", "size"])
	assert_true(t.id > 0, "handle is positive")
	assert_eq(t.buffer.size(), t.size, "buffer holds exactly size bytes")
	assert_eq(t.buffer.slice(0, 4), PackedByteArray([0x14, 0, 0, 0]))
	var second: Dictionary = Steam.getAuthSessionTicket()
	assert_true(second.id != t.id, "each ticket has its own handle")
	assert_true(second.buffer != t.buffer, "each ticket has its own GC token")


func test_ticket_callback_arrives_on_a_later_frame_not_inside_the_call() -> void:
	init_simulated()
	var events := SteamEvents.new()
	var frame := Engine.get_process_frames()
	var t: Dictionary = Steam.getAuthSessionTicket()
	assert_eq(events.events.size(), 0, "no callback inside the call")
	var e := await events.wait_for("get_auth_session_ticket_response")
	assert_eq(e.get("args"), [t.id, Steam.RESULT_OK])
	assert_true(e.get("frame", 0) > frame, "callback on a later frame")
	await frames(3)
	assert_eq(events.of("get_auth_session_ticket_response").size(), 1, "delivered once")


func test_every_identity_form_is_accepted() -> void:
	init_simulated()
	for identity in [null, 0, PEER, "steamid:%d" % PEER, "str:my-server", "ip:10.0.0.1:27015", "ip:::1", "localhost", ""]:
		var t: Dictionary = Steam.getAuthSessionTicket(identity)
		assert_eq(t.get("size", 0), t.get("buffer", PackedByteArray()).size(), "identity %s" % var_to_str(identity))
		assert_true(t.get("size", 0) > 0, "identity %s gives a ticket" % var_to_str(identity))


func test_malformed_identities_give_an_error_and_an_empty_dictionary() -> void:
	init_simulated()
	expect_error("Steam.getAuthSessionTicket: identity \"bogus\" has no known prefix")
	assert_eq(Steam.getAuthSessionTicket("bogus"), {})
	expect_error("does not hold a valid SteamID64")
	assert_eq(Steam.getAuthSessionTicket("steamid:abc"), {})
	expect_error("does not hold a valid IP address")
	assert_eq(Steam.getAuthSessionTicket("ip:999.0.0.1"), {})
	expect_error("must not be negative")
	assert_eq(Steam.getAuthSessionTicket(-5), {})
	expect_error("identity must be null, an int SteamID64 or an identity string")
	assert_eq(Steam.getAuthSessionTicket([1, 2]), {})


func test_web_api_ticket_arrives_in_its_signal_with_exact_size() -> void:
	init_simulated()
	var events := SteamEvents.new()
	var handle: int = Steam.getAuthTicketForWebApi("my-backend")
	assert_true(handle > 0)
	var e := await events.wait_for("get_ticket_for_web_api")
	assert_eq(e.get("args", []).size(), 4)
	var args: Array = e.get("args", [0, 0, 0, PackedByteArray()])
	assert_eq(args[0], handle)
	assert_eq(args[1], Steam.RESULT_OK)
	assert_eq(args[3].size(), args[2], "ticket_buffer holds exactly ticket_size bytes")
	var decoded: Dictionary = Steam.decodeAuthTicket(args[3])
	assert_eq(decoded.ticket_type, 5)
	assert_eq(decoded.ticket_type_name, "web_api")
	# Web API tickets cannot start a peer auth session, as with Steam.
	assert_eq(Steam.beginAuthSession(args[3], args[2], ME), Steam.BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET)


func test_decode_a_real_valve_ticket_without_steam() -> void:
	assert_false(Steam.isSteamInitialized())
	var v: Dictionary = vector("v5")
	var d: Dictionary = Steam.decodeAuthTicket(v.hex)
	assert_false(d.has("error"), str(d.get("error")))
	var e: Dictionary = v.expected
	# JSON numbers are doubles in Godot: 64-bit IDs are written out here.
	assert_eq(d.steam_id, 76561198967489624)
	assert_eq(d.owner_steam_id, 76561198967489624)
	assert_eq(d.app_id, int(e.app_id))
	assert_eq(d.gc_token, "7271836863571001247")
	assert_eq(d.ticket_type, 5)
	assert_eq(d.issued, int(e.issued))
	assert_eq(d.expires, int(e.expires))
	assert_eq(Array(d.licenses), [313233])
	assert_eq(d.dlc, [])
	assert_eq(d.size, 234)
	assert_true(d.signature_valid)
	assert_eq(d.signed_by, "valve")
	assert_true(d.expired, "2025 ticket is expired now")
	assert_eq(d.external_ip.split(".").size(), 4)


func test_decode_a_simulated_ticket_in_every_input_form() -> void:
	init_simulated()
	var t: Dictionary = Steam.getAuthSessionTicket()
	var from_dict: Dictionary = Steam.decodeAuthTicket(t)
	var from_bytes: Dictionary = Steam.decodeAuthTicket(t.buffer)
	var from_hex: Dictionary = Steam.decodeAuthTicket(t.buffer.hex_encode())
	assert_eq(from_dict, from_bytes)
	assert_eq(from_hex, from_bytes)
	assert_eq(from_bytes.signed_by, "simulation")
	assert_eq(from_bytes.steam_id, ME)
	assert_eq(from_bytes.app_id, APP)
	assert_false(from_bytes.expired)
	# A whole 1024-byte SDK buffer decodes to the same ticket.
	var padded: PackedByteArray = t.buffer.duplicate()
	padded.resize(1024)
	assert_eq(Steam.decodeAuthTicket(padded), from_bytes)
	# A flipped bit in the signed part is reported, not hidden.
	assert_false(Steam.decodeAuthTicket(tampered(t, 80)).signature_valid)


func test_decode_errors_say_what_is_wrong() -> void:
	assert_has(Steam.decodeAuthTicket("1400zz").error, "invalid hex digit 'z' at position 4")
	assert_has(Steam.decodeAuthTicket("140").error, "odd number of digits")
	assert_has(Steam.decodeAuthTicket("14000000AABB").error, "field `gc_token`")
	assert_has(Steam.decodeAuthTicket(42).error, "ticket must be a PackedByteArray, a hex String")
	assert_has(Steam.decodeAuthTicket({"buffer": PackedByteArray([0x14]), "size": 9}).error, "does not fit")
