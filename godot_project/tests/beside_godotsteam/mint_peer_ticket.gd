## Prints a simulation-signed Web API ticket for another SteamID, for the stand-in to hand out.
extends SceneTree

const PEER := 76561198000000042


func _init() -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", "simulated")
	Steam.steamInitEx(555440, false)
	var ticket: Dictionary = Steam.mintSimulatedTicket(PEER, {"ticket_type": 5})
	print("TICKET ", ticket.buffer.hex_encode())
	Steam.steamShutdown()
	quit(0)
