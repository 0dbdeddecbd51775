## A tiny HTTP server on loopback for the login tests: answers every request with a fixed status and
## body, or never answers (mode "hang"). Polled every frame; add it to the tree.
extends Node

var port := 0
var status := 200
var body := ""
var hang := false
var requests := 0

var _server := TCPServer.new()
var _peers: Array[StreamPeerTCP] = []
var _buffers: Array[PackedByteArray] = []


func start() -> int:
	for candidate in range(47000, 47100):
		if _server.listen(candidate, "127.0.0.1") == OK:
			port = candidate
			return port
	push_error("http_stub: no free port")
	return 0


func url() -> String:
	return "http://127.0.0.1:%d" % port


func _process(_delta: float) -> void:
	while _server.is_connection_available():
		_peers.append(_server.take_connection())
		_buffers.append(PackedByteArray())
	for i in range(_peers.size() - 1, -1, -1):
		var peer := _peers[i]
		peer.poll()
		if peer.get_status() != StreamPeerTCP.STATUS_CONNECTED:
			_peers.remove_at(i)
			_buffers.remove_at(i)
			continue
		var available := peer.get_available_bytes()
		if available > 0:
			_buffers[i].append_array(peer.get_data(available)[1])
		var text := _buffers[i].get_string_from_utf8()
		var head_end := text.find("\r\n\r\n")
		if head_end < 0 or hang:
			continue
		var length := 0
		for line in text.substr(0, head_end).split("\r\n"):
			if line.to_lower().begins_with("content-length:"):
				length = int(line.split(":")[1].strip_edges())
		if _buffers[i].size() < head_end + 4 + length:
			continue
		requests += 1
		var payload := body.to_utf8_buffer()
		var reply := "HTTP/1.1 %d Stub\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % [status, payload.size()]
		peer.put_data(reply.to_utf8_buffer() + payload)
		peer.disconnect_from_host()
		_peers.remove_at(i)
		_buffers.remove_at(i)


func _exit_tree() -> void:
	for peer in _peers:
		peer.disconnect_from_host()
	_server.stop()
