## steamInit / steamInitEx, backends, misuse before init, constants.
extends "res://tests/test_case.gd"


func test_calls_before_init_return_documented_defaults_with_errors() -> void:
	assert_false(Steam.isSteamInitialized())
	expect_error("Steam.loggedOn: Steam is not initialised: call Steam.steamInit()")
	assert_false(Steam.loggedOn())
	expect_error("Steam.getSteamID: Steam is not initialised")
	assert_eq(Steam.getSteamID(), 0)
	expect_error("Steam.getAppID: Steam is not initialised")
	assert_eq(Steam.getAppID(), 0)
	expect_error("Steam.getAuthSessionTicket: Steam is not initialised")
	assert_eq(Steam.getAuthSessionTicket(), {})
	expect_error("Steam.getAuthTicketForWebApi: Steam is not initialised")
	assert_eq(Steam.getAuthTicketForWebApi("backend"), 0)
	expect_error("Steam.beginAuthSession: Steam is not initialised")
	assert_eq(Steam.beginAuthSession(PackedByteArray([1, 2, 3]), 3, ME), Steam.BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET)
	expect_error("Steam.userHasLicenseForApp: Steam is not initialised")
	assert_eq(Steam.userHasLicenseForApp(ME, APP), Steam.USER_HAS_LICENSE_RESULT_NO_AUTH)
	expect_error("Steam.cancelAuthTicket: Steam is not initialised")
	Steam.cancelAuthTicket(1)
	expect_error("Steam.endAuthSession: Steam is not initialised")
	Steam.endAuthSession(ME)
	Steam.run_callbacks() # harmless
	Steam.steamShutdown() # harmless
	assert_eq(Steam.getSteamBackend(), "")


func test_init_ex_on_the_simulated_backend() -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", "simulated")
	var status: Dictionary = Steam.steamInitEx()
	assert_eq(status.keys(), ["status", "verbal"])
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_OK)
	assert_has(status.verbal, "simulated backend, app 555440 (from ")
	assert_has(status.verbal, "steam_appid.txt), user 76561198000000000")
	assert_true(Steam.isSteamInitialized())
	assert_true(Steam.loggedOn())
	assert_eq(Steam.getSteamID(), ME)
	assert_eq(Steam.getAppID(), APP, "app id from steam_appid.txt")
	assert_eq(Steam.getSteamBackend(), "simulated")


func test_init_returns_bool_and_takes_the_app_id_argument() -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", "simulated")
	assert_true(Steam.steamInit(480))
	assert_eq(Steam.getAppID(), 480)


func test_init_twice_keeps_the_first_session() -> void:
	init_simulated(480)
	var again: Dictionary = Steam.steamInitEx(555440)
	assert_eq(again.status, Steam.STEAM_API_INIT_RESULT_OK)
	assert_has(again.verbal, "already initialised")
	assert_eq(Steam.getAppID(), 480)


func test_simulated_steam_id_comes_from_the_environment() -> void:
	OS.set_environment("STEAM_AUTH_SIMULATED_STEAM_ID", str(PEER))
	init_simulated()
	assert_eq(Steam.getSteamID(), PEER)
	var decoded: Dictionary = Steam.decodeAuthTicket(Steam.getAuthSessionTicket())
	assert_eq(decoded.steam_id, PEER)


func test_bad_settings_fail_with_status_1_and_say_why() -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", "bogus")
	var status: Dictionary = Steam.steamInitEx()
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_FAILED_GENERIC)
	assert_has(status.verbal, "STEAM_AUTH_BACKEND is \"bogus\"; it must be \"steam\" or \"simulated\"")
	assert_false(Steam.isSteamInitialized())
	OS.set_environment("STEAM_AUTH_BACKEND", "simulated")
	OS.set_environment("STEAM_AUTH_SIMULATED_STEAM_ID", "not-a-number")
	status = Steam.steamInitEx()
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_FAILED_GENERIC)
	assert_has(status.verbal, "STEAM_AUTH_SIMULATED_STEAM_ID")
	assert_warned("Steam.steamInit:")


func test_steam_backend_without_a_client_reports_status_2_and_the_game_goes_on() -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", "steam")
	var status: Dictionary = Steam.steamInitEx()
	print("steam backend on this machine: ", status)
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_NO_STEAM_CLIENT)
	assert_has(status.verbal, "Steam client is not running")
	assert_has(status.verbal, "simulated")
	assert_false(Steam.steamInit())
	assert_false(Steam.isSteamInitialized())
	expect_error("Steam.getAuthSessionTicket: Steam is not initialised")
	assert_eq(Steam.getAuthSessionTicket(), {})
	await frames(2)
	# Falling back to the simulation in the same run works.
	init_simulated()
	assert_eq(Steam.getSteamBackend(), "simulated")


func test_shutdown_forgets_the_session() -> void:
	init_simulated()
	Steam.steamShutdown()
	assert_false(Steam.isSteamInitialized())
	expect_error("Steam.getSteamID: Steam is not initialised")
	assert_eq(Steam.getSteamID(), 0)
	init_simulated()
	assert_true(Steam.isSteamInitialized())


func test_constants_have_godotsteam_values() -> void:
	assert_eq(Steam.RESULT_OK, 1)
	var responses := [Steam.AUTH_SESSION_RESPONSE_OK, Steam.AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM,
		Steam.AUTH_SESSION_RESPONSE_NO_LICENSE_OR_EXPIRED, Steam.AUTH_SESSION_RESPONSE_VAC_BANNED,
		Steam.AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE, Steam.AUTH_SESSION_RESPONSE_VAC_CHECK_TIMED_OUT,
		Steam.AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED, Steam.AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED,
		Steam.AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID, Steam.AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN,
		Steam.AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE]
	assert_eq(responses, range(11))
	var begins := [Steam.BEGIN_AUTH_SESSION_RESULT_OK, Steam.BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET,
		Steam.BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST, Steam.BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION,
		Steam.BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH, Steam.BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET]
	assert_eq(begins, range(6))
	var inits := [Steam.STEAM_API_INIT_RESULT_OK, Steam.STEAM_API_INIT_RESULT_FAILED_GENERIC,
		Steam.STEAM_API_INIT_RESULT_NO_STEAM_CLIENT, Steam.STEAM_API_INIT_RESULT_VERSION_MISMATCH]
	assert_eq(inits, range(4))
	assert_eq([Steam.USER_HAS_LICENSE_RESULT_HAS_LICENSE, Steam.USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE,
		Steam.USER_HAS_LICENSE_RESULT_NO_AUTH], range(3))


func test_project_settings_are_registered_with_defaults() -> void:
	assert_true(ProjectSettings.has_setting("steam/auth/backend"))
	assert_eq(ProjectSettings.property_get_revert("steam/auth/backend"), "steam")
	assert_eq(ProjectSettings.property_get_revert("steam/auth/simulated_steam_id"), ME)
	assert_eq(ProjectSettings.property_get_revert("steam/auth/app_id"), 0)
	# This project overrides the backend for the editor and CI.
	assert_eq(ProjectSettings.get_setting("steam/auth/backend"), "simulated")
