## A dedicated server written the way GodotSteam Server users write theirs (init, every
## server-browser setter, an anonymous log-on, secure, players' tickets checked with the typed enums,
## both licence spellings, ending sessions, log-off), run unchanged on the backend under test: the
## simulated game server, or steamworks' over the flat-API double (which records every setter call;
## scripts/test-steam-double.sh checks that record). GDScript compiles every SteamServer.x against
## the class, so this file loading at all proves the members exist.
extends "res://tests/test_case.gd"

const GAME_PORT := 27015
const QUERY_PORT := 27016
const SERVER_VERSION := "1.0.0.0"
## A Steam group SteamID (account type 7).
const CLAN_ID := 103582791429521413

var log_lines: Array = []
var connected := false
var secure_policy := -1


func _init_dedicated_server(mode: SteamServer.ServerMode) -> Dictionary:
	OS.set_environment("STEAM_AUTH_BACKEND", backend_under_test())
	var init: Dictionary = SteamServer.serverInitEx("0.0.0.0", GAME_PORT, QUERY_PORT, mode, SERVER_VERSION)
	if init.status != SteamServer.STEAM_API_INIT_RESULT_OK:
		return init
	SteamServer.server_connected.connect(_on_server_connected)
	SteamServer.server_connect_failure.connect(func(result: int, retrying: bool): log_lines.append(["connect_failure", result, retrying]))
	SteamServer.server_disconnected.connect(func(result: int): log_lines.append(["disconnected", result]))
	SteamServer.policy_response.connect(func(secure: int): secure_policy = secure)
	SteamServer.validate_auth_ticket_response.connect(_on_validate_auth_ticket_response)
	SteamServer.client_group_status.connect(func(steam_id: int, group_id: int, member: bool, officer: bool): log_lines.append(["group", steam_id, group_id, member, officer]))
	SteamServer.associate_clan.connect(func(result: int): log_lines.append(["clan", result]))
	SteamServer.player_compat.connect(func(result: int, dislike: int, disliked: int, clan_dislike: int, steam_id: int): log_lines.append(["compat", result, dislike, disliked, clan_dislike, steam_id]))
	SteamServer.client_approved.connect(func(steam_id: int, owner_id: int): log_lines.append(["approved", steam_id, owner_id]))
	SteamServer.client_denied.connect(func(steam_id: int, reason: int): log_lines.append(["denied", steam_id, reason]))
	SteamServer.client_kick.connect(func(steam_id: int, reason: int): log_lines.append(["kick", steam_id, reason]))
	# The server browser, before logging on (as Valve's SpaceWar server does).
	SteamServer.setModDir("steam_auth_demo")
	SteamServer.setProduct(str(APP))
	SteamServer.setGameDescription("steam-auth demo")
	SteamServer.setDedicatedServer(true)
	SteamServer.setMaxPlayerCount(8)
	SteamServer.setBotPlayerCount(1)
	SteamServer.setPasswordProtected(false)
	SteamServer.setServerName("Style test server")
	SteamServer.setMapName("arena_01")
	SteamServer.setRegion("255")
	SteamServer.setGameTags("ctf,test")
	SteamServer.setGameData("build=42")
	SteamServer.setKeyValue("stale", "1")
	SteamServer.clearAllKeyValues()
	SteamServer.setKeyValue("mode", "ctf")
	SteamServer.setSpectatorPort(27020)
	SteamServer.setSpectatorServerName("Style test spectators")
	return init


func _on_server_connected() -> void:
	connected = true
	SteamServer.setAdvertiseServerActive(true)


func _on_validate_auth_ticket_response(steam_id: int, response: SteamServer.AuthSessionResponse, owner_id: int) -> void:
	log_lines.append(["validate", steam_id, response, owner_id])


## A player's ticket, made as the player's game would (the simulated client of this process).
func _players_ticket(steam_id: int) -> Dictionary:
	if not Steam.isSteamInitialized():
		init_simulated()
	return Steam.mintSimulatedTicket(steam_id)


