-- wrk script for the throughput comparison (benches/load/run.sh): the signed voice
-- webhook, byte for byte the same on both routes (the plain route ignores the signature).
-- No response() hook: wrk parses responses in C and counts non-2xx itself, so the load
-- generator stays as light as possible.
--
-- Environment (from sign.py): LOAD_PATH, LOAD_QUERY, LOAD_BODY, LOAD_SIGNATURE.

local path = os.getenv("LOAD_PATH") .. "?" .. os.getenv("LOAD_QUERY")
local body = os.getenv("LOAD_BODY")
local headers = {
   ["Content-Type"] = "application/x-www-form-urlencoded",
   ["X-Twilio-Signature"] = os.getenv("LOAD_SIGNATURE"),
}

-- Static request (no request() function): wrk builds it once, no Lua call per request.
wrk.method = "POST"
wrk.path = path
wrk.headers = headers
wrk.body = body

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "LOADRESULT requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d non2xx=%d p50_us=%d p99_us=%d\n",
      summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
      latency:percentile(50), latency:percentile(99)))
end
