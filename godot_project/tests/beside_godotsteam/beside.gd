## A game that already has GodotSteam: its `Steam` singleton exists before this addon loads. The addon
## must not register a second one, and SteamLogin must log in through the one that is there.
## Usage: STAND_IN_TICKET=<hex> STEAM_AUTH_LOGIN_ENDPOINT=<url> godot --headless -s beside.gd [-- never]
extends "res://beside_godotsteam/checks.gd"

const StandIn = preload("res://beside_godotsteam/stand_in_steam.gd")
const EXTENSION := "res://addons/steam_auth/steam_auth.gdextension"
const PEER := 76561198000000042


func _run() -> void:
	var policy := "auto" if OS.get_cmdline_user_args().is_empty() else OS.get_cmdline_user_args()[0]
	ProjectSettings.set_setting("steam/auth/provide_steam_singleton", policy)
	var stand_in: Object = null
	if policy == "auto":
		stand_in = StandIn.new()
		stand_in.ticket = OS.get_environment("STAND_IN_TICKET").hex_decode()
		Engine.register_singleton("Steam", stand_in)
	check(not ClassDB.class_exists("SteamLogin"), "the addon is not loaded yet")
	var status := GDExtensionManager.load_extension(EXTENSION)
	check(status == GDExtensionManager.LOAD_STATUS_OK, "the addon loads at run time (status %d)" % status)

	var login: Object = ClassDB.instantiate("SteamLogin")
	var result: Object = await login.login_with_steam("steam-auth-demo")
	if policy == "auto":
		check(Engine.get_singleton("Steam") == stand_in, "the other Steam singleton is still the one registered")
		check(stand_in.web_api_requests == ["steam-auth-demo"], "SteamLogin asked the other Steam for a Web API ticket")
		check(result.ok, "logged in through the other Steam: %s %s" % [result.error_kind, result.error_message])
		if result.ok:
			check(result.session.provider_id == str(PEER), "the session is for the stand-in's user %s" % result.session.provider_id)
		Engine.unregister_singleton("Steam")
		stand_in.free()
	else:
		check(not Engine.has_singleton("Steam"), "with \"never\" no Steam singleton is registered")
		check(not result.ok and result.error_message.contains("no Steam singleton is registered"), "login_with_steam says why: %s" % result.error_message)
	login = null
	result = null
	finish()
