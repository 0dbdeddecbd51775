## SteamLogin through a TLS-terminating proxy whose certificate a studio's own CA signed, as a game
## ships it: the CA named in steam/auth/login_ca_file. scripts/test-deployment.sh runs this against
## nginx in front of two login servers.
## Usage: STEAM_AUTH_LOGIN_ENDPOINT=https://… DEPLOY_TEST_CA=<ca.pem> godot --headless -s login_over_https.gd
extends "res://tests/beside_godotsteam/checks.gd"

const CA_SETTING := "steam/auth/login_ca_file"


func _run() -> void:
	var endpoint := OS.get_environment("STEAM_AUTH_LOGIN_ENDPOINT")
	check(endpoint.begins_with("https://"), "the endpoint is HTTPS: %s" % endpoint)
	OS.set_environment("STEAM_AUTH_BACKEND", "simulated")
	var status: Dictionary = Steam.steamInitEx(0, true)
	check(status.status == Steam.STEAM_API_INIT_RESULT_OK, "simulated Steam: %s" % status.verbal)
	var login := SteamLogin.new()

	ProjectSettings.set_setting(CA_SETTING, "")
	var untrusted: SteamLoginResult = await login.login_with_steam("")
	check(not untrusted.ok and untrusted.error_kind == "transport" and untrusted.error_message.contains("TLS"),
		"without the studio's CA the certificate is refused: %s %s" % [untrusted.error_kind, untrusted.error_message])

	ProjectSettings.set_setting(CA_SETTING, "res://tests/deployment/missing-ca.pem")
	var missing: SteamLoginResult = await login.login_with_steam("")
	check(not missing.ok and missing.error_kind == "config" and missing.error_message.contains(CA_SETTING),
		"a CA file that cannot be read says so: %s %s" % [missing.error_kind, missing.error_message])

	ProjectSettings.set_setting(CA_SETTING, OS.get_environment("DEPLOY_TEST_CA"))
	var result: SteamLoginResult = await login.login_with_steam("")
	check(result.ok, "logged in over HTTPS: %s %s" % [result.error_kind, result.error_message])
	if result.ok:
		var session: SteamSession = result.session
		check(session.token.length() == 36 and not session.is_expired(), "a live session")
		print("https login: user %s, steam id %s" % [session.user_id, session.provider_id])
		var resumed: SteamLoginResult = await login.resume(session.to_dictionary())
		check(resumed.ok and resumed.resumed, "the saved session renewed over HTTPS: %s %s" % [resumed.error_kind, resumed.error_message])
		if resumed.ok:
			check(resumed.session.user_id == session.user_id, "the same user after the renewal")
	login = null
	Steam.steamShutdown()
	finish()
