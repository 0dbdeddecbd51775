## The game node both sides have at /root/Lobby: a client says hello, the server answers.
extends Node

signal welcomed(text: String)
signal hello_received

var hellos: Array = []


@rpc("any_peer", "reliable")
func hello(text: String) -> void:
	var peer := multiplayer.get_remote_sender_id()
	hellos.append([peer, text])
	welcome.rpc_id(peer, "welcome, " + text)
	hello_received.emit()


@rpc("authority", "reliable")
func welcome(text: String) -> void:
	welcomed.emit(text)
