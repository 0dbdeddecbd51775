-- wrk script for the session endpoints. SESSION_MODE=collect: logs in with BODIES (as login.lua) and
-- writes each session token to TOKENS_OUT.<thread>; SESSION_MODE=refresh: POSTs each token of TOKENS
-- once to /api/v1/auth/session/refresh (a refresh spends its session), every WRK_THREADS-th line per
-- thread; SESSION_MODE=check: GETs /api/v1/auth/session with the first tokens of TOKENS, repeatedly.
dofile("bench/common.lua")
local mode = os.getenv("SESSION_MODE") or "check"
local requests = {}
local i = 0
local out
local thread_ids = 0
setup = function(thread)
  thread:set("id", thread_ids)
  thread_ids = thread_ids + 1
end
init = function(args)
  local threads = tonumber(os.getenv("WRK_THREADS") or "2")
  local n = 0
  if mode == "collect" then
    out = io.open(os.getenv("TOKENS_OUT") .. "." .. (id or 0), "w")
    for line in io.lines(os.getenv("BODIES")) do
      if n % threads == (id or 0) then
        requests[#requests + 1] = wrk.format("POST", "/api/v1/auth/provider/steam/login",
          {["Content-Type"] = "application/json"}, line)
      end
      n = n + 1
    end
    return
  end
  for token in io.lines(os.getenv("TOKENS")) do
    if mode == "check" then
      if #requests < 256 then
        requests[#requests + 1] = wrk.format("GET", "/api/v1/auth/session", {["Authorization"] = "Bearer " .. token})
      end
    elseif n % threads == (id or 0) then
      requests[#requests + 1] = wrk.format("POST", "/api/v1/auth/session/refresh", {["Authorization"] = "Bearer " .. token})
    end
    n = n + 1
  end
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
if mode == "collect" then
  response = function(status, headers, body)
    local token = body:match('"token":"([^"]+)"')
    if token then out:write(token, "\n") end
  end
end
