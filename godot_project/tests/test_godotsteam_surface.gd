## GodotSteam's surface beyond auth on the simulated backend: both init forms and their return
## shapes, enum types, the start-up queries driven by Project Settings, connection and encrypted app
## ticket signals, and misuse.
extends "res://tests/test_case.gd"


func test_current_init_returns_bool_and_the_older_form_a_dictionary() -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", "simulated")
	if Steam.steamInit():
		assert_eq(Steam.getAppID(), APP)
	else:
		fail("steamInit() returned false")
	Steam.steamShutdown()
	var legacy: Dictionary = Steam.steamInit(false)
	assert_eq(legacy.status, Steam.RESULT_OK, "GodotSteam 4.13 reports success as RESULT_OK (1)")
	assert_has(legacy.verbal, "simulated backend")
	Steam.steamShutdown()
	var legacy_ex: Dictionary = Steam.steamInitEx(true, 480, false)
	assert_eq(legacy_ex.status, Steam.STEAM_API_INIT_RESULT_OK)
	assert_eq(Steam.getAppID(), 480, "retrieve_stats is skipped, the app id is the second argument")


func test_older_form_without_embedded_callbacks_waits_for_run_callbacks() -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", "simulated")
	var status: Dictionary = Steam.steamInitEx(true, 0, false)
	assert_eq(status.status, 0)
	var events := SteamEvents.new()
	Steam.getAuthSessionTicket()
	await frames(3)
	assert_eq(events.of("get_auth_session_ticket_response").size(), 0, "nothing is pumped without embed_callbacks")
	Steam.run_callbacks()
	Steam.run_callbacks()
	assert_eq(events.of("get_auth_session_ticket_response").size(), 1)
	events.disconnect_all()


func test_older_form_reports_a_failure_with_godotsteams_numbers() -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", "bogus")
	var legacy: Dictionary = Steam.steamInit(true)
	assert_eq(legacy.status, Steam.RESULT_FAIL)
	assert_has(legacy.verbal, "STEAM_AUTH_BACKEND is \"bogus\"")
	assert_warned("Steam.steamInit:")


func test_wrong_argument_types_fail_init_with_a_clear_error() -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", "simulated")
	expect_error("Steam.steamInit: app_id must be an int, got String")
	assert_eq(Steam.steamInit("480"), false)
	expect_error("Steam.steamInitEx: embed_callbacks must be a bool, got int")
	assert_eq(Steam.steamInitEx(480, 1).status, Steam.STEAM_API_INIT_RESULT_FAILED_GENERIC)
	expect_error("Steam.steamInitEx: a third argument (bool) only exists in the GodotSteam 4.13 form")
	Steam.steamInitEx(480, true, false)
	assert_false(Steam.isSteamInitialized())


func test_enums_are_types_with_every_value() -> void:
	var ok: Steam.BeginAuthSessionResult = Steam.BEGIN_AUTH_SESSION_RESULT_OK
	var response: Steam.AuthSessionResponse = Steam.AuthSessionResponse.AUTH_SESSION_RESPONSE_VAC_BANNED
	var init_result: Steam.SteamAPIInitResult = Steam.STEAM_API_INIT_RESULT_NO_STEAM_CLIENT
	var license: Steam.UserHasLicenseForAppResult = Steam.USER_HAS_LICENSE_RESULT_NO_AUTH
	var result: Steam.Result = Steam.RESULT_IO_FAILURE
	assert_eq([ok, response, init_result, license, result], [0, 3, 2, 2, 37])
	assert_eq(ClassDB.class_get_enum_constants("Steam", "Result").size(), 131)
	assert_eq(ClassDB.class_get_enum_constants("Steam", "AuthSessionResponse").size(), 11)
	assert_eq(ClassDB.class_get_integer_constant_enum("Steam", "RESULT_OK"), &"Result")
	assert_eq(Steam.RESULT_TOO_MANY_PENDING, 108)


func test_start_up_queries_answer_from_project_settings() -> void:
	set_setting("steam/auth/simulated_persona_name", "Borrowing Player")
	set_setting("steam/auth/simulated_owner_steam_id", PEER)
	set_setting("steam/auth/simulated_dlc", PackedInt64Array([555441]))
	set_setting("steam/auth/simulated_steam_deck", true)
	init_simulated()
	assert_eq(Steam.getPersonaName(), "Borrowing Player")
	assert_true(Steam.isSubscribed())
	assert_true(Steam.isSubscribedFromFamilySharing())
	assert_eq(Steam.getAppOwner(), PEER)
	assert_true(Steam.isDLCInstalled(555441))
	assert_false(Steam.isDLCInstalled(555442))
	assert_true(Steam.isSteamRunningOnSteamDeck())
	assert_true(Steam.isSteamRunning())
	assert_false(Steam.restartAppIfNecessary(APP))
	var decoded: Dictionary = Steam.decodeAuthTicket(Steam.getAuthSessionTicket())
	assert_eq(decoded.owner_steam_id, PEER, "the user's own tickets carry the Family Sharing owner")


