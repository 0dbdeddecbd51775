-- wrk script: POSTs a different pre-minted ticket (one SteamID each) on every request. Requests are
-- formatted once in init(), so the load generator spends little CPU on a machine it shares.
dofile("bench/common.lua")
local requests = {}
local i = 0
init = function(args)
  for line in io.lines(os.getenv("BODIES") or "bench/bodies.txt") do
    requests[#requests + 1] = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, line)
  end
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
