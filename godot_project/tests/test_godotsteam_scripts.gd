## Scripts written for GodotSteam, current (4.14+) and older (4.13 and before), run unchanged on the
## backend under test (simulated, or the steam backend over the flat-API double).
extends "res://tests/test_case.gd"


func _run(path: String) -> Node:
	OS.set_environment("STEAM_AUTH_BACKEND", backend_under_test())
	await frames(1) # the root may still be adding the runner, the first test of a filtered run
	var node: Node = load(path).new()
	Engine.get_main_loop().root.add_child(node)
	await frames(4)
	return node


func test_a_godotsteam_4_14_global_runs_unchanged() -> void:
	var g: Node = await _run("res://tests/godotsteam/global_4_14.gd")
	assert_eq(Steam.getAppID(), 480, "app id from the SteamAppId the script set")
	assert_eq([g.steam_id, g.app_owner, g.steam_username], [ME, ME, "Simulated Player"])
	assert_eq([g.is_online, g.is_owned, g.is_family_shared, g.is_on_steam_deck], [true, true, false, false])
	assert_has(g.godotsteam_version, "4.14")
	assert_eq([g.launch_cmd_line, g.is_in_vr, g.is_vac_banned, g.game_language, g.ui_language], ["", false, false, "english", "english"])
	assert_eq(g.ticket_results, [[g.auth_ticket.id, Steam.RESULT_OK]])
	var web: Dictionary = Steam.decodeAuthTicket(g.web_api_ticket)
	assert_eq([web.steam_id, web.app_id, web.ticket_type], [ME, 480, 5])
	assert_true(g.validate_auth_session(g.auth_ticket, ME))
	assert_false(g.validate_auth_session(Steam.getAuthSessionTicket(), ME), "a second ticket is a duplicate")
	await frames(3)
	assert_eq(g.validations, [[ME, Steam.AUTH_SESSION_RESPONSE_OK, ME]])
	g.queue_free()
	await frames(1)


func test_a_godotsteam_4_13_global_runs_unchanged() -> void:
	var g: Node = await _run("res://tests/godotsteam/global_4_13.gd")
	assert_eq(g.INIT_STATUS, 1, "GodotSteam 4.13's steamInit status for success")
	assert_eq([g.IS_ONLINE, g.IS_OWNED, g.STEAM_ID, g.STEAM_NAME], [true, true, ME, "Simulated Player"])
	assert_eq(g.TICKET_RESULT, Steam.RESULT_OK)
	assert_eq(g.VALIDATED, [[ME, Steam.AUTH_SESSION_RESPONSE_OK, ME]])
	assert_printed("Auth session result: 0")
	g.queue_free()
	await frames(1)
