## SteamLogin against the project's login server (simulation mode, started by scripts/test-godot.sh)
## and against a stub server for the failures the real one never produces.
extends "res://tests/test_case.gd"

const HttpStub = preload("res://tests/http_stub.gd")


func server_url() -> String:
	return OS.get_environment("STEAM_AUTH_LOGIN_ENDPOINT")


func stub(status: int, body: String, hang := false) -> Node:
	var s: Node = HttpStub.new()
	s.status = status
	s.body = body
	s.hang = hang
	Engine.get_main_loop().root.add_child(s)
	s.start()
	return s


func drop(node: Node) -> void:
	node.queue_free()
	await frames(1)


func test_the_suite_has_a_login_server() -> void:
	assert_true(server_url().begins_with("http://127.0.0.1:"), "scripts/test-godot.sh sets STEAM_AUTH_LOGIN_ENDPOINT")
	assert_eq(SteamLogin.new().endpoint, server_url(), "the endpoint defaults to the environment / setting")
	assert_eq(SteamLogin.new().timeout_sec, 10.0)


func test_await_a_session_from_a_session_ticket() -> void:
	init_simulated()
	var login := SteamLogin.new()
	var succeeded := []
	login.login_succeeded.connect(func(s): succeeded.append(s))
	var result: SteamLoginResult = await login.login(Steam.getAuthSessionTicket())
	assert_true(result.ok, "%s: %s" % [result.error_kind, result.error_message])
	assert_eq(result.error_kind, "")
	assert_eq(result.http_status, 200)
	var s: SteamSession = result.session
	assert_eq(s.provider_id, str(ME))
	assert_eq(s.provider_name, "steam")
	assert_eq(s.user_id, s.id)
	assert_eq(s.token, s.token_id)
	assert_eq(s.token.length(), 36, "a UUID token")
	assert_eq(s.expire - s.generated, 86400)
	assert_false(s.is_expired())
	assert_true(abs(s.seconds_left() - 86400) < 10)
	var raw := s.to_dictionary()
	assert_eq(raw.userId, s.user_id)
	assert_eq(raw.providers, [{"providerName": "steam", "providerId": str(ME)}])
	assert_eq(succeeded.size(), 1)
	assert_eq(succeeded[0].token, s.token)


func test_hex_and_bytes_log_in_the_same_user() -> void:
	init_simulated()
	var login := SteamLogin.new()
	var t: Dictionary = Steam.getAuthSessionTicket()
	var a: SteamLoginResult = await login.login(t.buffer.hex_encode())
	var b: SteamLoginResult = await login.login(Steam.getAuthSessionTicket().buffer)
	assert_true(a.ok and b.ok)
	assert_eq(a.session.user_id, b.session.user_id)
	assert_true(a.session.token != b.session.token)


func test_rejections_carry_the_servers_reason() -> void:
	init_simulated()
	var login := SteamLogin.new()
	var failed := []
	login.login_failed.connect(func(r): failed.append(r))
	var bad: SteamLoginResult = await login.login("14000000AABBCC")
	assert_eq([bad.ok, bad.error_kind, bad.http_status, bad.error_code], [false, "rejected", 400, "malformed_ticket"])
	assert_has(bad.error_message, "gc_token")
	var expired: SteamLoginResult = await login.login(Steam.mintSimulatedTicket(ME, {"expires_in": -5}))
	assert_eq([expired.error_kind, expired.http_status, expired.error_code], ["rejected", 401, "ticket_rejected"])
	assert_has(expired.error_message, "expired")
	assert_eq(failed.size(), 2)
	assert_eq(bad.session, null)


func test_unreachable_server_is_a_transport_error() -> void:
	var login := SteamLogin.new()
	login.endpoint = "http://127.0.0.1:9"
	var result: SteamLoginResult = await login.login("14000000AABB")
	assert_eq([result.ok, result.error_kind, result.http_status], [false, "transport", 0])
	assert_has(result.error_message, "refused")


