## Base of the beside-GodotSteam scripts: named checks printed as ok/FAIL, and an exit status.
extends SceneTree

var failures: Array[String] = []


func check(ok: bool, what: String) -> void:
	print(("ok    " if ok else "FAIL  ") + what)
	if not ok:
		failures.append(what)


func _init() -> void:
	_run.call_deferred()


## The scenario; it ends with finish().
func _run() -> void:
	pass


func finish() -> void:
	print("%d failed" % failures.size())
	quit(1 if failures else 0)
