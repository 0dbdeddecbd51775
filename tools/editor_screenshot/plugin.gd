## Used only by scripts/screenshot-editor.sh: shows the F1 help page of `Steam` in the Script screen,
## saves the editor window to $EDITOR_SCREENSHOT and quits.
@tool
extends EditorPlugin


func _enter_tree() -> void:
	if DisplayServer.get_name() == "headless":
		return  # the import run before the screenshot
	# The editor redraws only on change; a screenshot needs frames that are drawn.
	OS.low_processor_usage_mode = false
	_shoot.call_deferred()


func _shoot() -> void:
	await _frames(90)
	EditorInterface.set_main_screen_editor("Script")
	EditorInterface.get_script_editor().goto_help("class_name:Steam")
	await _frames(60)
	await RenderingServer.frame_post_draw
	var image := EditorInterface.get_base_control().get_viewport().get_texture().get_image()
	var path := OS.get_environment("EDITOR_SCREENSHOT")
	print("editor screenshot: %s (%s)" % [path, error_string(image.save_png(path))])
	EditorInterface.get_base_control().get_tree().quit()


func _frames(n: int) -> void:
	for i in n:
		await EditorInterface.get_base_control().get_tree().process_frame
