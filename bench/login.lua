-- wrk script: POSTs a different pre-minted ticket (one SteamID each) on every request. Requests are
-- formatted once in init(), so the load generator spends little CPU on a machine it shares.
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
done = function(summary, latency, requests_)
  io.write(string.format("RESULT requests=%d errors_status=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f\n",
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
