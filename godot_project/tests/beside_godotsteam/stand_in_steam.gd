## A stand-in for GodotSteam's `Steam` singleton: the members SteamLogin uses, with GodotSteam's names
## and signal, answering with a ticket it was given (it has no Steam of its own).
extends Object

signal get_ticket_for_web_api(auth_ticket: int, result: int, ticket_size: int, ticket_buffer: PackedByteArray)

var ticket := PackedByteArray()
var web_api_requests: Array[String] = []


func steamInitEx(_app_id := 0, _embed := false) -> Dictionary:
	return {"status": 0, "verbal": "Steamworks active."}


func getAuthTicketForWebApi(service_identity: String = "") -> int:
	web_api_requests.append(service_identity)
	_answer.call_deferred(7)
	return 7


func getAuthSessionTicket(_remote_steam_id: int = 0) -> Dictionary:
	return {"id": 8, "buffer": ticket, "size": ticket.size()}


func _answer(handle: int) -> void:
	get_ticket_for_web_api.emit(handle, 1, ticket.size(), ticket)