func test_server_errors_and_bad_answers() -> void:
	var login := SteamLogin.new()
	var s := stub(500, "{\"error\": {\"code\": \"internal\", \"message\": \"database down\"}}")
	login.endpoint = s.url()
	var r: SteamLoginResult = await login.login("14000000AABB")
	assert_eq([r.error_kind, r.http_status, r.error_code], ["server", 500, "internal"])
	assert_has(r.error_message, "database down")
	await drop(s)
	s = stub(200, "<html>not a session</html>")
	login.endpoint = s.url()
	r = await login.login("14000000AABB")
	assert_eq([r.error_kind, r.http_status], ["protocol", 200])
	assert_has(r.error_message, "not JSON")
	await drop(s)
	s = stub(200, "{\"userId\": \"u\", \"expire\": 1, \"provider\": {\"providerId\": \"1\"}}")
	login.endpoint = s.url()
	r = await login.login("14000000AABB")
	assert_eq(r.error_kind, "protocol")
	assert_eq(r.error_message, "the response lacks token")
	await drop(s)


func test_a_slow_server_times_out_and_frames_keep_flowing() -> void:
	var s := stub(200, "{}", true)
	var login := SteamLogin.new()
	login.endpoint = s.url()
	login.timeout_sec = 0.5
	var state := {"done": false, "result": null}
	var pending := func() -> void:
		state.result = await login.login("14000000AABB")
		state.done = true
	pending.call()
	var frames_waited := 0
	var longest_frame_ms := 0.0
	var last := Time.get_ticks_usec()
	while not state.done:
		await Engine.get_main_loop().process_frame
		var t := Time.get_ticks_usec()
		longest_frame_ms = max(longest_frame_ms, (t - last) / 1000.0)
		last = t
		frames_waited += 1
	print("slow server: %d frames while waiting 0.5 s, longest frame %.2f ms" % [frames_waited, longest_frame_ms])
	assert_eq(state.result.error_kind, "timeout")
	assert_true(frames_waited > 5, "the game kept running while the login waited")
	assert_true(longest_frame_ms < 250.0, "no frame was held by the login (%.1f ms)" % longest_frame_ms)
	await drop(s)


func test_bad_input_fails_asynchronously_with_invalid_ticket() -> void:
	var login := SteamLogin.new()
	for bad in ["14zz", "abc", 42, {}, PackedByteArray()]:
		var signal_ := login.login(bad)
		var result: SteamLoginResult = await signal_
		assert_eq(result.error_kind, "invalid_ticket", var_to_str(bad))


func test_two_concurrent_logins_are_independent() -> void:
	init_simulated()
	var login := SteamLogin.new()
	var first := login.login(Steam.getAuthSessionTicket())
	var second := login.login(Steam.mintSimulatedTicket(PEER))
	var b: SteamLoginResult = await second
	var a: SteamLoginResult = await first
	assert_true(a.ok and b.ok, "%s / %s" % [a.error_message, b.error_message])
	assert_eq(a.session.provider_id, str(ME))
	assert_eq(b.session.provider_id, str(PEER))
	assert_true(a.session.user_id != b.session.user_id)


func test_cancel_ends_logins_in_flight() -> void:
	var s := stub(200, "{}", true)
	var login := SteamLogin.new()
	login.endpoint = s.url()
	var call := login.login("14000000AABB")
	await frames(2)
	login.cancel()
	var result: SteamLoginResult = await call
	assert_eq(result.error_kind, "cancelled")
	await drop(s)


func test_login_with_steam_runs_the_whole_client_flow() -> void:
	init_simulated()
	var login := SteamLogin.new()
	var result: SteamLoginResult = await login.login_with_steam("steam-auth-tests")
	assert_true(result.ok, "%s: %s" % [result.error_kind, result.error_message])
	assert_eq(result.session.provider_id, str(ME))


func test_login_with_steam_before_init_fails_clearly() -> void:
	var result: SteamLoginResult = await SteamLogin.new().login_with_steam()
	assert_eq(result.error_kind, "steam", "Steam's fault, not the ticket's")
	assert_has(result.error_message, "Steam is not initialised")


func test_results_reach_gdscript_within_a_frame() -> void:
	init_simulated()
	var login := SteamLogin.new()
	var delays := []
	for i in 20:
		var result: SteamLoginResult = await login.login(Steam.getAuthSessionTicket())
		assert_true(result.ok)
		delays.append(result.delivery_usec)
	delays.sort()
	print("login result delivery (HTTP answer -> GDScript): median %.2f ms, max %.2f ms over %d logins"
		% [delays[delays.size() / 2] / 1000.0, delays[-1] / 1000.0, delays.size()])
	assert_true(delays[-1] < 1000000, "a result waited more than a second for the main thread")


