## Headless test runner: runs every test_* method of res://tests/test_*.gd, isolates them (Steam is
## shut down and its signals disconnected between tests), fails on unexpected errors, and exits with
## the number of failures. Usage: godot --headless --path godot_project res://tests/runner.tscn [-- filter[,filter...]]
extends Node

const LogCapture = preload("res://tests/log_capture.gd")
const TestCase = preload("res://tests/test_case.gd")

var _log := LogCapture.new()


func _ready() -> void:
	OS.add_logger(_log)
	var filter := ""
	var args := OS.get_cmdline_user_args()
	if not args.is_empty():
		filter = args[0]
	var passed := 0
	var failed := 0
	var expected_error_total := 0
	for path in _test_scripts():
		var script: GDScript = load(path)
		for method in script.get_script_method_list():
			var name: String = method.name
			if not name.begins_with("test_"):
				continue
			var id := "%s::%s" % [path.get_file().get_basename(), name]
			if filter and not Array(filter.split(",")).any(func(f): return id.contains(f)):
				continue
			# Needs the steam backend's call-result path (the flat-API double); not run, not counted, elsewhere.
			if name.begins_with("test_steam_only_") and OS.get_environment("STEAM_AUTH_TEST_BACKEND") != "steam":
				continue
			var failures := await _run_one(script, name)
			expected_error_total += _last_expected_errors
			if failures.is_empty():
				passed += 1
				print("ok    %s" % id)
			else:
				failed += 1
				print("FAIL  %s" % id)
				for f in failures:
					print("        %s" % f)
	OS.remove_logger(_log)
	print("expected errors: %d" % expected_error_total)
	print("%d passed, %d failed" % [passed, failed])
	get_tree().quit(1 if failed > 0 or passed == 0 else 0)


var _last_expected_errors := 0


func _run_one(script: GDScript, method: String) -> Array[String]:
	_reset_steam()
	_log.clear()
	var test: TestCase = script.new()
	test.log = _log
	await test.call(method)
	var failures := test.failures.duplicate()
	_last_expected_errors = _log.errors.size()
	# Every error must have been announced, and every announced error must have happened.
	for e in _log.errors:
		if not test.expected_errors.any(func(part): return e.contains(part)):
			failures.append("unexpected error: " + e)
			_last_expected_errors -= 1
	for part in test.expected_errors:
		if not _log.errors.any(func(e): return e.contains(part)):
			failures.append("expected an error containing %s, none happened" % var_to_str(part))
	for e in _log.script_errors:
		failures.append("script error: " + e)
	_reset_steam()
	for name in test.changed_settings:
		ProjectSettings.set_setting(name, test.changed_settings[name])
	var dir := DirAccess.open("res://")
	if dir.file_exists(TestCase.HIDDEN_APPID_FILE):
		dir.rename(TestCase.HIDDEN_APPID_FILE, "steam_appid.txt")
	return failures


func _reset_steam() -> void:
	Steam.steamShutdown()
	SteamServer.serverShutdown()
	for singleton: Object in [Steam, SteamServer]:
		for signal_info in singleton.get_signal_list():
			for connection in singleton.get_signal_connection_list(signal_info.name):
				singleton.disconnect(signal_info.name, connection.callable)
	OS.set_environment("STEAM_AUTH_BACKEND", "simulated")
	OS.unset_environment("STEAM_AUTH_SIMULATED_STEAM_ID")
	# Steam's launch environment: set by tests and by steamworks' init_app, never left for the next test.
	OS.unset_environment("SteamAppId")
	OS.unset_environment("SteamGameId")


func _test_scripts() -> PackedStringArray:
	var found := PackedStringArray()
	for file in DirAccess.get_files_at("res://tests"):
		if file.begins_with("test_") and file.ends_with(".gd") and file != "test_case.gd":
			found.append("res://tests/" + file)
	found.sort()
	return found
