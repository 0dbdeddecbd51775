-- wrk script: POSTs a different pre-minted ticket (one SteamID each) on every request.
local bodies = {}
for line in io.lines(os.getenv("BODIES") or "bench/bodies.txt") do
  bodies[#bodies + 1] = line
end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f\n",
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