## One HTTP exchange with the login server; [status, body text].
func http(method: HTTPClient.Method, path: String, headers := PackedStringArray()) -> Array:
	var request := HTTPRequest.new()
	Engine.get_main_loop().root.add_child(request)
	var err := request.request(server_url() + path, headers, method)
	assert_eq(err, OK, "request " + path)
	var done: Array = await request.request_completed
	request.queue_free()
	return [done[1], (done[3] as PackedByteArray).get_string_from_utf8()]


## The server's counter for `line_prefix` in /metrics.
func metric(line_prefix: String) -> int:
	var answer: Array = await http(HTTPClient.METHOD_GET, "/metrics")
	for line in (answer[1] as String).split("\n"):
		if line.begins_with(line_prefix + " "):
			return int(line.get_slice(" ", 1))
	assert_true(false, "no %s in /metrics" % line_prefix)
	return -1


const LOGINS := "steam_login_requests_total{outcome=\"ok\",app=\"555440\",ticket=\"auth\"}"
const RENEWED := "steam_login_session_refreshes_total{outcome=\"renewed\"}"


func test_resume_a_saved_session_without_asking_steam() -> void:
	init_simulated()
	var login := SteamLogin.new()
	var first: SteamLoginResult = await login.login(Steam.getAuthSessionTicket())
	assert_true(first.ok, first.error_message)
	assert_false(first.resumed)
	var saved := first.session.to_dictionary()
	var logins: int = await metric(LOGINS)
	var renewed: int = await metric(RENEWED)
	var result: SteamLoginResult = await login.resume(saved)
	assert_true(result.ok, "%s: %s" % [result.error_kind, result.error_message])
	assert_true(result.resumed, "renewed without a ticket")
	assert_eq(result.session.user_id, first.session.user_id)
	assert_true(result.session.token != first.session.token, "a new token")
	assert_true(abs(result.session.seconds_left() - 86400) < 10)
	assert_eq(await metric(LOGINS), logins, "no login, so no Steam call")
	assert_eq(await metric(RENEWED), renewed + 1)


func test_resume_logs_in_with_steam_when_the_server_revoked_the_session() -> void:
	init_simulated()
	var login := SteamLogin.new()
	var first: SteamLoginResult = await login.login(Steam.getAuthSessionTicket())
	var revoked: Array = await http(HTTPClient.METHOD_DELETE, "/api/v1/auth/session",
		PackedStringArray(["Authorization: Bearer " + first.session.token]))
	assert_eq(revoked[0], 204)
	var logins: int = await metric(LOGINS)
	var result: SteamLoginResult = await login.resume(first.session.to_dictionary())
	assert_true(result.ok, "%s: %s" % [result.error_kind, result.error_message])
	assert_false(result.resumed, "a fresh login")
	assert_eq(result.session.user_id, first.session.user_id, "the same player")
	assert_eq(await metric(LOGINS), logins + 1, "exactly one new login")


func test_resume_with_nothing_saved_logs_in_with_steam() -> void:
	init_simulated()
	var result: SteamLoginResult = await SteamLogin.new().resume({})
	assert_true(result.ok, "%s: %s" % [result.error_kind, result.error_message])
	assert_false(result.resumed)
	assert_eq(result.session.provider_id, str(ME))


func test_a_session_saved_encrypted_resumes_at_the_next_start() -> void:
	init_simulated()
	var path := "user://steam_auth_test_session.dat"
	var login := SteamLogin.new()
	var first: SteamLoginResult = await login.login(Steam.getAuthSessionTicket())
	assert_eq(first.session.save_to_file(path, "correct horse"), OK)
	var bytes := FileAccess.get_file_as_bytes(path)
	assert_true(bytes.size() > 0)
	assert_eq(bytes.get_string_from_ascii().find(first.session.token), -1, "the token is not in the clear")
	# Godot's encrypted FileAccess itself reports the mismatch as an error line.
	expect_error("MD5 sum of the decrypted file does not match")
	assert_eq(SteamSession.load_from_file(path, "wrong"), {}, "a wrong password reads nothing")
	assert_eq(SteamSession.load_from_file("user://nothing-here.dat", "correct horse"), {})
	var saved := SteamSession.load_from_file(path, "correct horse")
	assert_eq(saved.get("token"), first.session.token)
	var result: SteamLoginResult = await login.resume(saved)
	assert_true(result.ok and result.resumed, "%s: %s" % [result.error_kind, result.error_message])
	DirAccess.remove_absolute(ProjectSettings.globalize_path(path))


