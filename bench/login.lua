-- wrk script: POSTs a different pre-minted ticket (one SteamID each) on every request. A ticket logs in
-- once, so each thread takes its own share of the file (common.lua's own_lines) and never repeats one:
-- size the file for the run (scripts/bench-server.sh does). Requests are formatted once in init(), so
-- the load generator spends little CPU on a machine it shares.
dofile("bench/common.lua")
-- NEW_CONNECTION=1: each login on a connection of its own (wrk reconnects after Connection: close).
local requests = {}
local i = 0
local headers = {["Content-Type"] = "application/json"}
if os.getenv("NEW_CONNECTION") then headers["Connection"] = "close" end
init = function(args)
  own_lines(os.getenv("BODIES") or "bench/bodies.txt", function(line)
    requests[#requests + 1] = wrk.format("POST", nil, headers, line)
  end)
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
