## Which app id Steam gets: argument > SteamAppId > SteamGameId > steam_appid.txt > Project Setting,
## and with none of them the steam backend lets the Steam client decide. Runs on the backend under
## test; over the flat-API double, getAppID() is the id the double's SteamAPI_Init found.
extends "res://tests/test_case.gd"


func _init_ex(app_id := 0) -> Dictionary:
	OS.set_environment("STEAM_AUTH_BACKEND", backend_under_test())
	return Steam.steamInitEx(app_id)


func test_only_steam_app_id_set_as_steam_launches_a_game() -> void:
	hide_steam_appid_file()
	OS.set_environment("SteamAppId", "480")
	var status := _init_ex()
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_OK, str(status.verbal))
	assert_eq(Steam.getAppID(), 480)
	assert_has(status.verbal, "app 480 (from environment variable SteamAppId)")
	assert_eq(Steam.current_app_id, 480)


func test_steam_game_id_when_steam_app_id_is_missing() -> void:
	OS.set_environment("SteamGameId", "570")
	var status := _init_ex()
	assert_eq(Steam.getAppID(), 570)
	assert_has(status.verbal, "from environment variable SteamGameId")


func test_the_argument_wins_over_the_environment() -> void:
	OS.set_environment("SteamAppId", "480")
	var status := _init_ex(730)
	assert_eq(Steam.getAppID(), 730)
	assert_has(status.verbal, "from the steamInit argument")


func test_the_file_when_steam_set_nothing() -> void:
	var status := _init_ex()
	assert_eq(Steam.getAppID(), APP)
	assert_has(status.verbal, "steam_appid.txt)")


func test_the_project_setting_last() -> void:
	hide_steam_appid_file()
	set_setting("steam/auth/app_id", 480)
	var status := _init_ex()
	assert_eq(Steam.getAppID(), 480)
	assert_has(status.verbal, "from Project Setting steam/auth/app_id")


func test_a_garbled_environment_value_fails_init_and_says_which() -> void:
	OS.set_environment("SteamAppId", "spacewar")
	var status := _init_ex()
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_FAILED_GENERIC)
	assert_has(status.verbal, "environment variable SteamAppId is \"spacewar\"")
	assert_warned("Steam.steamInit:")


func test_no_source_at_all() -> void:
	hide_steam_appid_file()
	var status := _init_ex()
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_FAILED_GENERIC)
	assert_false(Steam.isSteamInitialized())
	if backend_under_test() == "simulated":
		assert_has(status.verbal, "no app id: pass one to steamInit(app_id), launch the game from Steam")
	else:
		# The steam backend called SteamAPI_Init without an app id: Steam itself found none.
		assert_has(status.verbal, "(Steam said: No appID found.")
	assert_warned("Steam.steamInit:")
