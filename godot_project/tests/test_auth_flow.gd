## The auth API on whichever backend STEAM_AUTH_TEST_BACKEND names: the simulated Steam (the default
## run), or the real steamworks code path over the Steamworks flat-API test double
## (scripts/test-steam-double.sh). Nothing here uses simulation-only hooks.
extends "res://tests/test_case.gd"


func test_init_reports_the_backend_and_the_user() -> void:
	init_backend()
	assert_eq(Steam.getSteamBackend(), backend_under_test())
	assert_eq(Steam.getSteamID(), ME)
	assert_eq(Steam.getAppID(), APP)
	assert_true(Steam.loggedOn())


func test_begin_rejects_garbage_and_duplicates() -> void:
	init_backend()
	assert_eq(Steam.beginAuthSession(PackedByteArray([1, 2, 3, 4]), 4, ME), Steam.BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET)
	var t: Dictionary = Steam.getAuthSessionTicket()
	assert_eq(Steam.beginAuthSession(tampered(t, t.size - 1), t.size, ME), Steam.BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET)
	assert_eq(Steam.beginAuthSession(t.buffer, t.size, ME), Steam.BEGIN_AUTH_SESSION_RESULT_OK)
	var again: Dictionary = Steam.getAuthSessionTicket()
	assert_eq(Steam.beginAuthSession(again.buffer, again.size, ME), Steam.BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST)


func test_license_follows_the_auth_session() -> void:
	init_backend()
	assert_eq(Steam.userHasLicenseForApp(ME, APP), Steam.USER_HAS_LICENSE_RESULT_NO_AUTH)
	var t: Dictionary = Steam.getAuthSessionTicket()
	Steam.beginAuthSession(t.buffer, t.size, ME)
	assert_eq(Steam.userHasLicenseForApp(ME, APP), Steam.USER_HAS_LICENSE_RESULT_HAS_LICENSE)
	assert_eq(Steam.userHasLicenseForApp(ME, 480), Steam.USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE)


func test_tickets_decode_to_the_user_and_app() -> void:
	init_backend()
	var d: Dictionary = Steam.decodeAuthTicket(Steam.getAuthSessionTicket())
	assert_eq([d.steam_id, d.app_id, d.ticket_type, d.signed_by], [ME, APP, 2, "simulation"])


func test_session_ticket_has_godotsteams_shape_and_steams_layout() -> void:
	init_backend()
	var t: Dictionary = Steam.getAuthSessionTicket()
	assert_eq(t.keys(), ["id", "buffer", "size"])
	assert_true(t.id > 0, "handle is positive")
	assert_eq(t.buffer.size(), t.size, "buffer holds exactly size bytes")
	assert_eq(t.buffer.slice(0, 4), PackedByteArray([0x14, 0, 0, 0]))
	var second: Dictionary = Steam.getAuthSessionTicket()
	assert_true(second.id != t.id, "each ticket has its own handle")
	assert_true(second.buffer != t.buffer, "each ticket has its own GC token")


func test_ticket_callback_arrives_on_a_later_frame_not_inside_the_call() -> void:
	init_backend()
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
	init_backend()
	for identity in [null, 0, PEER, "steamid:%d" % PEER, "str:my-server", "ip:10.0.0.1:27015", "ip:::1", "localhost", ""]:
		var t: Dictionary = Steam.getAuthSessionTicket(identity)
		assert_eq(t.get("size", 0), t.get("buffer", PackedByteArray()).size(), "identity %s" % var_to_str(identity))
		assert_true(t.get("size", 0) > 0, "identity %s gives a ticket" % var_to_str(identity))


func test_web_api_ticket_arrives_in_its_signal_with_exact_size() -> void:
	init_backend()
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


func test_begin_ok_then_validate_ok_with_owner() -> void:
	init_backend()
	var events := SteamEvents.new()
	var t: Dictionary = Steam.getAuthSessionTicket()
	assert_eq(Steam.beginAuthSession(t.buffer, t.size, ME), Steam.BEGIN_AUTH_SESSION_RESULT_OK)
	var e := await events.wait_for("validate_auth_ticket_response")
	assert_eq(e.get("args"), [ME, Steam.AUTH_SESSION_RESPONSE_OK, ME])


func test_begin_misuse_of_size_and_steam_id_is_rejected_without_reading_past_the_buffer() -> void:
	init_backend()
	var t: Dictionary = Steam.getAuthSessionTicket()
	expect_error("Steam.beginAuthSession: ticket_size 0 must be between 1 and the buffer's")
	assert_eq(Steam.beginAuthSession(t.buffer, 0, ME), 1)
	expect_error("ticket_size -5 must be between")
	assert_eq(Steam.beginAuthSession(t.buffer, -5, ME), 1)
	expect_error("ticket_size %d must be between 1 and the buffer's %d bytes" % [t.size + 1, t.size])
	assert_eq(Steam.beginAuthSession(t.buffer, t.size + 1, ME), 1)
	expect_error("Steam.beginAuthSession: 0 is not a SteamID64")
	assert_eq(Steam.beginAuthSession(t.buffer, t.size, 0), 1)
	# A truncated size is an invalid ticket, not an over-read.
	assert_eq(Steam.beginAuthSession(t.buffer, t.size - 1, ME), 1)
	# A whole SDK buffer with the right size works.
	var padded: PackedByteArray = t.buffer.duplicate()
	padded.resize(1024)
	assert_eq(Steam.beginAuthSession(padded, t.size, ME), 0)