func test_language_vac_and_vr_answer_from_project_settings() -> void:
	set_setting("steam/auth/simulated_language", "german")
	set_setting("steam/auth/simulated_vac_banned", true)
	set_setting("steam/auth/simulated_vr", true)
	init_simulated()
	assert_eq([Steam.getCurrentGameLanguage(), Steam.getSteamUILanguage()], ["german", "german"])
	assert_true(Steam.isVACBanned())
	assert_true(Steam.isSteamRunningInVR())
	assert_eq(Steam.getLaunchCommandLine(), "")


func test_a_simulated_encrypted_ticket_key_that_is_not_64_hex_digits_fails_init() -> void:
	set_setting("steam/auth/simulated_encrypted_ticket_key", "00ff")
	OS.set_environment("STEAM_AUTH_BACKEND", "simulated")
	var status: Dictionary = Steam.steamInitEx(APP)
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_FAILED_GENERIC)
	assert_true(str(status.verbal).contains("steam/auth/simulated_encrypted_ticket_key must be 64 hex digits"), str(status.verbal))


func test_a_user_without_the_game() -> void:
	set_setting("steam/auth/simulated_owns_app", false)
	init_simulated()
	assert_false(Steam.isSubscribed())
	assert_eq(Steam.getAppOwner(), 0)


func test_current_properties_follow_init_and_shutdown() -> void:
	assert_eq([Steam.current_app_id, Steam.current_steam_id], [0, 0])
	init_simulated(480)
	assert_eq([Steam.current_app_id, Steam.current_steam_id], [480, ME])
	Steam.current_clan_id = 103582791429521408
	assert_eq(Steam.current_clan_id, 103582791429521408)
	Steam.steamShutdown()
	assert_eq([Steam.current_app_id, Steam.current_steam_id], [0, 0])
	Steam.current_clan_id = 0


func test_losing_the_steam_connection_is_signalled() -> void:
	init_simulated()
	var seen: Array[String] = []
	Steam.steam_server_disconnected.connect(func(): seen.append("disconnected"))
	Steam.steam_server_connected.connect(func(): seen.append("connected"))
	assert_true(Steam.simulateSteamServerConnection(false))
	assert_false(Steam.loggedOn())
	await frames(3)
	assert_true(Steam.simulateSteamServerConnection(true))
	await frames(3)
	assert_eq(seen, ["disconnected", "connected"])
	assert_true(Steam.loggedOn())


func test_encrypted_app_tickets_answer_in_godotsteams_words() -> void:
	init_simulated()
	var answers: Array[String] = []
	Steam.encrypted_app_ticket_response.connect(func(result: String): answers.append(result))
	assert_eq(Steam.getEncryptedAppTicket(), {"buffer": PackedByteArray(), "size": 0})
	Steam.requestEncryptedAppTicket("secret")
	await frames(3)
	var ticket: Dictionary = Steam.getEncryptedAppTicket()
	assert_true(ticket.size > 0 and ticket.buffer.size() == ticket.size)
	Steam.requestEncryptedAppTicket("again")
	await frames(3)
	assert_eq(answers, ["ok", "limit exceeded"])


func test_calls_before_init_fail_softly_with_errors() -> void:
	for call in [["getPersonaName", ""], ["isSubscribed", false], ["isSubscribedFromFamilySharing", false],
			["getAppOwner", 0], ["isSteamRunningOnSteamDeck", false], ["getEncryptedAppTicket", {}],
			["isSteamRunningInVR", false], ["isVACBanned", false], ["getCurrentGameLanguage", ""],
			["getSteamUILanguage", ""], ["getLaunchCommandLine", ""]]:
		expect_error("Steam.%s: Steam is not initialised" % call[0])
		assert_eq(Steam.call(call[0]), call[1], call[0])
	expect_error("Steam.isDLCInstalled: Steam is not initialised")
	assert_false(Steam.isDLCInstalled(1))
	expect_error("Steam.requestEncryptedAppTicket: Steam is not initialised")
	Steam.requestEncryptedAppTicket()
	expect_error("Steam.simulateSteamServerConnection: Steam is not initialised")
	assert_false(Steam.simulateSteamServerConnection(false))
