## steam-auth demo: the whole Steam auth flow, step by step.
## In the editor press F5; headless, run with `-- --auto` to run every step, print each result and exit
## with 0 only if all succeeded.
extends Control

@onready var _log: RichTextLabel = %Log

var _auto := false
var _failed := false


func _ready() -> void:
	_auto = "--auto" in OS.get_cmdline_user_args() or DisplayServer.get_name() == "headless"
	if _auto:
		await run_all()
		get_tree().quit(1 if _failed else 0)
	else:
		%RunButton.pressed.connect(run_all)


func run_all() -> void:
	_failed = false
	_log.clear()
	if not step_init():
		return
	var ticket := step_session_ticket()
	if ticket.is_empty():
		return
	step_decode(ticket)
	await step_validate(ticket)
	await step_web_api_ticket()
	await step_login()
	step_end(ticket)
	say("[b]%s[/b]" % ("Some steps failed." if _failed else "All steps succeeded."))


func step_init() -> bool:
	var status: Dictionary = Steam.steamInitEx()
	if status.status != Steam.STEAM_API_INIT_RESULT_OK:
		return fail("Steam did not start: %s" % status.verbal)
	ok("Init: %s" % status.verbal)
	say("  backend %s, SteamID %d, app %d" % [Steam.getSteamBackend(), Steam.getSteamID(), Steam.getAppID()])
	return true


func step_session_ticket() -> Dictionary:
	var ticket: Dictionary = Steam.getAuthSessionTicket()
	if ticket.is_empty():
		fail("No session ticket")
		return {}
	var hex: String = ticket.buffer.slice(0, ticket.size).hex_encode()
	ok("Session ticket #%d: %d bytes, hex %s…" % [ticket.id, ticket.size, hex.substr(0, 32)])
	return ticket


func step_decode(ticket: Dictionary) -> void:
	var d: Dictionary = Steam.decodeAuthTicket(ticket)
	if d.has("error"):
		fail("Decode: %s" % d.error)
		return
	ok("Decoded: SteamID %d, app %d, type %s, expires %s, signed by %s" % [
		d.steam_id, d.app_id, d.ticket_type_name,
		Time.get_datetime_string_from_unix_time(d.expires, true), d.signed_by])


func step_validate(ticket: Dictionary) -> void:
	var result: int = Steam.beginAuthSession(ticket.buffer, ticket.size, Steam.getSteamID())
	if result != Steam.BEGIN_AUTH_SESSION_RESULT_OK:
		fail("beginAuthSession answered %d" % result)
		return
	var args: Array = await Steam.validate_auth_ticket_response
	if args[1] != Steam.AUTH_SESSION_RESPONSE_OK:
		fail("Steam rejected the session: response %d" % args[1])
		return
	ok("Validated: Steam verified SteamID %d (owner %d)" % [args[0], args[2]])


func step_web_api_ticket() -> void:
	var handle: int = Steam.getAuthTicketForWebApi("steam-auth-demo")
	var args: Array = await Steam.get_ticket_for_web_api
	if args[0] != handle or args[1] != Steam.RESULT_OK:
		fail("Web API ticket failed: result %d" % args[1])
		return
	ok("Web API ticket #%d: %d bytes, ready to post to the login server" % [handle, args[2]])


func step_login() -> void:
	var login := SteamLogin.new()
	say("  logging in at %s" % login.endpoint)
	var result: SteamLoginResult = await login.login_with_steam("steam-auth-demo")
	if not result.ok:
		fail("Login failed (%s): %s" % [result.error_kind, result.error_message])
		return
	var s: SteamSession = result.session
	ok("Logged in: user %s, SteamID %s, session expires in %s" % [s.user_id, s.provider_id, _duration(s.seconds_left())])
	say("  session: %s" % JSON.stringify(_redacted(s.to_dictionary())))


func _redacted(session: Dictionary) -> Dictionary:
	var copy := session.duplicate(true)
	for key in ["token", "tokenId"]:
		if copy.has(key):
			copy[key] = "%s…" % str(copy[key]).substr(0, 8)
	return copy


func _duration(seconds: int) -> String:
	return "%dh %02dm %02ds" % [seconds / 3600, seconds % 3600 / 60, seconds % 60]


func step_end(ticket: Dictionary) -> void:
	Steam.cancelAuthTicket(ticket.id)
	Steam.endAuthSession(Steam.getSteamID())
	ok("Ended: ticket cancelled and auth session closed")


func ok(text: String) -> void:
	say("[color=green]✔[/color] " + text)


func fail(text: String) -> bool:
	_failed = true
	say("[color=red]✘ %s[/color]" % text)
	return false


func say(text: String) -> void:
	_log.append_text(text + "\n")
	print_rich(text)
