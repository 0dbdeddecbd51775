## Records every signal the Steam singleton emits, with the frame it arrived on.
extends RefCounted

var events: Array[Dictionary] = []


func _init() -> void:
	Steam.get_auth_session_ticket_response.connect(_on_ticket)
	Steam.validate_auth_ticket_response.connect(_on_validate)
	Steam.get_ticket_for_web_api.connect(_on_web_api)


func disconnect_all() -> void:
	Steam.get_auth_session_ticket_response.disconnect(_on_ticket)
	Steam.validate_auth_ticket_response.disconnect(_on_validate)
	Steam.get_ticket_for_web_api.disconnect(_on_web_api)


func of(signal_name: String) -> Array[Dictionary]:
	return events.filter(func(e): return e.signal == signal_name)


## Waits up to `max_frames` frames for a `signal_name` event; returns it, or {} on timeout.
func wait_for(signal_name: String, max_frames := 10) -> Dictionary:
	for i in max_frames + 1:
		var found := of(signal_name)
		if not found.is_empty():
			return found[0]
		await Engine.get_main_loop().process_frame
	return {}


func _record(signal_name: String, args: Array) -> void:
	events.append({"signal": signal_name, "args": args, "frame": Engine.get_process_frames()})


func _on_ticket(auth_ticket: int, result: int) -> void:
	_record("get_auth_session_ticket_response", [auth_ticket, result])


func _on_validate(auth_id: int, response: int, owner_id: int) -> void:
	_record("validate_auth_ticket_response", [auth_id, response, owner_id])


func _on_web_api(auth_ticket: int, result: int, ticket_size: int, ticket_buffer: PackedByteArray) -> void:
	_record("get_ticket_for_web_api", [auth_ticket, result, ticket_size, ticket_buffer])
