## Base class of the headless tests: assertions, expected errors, frame helpers.
## Every method named test_* of a tests/test_*.gd script is a test case; it may `await`.
extends RefCounted

const LogCapture = preload("res://tests/log_capture.gd")
const SteamEvents = preload("res://tests/steam_events.gd")

const ME := 76561198000000000
const PEER := 76561198000000042
const APP := 555440

var failures: Array[String] = []
## Project Settings a test changed, with their values before; the runner restores them.
var changed_settings: Dictionary = {}
var expected_errors: Array[String] = []
var log: LogCapture


func fail(message: String) -> void:
	failures.append(message)


func assert_true(value: bool, message := "expected true") -> void:
	if not value:
		fail(message)


func assert_false(value: bool, message := "expected false") -> void:
	if value:
		fail(message)


func assert_eq(actual: Variant, expected: Variant, message := "") -> void:
	if typeof(actual) != typeof(expected) or actual != expected:
		fail("%sexpected %s, got %s" % [message + ": " if message else "", var_to_str(expected), var_to_str(actual)])


func assert_has(text: String, part: String, message := "") -> void:
	if not text.contains(part):
		fail("%sexpected %s to contain %s" % [message + ": " if message else "", var_to_str(text), var_to_str(part)])


## Declares that the test will cause an error containing `part`; the runner fails the test if it
## does not happen, and fails it on any error not declared.
func expect_error(part: String) -> void:
	expected_errors.append(part)


func assert_warned(part: String) -> void:
	for w in log.warnings:
		if w.contains(part):
			return
	fail("expected a warning containing %s, got %s" % [var_to_str(part), var_to_str(log.warnings)])


func assert_printed(part: String) -> void:
	for m in log.messages:
		if m.contains(part):
			return
	fail("expected output containing %s" % var_to_str(part))


func frames(n: int) -> void:
	for i in n:
		await Engine.get_main_loop().process_frame


## Steam initialised on the simulated backend (the suite's default), failing the test otherwise.
func init_simulated(app_id := 0, embed := true) -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", "simulated")
	var status: Dictionary = Steam.steamInitEx(app_id, embed)
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_OK, "simulated init: " + str(status.verbal))


## The backend this run tests: STEAM_AUTH_TEST_BACKEND, default "simulated".
func backend_under_test() -> String:
	var name := OS.get_environment("STEAM_AUTH_TEST_BACKEND")
	return name if name else "simulated"


## Steam initialised on the backend under test (app 555440), failing the test otherwise.
func init_backend(embed := true) -> void:
	OS.set_environment("STEAM_AUTH_BACKEND", backend_under_test())
	var status: Dictionary = Steam.steamInitEx(APP, embed)
	assert_eq(status.status, Steam.STEAM_API_INIT_RESULT_OK, "%s init: %s" % [backend_under_test(), status.verbal])


## A copy of `ticket.buffer` with one byte changed.
func tampered(ticket: Dictionary, index: int) -> PackedByteArray:
	var bytes: PackedByteArray = ticket.buffer.duplicate()
	bytes[index] = bytes[index] ^ 0x01
	return bytes


## Sets a Project Setting for this test only (the runner restores it afterwards).
func set_setting(name: String, value: Variant) -> void:
	if not changed_settings.has(name):
		changed_settings[name] = ProjectSettings.get_setting(name)
	ProjectSettings.set_setting(name, value)


## Moves res://steam_appid.txt aside for this test (the runner puts it back), so no file gives an app id.
func hide_steam_appid_file() -> void:
	var dir := DirAccess.open("res://")
	if dir.file_exists("steam_appid.txt"):
		dir.rename("steam_appid.txt", HIDDEN_APPID_FILE)


const HIDDEN_APPID_FILE := "steam_appid.txt.hidden-by-test"