func test_a_godotsteam_server_style_server_runs_unchanged() -> void:
	var init := _init_dedicated_server(SteamServer.SERVER_MODE_AUTHENTICATION_AND_SECURE)
	assert_eq(init.status, SteamServer.STEAM_API_INIT_RESULT_OK, str(init.verbal))
	assert_false(SteamServer.secure(), "not secure before log-on")
	assert_eq(SteamServer.getPublicIP().ipv4, 0, "Steam does not know the address before log-on")
	SteamServer.logOnAnonymous()
	await frames(3)
	assert_true(connected, "server_connected")
	assert_true(SteamServer.loggedOn())
	assert_eq(secure_policy, 1, "policy_response: secure in SERVER_MODE_AUTHENTICATION_AND_SECURE")
	assert_true(SteamServer.secure())
	assert_true(SteamServer.isServerSecure())
	var server_id: int = SteamServer.getSteamID()
	assert_eq(SteamServer.getServerSteamID(), server_id)
	assert_true(SteamServer.isAnonAccount(server_id), "an anonymous log-on gives an anonymous game server account")
	assert_false(SteamServer.isIndividualAccount(server_id))
	var public_ip: Dictionary = SteamServer.getPublicIP()
	assert_eq(public_ip.type, SteamServer.IP_TYPE_IPV4)
	assert_eq(public_ip.ipv4, 0x7F000001, "the simulated server's public address is loopback")
	assert_false(SteamServer.wasRestartRequested())

	var info: Dictionary = SteamServer.getServerInfo()
	assert_eq(info.server_name, "Style test server")
	assert_eq(info.map_name, "arena_01")
	assert_eq(info.max_players, 8)
	assert_eq(info.bot_players, 1)
	assert_eq(info.game_tags, "ctf,test")
	assert_eq(info.key_values, {"mode": "ctf"}, "clearAllKeyValues dropped the stale rule")
	assert_true(info.advertised and info.dedicated)
	assert_eq(info.summary, "\"Style test server\" on arena_01, 8 players max (1 bots), tags \"ctf,test\", rules {mode=ctf}, advertised, dedicated")
	if backend_under_test() == "simulated":
		assert_printed("SteamServer (simulated): logged on as %d; server browser: \"Style test server\" on arena_01" % server_id)

	# Players join: each sends a ticket, the server checks it (typed enums, as scripts write them).
	var ticket := _players_ticket(PEER)
	var begin: SteamServer.BeginAuthSessionResult = SteamServer.beginAuthSession(ticket.buffer, ticket.size, PEER)
	assert_eq(begin, SteamServer.BEGIN_AUTH_SESSION_RESULT_OK)
	var other := _players_ticket(ME)
	assert_eq(SteamServer.beginAuthSession(other.buffer, other.size, ME), SteamServer.BeginAuthSessionResult.BEGIN_AUTH_SESSION_RESULT_OK)
	await frames(3)
	assert_true(log_lines.has(["validate", PEER, SteamServer.AUTH_SESSION_RESPONSE_OK, PEER]), str(log_lines))
	assert_true(log_lines.has(["validate", ME, SteamServer.AuthSessionResponse.AUTH_SESSION_RESPONSE_OK, ME]), str(log_lines))
	assert_eq(SteamServer.userHasLicenseForApp(PEER, APP), SteamServer.USER_HAS_LICENSE_RESULT_HAS_LICENSE)
	assert_eq(SteamServer.userHasLicenceForApp(PEER, APP), SteamServer.USER_HAS_LICENSE_RESULT_HAS_LICENSE, "GodotSteam Server's spelling")
	assert_eq(SteamServer.userHasLicenceForApp(PEER, 480), SteamServer.USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE)

	# What a server asks Steam's servers about its players.
	assert_true(SteamServer.requestUserGroupStatus(PEER, CLAN_ID))
	SteamServer.associateWithClan(CLAN_ID)
	SteamServer.computeNewPlayerCompatibility(PEER)
	await frames(3)
	assert_true(log_lines.has(["group", PEER, CLAN_ID, false, false]), str(log_lines))
	assert_true(log_lines.has(["clan", SteamServer.RESULT_OK]), str(log_lines))
	assert_true(log_lines.has(["compat", SteamServer.RESULT_OK, 0, 0, 0, PEER]), str(log_lines))
	assert_eq(SteamServer.getNextOutgoingPacket().length, 0, "no query answers queued")
	assert_eq(SteamServer.handleIncomingPacket(PackedByteArray([0xFF, 0xFF, 0xFF, 0xFF, 0x54]), "127.0.0.1", 27016), {}, "not handled")

	# The server's own ticket, which a client validates against the server's SteamID.
	var own: Dictionary = SteamServer.getAuthSessionTicket()
	assert_true(own.id > 0 and own.size == own.buffer.size() and own.size > 0, str(own))
	assert_eq(Steam.beginAuthSession(own.buffer, own.size, server_id), Steam.BEGIN_AUTH_SESSION_RESULT_OK)
	Steam.endAuthSession(server_id)
	SteamServer.cancelAuthTicket(own.id)

	# Players leave; the server logs off and shuts down.
	SteamServer.endAuthSession(PEER)
	SteamServer.endAuthSession(ME)
	assert_eq(SteamServer.userHasLicenceForApp(PEER, APP), SteamServer.USER_HAS_LICENSE_RESULT_NO_AUTH)
	SteamServer.setAdvertiseServerActive(false)
	SteamServer.logOff()
	await frames(3)
	assert_eq(log_lines.back(), ["disconnected", SteamServer.RESULT_NO_CONNECTION])
	assert_false(SteamServer.loggedOn())
	assert_false(SteamServer.secure())
	var forbidden := ["approved", "denied", "kick", "connect_failure"]
	for line in log_lines:
		assert_false(forbidden.has(line[0]), "no %s for sessions begun with beginAuthSession" % line[0])
	SteamServer.serverReleaseCurrentThreadMemory()
	SteamServer.serverShutdown()


