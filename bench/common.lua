-- Shared by the wrk scripts (run from the repository root).
-- THINK_MS > 0: each connection waits a random 0..THINK_MS ms before each request, so 64 connections
-- behave like 64 independent clients. Without it, a closed loop against an upstream with a fixed
-- latency keeps all connections in lock-step: they arrive together, once per round trip, and the last of
-- each wave waits for the 63 before it.
local think = tonumber(os.getenv("THINK_MS") or "0")
if think > 0 then
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  delay = function() return math.random(0, think) end
end

-- A ticket logs in once and a refresh spends its session: each thread takes its own share of a file,
-- every WRK_THREADS-th line from its own number, and no two threads send the same line.
local thread_ids = 0
setup = function(thread)
  thread:set("id", thread_ids)
  thread_ids = thread_ids + 1
end
function own_lines(path, each)
  local threads = tonumber(os.getenv("WRK_THREADS") or "2")
  local n = 0
  for line in io.lines(path) do
    if n % threads == (id or 0) then each(line) end
    n = n + 1
  end
end

-- One machine-readable line.
done = function(summary, latency, requests_)
  io.write(string.format("RESULT requests=%d errors_status=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f\n",
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