func test_cancelling_the_ticket_ends_its_session_with_response_6() -> void:
	init_backend()
	var events := SteamEvents.new()
	var t: Dictionary = Steam.getAuthSessionTicket()
	assert_eq(Steam.beginAuthSession(t.buffer, t.size, ME), 0)
	await events.wait_for("validate_auth_ticket_response")
	events.events.clear()
	Steam.cancelAuthTicket(t.id)
	var e := await events.wait_for("validate_auth_ticket_response")
	assert_eq(e.get("args"), [ME, Steam.AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED, ME])


func test_unknown_handles_and_ids_warn_but_do_not_fail() -> void:
	init_backend()
	Steam.cancelAuthTicket(987654)
	assert_warned("Steam.cancelAuthTicket: no active ticket has handle 987654")
	Steam.endAuthSession(PEER)
	assert_warned("Steam.endAuthSession: no auth session is active for SteamID %d" % PEER)
	var t: Dictionary = Steam.getAuthSessionTicket()
	Steam.cancelAuthTicket(t.id)
	Steam.cancelAuthTicket(t.id)
	assert_warned("no active ticket has handle %d" % t.id)


func test_reusing_a_ticket_after_end_reports_already_used_7() -> void:
	init_backend()
	var events := SteamEvents.new()
	var t: Dictionary = Steam.getAuthSessionTicket()
	assert_eq(Steam.beginAuthSession(t.buffer, t.size, ME), 0)
	Steam.endAuthSession(ME)
	assert_eq(Steam.beginAuthSession(t.buffer, t.size, ME), 0)
	await frames(3)
	var responses := events.of("validate_auth_ticket_response").map(func(e): return e.args[1])
	assert_eq(responses, [0, Steam.AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED])


func test_manual_callbacks_only_arrive_through_run_callbacks() -> void:
	init_backend(false)
	var events := SteamEvents.new()
	var t: Dictionary = Steam.getAuthSessionTicket()
	await frames(4)
	assert_eq(events.events.size(), 0, "nothing is pumped when callbacks are not embedded")
	Steam.run_callbacks()
	Steam.run_callbacks()
	assert_eq(events.of("get_auth_session_ticket_response").size(), 1)
	assert_eq(events.events[0].args, [t.id, 1])


func test_signal_handlers_may_call_back_into_steam() -> void:
	init_backend()
	var seen := []
	var handler := func(auth_id: int, response: int, _owner: int) -> void:
		seen.append(response)
		Steam.endAuthSession(auth_id)
		seen.append(Steam.userHasLicenseForApp(auth_id, APP))
	Steam.validate_auth_ticket_response.connect(handler)
	var t: Dictionary = Steam.getAuthSessionTicket()
	Steam.beginAuthSession(t.buffer, t.size, ME)
	await frames(3)
	assert_eq(seen, [0, Steam.USER_HAS_LICENSE_RESULT_NO_AUTH])


func test_encrypted_app_ticket_is_answered_then_readable() -> void:
	init_backend()
	var answers: Array[String] = []
	Steam.encrypted_app_ticket_response.connect(func(result: String): answers.append(result))
	Steam.requestEncryptedAppTicket("secret")
	for i in 6:
		if not answers.is_empty():
			break
		await frames(1)
	assert_eq(answers, ["ok"])
	var ticket: Dictionary = Steam.getEncryptedAppTicket()
	var plain := decrypt_with_development_key(ticket.buffer.slice(0, ticket.size))
	assert_eq(plain.slice(0, 6).get_string_from_utf8(), "secret", "the data asked for, first")
	# Then the ownership ticket: length, version, SteamID.
	assert_eq(plain.decode_u64(6 + 8), ME)


## An encrypted app ticket's plaintext, read as a game's backend would with Godot's own AES: the
## protobuf's encrypted_ticket (field 5), its IV in AES-256-ECB, the rest in AES-256-CBC.
func decrypt_with_development_key(ticket: PackedByteArray) -> PackedByteArray:
	var key := "steam-auth development key, open".to_utf8_buffer()
	var at := 0
	var ciphertext := PackedByteArray()
	while at < ticket.size():
		var tag := ticket[at]
		at += 1
		if tag & 7 == 0:
			while ticket[at] & 0x80:
				at += 1
			at += 1
		else:
			var length := ticket[at] & 0x7f
			var shift := 7
			while ticket[at] & 0x80:
				at += 1
				length |= (ticket[at] & 0x7f) << shift
				shift += 7
			at += 1
			if tag >> 3 == 5:
				ciphertext = ticket.slice(at, at + length)
			at += length
	var aes := AESContext.new()
	aes.start(AESContext.MODE_ECB_DECRYPT, key)
	var iv := aes.update(ciphertext.slice(0, 16))
	aes.finish()
	aes.start(AESContext.MODE_CBC_DECRYPT, key, iv)
	var plain := aes.update(ciphertext.slice(16))
	aes.finish()
	return plain.slice(0, plain.size() - plain[plain.size() - 1])


func test_steam_only_a_call_result_with_an_io_failure_is_a_steamworks_error() -> void:
	OS.set_environment("STEAM_DOUBLE_CALL_IO_FAILURE", "1")
	init_backend()
	var errors: Array = []
	var answers: Array[String] = []
	Steam.steamworks_error.connect(func(failed_signal: String, io_failure: String): errors.append([failed_signal, io_failure]))
	Steam.encrypted_app_ticket_response.connect(func(result: String): answers.append(result))
	Steam.requestEncryptedAppTicket("secret")
	for i in 6:
		if not errors.is_empty():
			break
		await frames(1)
	OS.unset_environment("STEAM_DOUBLE_CALL_IO_FAILURE")
	assert_eq(errors, [["encrypted_app_ticket_response", "io failure"]])
	assert_eq(answers, [], "the failed call's own signal is not emitted")
