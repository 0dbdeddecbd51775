# GodotSteam's authentication tutorial, Godot 4.x code (shared/spec/auth-tutorial.md), unchanged but for
# the missing quote in `{"id": steam_id, "ticket": ticket['id']}`. The tutorial's loose statements are
# wrapped in the small functions marked "wrapper" so a test can call them.
extends Node

# Set up some variables
var TICKET: Dictionary		# Your auth ticket
var CLIENT_TICKETS: Array	# Array of clients tickets

func _ready() -> void:
	Steam.get_auth_session_ticket_response.connect(_get_Auth_Session_Ticket_Response)
	Steam.validate_auth_ticket_response.connect(_validate_Auth_Ticket_Response)

# Callback from getting the auth ticket from Steam
func _get_Auth_Session_Ticket_Response(auth_ticket: int, result: int) -> void:
	print("Auth session result: "+str(result))
	print("Auth session ticket handle: "+str(auth_ticket))


# Callback from attempting to validate the auth ticket
func _validate_Auth_Ticket_Response(authID: int, response: int, ownerID: int) -> void:
	print("Ticket Owner: "+str(authID))

	# Make the response more verbose, highly unnecessary but good for this example
	var VERBOSE_RESPONSE: String
	match response:
		0: VERBOSE_RESPONSE = "Steam has verified the user is online, the ticket is valid and ticket has not been reused."
		1: VERBOSE_RESPONSE = "The user in question is not connected to Steam."
		2: VERBOSE_RESPONSE = "The user doesn't have a license for this App ID or the ticket has expired."
		3: VERBOSE_RESPONSE = "The user is VAC banned for this game."
		4: VERBOSE_RESPONSE = "The user account has logged in elsewhere and the session containing the game instance has been disconnected."
		5: VERBOSE_RESPONSE = "VAC has been unable to perform anti-cheat checks on this user."
		6: VERBOSE_RESPONSE = "The ticket has been canceled by the issuer."
		7: VERBOSE_RESPONSE = "This ticket has already been used, it is not valid."
		8: VERBOSE_RESPONSE = "This ticket is not from a user instance currently connected to steam."
		9: VERBOSE_RESPONSE = "The user is banned for this game. The ban came via the web api and not VAC."
	print("Auth response: "+str(VERBOSE_RESPONSE))
	print("Game owner ID: "+str(ownerID))

# wrapper: "Getting Your Auth Ticket"
func get_ticket() -> void:
	TICKET = Steam.getAuthSessionTicket()

func _validate_Auth_Session(ticket: Dictionary, steam_id: int) -> void:
	var RESPONSE: int = Steam.beginAuthSession(ticket['buffer'], ticket['size'], steam_id)

	# Get a verbose response; unnecessary but useful in this example
	var VERBOSE_RESPONSE: String
	match RESPONSE:
		0: VERBOSE_RESPONSE = "Ticket is valid for this game and this Steam ID."
		1: VERBOSE_RESPONSE = "The ticket is invalid."
		2: VERBOSE_RESPONSE = "A ticket has already been submitted for this Steam ID."
		3: VERBOSE_RESPONSE = "Ticket is from an incompatible interface version."
		4: VERBOSE_RESPONSE = "Ticket is not for this game."
		5: VERBOSE_RESPONSE = "Ticket has expired."
	print("Auth verifcation response: "+str(VERBOSE_RESPONSE))

	if RESPONSE == 0:
		print("Validation successful, adding user to CLIENT_TICKETS")
		CLIENT_TICKETS.append({"id": steam_id, "ticket": ticket['id']} )

	# You can now add the client to the game

# wrapper: "Ending Auth Sessions", the client side
func cancel_own_ticket() -> void:
	Steam.cancelAuthTicket(TICKET['id'])

# wrapper: "Ending Auth Sessions", the server side
func end_all_sessions() -> void:
	for C in CLIENT_TICKETS:
		Steam.endAuthSession(C['id'])

		# Then remove this client from the ticket array
		CLIENT_TICKETS.erase(C)