func test_without_vac_the_server_is_not_secure() -> void:
	var init := _init_dedicated_server(SteamServer.SERVER_MODE_AUTHENTICATION)
	assert_eq(init.status, SteamServer.STEAM_API_INIT_RESULT_OK, str(init.verbal))
	SteamServer.logOnAnonymous()
	await frames(3)
	assert_eq(secure_policy, 0)
	assert_false(SteamServer.secure())


func test_before_log_on_steam_cannot_be_asked() -> void:
	_init_dedicated_server(SteamServer.SERVER_MODE_AUTHENTICATION)
	assert_false(SteamServer.requestUserGroupStatus(PEER, CLAN_ID), "false: not connected to Steam")
	SteamServer.associateWithClan(CLAN_ID)
	await frames(3)
	assert_true(log_lines.has(["clan", SteamServer.RESULT_NO_CONNECTION]), str(log_lines))
	var own: Dictionary = SteamServer.getAuthSessionTicket()
	assert_eq([own.id, own.size], [0, 0], "no SteamID to vouch for before log-on")


func test_steamid_helpers_read_the_ids_bits_before_init() -> void:
	assert_eq(SteamServer.getSteamID32(ME), 39734272)
	assert_true(SteamServer.isIndividualAccount(ME))
	assert_false(SteamServer.isAnonAccount(ME))
	assert_true(SteamServer.isClanAccount(CLAN_ID))
	assert_false(SteamServer.isChatAccount(CLAN_ID))
	var lobby_id := 0x0186000000000000 | 42
	assert_true(SteamServer.isChatAccount(lobby_id) and SteamServer.isLobby(lobby_id))
	assert_false(SteamServer.isLobby(0x0180000000000000 | 42), "a chat room is not a lobby")
	assert_true(SteamServer.isConsoleUserAccount(0x0190000000000001))
	assert_true(SteamServer.isAnonUserAccount(0x01A0000000000001))
	assert_eq(SteamServer.ACCOUNT_TYPE_CLAN, 7)
	assert_eq(SteamServer.UNIVERSE_PUBLIC, 1)
	var reason: SteamServer.DenyReason = SteamServer.DENY_NO_LICENSE
	assert_eq(reason, 4)
	assert_eq(SteamServer.GameIDType.GAME_TYPE_APP, 0)
	assert_eq(SteamServer.IPType.IP_TYPE_IPV6, 1)


