-- wrk script: POSTs a different pre-minted ticket (one SteamID each) on every request. A ticket logs in
-- once, so each thread takes its own share of the file (every WRK_THREADS-th line) and never repeats
-- one: size the file for the run (scripts/bench-server.sh does). Requests are formatted once in init(),
-- so the load generator spends little CPU on a machine it shares.
dofile("bench/common.lua")
local requests = {}
local i = 0
local thread_ids = 0
setup = function(thread)
  thread:set("id", thread_ids)
  thread_ids = thread_ids + 1
end
init = function(args)
  local threads = tonumber(os.getenv("WRK_THREADS") or "2")
  local n = 0
  for line in io.lines(os.getenv("BODIES") or "bench/bodies.txt") do
    if n % threads == (id or 0) then
      requests[#requests + 1] = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, line)
    end
    n = n + 1
  end
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
