## steam-auth demo: the whole Steam auth flow, one button per step.
## In the editor press F5 and click the steps (or "Run all"). Headless, run with `-- --auto`: every step
## runs, each result is printed, and the exit code is 0 only if all succeeded. `-- --auto --screenshot
## path.png` also saves a picture of the window once done (needs a display, e.g. Xvfb).
extends Control

@onready var _status: Label = %Status
@onready var _log: RichTextLabel = %Log
@onready var _session_label: Label = %Session

var _ticket: Dictionary = {}
var _session: SteamSession
var _failed := false
var _web_api_handle := 0


func _ready() -> void:
	var buttons := {
		%InitButton: step_init,
		%TicketButton: step_session_ticket,
		%DecodeButton: step_decode,
		%ValidateButton: step_validate,
		%WebApiButton: step_web_api_ticket,
		%LoginButton: step_login,
		%EndButton: step_end,
		%RunAllButton: run_all,
	}
	for button: Button in buttons:
		button.pressed.connect(buttons[button])
	_show_status()
	var args := OS.get_cmdline_user_args()
	if "--auto" in args:
		await run_all()
		var shot := args.find("--screenshot")
		if shot >= 0 and shot + 1 < args.size():
			await _save_screenshot(args[shot + 1])
		get_tree().quit(1 if _failed else 0)


func _process(_delta: float) -> void:
	if _session:
		var left := _session.seconds_left()
		_session_label.text = "Session %s…  user %s  expires in %s" % [
			_session.token.substr(0, 8), _session.user_id, _duration(left) if left > 0 else "— expired"]


func run_all() -> void:
	_failed = false
	_log.clear()
	for step in [step_init, step_session_ticket, step_decode, step_validate, step_web_api_ticket, step_login, step_end]:
		if not await step.call():
			break
	say("[b]%s[/b]" % ("Some steps failed." if _failed else "All steps succeeded."))


func step_init() -> bool:
	var status: Dictionary = Steam.steamInitEx()
	_show_status()
	if status.status != Steam.STEAM_API_INIT_RESULT_OK:
		return fail("Steam did not start: %s" % status.verbal)
	return ok("Init: %s" % status.verbal)


func step_session_ticket() -> bool:
	if not _require_steam():
		return false
	_ticket = Steam.getAuthSessionTicket()
	if _ticket.is_empty():
		return fail("Steam gave no session ticket.")
	var hex: String = _ticket.buffer.slice(0, _ticket.size).hex_encode()
	return ok("Session ticket #%d: %d bytes\n    %s…" % [_ticket.id, _ticket.size, hex.substr(0, 64)])


func step_decode() -> bool:
	if not _require_ticket():
		return false
	var d: Dictionary = Steam.decodeAuthTicket(_ticket)
	if d.has("error"):
		return fail("The ticket could not be decoded: %s" % d.error)
	return ok("Decoded: SteamID %d, app %d, %s ticket, licenses %s\n    issued %s, expires %s, signed by %s" % [
		d.steam_id, d.app_id, d.ticket_type_name, Array(d.licenses),
		_date(d.issued), _date(d.expires), d.signed_by if d.signed_by else "nobody we trust"])


func step_validate() -> bool:
	if not _require_ticket():
		return false
	var result: int = Steam.beginAuthSession(_ticket.buffer, _ticket.size, Steam.getSteamID())
	if result != Steam.BEGIN_AUTH_SESSION_RESULT_OK:
		return fail("Steam refused the ticket: %s" % BEGIN_TEXT.get(result, "result %d" % result))
	var args: Array = await Steam.validate_auth_ticket_response
	if args[1] != Steam.AUTH_SESSION_RESPONSE_OK:
		return fail("Steam ended the session: %s" % RESPONSE_TEXT.get(args[1], "response %d" % args[1]))
	return ok("Validated: %s (SteamID %d, owner %d)" % [RESPONSE_TEXT[0], args[0], args[2]])


func step_web_api_ticket() -> bool:
	if not _require_steam():
		return false
	_web_api_handle = Steam.getAuthTicketForWebApi("steam-auth-demo")
	var args: Array = await Steam.get_ticket_for_web_api
	if args[1] != Steam.RESULT_OK:
		return fail("Steam gave no Web API ticket (result %d)." % args[1])
	return ok("Web API ticket #%d: %d bytes, for the identity \"steam-auth-demo\"" % [args[0], args[2]])