func test_bad_setter_arguments_are_refused_with_errors() -> void:
	_init_dedicated_server(SteamServer.SERVER_MODE_AUTHENTICATION)
	expect_error("SteamServer.setMaxPlayerCount: players_max -1 is not a player count")
	SteamServer.setMaxPlayerCount(-1)
	expect_error("SteamServer.setSpectatorPort: 70000 is not a port")
	SteamServer.setSpectatorPort(70000)
	expect_error("SteamServer.handleIncomingPacket: packet must be the packet's bytes")
	assert_eq(SteamServer.handleIncomingPacket(5, "127.0.0.1", 27016), {})
	assert_eq(SteamServer.getServerInfo().max_players, 8, "the earlier value stays")
	assert_eq(SteamServer.getServerInfo().server_name, "Style test server")


func test_calls_before_init_say_so() -> void:
	expect_error("SteamServer.setServerName: the server is not initialised")
	SteamServer.setServerName("too early")
	expect_error("SteamServer.secure: the server is not initialised")
	assert_false(SteamServer.secure())
	expect_error("SteamServer.getPublicIP: the server is not initialised")
	assert_eq(SteamServer.getPublicIP(), {})
	expect_error("SteamServer.userHasLicenceForApp: the server is not initialised")
	assert_eq(SteamServer.userHasLicenceForApp(PEER, APP), SteamServer.USER_HAS_LICENSE_RESULT_NO_AUTH)
	SteamServer.serverReleaseCurrentThreadMemory() # harmless


## GodotSteam Server 4.x's Main and Game Server members (its godotsteam_server.h), all of them.
const GODOTSTEAM_SERVER_METHODS := [
	"getServerSteamID", "getSteamID32", "isAnonAccount", "isAnonUserAccount", "isChatAccount",
	"isClanAccount", "isConsoleUserAccount", "isIndividualAccount", "isLobby", "isServerSecure",
	"serverInit", "serverInitEx", "serverReleaseCurrentThreadMemory", "serverShutdown",
	"run_callbacks", "get_godotsteam_version",
	"associateWithClan", "beginAuthSession", "cancelAuthTicket", "clearAllKeyValues",
	"computeNewPlayerCompatibility", "endAuthSession", "getAuthSessionTicket", "getNextOutgoingPacket",
	"getPublicIP", "getSteamID", "handleIncomingPacket", "loggedOn", "logOff", "logOn", "logOnAnonymous",
	"requestUserGroupStatus", "secure", "setAdvertiseServerActive", "setBotPlayerCount",
	"setDedicatedServer", "setGameData", "setGameDescription", "setGameTags", "setKeyValue", "setMapName",
	"setMaxPlayerCount", "setModDir", "setPasswordProtected", "setProduct", "setRegion", "setServerName",
	"setSpectatorPort", "setSpectatorServerName", "userHasLicenceForApp", "wasRestartRequested",
]
const GODOTSTEAM_SERVER_SIGNALS := [
	"associate_clan", "client_approved", "client_denied", "client_group_status", "client_kick",
	"policy_response", "player_compat", "validate_auth_ticket_response", "server_connect_failure",
	"server_connected", "server_disconnected",
]
const GODOTSTEAM_SERVER_ENUMS := [
	"AccountType", "AuthSessionResponse", "BeginAuthSessionResult", "DenyReason", "GameIDType", "IPType",
	"Result", "ServerMode", "SteamAPIInitResult", "Universe",
]


func test_every_main_and_game_server_member_of_godotsteam_server_is_here() -> void:
	var missing: Array = []
	for method in GODOTSTEAM_SERVER_METHODS:
		if not ClassDB.class_has_method("SteamServer", method):
			missing.append(method + "()")
	for sig in GODOTSTEAM_SERVER_SIGNALS:
		if not ClassDB.class_has_signal("SteamServer", sig):
			missing.append("signal " + sig)
	for enum_name in GODOTSTEAM_SERVER_ENUMS:
		if not ClassDB.class_has_enum("SteamServer", enum_name):
			missing.append("enum " + enum_name)
	assert_eq(missing, [], "missing from SteamServer")
	assert_eq(ClassDB.class_get_enum_constants("SteamServer", "AccountType").size(), 12)
	assert_eq(ClassDB.class_get_enum_constants("SteamServer", "DenyReason").size(), 16)
	assert_eq(ClassDB.class_get_enum_constants("SteamServer", "Universe").size(), 6)
	assert_has(SteamServer.get_godotsteam_version(), "steam-auth")
