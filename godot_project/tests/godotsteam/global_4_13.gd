## An older GodotSteam (4.13 and before) project's global.gd: steamInit's first argument is
## retrieve_stats and it returns {status, verbal} with 1 for success; callbacks are pumped in _process.
## tests/test_godotsteam_scripts.gd runs it unchanged on both backends.
extends Node

var IS_ONLINE: bool = false
var IS_OWNED: bool = false
var STEAM_ID: int = 0
var STEAM_NAME: String = ""
var INIT_STATUS: int = -1
var TICKET: Dictionary = {}
var TICKET_RESULT: int = -1
var VALIDATED: Array = []


func _ready() -> void:
	var INIT: Dictionary = Steam.steamInit(false)
	print("Did Steam initialize?: " + str(INIT))
	INIT_STATUS = INIT["status"]
	if INIT["status"] != 1:
		print("Failed to initialize Steam. " + str(INIT["verbal"]) + " Shutting down...")
		return
	IS_ONLINE = Steam.loggedOn()
	STEAM_ID = Steam.getSteamID()
	STEAM_NAME = Steam.getPersonaName()
	IS_OWNED = Steam.isSubscribed()
	if not IS_OWNED:
		print("User does not own this game")
	Steam.connect("get_auth_session_ticket_response", _get_Auth_Session_Ticket_Response)
	Steam.connect("validate_auth_ticket_response", _validate_Auth_Ticket_Response)
	TICKET = Steam.getAuthSessionTicket()
	var RESPONSE: int = Steam.beginAuthSession(TICKET["buffer"], TICKET["size"], STEAM_ID)
	print("Auth session result: " + str(RESPONSE))


func _process(_delta: float) -> void:
	Steam.run_callbacks()


func _get_Auth_Session_Ticket_Response(authTicket: int, result: int) -> void:
	TICKET_RESULT = result


func _validate_Auth_Ticket_Response(authID: int, response: int, ownerID: int) -> void:
	VALIDATED.append([authID, response, ownerID])


func _exit_tree() -> void:
	Steam.endAuthSession(STEAM_ID)
	Steam.cancelAuthTicket(TICKET["id"])
