## Captures everything Godot logs (errors, warnings, prints) so tests can assert on it and the
## runner can fail on errors nobody expected. Requires Godot 4.5+ (Logger).
extends Logger

var _mutex := Mutex.new()
var errors: Array[String] = []
var warnings: Array[String] = []
var script_errors: Array[String] = []
var messages: Array[String] = []


func _log_error(function: String, file: String, line: int, code: String, rationale: String,
		_editor_notify: bool, error_type: int, _script_backtraces: Array) -> void:
	var text := "%s %s (%s:%d %s)" % [code, rationale, file, line, function]
	_mutex.lock()
	match error_type:
		ERROR_TYPE_WARNING:
			warnings.append(text)
		ERROR_TYPE_SCRIPT:
			script_errors.append(text)
		_:
			errors.append(text)
	_mutex.unlock()


func _log_message(message: String, _error: bool) -> void:
	_mutex.lock()
	messages.append(message)
	_mutex.unlock()


func clear() -> void:
	_mutex.lock()
	errors.clear()
	warnings.clear()
	script_errors.clear()
	messages.clear()
	_mutex.unlock()
