-- wrk script: replays pre-signed unique lead webhooks (bench/requests_gen.py output in REQUESTS_FILE).
-- Each thread takes every Nth line so no two requests share an idempotency key.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_index", counter)
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("REQUESTS_FILE")
  local total_threads = tonumber(os.getenv("WRK_THREADS") or "1")
  reqs = {}
  local n = 0
  for line in io.lines(path) do
    if n % total_threads == (thread_index - 1) then
      local sig, body = line:match("^(%x+) (.*)$")
      reqs[#reqs + 1] = wrk.format("POST", "/webhooks/site/lead",
        {["Content-Type"] = "application/json", ["Signature"] = sig}, body)
    end
    n = n + 1
  end
  -- REQUESTS_OFFSET: where to start in this thread's share (a warm-up run uses keys the measured run
  -- never reaches).
  i = tonumber(os.getenv("REQUESTS_OFFSET") or "0")
  non2xx = 0
  dup = 0
end

function request()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end

function response(status, headers, body)
  if status == 200 then dup = dup + 1 end
  if status ~= 202 and status ~= 200 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("WRK_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
