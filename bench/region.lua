-- wrk script of the page benchmark (bench/region.py).
--
-- BENCH_COOKIES: Cookie header values separated by "|". When set, each
-- request carries the next one in turn (members signed in with different
-- sessions); when empty, requests carry no cookie, as a first visit.
--
-- At the end, one line "BENCH_WRK {json}" with the figures of the run;
-- latencies in microseconds.

local cookies = {}
for value in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^|]+") do
  table.insert(cookies, value)
end

if #cookies > 0 then
  local turn = 0
  request = function()
    turn = turn + 1
    return wrk.format(nil, nil, { Cookie = cookies[(turn % #cookies) + 1] })
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_WRK {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50_us": %.0f, "p90_us": %.0f, "p95_us": %.0f, "p99_us": %.0f, ' ..
    '"max_us": %.0f, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
