## A GodotSteam 4.14+ project's global.gd (an autoload), written the way GodotSteam's tutorials and
## public projects write it. tests/test_godotsteam_scripts.gd runs it unchanged on both backends.
extends Node

const STEAM_APP_ID := 480

var is_on_steam_deck: bool = false
var is_online: bool = false
var is_owned: bool = false
var is_family_shared: bool = false
var app_owner: int = 0
var steam_id: int = 0
var steam_username: String = ""
var godotsteam_version: String = ""
var launch_cmd_line: String = ""
var is_in_vr: bool = false
var is_vac_banned: bool = false
var game_language: String = ""
var ui_language: String = ""
var auth_ticket: Dictionary = {}
var web_api_ticket: PackedByteArray = PackedByteArray()
var ticket_results: Array = []
var validations: Array = []


func _init() -> void:
	OS.set_environment("SteamAppId", str(STEAM_APP_ID))
	OS.set_environment("SteamGameId", str(STEAM_APP_ID))


func _ready() -> void:
	Steam.get_auth_session_ticket_response.connect(_on_get_auth_session_ticket_response)
	Steam.validate_auth_ticket_response.connect(_on_validate_auth_ticket_response)
	Steam.connect("get_ticket_for_web_api", _on_get_ticket_for_web_api)
	Steam.steam_server_connected.connect(_on_steam_server_connected)
	Steam.steam_server_disconnected.connect(_on_steam_server_disconnected)
	initialize_steam()


func initialize_steam() -> void:
	if Steam.restartAppIfNecessary(STEAM_APP_ID):
		get_tree().quit()
		return
	var initialize_response: Dictionary = Steam.steamInitEx(0, true)
	print("Did Steam initialize?: %s" % initialize_response)
	if initialize_response["status"] > Steam.STEAM_API_INIT_RESULT_OK:
		print("Failed to initialize Steam, shutting down: %s" % initialize_response)
		return
	is_on_steam_deck = Steam.isSteamRunningOnSteamDeck()
	is_online = Steam.loggedOn()
	is_owned = Steam.isSubscribed()
	is_family_shared = Steam.isSubscribedFromFamilySharing()
	app_owner = Steam.getAppOwner()
	steam_id = Steam.getSteamID()
	steam_username = Steam.getPersonaName()
	godotsteam_version = Steam.get_godotsteam_version()
	launch_cmd_line = Steam.getLaunchCommandLine()
	is_in_vr = Steam.isSteamRunningInVR()
	is_vac_banned = Steam.isVACBanned()
	game_language = Steam.getCurrentGameLanguage()
	ui_language = Steam.getSteamUILanguage()
	if not is_owned:
		print("User does not own this game")
	auth_ticket = Steam.getAuthSessionTicket()
	Steam.getAuthTicketForWebApi("my-backend")


func validate_auth_session(ticket: Dictionary, remote_steam_id: int) -> bool:
	var verify_response: int = Steam.beginAuthSession(ticket["buffer"], ticket["size"], remote_steam_id)
	match verify_response:
		Steam.BEGIN_AUTH_SESSION_RESULT_OK:
			print("Ticket is valid for this game and this Steam ID.")
			return true
		Steam.BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST:
			print("A ticket has already been submitted for this Steam ID.")
		Steam.BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH:
			print("The ticket is not for this game.")
		_:
			print("Ticket rejected: %s" % verify_response)
	return false


func _on_get_auth_session_ticket_response(this_auth_ticket: int, result: int) -> void:
	ticket_results.append([this_auth_ticket, result])


func _on_get_ticket_for_web_api(auth_ticket_handle: int, result: int, ticket_size: int, ticket_buffer: PackedByteArray) -> void:
	if result == Steam.RESULT_OK:
		web_api_ticket = ticket_buffer.slice(0, ticket_size)


func _on_validate_auth_ticket_response(auth_id: int, response: int, owner_id: int) -> void:
	validations.append([auth_id, response, owner_id])
	if response != Steam.AUTH_SESSION_RESPONSE_OK:
		Steam.endAuthSession(auth_id)


func _on_steam_server_connected() -> void:
	is_online = true


func _on_steam_server_disconnected() -> void:
	is_online = false


func _exit_tree() -> void:
	if auth_ticket.has("id"):
		Steam.cancelAuthTicket(auth_ticket["id"])
