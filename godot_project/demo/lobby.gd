## The demo's game node, at /root/Lobby on host and players: a player says hello, the host greets.
extends Node

signal greeted(text: String)
signal said_hello(peer: int, name: String)


@rpc("any_peer", "reliable")
func hello(player_name: String) -> void:
	var peer := multiplayer.get_remote_sender_id()
	said_hello.emit(peer, player_name)
	greet.rpc_id(peer, "Welcome to the server, %s!" % player_name)


@rpc("authority", "reliable")
func greet(text: String) -> void:
	greeted.emit(text)
