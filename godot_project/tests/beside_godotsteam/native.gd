## A game with a native GodotSteam (here the test-only stand-in extension: a class and singleton
## named Steam) and this addon, both loaded at start-up; the addon runs login-only by itself. No class clashes,
## and SteamLogin logs in through GodotSteam's Steam.
extends "res://beside_godotsteam/checks.gd"

const PEER := 76561198000000042


func _run() -> void:
	check(Steam.get_godotsteam_version() == "stand-in", "Steam is GodotSteam's (the stand-in)")
	check(ClassDB.class_exists("SteamLogin"), "the addon is loaded")
	check(not ClassDB.class_exists("SteamServer"), "login-only: the addon did not load its Steam library")
	var login := SteamLogin.new()
	var result: SteamLoginResult = await login.login_with_steam("steam-auth-demo")
	check(Steam.web_api_requests() == 1, "SteamLogin asked GodotSteam for a Web API ticket")
	check(result.ok, "logged in through GodotSteam's Steam: %s %s" % [result.error_kind, result.error_message])
	if result.ok:
		check(result.session.provider_id == str(PEER), "the session is for the ticket's user")
	finish()
