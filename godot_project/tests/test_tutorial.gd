## The tutorial's code runs unchanged against the simulated Steam and reaches every path it prints.
extends "res://tests/test_case.gd"

const Tutorial = preload("res://tests/tutorial/auth_tutorial.gd")

const BEGIN_TEXTS := [
	"Ticket is valid for this game and this Steam ID.",
	"The ticket is invalid.",
	"A ticket has already been submitted for this Steam ID.",
	"Ticket is from an incompatible interface version.",
	"Ticket is not for this game.",
	"Ticket has expired.",
]
const VALIDATE_TEXTS := [
	"Steam has verified the user is online, the ticket is valid and ticket has not been reused.",
	"The user in question is not connected to Steam.",
	"The user doesn't have a license for this App ID or the ticket has expired.",
	"The user is VAC banned for this game.",
	"The user account has logged in elsewhere and the session containing the game instance has been disconnected.",
	"VAC has been unable to perform anti-cheat checks on this user.",
	"The ticket has been canceled by the issuer.",
	"This ticket has already been used, it is not valid.",
	"This ticket is not from a user instance currently connected to steam.",
	"The user is banned for this game. The ban came via the web api and not VAC.",
]


func test_tutorial_reaches_every_response_path() -> void:
	init_simulated()
	var node: Node = Tutorial.new()
	Engine.get_main_loop().root.add_child(node)

	# Getting the ticket: the callback prints result 1 and the handle.
	node.get_ticket()
	await frames(3)
	assert_printed("Auth session result: 1")
	assert_printed("Auth session ticket handle: %d" % node.TICKET.id)

	# Validating: 0 (valid) for our own ticket, then every failure code.
	node._validate_Auth_Session(node.TICKET, ME)
	assert_printed("Validation successful, adding user to CLIENT_TICKETS")
	assert_eq(node.CLIENT_TICKETS, [{"id": ME, "ticket": node.TICKET.id}])
	node._validate_Auth_Session({"buffer": PackedByteArray([1, 2, 3]), "size": 3, "id": 0}, PEER)
	node._validate_Auth_Session(Steam.mintSimulatedTicket(ME), ME)
	node._validate_Auth_Session(Steam.mintSimulatedTicket(PEER, {"version": 3}), PEER)
	node._validate_Auth_Session(Steam.mintSimulatedTicket(PEER, {"app_id": 480}), PEER)
	node._validate_Auth_Session(Steam.mintSimulatedTicket(PEER, {"expires_in": -1}), PEER)
	for text in BEGIN_TEXTS:
		assert_printed("Auth verifcation response: " + text)

	# The validate callback: 0 from the successful begin, 1-5 and 8-9 as Steam reports them
	# during a session, 6 when the client cancels its ticket, 7 when a used ticket comes back.
	await frames(3)
	for response in [1, 2, 3, 4, 5, 8, 9]:
		Steam.simulateAuthSessionResponse(ME, response)
	node.cancel_own_ticket()
	await frames(3)
	node.end_all_sessions()
	assert_eq(node.CLIENT_TICKETS, [])
	# A fresh ticket, validated, its session ended, then presented again.
	node.get_ticket()
	node._validate_Auth_Session(node.TICKET, ME)
	node.end_all_sessions()
	node._validate_Auth_Session(node.TICKET, ME)
	await frames(3)
	for text in VALIDATE_TEXTS:
		assert_printed("Auth response: " + text)
	assert_printed("Ticket Owner: %d" % ME)
	assert_printed("Game owner ID: %d" % ME)
	node.queue_free()
	await frames(1)
