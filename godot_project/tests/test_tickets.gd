## getAuthSessionTicket, getAuthTicketForWebApi, callbacks timing, identities, decodeAuthTicket.
extends "res://tests/test_case.gd"



func vector(name: String) -> Dictionary:
	var path := ProjectSettings.globalize_path("res://").path_join("../rust/steam-ticket/tests/vectors/%s.json" % name)
	return JSON.parse_string(FileAccess.get_file_as_string(path))


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
