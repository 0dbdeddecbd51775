-- wrk script for the session endpoints. SESSION_MODE=collect: logs in with BODIES (as login.lua) and
-- writes each session token to TOKENS_OUT.<thread>; SESSION_MODE=refresh: POSTs each token of TOKENS
-- once to /api/v1/auth/session/refresh (a refresh spends its session), every WRK_THREADS-th line per
-- thread; SESSION_MODE=check: GETs /api/v1/auth/session with the first tokens of TOKENS, repeatedly.
dofile("bench/common.lua")
local mode = os.getenv("SESSION_MODE") or "check"
local requests = {}
local i = 0
local out
init = function(args)
  if mode == "collect" then
    out = io.open(os.getenv("TOKENS_OUT") .. "." .. (id or 0), "w")
    own_lines(os.getenv("BODIES"), function(line)
      requests[#requests + 1] = wrk.format("POST", "/api/v1/auth/provider/steam/login",
        {["Content-Type"] = "application/json"}, line)
    end)
  elseif mode == "refresh" then
    own_lines(os.getenv("TOKENS"), function(token)
      requests[#requests + 1] = wrk.format("POST", "/api/v1/auth/session/refresh", {["Authorization"] = "Bearer " .. token})
    end)
  else
    for token in io.lines(os.getenv("TOKENS")) do
      if #requests == 256 then break end
      requests[#requests + 1] = wrk.format("GET", "/api/v1/auth/session", {["Authorization"] = "Bearer " .. token})
    end
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