func test_a_lost_answer_then_a_retry_with_the_same_ticket_still_logs_the_player_in() -> void:
	init_simulated()
	var ticket := Steam.getAuthSessionTicket()
	var login := SteamLogin.new()
	# The first try logs in, but suppose its answer never reached the game...
	var first: SteamLoginResult = await login.login(ticket)
	assert_true(first.ok, first.error_message)
	# ...which sends the same ticket again: the server refuses it as used, and SteamLogin logs in
	# with a fresh ticket from Steam instead.
	var retry: SteamLoginResult = await login.login(ticket)
	assert_true(retry.ok, "%s: %s (%s)" % [retry.error_kind, retry.error_message, retry.error_code])
	assert_eq(retry.session.user_id, first.session.user_id, "the same player")
	assert_true(retry.session.token != first.session.token, "a new session")


func test_a_reused_ticket_without_steam_to_ask_says_so() -> void:
	init_simulated()
	var ticket := Steam.getAuthSessionTicket()
	var first: SteamLoginResult = await SteamLogin.new().login(ticket)
	assert_true(first.ok, first.error_message)
	Steam.steamShutdown()
	var again: SteamLoginResult = await SteamLogin.new().login(ticket)
	assert_eq([again.ok, again.error_kind, again.error_code, again.http_status], [false, "rejected", "ticket_reused", 401])


func test_plain_http_beyond_loopback_warns_in_a_debug_build() -> void:
	init_simulated()
	var login := SteamLogin.new()
	# ".invalid" never resolves: nothing leaves the machine but a DNS question.
	login.endpoint = "http://login.invalid:9"
	login.timeout_sec = 5.0
	var result: SteamLoginResult = await login.login(Steam.getAuthSessionTicket())
	assert_eq(result.error_kind, "transport", "a debug build goes on (a release export refuses): %s" % result.error_message)
	assert_true(log.warnings.any(func(w): return w.contains("clear text") and w.contains("steam/auth/allow_insecure_http")),
		"a warning names the setting: %s" % [log.warnings])
	# Allowed explicitly: no warning for a new endpoint.
	set_setting("steam/auth/allow_insecure_http", true)
	log.clear()
	login.endpoint = "http://login2.invalid:9"
	result = await login.login(Steam.getAuthSessionTicket())
	assert_eq(result.error_kind, "transport")
	assert_false(log.warnings.any(func(w): return w.contains("clear text")), "no warning once allowed: %s" % [log.warnings])


func test_an_unreadable_ca_file_is_a_config_error() -> void:
	init_simulated()
	set_setting("steam/auth/login_ca_file", "res://no-such-ca.pem")
	var login := SteamLogin.new()
	login.endpoint = "https://127.0.0.1:9"
	var result: SteamLoginResult = await login.login(Steam.getAuthSessionTicket())
	assert_eq(result.error_kind, "config")
	assert_true(result.error_message.contains("steam/auth/login_ca_file"), result.error_message)


const ENCRYPTED_LOGINS := "steam_login_requests_total{outcome=\"ok\",app=\"555440\",ticket=\"encrypted\"}"


func test_login_with_an_encrypted_ticket_reads_it_offline_and_steam_allows_one_a_minute() -> void:
	init_simulated()
	var before: int = await metric(ENCRYPTED_LOGINS)
	var result: SteamLoginResult = await SteamLogin.new().login_with_encrypted_ticket()
	assert_true(result.ok, "%s: %s (%s)" % [result.error_kind, result.error_message, result.error_code])
	assert_eq(result.session.provider_id, str(ME))
	assert_eq(await metric(ENCRYPTED_LOGINS), before + 1, "counted as an encrypted-ticket login")
	assert_eq(await metric("steam_login_upstream_calls_total{result=\"ok\"}"), 0, "no Web API call")
	var again: SteamLoginResult = await SteamLogin.new().login_with_encrypted_ticket()
	assert_eq([again.ok, again.error_kind], [false, "steam"])
	assert_true(again.error_message.contains("one encrypted app ticket a minute"), again.error_message)