func step_login() -> bool:
	if not _require_steam():
		return false
	var login := SteamLogin.new()
	say("  logging in at %s …" % login.endpoint)
	var result: SteamLoginResult = await login.login_with_steam("steam-auth-demo")
	if not result.ok:
		return fail("Login failed (%s): %s" % [result.error_kind, LOGIN_HINT.get(result.error_kind, result.error_message)])
	_session = result.session
	say("  session: %s" % JSON.stringify(_redacted(_session.to_dictionary())))
	return ok("Logged in: user %s, SteamID %s, session for %s" % [
		_session.user_id, _session.provider_id, _duration(_session.seconds_left())])


func step_end() -> bool:
	if not _require_ticket():
		return false
	Steam.cancelAuthTicket(_ticket.id)
	Steam.endAuthSession(Steam.getSteamID())
	if _web_api_handle:
		Steam.cancelAuthTicket(_web_api_handle)
	_ticket = {}
	_web_api_handle = 0
	return ok("Ended: tickets cancelled and the auth session closed")


const BEGIN_TEXT := {
	1: "the ticket is invalid", 2: "a ticket was already submitted for this SteamID",
	3: "the ticket is from an incompatible interface version", 4: "the ticket is not for this game",
	5: "the ticket has expired",
}
const RESPONSE_TEXT := {
	0: "Steam verified the user is online and the ticket is valid and unused",
	1: "the user is not connected to Steam", 2: "no license for this app, or it expired",
	3: "the user is VAC banned for this game", 4: "the user logged in elsewhere",
	5: "VAC could not check this user", 6: "the ticket was cancelled by its issuer",
	7: "the ticket was already used", 8: "the ticket is not from a user connected to Steam",
	9: "the user is banned from this game by its publisher", 10: "the ticket was made for another network identity",
}
const LOGIN_HINT := {
	"transport": "the login server cannot be reached; is it running? (scripts/demo.sh starts one)",
	"timeout": "the login server did not answer in time",
}


func _require_steam() -> bool:
	return Steam.isSteamInitialized() or fail("Press \"Init\" first: Steam is not initialised.")


func _require_ticket() -> bool:
	return not _ticket.is_empty() or fail("Press \"Get session ticket\" first.")


func _show_status() -> void:
	if Steam.isSteamInitialized():
		_status.text = "Backend: %s    SteamID: %d    App: %d" % [Steam.getSteamBackend(), Steam.getSteamID(), Steam.getAppID()]
	else:
		_status.text = "Steam is not initialised. Backend setting: %s" % ProjectSettings.get_setting("steam/auth/backend", "steam")


func ok(text: String) -> bool:
	say("[color=#4caf50]✔[/color] " + text)
	return true


func fail(text: String) -> bool:
	_failed = true
	say("[color=#ef5350]✘ %s[/color]" % text)
	return false


func say(text: String) -> void:
	_log.append_text(text + "\n")
	if _colour_output():
		print_rich(text)
	else:
		print(_BBCODE.sub(text, "", true))


## Colour (ANSI, through print_rich) only for a terminal, and never with NO_COLOR set (no-color.org).
func _colour_output() -> bool:
	return OS.get_environment("NO_COLOR").is_empty() and OS.get_stdout_type() == OS.STD_HANDLE_CONSOLE


static var _BBCODE := RegEx.create_from_string("\\[/?(color|b|i|u|code)(=[^\\]]*)?\\]")


func _redacted(session: Dictionary) -> Dictionary:
	var copy := session.duplicate(true)
	for key in ["token", "tokenId"]:
		if copy.has(key):
			copy[key] = "%s…" % str(copy[key]).substr(0, 8)
	return copy


func _date(unix: int) -> String:
	return Time.get_datetime_string_from_unix_time(unix, true) + " UTC"


func _duration(seconds: int) -> String:
	return "%dh %02dm %02ds" % [seconds / 3600, seconds % 3600 / 60, seconds % 60]


func _save_screenshot(path: String) -> void:
	await get_tree().process_frame
	await RenderingServer.frame_post_draw
	var image := get_viewport().get_texture().get_image()
	var err := image.save_png(path)
	print("screenshot: %s (%s)" % [path, error_string(err)])
